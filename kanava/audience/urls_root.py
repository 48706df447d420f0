"""Language-free one-click unsubscribe links, under ``/u/`` (they go out in every email)."""

from django.urls import path

from kanava.audience import views

app_name = "audience_root"
urlpatterns = [
    path("<str:token>/", views.unsubscribe, name="unsubscribe"),
]
