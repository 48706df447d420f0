"""The queue page: what it lists, its filters, its pages, bulk actions and escaping."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kanava.core.models import AuditEvent
from kanava.inbox.models import Conversation, Kind, Source, Status
from kanava.inbox.tests.queue_support import BAD_INPUTS, conversation
from kanava.testing.personas import login


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def queue_url(cast, **query) -> str:
    from urllib.parse import urlencode

    url = reverse("inbox:list", kwargs={"org": cast.org.slug})
    return f"{url}?{urlencode(query)}" if query else url


def listed(response) -> list[int]:
    return [row.pk for row in response.context["page"].rows]


@pytest.fixture
def staff(client, cast):
    login(client, cast.moderator)
    return client


def test_the_queue_lists_open_conversations_newest_activity_first(staff, cast):
    now = timezone.now()
    old = conversation(cast.org, received_at=now - timedelta(days=2))
    new = conversation(cast.org, received_at=now - timedelta(hours=1))
    waiting = conversation(cast.org, status=Status.WAITING, received_at=now - timedelta(days=1))
    conversation(cast.org, status=Status.CLOSED, received_at=now)
    conversation(cast.org, status=Status.ANSWERED, received_at=now)
    response = staff.get(queue_url(cast))
    assert response.status_code == 200
    assert listed(response) == [new.pk, waiting.pk, old.pk]


def test_the_queue_shows_only_the_organisations_own_conversations(staff, cast):
    ours = conversation(cast.org, "Meidän asukkaan kysymys")
    conversation(cast.other_org, "Toisen kunnan salaisuus")
    response = staff.get(queue_url(cast, status="all"))
    assert listed(response) == [ours.pk]
    assert "Toisen kunnan salaisuus" not in response.content.decode()


def test_a_row_shows_who_where_what_kind_language_due_and_owner(staff, cast):
    from kanava.inbox.models import Claim

    claim = Claim.objects.create(organisation=cast.org, slug="uimahalli", statement={"fi": "Uimahalli suljetaan"},
                                 answer={"fi": "Uimahallia ei suljeta."}, verdict=Claim.Verdict.FALSE)
    conversation(cast.org, "Onko totta että uimahalli suljetaan?", source=Source.FACEBOOK, language="fi",
                 kind=Kind.QUESTION, confidence=0.4, owner=cast.voice, claim=claim, name="Maija Asukas",
                 due_at=timezone.now() + timedelta(hours=3, minutes=5))
    html = staff.get(queue_url(cast)).content.decode()
    for text in ("Maija Asukas", "Facebook", "Onko totta että uimahalli suljetaan?", "probably a question", "FI",
                 "due in 3 h", "Ville Voice", "Known claim", "Uimahalli suljetaan"):
        assert text in html, text


def test_a_confident_kind_is_said_plainly_and_late_ones_say_by_how_much(staff, cast):
    conversation(cast.org, kind=Kind.COMPLAINT, confidence=0.95, due_at=timezone.now() - timedelta(hours=5, minutes=3))
    html = staff.get(queue_url(cast)).content.decode()
    assert ">Complaint<" in html and "probably" not in html
    assert "late by 5 h" in html


def test_abusive_messages_are_a_blurred_placeholder_in_the_queue(staff, cast):
    conversation(cast.org, "Olet täysi idiootti ja ansaitset turpiin", kind=Kind.ATTACK)
    html = staff.get(queue_url(cast)).content.decode()
    assert "idiootti" not in html
    assert 'class="blurred"' in html and "May be offensive" in html


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_shown_escaped_in_the_queue(staff, cast, name):
    conversation(cast.org, BAD_INPUTS[name], name=BAD_INPUTS[name][:200])
    response = staff.get(queue_url(cast))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    if name == "html":
        assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in html


@pytest.mark.parametrize("query, expected", [
    ({"status": "closed"}, {"closed"}),
    ({"status": "all"}, {"open_fi", "closed", "sv_mastodon", "mine_late", "theirs", "spam"}),
    ({"source": "mastodon"}, {"sv_mastodon"}),
    ({"language": "sv"}, {"sv_mastodon"}),
    ({"kind": "complaint"}, {"mine_late"}),
    ({"owner": "mine"}, {"mine_late"}),
    ({"owner": "nobody"}, {"open_fi", "sv_mastodon", "spam"}),
    ({"overdue": "on"}, {"mine_late"}),
    ({"status": "all", "topic": "TOPIC"}, {"theirs"}),
    ({"owner": "VOICE"}, {"theirs"}),
])
def test_the_filters_narrow_the_queue(staff, cast, query, expected):
    now = timezone.now()
    made = {
        "open_fi": conversation(cast.org, language="fi"),
        "closed": conversation(cast.org, status=Status.CLOSED),
        "sv_mastodon": conversation(cast.org, "Hej!", language="sv", source=Source.MASTODON),
        "mine_late": conversation(cast.org, kind=Kind.COMPLAINT, owner=cast.moderator, status=Status.IN_PROGRESS,
                                  due_at=now - timedelta(hours=2)),
        "theirs": conversation(cast.org, owner=cast.voice, topic=cast.topic, status=Status.WAITING),
        "spam": conversation(cast.org, kind=Kind.SPAM, due_at=now + timedelta(days=2)),
    }
    query = {k: {"TOPIC": str(cast.topic.pk), "VOICE": str(cast.voice.pk)}.get(v, v) for k, v in query.items()}
    names = {pk: name for name, c in made.items() for pk in [c.pk]}
    assert {names[pk] for pk in listed(staff.get(queue_url(cast, **query)))} == expected


def test_a_filter_that_does_not_validate_is_ignored(staff, cast):
    found = conversation(cast.org)
    response = staff.get(queue_url(cast, status="nonsense", owner="<script>", topic="x"))
    assert response.status_code == 200 and listed(response) == [found.pk]


def test_the_queue_pages_by_keyset_without_counting(staff, cast):
    now = timezone.now()
    made = [conversation(cast.org, f"Viesti {i}", received_at=now - timedelta(minutes=i)) for i in range(60)]
    first = staff.get(queue_url(cast))
    assert listed(first) == [c.pk for c in made[:25]]
    assert first.context["older_url"] and not first.context["newer_url"]
    second = staff.get(queue_url(cast) + first.context["older_url"])
    assert listed(second) == [c.pk for c in made[25:50]]
    third = staff.get(queue_url(cast) + second.context["older_url"])
    assert listed(third) == [c.pk for c in made[50:]] and not third.context["older_url"]
    back = staff.get(queue_url(cast) + third.context["newer_url"])
    assert listed(back) == [c.pk for c in made[25:50]]
    assert "COUNT(" not in " ".join(q["sql"] for q in _queries_of(staff, queue_url(cast)))


def _queries_of(client, url) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return captured.captured_queries


def test_the_queue_costs_the_same_number_of_queries_for_5_or_25_rows(staff, cast):
    for i in range(5):
        conversation(cast.org, owner=cast.voice, topic=cast.topic)
    few = len(_queries_of(staff, queue_url(cast)))
    for i in range(20):
        conversation(cast.org, owner=cast.lead, topic=cast.topic)
    assert len(_queries_of(staff, queue_url(cast))) == few


def test_a_malformed_page_cursor_shows_the_first_page(staff, cast):
    found = conversation(cast.org)
    for cursor in ("x", "1-2-3", "99999999999999999999999-1", ""):
        response = staff.get(queue_url(cast, after=cursor))
        assert response.status_code == 200 and listed(response) == [found.pk]


def test_bulk_actions_work_from_the_queue_without_javascript(staff, cast):
    first, second, third = (conversation(cast.org) for _ in range(3))
    back = queue_url(cast, owner="nobody")
    response = staff.post(reverse("inbox:bulk", kwargs={"org": cast.org.slug}),
                          {"ids": [first.pk, second.pk], "action": "assign", "owner": str(cast.voice.pk),
                           "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert set(Conversation.objects.filter(owner=cast.voice).values_list("pk", flat=True)) == {first.pk, second.pk}
    assert "2 conversations changed." in staff.get(back).content.decode()
    staff.post(reverse("inbox:bulk", kwargs={"org": cast.org.slug}), {"ids": [third.pk], "action": "close"})
    assert Conversation.objects.get(pk=third.pk).status == Status.CLOSED


def test_bulk_never_returns_to_another_site(staff, cast):
    found = conversation(cast.org)
    for target in ("https://evil.example/", "//evil.example/", "/fi/staff/toinen/inbox/"):
        response = staff.post(reverse("inbox:bulk", kwargs={"org": cast.org.slug}),
                              {"ids": [found.pk], "action": "close", "next": target})
        assert response["Location"] == queue_url(cast)


def test_bulk_ignores_another_organisations_conversations(staff, cast):
    theirs = conversation(cast.other_org)
    staff.post(reverse("inbox:bulk", kwargs={"org": cast.org.slug}), {"ids": [theirs.pk], "action": "close"})
    assert Conversation.objects.get(pk=theirs.pk).status == Status.NEW
    assert not AuditEvent.objects.filter(action="inbox.status_set").exists()


def test_the_spam_action_is_offered_to_moderators_only(client, cast):
    login(client, cast.voice)
    conversation(cast.org)
    offered = dict(client.get(queue_url(cast)).context["bulk_form"].fields["action"].choices)
    assert "spam" not in offered and "close" in offered
    client.logout()
    login(client, cast.moderator)
    assert "spam" in dict(client.get(queue_url(cast)).context["bulk_form"].fields["action"].choices)


def test_an_editor_without_the_inbox_gets_403_and_an_outsider_404(client, cast):
    login(client, cast.editor)
    assert client.get(queue_url(cast)).status_code == 403
    client.logout()
    login(client, cast.outsider)
    assert client.get(queue_url(cast)).status_code == 404


def test_abuse_naming_an_employee_is_not_in_their_queue(client, cast):
    found = conversation(cast.org, "Maija Moderator on idiootti", kind=Kind.ATTACK, staff_target=cast.moderator)
    login(client, cast.moderator)
    assert found.pk not in listed(client.get(queue_url(cast)))
    assert client.get(reverse("inbox:conversation", kwargs={"org": cast.org.slug, "pk": found.pk})).status_code == 404
    client.logout()
    login(client, cast.lead)
    assert found.pk in listed(client.get(queue_url(cast)))
