"""Resident pages of an opinion map under ``/<lang>/participate/<slug:process>/opinions/``."""

from django.urls import path

from kanava.participation.kinds.opinions import views

urlpatterns = [
    path("", views.vote, name="vote"),
]
