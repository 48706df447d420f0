"""Resident pages of participation under ``/<lang>/participate/`` (kinds add theirs, see ``mounts.py``)."""

from django.urls import path

from kanava.participation import views_identity, views_public

app_name = "participation"

urlpatterns = [
    path("", views_public.process_list, name="list"),
    path("identify/", views_identity.identify, name="identify"),
    path("my-data/", views_identity.my_data, name="my_data"),
    path("follow/<str:token>/stop/", views_public.stop_following, name="stop_following"),
    path("<slug:process>/", views_public.process_page, name="process"),
    path("<slug:process>/follow/", views_public.follow, name="follow"),
    path("<slug:process>/results/", views_public.results, name="results"),
    path("<slug:process>/results.pdf", views_public.results_pdf, name="results_pdf"),
    path("<slug:process>/you-said-we-did/", views_public.outcome, name="outcome"),
]
