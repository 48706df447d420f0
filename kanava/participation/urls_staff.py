"""Staff pages of participation under ``/<lang>/staff/<org>/participation/``."""

from django.urls import path

from kanava.participation import views_staff

app_name = "participation_staff"

urlpatterns = [
    path("", views_staff.process_list, name="list"),
    path("new/", views_staff.process_new, name="new"),
    path("<int:pk>/", views_staff.process_detail, name="detail"),
]
