"""Staff pages, mounted at ``/<lang>/staff/<slug:org>/participation/<int:pk>/ideas/`` (namespace ``ideas_staff``)."""

from django.urls import path

from kanava.participation.kinds.ideas import staff_views as views

urlpatterns = [
    path("", views.idea_list, name="list"),
    path("record/", views.record_idea, name="record"),
    path("<int:idea>/", views.idea_detail, name="detail"),
    path("<int:idea>/answer/", views.answer, name="answer"),
    path("<int:idea>/hide/", views.hide, name="hide"),
    path("<int:idea>/restore/", views.restore, name="restore"),
    path("<int:idea>/initiative/", views.open_initiative, name="open_initiative"),
    path("initiatives/<int:initiative>/", views.initiative_detail, name="initiative"),
    path("initiatives/<int:initiative>/paper/", views.paper_signature, name="paper_signature"),
    path("initiatives/<int:initiative>/submitted/", views.mark_submitted, name="mark_submitted"),
]
