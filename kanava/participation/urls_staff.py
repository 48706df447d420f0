"""Staff pages of participation under ``/<lang>/staff/<org>/participation/``."""

from django.urls import path

from kanava.participation import views_staff

app_name = "participation_staff"

urlpatterns = [
    path("", views_staff.process_list, name="list"),
    path("new/", views_staff.process_new, name="new"),
    path("<int:pk>/", views_staff.process_detail, name="detail"),
    path("<int:pk>/edit/", views_staff.process_edit, name="edit"),
    path("<int:pk>/publish/", views_staff.process_publish, name="publish"),
    path("<int:pk>/archive/", views_staff.process_archive, name="archive"),
    path("<int:pk>/unpublish/", views_staff.process_unpublish, name="unpublish"),
    path("<int:pk>/outcome/", views_staff.outcome_edit, name="outcome"),
    path("<int:pk>/outcome/publish/", views_staff.outcome_publish, name="outcome_publish"),
    path("<int:pk>/outcome/unpublish/", views_staff.outcome_unpublish, name="outcome_unpublish"),
    path("<int:pk>/input.csv", views_staff.export_csv, name="export_csv"),
    path("<int:pk>/input.json", views_staff.export_json, name="export_json"),
]

#: For the isolation test (kanava/core/tests/test_isolation_everywhere.py): every page here takes the process id.
ID_ARGUMENTS = {f"{app_name}:{pattern.name}": {"pk": "process"} for pattern in urlpatterns
                if "<int:pk>" in str(pattern.pattern)}
