"""The manifest's hooks: the kind registers, exports, results, "you said, we did", my data, forgetting, digests, demo."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kanava.core.audit import Actor
from kanava.core.models import Organisation
from kanava.participation import manifest
from kanava.participation.kinds.ideas import actions
from kanava.participation.kinds.ideas.models import Idea, Initiative, Support
from kanava.participation.kinds.ideas.tests.support import make_process, make_resident
from kanava.participation.manifest import Level

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast):
    process = make_process(cast.org)
    author, supporter = make_resident(cast.org, 1, strong=True), make_resident(cast.org, 2)
    idea = actions.do_propose(Actor.system(), process, author, title="Penkit", text="Torille.", author_name="Aino",
                              as_initiative=True).idea
    actions.do_support(Actor.system(), idea, supporter)
    actions.do_sign(Actor.system(), idea.initiative, author)
    actions.do_answer(Actor(person=cast.lead), idea, "taken_forward", {"fi": "Budjetissa.", "sv": "I budgeten."})
    return process, idea, author, supporter


def test_the_kind_is_registered_with_its_actions_and_levels():
    kind = manifest.get("ideas")
    assert kind.action("propose").default_level == Level.EMAIL
    assert kind.action("support").default_level == Level.EMAIL
    assert kind.action("sign_initiative").allowed_levels == (Level.STRONG,)
    assert kind.staff_url_name == "ideas_staff:list"


def test_the_export_has_ideas_supports_and_signatures_without_identities(world):
    process, _idea, author, _ = world
    fields, rows = manifest.get("ideas").export(process)
    rows = list(rows)
    assert [row["type"] for row in rows] == ["idea", "support", "signature"]
    assert rows[0]["title"] == "Penkit" and rows[0]["support_count"] == 1 and rows[0]["signature_count"] == 1
    assert all(set(row) == set(fields) for row in rows)
    assert author.strong_id_digest not in str(rows)


def test_you_said_we_did_lists_each_idea_with_its_answer(world):
    process, idea, *_ = world
    with_sv = manifest.get("ideas").outcome_items(process)
    assert [(item.said, item.count) for item in with_sv] == [("Penkit", 1)]
    assert "Budjetissa." in with_sv[0].did and with_sv[0].url.endswith(f"/ideas/{idea.pk}/")


def test_results_and_counts(world):
    process, *_ = world
    template, context = manifest.get("ideas").results(process)
    assert template == "ideas/results.html" and context["total_ideas"] == 1 and context["total_supports"] == 1
    process.refresh_from_db()
    assert manifest.get("ideas").counts(process) == {"ideas": 1, "participants": 2}


def test_my_data_and_forgetting(world):
    _process, idea, author, supporter = world
    kind = manifest.get("ideas")
    data = kind.personal_data(author)
    assert data["ideas"][0]["title"] == "Penkit" and len(data["initiative_signatures"]) == 1
    assert len(kind.personal_data(supporter)["supports"]) == 1
    assert kind.forget(author) == 3  # the idea, the signature and the initiative
    idea.refresh_from_db()
    assert idea.participant is None and idea.author_name == "" and idea.title == "Penkit"
    assert Initiative.objects.get().signature_count == 1  # the count stays
    kind.forget(supporter)
    assert Support.objects.get().participant is None and Idea.objects.get().support_count == 1


def test_digest_lines_tell_new_and_answered_ideas(world):
    process, *_ = world
    lines = manifest.get("ideas").digest_lines(process, timezone.now() - timedelta(hours=1))
    assert lines == ["New idea: Penkit", "Answered: Penkit (Taken forward)"]
    assert manifest.get("ideas").digest_lines(process, timezone.now() + timedelta(seconds=1)) == []


def test_the_demo_has_bilingual_ideas_and_an_initiative_two_short(cast):
    Organisation.objects.filter(pk=cast.org.pk).update(population=1200)
    cast.org.refresh_from_db()
    manifest.get("ideas").seed_demo(cast.org, Actor(person=cast.lead))
    manifest.get("ideas").seed_demo(cast.org, Actor(person=cast.lead))  # again: nothing more
    initiative = Initiative.objects.get()
    assert initiative.threshold == 24 and initiative.signature_count == 22 == initiative.signatures.count()
    assert {idea.language for idea in Idea.objects.all()} == {"fi", "sv"}
    assert Idea.objects.exclude(answer={}).count() == 3


def test_the_process_page_shows_the_newest_ideas_and_links_to_them_all(client, cast, world):
    process, _idea, *_ = world
    for number in range(21):
        actions.do_propose(Actor.system(), process, None, title=f"Idea numero {number}", text="T.")
    page = client.get(f"/fi/participate/{process.slug}/").content.decode()
    assert "Idea numero 20" in page and "Idea numero 0<" not in page
    assert f'href="/fi/participate/{process.slug}/ideas/"' in page and "See all 22 ideas" in page
    assert "Propose an idea" in page


def test_the_results_page_shows_the_ideas_by_status(client, world):
    process, *_ = world
    page = client.get(f"/fi/participate/{process.slug}/results/")
    assert page.status_code == 200
    assert "Ideas by status" in page.content.decode() and "Penkit" in page.content.decode()


@pytest.fixture(autouse=True)
def _english_texts(settings):
    """These tests read the English source texts: the Finnish and Swedish catalogues are set aside."""
    settings.LOCALE_PATHS = []
