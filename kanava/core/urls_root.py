from django.urls import path

from kanava.core import views_root

urlpatterns = [
    path("", views_root.root, name="root"),
    path("healthz", views_root.healthz, name="healthz"),
]
