"""Moderation on the resident site (inside the ``/<lang>/`` patterns): rules, the public log, appeals."""

from django.urls import path

from kanava.inbox import views_public as views

app_name = "inbox_public"
urlpatterns = [
    path("discussion-rules/", views.rules, name="rules"),
    path("moderation-log/", views.log, name="log"),
    path("moderation-log.csv", views.log_csv, name="log_csv"),
    path("appeal/<str:token>/", views.appeal, name="appeal"),
]
