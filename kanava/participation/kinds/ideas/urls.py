"""Resident pages, mounted at ``/<lang>/participate/<slug:process>/ideas/`` (namespace ``ideas``)."""

from django.urls import path

from kanava.participation.kinds.ideas import views

urlpatterns = [
    path("", views.idea_list, name="list"),
    path("new/", views.propose, name="propose"),
    path("<int:idea>/", views.detail, name="detail"),
    path("<int:idea>/support/", views.support, name="support"),
    path("initiatives/<int:initiative>/", views.initiative, name="initiative"),
    path("initiatives/<int:initiative>/sign/", views.sign, name="sign"),
]
