"""Fixtures for notices: a bilingual notice with personal data, made the way staff make it."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.cache import cache

if not apps.is_installed("kanava.notices"):
    # Until the app is in INSTALLED_APPS its models cannot load: collect nothing here.
    collect_ignore_glob = ["test_*.py"]
else:
    from kanava.notices import actions
    from kanava.notices.models import Notice

HELSINKI = ZoneInfo("Europe/Helsinki")
#: A Tuesday morning in Helsinki: nothing about it is a holiday.
T0 = datetime(2025, 3, 4, 10, 15, 0, tzinfo=HELSINKI)

PERMIT = {
    "title": {"fi": "Rakennuslupapäätös: Kirkkotie 12", "sv": "Bygglovsbeslut: Kyrkvägen 12"},
    "body": {"fi": "Rakennuslautakunta on myöntänyt rakennusluvan.", "sv": "Byggnadsnämnden har beviljat bygglov."},
}
APPLICANT = "Maija Meikäläinen"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def draft(actor, organisation, *, kind="decision", period_days=14, appeal_days=30, removal_basis="period",
          fields=((("Hakija", "Sökande"), APPLICANT),), texts=PERMIT):
    return actions.do_save_notice(
        actor, organisation, kind=kind, title=texts["title"], body=texts["body"], period_days=period_days,
        appeal_days=appeal_days, removal_basis=removal_basis,
        personal_fields=[actions.PersonalFieldData(label={"fi": fi, "sv": sv}, value=value)
                         for (fi, sv), value in fields])


@pytest.fixture
def lead(cast, actor_of):
    return actor_of(cast.lead)


@pytest.fixture
def make_published(cast, lead):
    """``make_published(at, **draft_options)``: a notice published at ``at`` by the lead."""

    def make(at=T0, organisation=None, **options):
        return actions.do_publish_notice(lead, draft(lead, organisation or cast.org, **options), now=at)

    return make


def ago(**kwargs):
    from django.utils import timezone

    return timezone.now() - timedelta(**kwargs)
