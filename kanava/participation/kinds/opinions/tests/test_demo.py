"""The demo: an open Finnish/Swedish opinion map with seed statements, synthetic votes in groups, statements
waiting for moderation, and (when the results part is there) a computed map."""

import importlib.util

import pytest

from kanava.core.audit import Actor
from kanava.participation.kinds.opinions import demo
from kanava.participation.kinds.opinions.models import MathState, Statement, Vote, Voter
from kanava.participation.models import Process

pytestmark = pytest.mark.django_db

HAS_RESULTS = importlib.util.find_spec("kanava.participation.kinds.opinions.tasks") is not None


def test_the_demo_conversation_is_open_with_votes_and_pending_statements(cast):
    process = demo.seed(cast.org, Actor.system("demo"))
    assert process.kind == "opinions" and process.state == Process.State.PUBLISHED
    assert process.is_open_for("vote") and process.is_open_for("write")
    assert process.title["fi"] == "Kanavalan kouluverkko: mitä mieltä olet?"
    assert process.title["sv"] == "Kanavala skolnät: vad tycker du?"
    seeds = Statement.objects.filter(process=process, seed=True)
    assert seeds.count() == 20 and all({"fi", "sv"} <= set(s.text) for s in seeds)
    assert Statement.objects.filter(process=process, status=Statement.Status.PENDING).count() == 2
    assert Voter.objects.filter(process=process).count() == 120 == process.participant_count
    votes = Vote.objects.filter(process=process).count()
    assert votes > 120 * 20 * 0.7
    assert process.contribution_count == votes + 2
    statement = seeds.first()
    assert statement.vote_count == Vote.objects.filter(statement=statement).count()
    assert demo.seed(cast.org, Actor.system("demo")) == process  # idempotent
    assert Process.objects.filter(slug=demo.SLUG).count() == 1


def test_the_demo_votes_are_the_same_every_time(cast):
    first = demo.seed(cast.org, Actor.system("demo"))
    second = demo.seed(cast.other_org, Actor.system("demo"))

    def votes(process):
        return sorted(Vote.objects.filter(process=process).values_list("voter__number", "statement__number", "value"))

    assert votes(first) == votes(second)


@pytest.mark.skipif(not HAS_RESULTS, reason="tasks.recompute_now (the results part) is not there yet")
def test_the_demo_map_has_at_least_two_groups(cast):
    process = demo.seed(cast.org, Actor.system("demo"))
    state = MathState.objects.get(process=process)
    groups = {g for g in (state.result or {}).get("participants", {}).values() if g is not None}
    assert len(groups) >= 2


def test_the_demo_votes_form_two_or_three_opinion_groups_and_some_consensus(cast):
    """Straight through the math (kanava.opinionmath), whatever the worker does."""
    from kanava.opinionmath import compute

    process = demo.seed(cast.org, Actor.system("demo"))
    rows = Vote.objects.filter(process=process).values_list("voter__number", "statement__number", "value",
                                                             "updated_at")
    result = compute([(pid, sid, value, int(at.timestamp() * 1000)) for pid, sid, value, at in rows])
    groups = {g for g in result.participants.values() if g is not None}
    assert 2 <= len(groups) <= 3
    assert result.consensus["agree"]
