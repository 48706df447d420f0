"""Staff pages of an opinion map under ``/<lang>/staff/<org>/participation/<pk>/opinions/``."""

from django.urls import path

from kanava.participation.kinds.opinions import staff_views

urlpatterns = [
    path("", staff_views.statements, name="statements"),
    path("settings/", staff_views.settings, name="settings"),
    path("statements/new/", staff_views.statement_new, name="statement_new"),
    path("statements/<int:statement>/", staff_views.statement_detail, name="statement"),
    path("statements/<int:statement>/edit/", staff_views.statement_edit, name="statement_edit"),
    path("statements/<int:statement>/accept/", staff_views.accept, name="accept"),
    path("statements/<int:statement>/reject/", staff_views.reject, name="reject"),
    path("statements/<int:statement>/restore/", staff_views.restore, name="restore"),
    path("moderation/", staff_views.moderation, name="moderation"),
    path("polis.zip", staff_views.polis_export, name="polis_export"),
]
