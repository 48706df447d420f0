"""Shared set-up for the ideas tests: a process open for input, residents signed in through the session."""

from __future__ import annotations

import datetime
from datetime import timedelta

from django.utils import timezone

from kanava.participation import identity
from kanava.participation import hetu
from kanava.participation.manifest import Level, PhaseKind
from kanava.participation.models import Participant, Phase, Process

MUNICIPALITY = "999"
BORN = datetime.date(1970, 6, 15)  # residents are born on the days before this


def make_process(organisation, slug="ideat", *, open_=True, initiatives=True, **extra) -> Process:
    process = Process.objects.create(
        organisation=organisation, kind="ideas", slug=slug, state=Process.State.PUBLISHED,
        title={"fi": "Ideoita kylälle", "sv": "Idéer för byn"}, languages=["fi", "sv"],
        settings={"initiatives": initiatives, "municipality_code": MUNICIPALITY}, **extra)
    now = timezone.now()
    if open_:
        Phase.objects.create(process=process, kind=PhaseKind.INPUT, starts_at=now - timedelta(days=1),
                             ends_at=now + timedelta(days=30))
    else:
        Phase.objects.create(process=process, kind=PhaseKind.RESULTS, starts_at=now - timedelta(days=1))
    return process


def make_resident(organisation, number: int = 1, *, strong: bool = False, home: str = MUNICIPALITY) -> Participant:
    now = timezone.now()
    fields = {"organisation": organisation, "email_verified_at": now, "language": "fi"}
    if strong:
        code = hetu.make(BORN - timedelta(days=number), 100 + number % 800)
        fields.update(strong_id_digest=identity.digest("hetu", code), strong_verified_at=now, home_municipality=home)
    return Participant.objects.create(**fields)


def identity_code(participant_number: int) -> str:
    """The identity code ``make_resident(..., number, strong=True)`` was made from."""
    return hetu.make(BORN - timedelta(days=participant_number),
                     100 + participant_number % 800)


def sign_in(client, participant: Participant, level: Level = Level.EMAIL) -> None:
    """What identity.sign_in leaves in the session, written straight into the test client's session."""
    session = client.session
    state = dict(session.get(identity.SESSION_KEY, {}))
    state[str(participant.organisation_id)] = {"participant": participant.pk, "level": int(level)}
    session[identity.SESSION_KEY] = state
    session.save()
