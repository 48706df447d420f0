"""Staff pages of core, mounted at ``/<language>/staff/``.

Organisation pages carry the organisation's slug (``<slug:org>/people/``) and
go through ``@staff_view``.  The fixed first segments below cannot be
organisation slugs (``RESERVED_SLUGS``), or their pages would be unreachable.
"""

from django.urls import path

from kanava.core import views, views_audit, views_people

app_name = "core"

RESERVED_SLUGS = {"login", "logout", "two-factor", "set-password", "invitation", "api", "static", "media"}

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("set-password/<str:uidb64>/<str:token>/", views.password_set, name="password_set"),
    path("invitation/<str:token>/", views_people.invitation_accept, name="invitation_accept"),
    path("<slug:org>/people/", views_people.people, name="people"),
    path("<slug:org>/people/<int:membership_id>/remove/", views_people.remove_role, name="remove_role"),
    path("<slug:org>/people/<int:membership_id>/title/", views_people.voice_title, name="voice_title"),
    path("<slug:org>/audit/", views_audit.audit, name="audit"),
    path("<slug:org>/audit/export.csv", views_audit.audit_export, name="audit_export"),
]
