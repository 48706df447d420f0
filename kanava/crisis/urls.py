"""Resident pages of crisis communication, inside the ``/<language>/`` patterns (mount at ``crisis/``)."""

from django.urls import path

from kanava.crisis import views_public as views

app_name = "crisis_public"
urlpatterns = [
    path("", views.crisis_page, name="page"),
    path("cap/feed.atom", views.cap_feed, name="cap_feed"),
    path("cap/<str:identifier>.xml", views.cap_alert, name="cap_alert"),
]
