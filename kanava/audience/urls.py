"""Resident subscription pages, under ``/<language>/subscribe/``."""

from django.urls import path

from kanava.audience import views

app_name = "audience"
urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("thanks/", views.thanks, name="thanks"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
]
