"""Resident pages of the inbox, inside the ``/<language>/`` patterns: questions and facts, feedback, comments."""

from django.urls import path

from kanava.inbox import views_facts as views

app_name = "facts"
urlpatterns = [
    path("facts/", views.fact_list, name="list"),
    path("facts/<slug:slug>/", views.fact_detail, name="detail"),
    path("feedback/", views.feedback, name="feedback"),
    path("feedback/thanks/", views.thanks, name="thanks"),
    path("news/<int:pk>/comment/", views.comment, name="comment"),
]
