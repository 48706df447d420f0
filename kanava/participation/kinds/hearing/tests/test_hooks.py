"""What the framework asks of the hearing through its manifest: export, results, counts, my data, forgetting, demo."""

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from kanava.core.audit import Actor
from kanava.participation import manifest
from kanava.participation.models import Participant, Process
from kanava.participation.kinds.hearing import actions, demo
from kanava.participation.kinds.hearing.models import Comment, Section
from kanava.participation.kinds.hearing.tests.support import add_comments, make_hearing, sections

pytestmark = pytest.mark.django_db
HEARING = manifest.get("hearing")


def test_the_manifest_declares_the_actions_and_hooks():
    assert [a.name for a in HEARING.actions] == ["comment", "reply", "support"]
    assert HEARING.action("comment").default_level == manifest.Level.NONE
    assert HEARING.staff_url_name == "hearing_staff:overview"


def test_it_exports_every_comment_with_hidden_ones_marked(cast):
    process = make_hearing(cast.org)
    comments = add_comments(sections(process)[0], 3)
    actions.do_hide_comment(Actor.system("t"), comments[1], "Asiaton")
    fields, rows = HEARING.export(process)
    rows = list(rows)
    assert "text" in fields and len(rows) == 3
    assert [r["hidden"] for r in rows] == [False, True, False] and rows[1]["hidden_reason"] == "Asiaton"


def test_it_counts_from_stored_counters(cast):
    process = make_hearing(cast.org)
    add_comments(sections(process)[0], 4)
    process.refresh_from_db()
    assert HEARING.counts(process) == {"comments": 4}
    assert process.participant_count == 4


def test_it_gives_results_and_outcome_items_per_section(cast):
    process = make_hearing(cast.org)
    add_comments(sections(process)[1], 2)
    template, context = HEARING.results(process)
    assert template == "hearing/results.html" and context["total_comments"] == 2
    items = HEARING.outcome_items(process)
    assert len(items) == 3 and items[1].count == 2 and "Liikenne" in items[1].said


def test_it_gives_and_forgets_a_participants_comments(cast):
    process = make_hearing(cast.org)
    participant = Participant.objects.create(organisation=cast.org)
    actions.do_add_comment(Actor.system("t"), sections(process)[2], text="Minun", display_name="Minä",
                           participant=participant, address="Kotikatu 1")
    data = HEARING.personal_data(participant)
    assert data["hearing_comments"][0]["text"] == "Minun"
    assert HEARING.forget(participant) == 1
    comment = Comment.objects.get()
    assert (comment.participant, comment.display_name, comment.address) == (None, "", "")


def test_it_lists_new_comments_for_the_digest(cast):
    process = make_hearing(cast.org)
    add_comments(sections(process)[0], 2)
    lines = HEARING.digest_lines(process, timezone.now() - timedelta(hours=1))
    assert len(lines) == 1 and "2" in lines[0]
    assert HEARING.digest_lines(process, timezone.now() + timedelta(minutes=1)) == []


def test_its_main_hook_gives_the_sections_for_the_process_page(cast):
    process = make_hearing(cast.org)
    template, context = HEARING.main(RequestFactory().get("/"), process)
    assert template == "hearing/_main.html" and len(context["hearing_sections"]) == 3


def test_the_demo_hearing_has_three_sections_and_a_paper_comment_once(cast):
    first = demo.seed(cast.org, Actor(cast.lead))
    assert demo.seed(cast.org, Actor(cast.lead)).pk == first.pk
    assert Section.objects.filter(process=first).count() == 3
    paper = Comment.objects.get(process=first, source="paper")
    assert paper.recorded_by == cast.lead and paper.answer
    assert Process.objects.get(pk=first.pk).contribution_count == 6
