"""Objects for the isolation test (kanava/core/tests/test_isolation_everywhere.py).

Each kind package may have ``isolation.py`` with ``objects(cast, actor_of) -> dict`` (name -> id,
all in ``cast.org``) and ``ID_ARGUMENTS`` ({url name: {url argument: object name}}), so a
staff page that takes an id is tested against another organisation's people.
``process`` is always there: a published process of each kind is made first, as
``process_<kind>``; the framework's own pages use ``process``.
"""

from importlib import import_module, util

from kanava.participation.discovery import kind_apps


def _modules():
    for app in kind_apps():
        if util.find_spec(f"{app}.isolation"):
            yield import_module(f"{app}.isolation")


def objects(cast, actor_of) -> dict:
    from kanava.participation.models import Process

    process = Process.objects.create(organisation=cast.org, kind="hearing", slug="isolation-process",
                                     title={"fi": "Kuuleminen"}, languages=["fi"], state="published")
    found = {"process": process.pk}
    for module in _modules():
        found.update(module.objects(cast, actor_of))
    return found


def id_arguments() -> dict:
    from kanava.participation import urls_staff

    found = dict(urls_staff.ID_ARGUMENTS)
    for module in _modules():
        found.update(module.ID_ARGUMENTS)
    return found
