"""Staff pages at ``/<lang>/staff/<org>/participation/<int:pk>/budgeting/`` (namespace ``budgeting_staff``)."""

from django.urls import path

from kanava.participation.kinds.budgeting import staff_views

urlpatterns = [
    path("", staff_views.overview, name="overview"),
    path("counts/", staff_views.counts, name="counts"),
    path("proposals/<int:proposal>/", staff_views.vet, name="vet"),
    path("paper/", staff_views.paper_ballot, name="paper"),
    path("settings/", staff_views.settings_page, name="settings"),
]
