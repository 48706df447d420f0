"""Staff pages of crisis communication, under ``staff/<org>/crisis/``."""

from django.urls import path

from kanava.crisis import views_activation as crisis_mode
from kanava.crisis import views_rumours as rumours
from kanava.crisis import views_staff as views

app_name = "crisis"
urlpatterns = [
    path("", views.playbook_list, name="list"),
    path("new/", views.playbook_create, name="create"),
    path("<int:pk>/", views.playbook_detail, name="playbook"),
    path("<int:pk>/edit/", views.playbook_edit, name="playbook_edit"),
    path("<int:pk>/review/", views.playbook_review, name="playbook_review"),
    path("<int:pk>/templates/<slug:template_kind>/", views.template_edit, name="template_edit"),
    path("<int:pk>/templates/<slug:template_kind>/approve/", views.template_approve, name="template_approve"),
    path("incidents/", views.incident_list, name="incidents"),
    path("incidents/<int:incident_pk>/", views.incident_detail, name="incident"),
    path("incidents/<int:incident_pk>/cap.xml", views.incident_cap, name="incident_cap"),
    path("incidents/<int:incident_pk>/report/", views.incident_report, name="incident_report"),
    path("incidents/<int:incident_pk>/report.pdf", views.incident_report_pdf, name="incident_report_pdf"),
    path("<int:pk>/activate/", crisis_mode.activate, name="activate"),
    path("incidents/<int:incident_pk>/update/", crisis_mode.post_update, name="post_update"),
    path("incidents/<int:incident_pk>/update/free/", crisis_mode.post_free_update, name="post_free_update"),
    path("incidents/<int:incident_pk>/all-clear/", crisis_mode.all_clear, name="all_clear"),
    path("pending/<int:pending_pk>/confirm/", crisis_mode.confirm, name="confirm"),
    path("pending/<int:pending_pk>/withdraw/", crisis_mode.withdraw, name="withdraw"),
    path("incidents/<int:incident_pk>/rumours/link/", rumours.link, name="rumour_link"),
    path("incidents/<int:incident_pk>/rumours/new/", rumours.record, name="rumour_record"),
    path("incidents/<int:incident_pk>/rumours/<int:claim_pk>/publish/", rumours.publish, name="rumour_publish"),
    path("incidents/<int:incident_pk>/rumours/<int:claim_pk>/unlink/", rumours.unlink, name="rumour_unlink"),
]
