"""Resident pages of a hearing, under ``/<lang>/participate/<slug:process>/hearing/`` (namespace ``hearing``)."""

from django.urls import path

from kanava.participation.kinds.hearing import views

urlpatterns = [
    path("", views.hearing, name="index"),
    path("sections/<int:section>/", views.section, name="section"),
    path("sections/<int:section>/comments/<int:comment>/reply/", views.reply, name="reply"),
    path("sections/<int:section>/comments/<int:comment>/support/", views.support, name="support"),
]
