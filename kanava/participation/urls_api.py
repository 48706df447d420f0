"""``/api/v1/participation/``: processes and their input (kinds add theirs, see ``mounts.py``)."""

from django.urls import path

from kanava.participation import api
from kanava.participation.mounts import api_urls

urlpatterns = [
    *api_urls(),
    *api.urlpatterns,
]
