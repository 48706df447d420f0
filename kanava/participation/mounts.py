"""URL mounts of the process kinds: each kind's ``urls.py`` (resident pages),
``staff_urls.py`` (staff pages) and ``api.py`` (REST endpoints, ``urlpatterns``)
are found and mounted here, so adding a kind touches no central file.

- resident: ``/<lang>/participate/<slug:process>/<kind>/...``, namespace ``<kind>``
- staff: ``/<lang>/staff/<slug:org>/participation/<int:pk>/<kind>/...``, namespace ``<kind>_staff``
- API: ``/api/v1/participation/processes/<int:process>/<kind>/...``, namespace ``<kind>_api``

A kind's views get the process slug or id from the URL and must check that the
process is of their kind (:func:`kanava.participation.lookups.public_process`,
``staff_process``).
"""

from importlib import import_module, util

from django.urls import include, path

from kanava.participation.discovery import kind_apps


def _mounted(module_name: str, prefix: str, namespace_suffix: str) -> list:
    found = []
    for app in kind_apps():
        kind = app.rsplit(".", 1)[1]
        if util.find_spec(f"{app}.{module_name}"):
            module = import_module(f"{app}.{module_name}")
            found.append(path(prefix.format(kind=kind), include((module.urlpatterns, f"{kind}{namespace_suffix}"))))
    return found


def resident_urls() -> list:
    return _mounted("urls", "participate/<slug:process>/{kind}/", "")


def staff_urls() -> list:
    return _mounted("staff_urls", "staff/<slug:org>/participation/<int:pk>/{kind}/", "_staff")


def api_urls() -> list:
    return _mounted("api", "processes/<int:process>/{kind}/", "_api")
