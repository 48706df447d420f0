"""Staff pages for subscribers, under ``/<language>/staff/<org>/subscribers/``."""

from django.urls import path

from kanava.audience import views_staff

app_name = "audience_staff"
urlpatterns = [
    path("", views_staff.subscriber_list, name="list"),
    path("add/", views_staff.add, name="add"),
    path("import/", views_staff.import_csv, name="import"),
    path("<int:pk>/unsubscribe/", views_staff.unsubscribe, name="unsubscribe"),
]
