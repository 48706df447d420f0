"""Staff pages of the matters register under ``/<lang>/staff/<org>/matters/``."""

from django.urls import path

from kanava.matters import views

app_name = "matters"

urlpatterns = [
    path("", views.matter_list, name="list"),
    path("new/", views.matter_new, name="new"),
    path("import/", views.matter_import, name="import"),
    path("report/", views.matter_report, name="report"),
    path("report.csv", views.matter_report_csv, name="report_csv"),
    path("<int:pk>/", views.matter_detail, name="detail"),
    path("<int:pk>/edit/", views.matter_edit, name="edit"),
    path("<int:pk>/stage/", views.matter_stage, name="stage"),
    path("<int:pk>/link/", views.matter_link, name="link"),
    path("<int:pk>/draft/", views.matter_draft, name="draft"),
]

#: For the isolation test (kanava/core/tests/test_isolation_everywhere.py): every page here takes the matter id.
ID_ARGUMENTS = {f"{app_name}:{pattern.name}": {"pk": "matter"} for pattern in urlpatterns
                if "<int:pk>" in str(pattern.pattern)}
