"""A tiny process kind registered only in tests, so the framework is tested without the real kinds.

Import the fixtures into a test module: ``from kanava.participation.tests.framework_fixtures import *``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.template import Template
from django.utils import timezone, translation

from kanava.participation import manifest
from kanava.participation.manifest import Action, Level, OutcomeItem, PhaseKind, ProcessKind
from kanava.participation.models import Follow, Participant, Phase, Process

KIND = "frameworktest"

#: What the test kind "has": export rows and digest lines, set by tests.
STATE = {"rows": [], "lines": []}

MAIN = Template('<p class="test-kind">Testilaji: {{ test_kind_text }}</p>')
RESULTS = Template('<table class="table"><caption>Tulokset</caption><thead><tr><th scope="col">Vaihtoehto</th>'
                   '<th scope="col">Ääniä</th></tr></thead><tbody><tr><th scope="row">Puisto</th>'
                   '<td>{{ votes }}</td></tr></tbody></table>')


def _main(request, process):
    return MAIN, {"test_kind_text": "sisältö"}


def _export(process):
    return ["id", "text", "source", "created_at"], iter(STATE["rows"])


def _digest_lines(process, since):
    return [text for when, text in STATE["lines"] if when > since]


TEST_KIND = ProcessKind(
    kind=KIND, label="Testilaji", description="Vain testeissä.",
    actions=(Action("take_part", "Osallistu", Level.NONE),
             Action("sign", "Allekirjoita", Level.STRONG, allowed_levels=(Level.SMS, Level.STRONG))),
    phase_kinds=(PhaseKind.INFORMATION, PhaseKind.INPUT, PhaseKind.RESULTS),
    main=_main, staff_url_name="",
    export=_export,
    results=lambda process: (RESULTS, {"votes": 42}),
    outcome_items=lambda process: [OutcomeItem(said="Enemmän penkkejä puistoon", did="Kymmenen penkkiä lisättiin",
                                               count=12)],
    counts=lambda process: {"entries": process.contribution_count},
    digest_lines=_digest_lines,
    extra={"count_labels": {"entries": "Merkinnät"}},
)


@pytest.fixture
def test_kind():
    manifest.register(TEST_KIND)
    STATE["rows"], STATE["lines"] = [], []
    cache.clear()
    with translation.override("fi"):
        yield TEST_KIND
    manifest._KINDS.pop(KIND, None)
    cache.clear()


def make_process(organisation, slug="puistosuunnitelma", state="published", open_now=True, **extra) -> Process:
    now = timezone.now()
    process = Process.objects.create(
        organisation=organisation, kind=KIND, slug=slug, state=state,
        title={"fi": f"Prosessi {slug}", "sv": f"Process {slug}"},
        summary={"fi": "Kerro mielipiteesi.", "sv": "Säg vad du tycker."},
        body={"fi": "**Tärkeä** asia <script>alert(1)</script>", "sv": "En **viktig** sak"},
        languages=["fi", "sv"], published_at=now if state != "draft" else None, **extra)
    if open_now:
        Phase.objects.create(process=process, kind=PhaseKind.INPUT, starts_at=now - timedelta(days=1),
                             ends_at=now + timedelta(days=10))
        Phase.objects.create(process=process, kind=PhaseKind.RESULTS, starts_at=now + timedelta(days=10))
    else:
        Phase.objects.create(process=process, kind=PhaseKind.INPUT, starts_at=now - timedelta(days=20),
                             ends_at=now - timedelta(days=10))
        Phase.objects.create(process=process, kind=PhaseKind.RESULTS, starts_at=now - timedelta(days=10))
    return process


def make_participant(organisation, email="asukas@example.fi", phone="", language="fi") -> Participant:
    from kanava.participation import identity

    now = timezone.now()
    return Participant.objects.create(
        organisation=organisation, email=email, email_digest=identity.digest("email", email) if email else "",
        email_verified_at=now if email else None, phone=phone,
        phone_digest=identity.digest("sms", phone) if phone else "", phone_verified_at=now if phone else None,
        language=language)


def sign_in(client, participant, level=Level.EMAIL) -> None:
    from kanava.participation.identity import SESSION_KEY

    session = client.session
    session[SESSION_KEY] = {str(participant.organisation_id): {"participant": participant.pk, "level": int(level)}}
    session.save()


def make_follow(participant, process, *, channel="email", language="fi", wants_digest=True, wants_outcome=True,
                created_ago=timedelta(days=2)) -> Follow:
    import secrets

    follow = Follow.objects.create(organisation=participant.organisation, participant=participant, process=process,
                                   channel=channel, language=language, wants_digest=wants_digest,
                                   wants_outcome=wants_outcome, token=secrets.token_urlsafe(32))
    Follow.objects.filter(pk=follow.pk).update(created_at=timezone.now() - created_ago)
    follow.refresh_from_db()
    return follow
