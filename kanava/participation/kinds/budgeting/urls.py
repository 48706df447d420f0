"""Resident pages, mounted at ``/<lang>/participate/<slug:process>/budgeting/`` (namespace ``budgeting``)."""

from django.urls import path

from kanava.participation.kinds.budgeting import views

urlpatterns = [
    path("", views.proposals, name="proposals"),
    path("proposals/<int:proposal>/", views.proposal, name="proposal"),
    path("propose/", views.propose, name="propose"),
    path("ballot/", views.ballot, name="ballot"),
    path("ballot/done/", views.ballot_done, name="ballot_done"),
    path("results/", views.results_page, name="results"),
]
