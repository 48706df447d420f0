"""Fixtures of the budgeting tests: a process in its voting phase, residents signed in by strong identification."""

from __future__ import annotations

import datetime
from importlib import import_module

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone

from kanava.participation import identity
from kanava.participation import hetu
from kanava.participation.kinds.budgeting.models import Proposal
from kanava.participation.manifest import Level, PhaseKind
from kanava.participation.models import Participant, Phase, Process

MUNICIPALITY = "091"
ADULT = datetime.date(1980, 5, 17)


def make_process(organisation, slug="budjetti", phase=PhaseKind.VOTING, costs=(40000, 30000, 25000, 20000),
                 **conf) -> Process:
    settings_ = {"total_budget": 100000, "method": "budget", "minimum_age": 12, "municipality_code": MUNICIPALITY}
    settings_.update(conf)
    process = Process.objects.create(organisation=organisation, kind="budgeting", slug=slug, state="published",
                                     title={"fi": "Osallistuva budjetti", "sv": "Deltagande budget"},
                                     languages=["fi", "sv"], settings=settings_)
    now = timezone.now()
    if phase == PhaseKind.VOTING:
        Phase.objects.create(process=process, kind=PhaseKind.VOTING, starts_at=now - datetime.timedelta(days=1),
                             ends_at=now + datetime.timedelta(days=7))
    elif phase == "closed":
        Phase.objects.create(process=process, kind=PhaseKind.VOTING, starts_at=now - datetime.timedelta(days=8),
                             ends_at=now - datetime.timedelta(days=1))
        Phase.objects.create(process=process, kind=PhaseKind.RESULTS, starts_at=now - datetime.timedelta(days=1))
    elif phase == PhaseKind.INPUT:
        Phase.objects.create(process=process, kind=PhaseKind.INPUT, starts_at=now - datetime.timedelta(days=1),
                             ends_at=now + datetime.timedelta(days=7))
    names = ["Leikkipuisto", "Frisbeegolfrata", "Skeittiramppi", "Penkit", "Koirapuisto", "Valot"]
    for name, cost in zip(names, costs):
        Proposal.objects.create(process=process, title=name, text={"fi": f"{name} kuntaan."}, language="fi",
                                state=Proposal.State.ACCEPTED, cost_estimate=cost)
    return process


def close_vote(process) -> None:
    now = timezone.now()
    process.phases.filter(kind=PhaseKind.VOTING).update(starts_at=now - datetime.timedelta(days=8),
                                                        ends_at=now - datetime.timedelta(seconds=1))


def make_resident(organisation, number=1, birth_date=ADULT, municipality=MUNICIPALITY) -> tuple[Participant, str]:
    """A strongly identified resident and their personal identity code."""
    code = hetu.make(birth_date, individual=100 + number)
    participant = Participant.objects.create(
        organisation=organisation, strong_id_digest=identity.digest("hetu", code), birth_date=birth_date,
        home_municipality=municipality, strong_verified_at=timezone.now())
    return participant, code


def session_cookie_for(participant, level=Level.STRONG) -> str:
    """A saved session in which ``participant`` is signed in (through identity.sign_in); its key."""
    engine = import_module(settings.SESSION_ENGINE)
    request = RequestFactory().get("/")
    request.session = engine.SessionStore()
    identity.sign_in(request, participant, level)
    request.session.save()
    return request.session.session_key


def sign_in(client, participant, level=Level.STRONG) -> None:
    client.cookies[settings.SESSION_COOKIE_NAME] = session_cookie_for(participant, level)


@pytest.fixture(autouse=True)
def _finnish():
    """URLs are reversed in Finnish, whatever language an earlier request left active in this thread."""
    from django.utils import translation

    with translation.override("fi"):
        yield


@pytest.fixture
def process(cast):
    return make_process(cast.org)


@pytest.fixture
def proposals(process):
    return list(Proposal.objects.filter(process=process).order_by("pk"))


@pytest.fixture
def resident(cast):
    return make_resident(cast.org)[0]
