"""Staff pages of an opinion map under ``/<lang>/staff/<org>/participation/<pk>/opinions/``."""

from django.urls import path

from kanava.participation.kinds.opinions import staff_views

urlpatterns = [
    path("", staff_views.statements, name="statements"),
]
