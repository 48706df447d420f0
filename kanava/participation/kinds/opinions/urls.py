"""Resident pages of an opinion map under ``/<lang>/participate/<slug:process>/opinions/``."""

from django.urls import path

from kanava.participation.kinds.opinions import results_views, views

urlpatterns = [
    path("", views.vote, name="vote"),
    path("write/", views.write, name="write"),
    # The results helper's pages (results_views.py).
    path("results/", results_views.results_page, name="results"),
    path("results/report/", results_views.report, name="report"),
    path("results/report.pdf", results_views.report_pdf, name="report_pdf"),
    path("results/map.svg", results_views.map_svg, name="map_svg"),
]
