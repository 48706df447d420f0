"""Privacy guard pages under ``/<language>/staff/<org>/privacy/``."""

from django.urls import path

from kanava.privacy import views

app_name = "privacy"

urlpatterns = [
    path("messages/<int:pk>/confirm/", views.confirm, name="confirm"),
]
