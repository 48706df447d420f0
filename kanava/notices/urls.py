"""Resident pages of notices, inside the ``/<language>/`` patterns (mount at ``notices/``)."""

from django.urls import path

from kanava.notices import views_public as views

app_name = "notices_public"
urlpatterns = [
    path("", views.board, name="board"),
    path("<int:pk>/", views.detail, name="detail"),
]
