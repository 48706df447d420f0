"""Resident pages of a survey under ``/<lang>/participate/<slug:process>/survey/``."""

from django.urls import path

from kanava.participation.kinds.survey import views

urlpatterns = [
    path("", views.answer, name="answer"),
    path("thanks/", views.thanks, name="thanks"),
    path("questions/<int:question>/answers/", views.text_list, name="texts"),
]
urlpatterns.append(path("results/", views.results_page, name="results"))
