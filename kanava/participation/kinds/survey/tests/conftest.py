"""A survey with one question of every kind and a conditional question, for the survey's tests."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kanava.participation import identity
from kanava.participation.kinds.survey import actions
from kanava.participation.manifest import Level, PhaseKind
from kanava.participation.models import Participant, Phase, Process


def make_survey(cast, actor_of, slug="kirjasto", settings=None, open_=True) -> Process:
    now = timezone.now()
    process = Process.objects.create(
        organisation=cast.org, kind="survey", slug=slug, state=Process.State.PUBLISHED,
        title={"fi": "Kirjaston aukioloajat", "sv": "Bibliotekets öppettider"}, languages=["fi", "sv"],
        settings=settings or {"mode": "anonymous"}, published_at=now)
    start, end = (now - timedelta(days=1), now + timedelta(days=10)) if open_ else (now - timedelta(days=10),
                                                                                      now - timedelta(days=1))
    Phase.objects.create(process=process, kind=PhaseKind.INPUT, starts_at=start, ends_at=end)
    lead = actor_of(cast.lead)
    often = actions.do_add_question(
        lead, process, kind="single", required=True,
        text={"fi": "Kuinka usein käyt kirjastossa?", "sv": "Hur ofta besöker du biblioteket?"},
        choices=[{"fi": "Viikoittain", "sv": "Varje vecka"}, {"fi": "Harvemmin", "sv": "Mer sällan"},
                 {"fi": "En koskaan", "sv": "Aldrig"}])
    never = list(often.choices.all())[2]
    why = actions.do_add_question(
        lead, process, kind="text", required=True, max_length=200, condition_question=often,
        condition_choice_ids=[never.pk],
        text={"fi": "Miksi et käy kirjastossa?", "sv": "Varför besöker du inte biblioteket?"})
    hours = actions.do_add_question(
        lead, process, kind="multiple", required=True, min_choices=1, max_choices=2,
        text={"fi": "Milloin kirjaston pitäisi olla auki?", "sv": "När borde biblioteket vara öppet?"},
        choices=[{"fi": "Aamuisin", "sv": "På morgonen"}, {"fi": "Iltaisin", "sv": "På kvällen"},
                 {"fi": "Sunnuntaisin", "sv": "På söndagar"}])
    scale = actions.do_add_question(
        lead, process, kind="scale", required=True, scale_max=5,
        text={"fi": "Kuinka tärkeä omatoimikirjasto on?", "sv": "Hur viktigt är ett meröppet bibliotek?"},
        scale_min_label={"fi": "ei lainkaan", "sv": "inte alls"}, scale_max_label={"fi": "erittäin", "sv": "mycket"})
    ranking = actions.do_add_question(
        lead, process, kind="ranking", required=False,
        text={"fi": "Järjestä palvelut", "sv": "Ordna tjänsterna"},
        choices=[{"fi": "Lainaus", "sv": "Lån"}, {"fi": "Lukusali", "sv": "Läsesal"},
                 {"fi": "Tapahtumat", "sv": "Evenemang"}])
    other = actions.do_add_question(
        lead, process, kind="text", required=False, max_length=500,
        text={"fi": "Muuta sanottavaa?", "sv": "Något annat?"})
    process.q = {"often": often, "why": why, "hours": hours, "scale": scale, "ranking": ranking, "other": other}
    return process


def choice(question, index: int) -> str:
    return str(list(question.choices.all())[index].pk)


def full_answers(survey, often=0, hours=(1,), scale="4", ranking=("1", "2", "3"), other="", why="") -> dict:
    """POST data answering every question of ``make_survey`` on one page (as the JavaScript form sends it)."""
    q = survey.q
    data = {"all_steps": "1", "step": "0", q_name(q["often"]): choice(q["often"], often),
            q_name(q["hours"]): [choice(q["hours"], i) for i in hours], q_name(q["scale"]): scale,
            q_name(q["other"]): other}
    if why:
        data[q_name(q["why"])] = why
    for position, c in zip(ranking, q["ranking"].choices.all()):
        data[f"q{q['ranking'].pk}_r{c.pk}"] = position
    return data


def q_name(question) -> str:
    return f"q{question.pk}"


def answer_url(process, language="fi") -> str:
    from django.utils import translation

    with translation.override(language):
        return reverse("survey:answer", args=[process.slug])


def sign_in(client, participant: Participant, level: Level = Level.EMAIL) -> None:
    """Put a participant in the test client's session, as identity.sign_in does after a confirmed code."""
    session = client.session
    state = dict(session.get(identity.SESSION_KEY, {}))
    state[str(participant.organisation_id)] = {"participant": participant.pk, "level": int(level)}
    session[identity.SESSION_KEY] = state
    session.save()


@pytest.fixture
def survey(cast, actor_of):
    return make_survey(cast, actor_of)


@pytest.fixture
def resident(cast):
    return Participant.objects.create(organisation=cast.org, email="aino@example.fi",
                                      email_digest=identity.digest("email", "aino@example.fi"),
                                      email_verified_at=timezone.now())


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Every test starts with no answers counted per address (the rate limit lives in the shared cache)."""
    from django.core.cache import cache

    cache.clear()
