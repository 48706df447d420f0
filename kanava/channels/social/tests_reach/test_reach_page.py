"""The reach page: sums per channel, per voice and per message over a period, for those who may see them."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from kanava.channels.social.tests_reach.helpers import (
    WITH_IMPRESSIONS, actor, fetch, line, post, published, rows, social_channel, table)
from kanava.core.roles import Role
from kanava.publishing import actions, outbox
from kanava.testing.personas import make_channel, make_person

DAY = timedelta(days=1)


@pytest.fixture
def world(cast, website, linkedin, bluesky, directors_bluesky):
    """Four messages of ours on three accounts, and a post of another organisation's.

    ``a``: 2 days ago, on LinkedIn and Bluesky; ``b``: 3 days ago in the
    director's name, on LinkedIn and the director's own Bluesky; ``c``: 40
    days ago on LinkedIn; ``d``: yesterday on LinkedIn, no figures yet.
    """
    now = timezone.now()
    a, b, c, d = (published(cast, website, title=title, voice=cast.voice if title == "B" else None)
                  for title in "ABCD")
    fetch(post(a, linkedin, at=now - 2 * DAY), impressions=1000, reactions=10, comments=2, shares=1)
    fetch(post(a, bluesky, at=now - 2 * DAY), impressions=None, reactions=300, comments=3, shares=4)
    fetch(post(b, linkedin, at=now - 3 * DAY), impressions=5000, reactions=5, comments=0, shares=2)
    fetch(post(b, directors_bluesky, at=now - 3 * DAY), impressions=None, reactions=70, comments=7, shares=0)
    fetch(post(c, linkedin, at=now - 40 * DAY), impressions=9, reactions=1, comments=0, shares=0)
    post(d, linkedin, at=now - DAY)

    theirs_site = make_channel(cast.other_org, "website", "Toisen sivut")
    theirs = social_channel(cast.other_org, WITH_IMPRESSIONS, "Toinen LinkedIn")
    message = actions.do_create_message(actor(cast.outsider), cast.other_org, channels=[theirs_site],
                                        versions={"fi": {"title": "Toisen uutinen", "body": "Teksti."}})
    actions.do_submit_for_review(actor(cast.outsider), message)
    actions.do_approve(actor(cast.outsider), message)
    actions.do_publish(actor(cast.outsider), message)
    outbox.drain()
    fetch(post(message, theirs, at=now - DAY), impressions=777777, reactions=77, comments=7, shares=7)
    return {"a": a, "b": b, "c": c, "d": d, "theirs": message}


def test_the_lead_sees_sums_per_channel_with_personal_accounts_apart(cast, world, linkedin, bluesky,
                                                                    directors_bluesky, as_person, reach_url):
    page = as_person(cast.lead).get(reach_url()).content.decode()
    ours = rows(table(page, "reach-organisation-table"), "channel")
    assert list(ours) == [str(bluesky.pk), str(linkedin.pk)]
    assert line(ours[str(linkedin.pk)]) == ("3", "6,000", "15", "2", "3")  # d has no figures yet
    assert line(ours[str(bluesky.pk)]) == ("1", "–", "300", "3", "4")  # Bluesky counts no impressions
    total = re.search(r"<tfoot>(.*?)</tfoot>", table(page, "reach-organisation-table"), re.S).group(1)
    assert line(total) == ("4", "6,000", "315", "5", "7")

    personal = rows(table(page, "reach-personal-table"), "channel")
    assert list(personal) == [str(directors_bluesky.pk)]
    assert "Ville Voice" in personal[str(directors_bluesky.pk)]
    assert line(personal[str(directors_bluesky.pk)]) == ("1", "–", "70", "7", "0")
    assert "Toinen" not in page and "777" not in page


def test_a_voices_reach_is_reported_apart_from_the_organisations_posts_in_their_name(cast, world, as_person,
                                                                                   reach_url):
    page = as_person(cast.lead).get(reach_url()).content.decode()
    voices = re.findall(r'<tr data-voice="(\d+)" data-accounts="([a-z]+)">(.*?)</tr>',
                        table(page, "reach-voices-table"), re.S)
    assert [(int(pk), accounts) for pk, accounts, _row in voices] == [
        (cast.voice.pk, "personal"), (cast.voice.pk, "organisation")]
    assert line(voices[0][2]) == ("1", "–", "70", "7", "0")
    assert line(voices[1][2]) == ("1", "5,000", "5", "0", "2")


def test_messages_are_sorted_newest_first_or_by_impressions_or_reactions(cast, world, as_person, reach_url):
    client = as_person(cast.lead)

    def order(sort):
        page = client.get(f"{reach_url()}?sort={sort}").content.decode()
        return [int(pk) for pk in rows(table(page, "reach-messages-table"), "message")]

    a, b, d = world["a"].pk, world["b"].pk, world["d"].pk
    assert order("newest") == [d, a, b]
    assert order("impressions") == [b, a, d]  # a message without figures comes last, on every database
    assert order("reactions") == [a, b, d]
    page = client.get(f"{reach_url()}?sort=impressions").content.decode()
    assert '<th scope="col" class="numeric" aria-sort="descending">Impressions</th>' in page
    assert 'href="?sort=reactions"' in page
    message_row = rows(table(page, "reach-messages-table"), "message")[str(b)]
    assert line(message_row) == ("2", "5,000", "75", "7", "2") and "Ville Voice" in message_row


def test_the_period_is_the_last_7_30_or_90_days(cast, world, linkedin, as_person, reach_url):
    client = as_person(cast.lead)

    def linkedin_line(period):
        page = client.get(f"{reach_url()}?period={period}").content.decode()
        return line(rows(table(page, "reach-organisation-table"), "channel")[str(linkedin.pk)])

    assert linkedin_line(7) == ("3", "6,000", "15", "2", "3")
    assert linkedin_line(90) == ("4", "6,009", "16", "2", "3")
    page = client.get(f"{reach_url()}?period=90").content.decode()
    assert str(world["c"].pk) in rows(table(page, "reach-messages-table"), "message")
    assert client.get(f"{reach_url()}?period=5").status_code == 400


def test_one_voices_page_shows_only_their_posts(cast, world, linkedin, directors_bluesky, as_person, reach_url):
    page = as_person(cast.lead).get(f"{reach_url()}?voice={cast.voice.pk}").content.decode()
    assert "<h1>Reach of Ville Voice</h1>" in page
    assert line(rows(table(page, "reach-organisation-table"), "channel")[str(linkedin.pk)]) == (
        "1", "5,000", "5", "0", "2")
    assert list(rows(table(page, "reach-personal-table"), "channel")) == [str(directors_bluesky.pk)]
    assert list(rows(table(page, "reach-messages-table"), "message")) == [str(world["b"].pk)]


def test_a_voice_sees_their_own_reach_but_not_another_voices(cast, world, directors_bluesky, as_person,
                                                             reach_url):
    other_voice = make_person(cast.org, Role.VOICE, "chair@pikkula.fi", "Kaisa Chair")
    theirs = social_channel(cast.org, "bluesky", "Kaisa Bluesky", owner=other_voice)
    fetch(post(world["a"], theirs, at=timezone.now() - DAY), reactions=5)
    client = as_person(cast.voice)

    page = client.get(reach_url()).content.decode()
    assert list(rows(table(page, "reach-personal-table"), "channel")) == [str(directors_bluesky.pk)]
    assert "Kaisa" not in page
    assert client.get(f"{reach_url()}?voice={cast.voice.pk}").status_code == 200
    assert client.get(f"{reach_url()}?voice={other_voice.pk}").status_code == 403

    lead_page = as_person(cast.lead).get(reach_url()).content.decode()
    assert "Kaisa Bluesky" in lead_page and "Ville Bluesky" in lead_page


def test_an_editor_sees_the_organisations_accounts_only(cast, world, as_person, reach_url):
    client = as_person(cast.editor)
    page = client.get(reach_url()).content.decode()
    assert table(page, "reach-organisation-table") and not table(page, "reach-personal-table")
    assert "Ville Bluesky" not in page and 'name="voice"' not in page
    voices = re.findall(r'data-accounts="([a-z]+)"', table(page, "reach-voices-table"))
    assert voices == ["organisation"]  # the organisation's posts in the director's name are public
    assert client.get(f"{reach_url()}?voice={cast.voice.pk}").status_code == 403


def test_another_organisation_cannot_open_our_reach_page(cast, world, as_person, reach_url):
    client = as_person(cast.outsider)
    assert client.get(reach_url()).status_code == 404
    theirs = client.get(reach_url(org=cast.other_org)).content.decode()
    assert "777,777" in theirs and "Vesikatko" not in theirs


def test_numbers_are_written_as_the_language_writes_them(cast, world, linkedin, as_person, reach_url):
    client = as_person(cast.lead)
    for language, expected in (("fi", "6\xa0000"), ("sv", "6\xa0000"), ("en", "6,000")):
        page = client.get(reach_url(language)).content.decode()
        assert line(rows(table(page, "reach-organisation-table"), "channel")[str(linkedin.pk)])[1] == expected


def test_the_page_says_which_platforms_offer_which_figures(cast, world, as_person, reach_url):
    page = as_person(cast.editor).get(reach_url()).content.decode()
    assert ("Impressions (how many times a post was shown) are offered by X, Facebook, Instagram (as views) "
            "and LinkedIn organisation pages, not by Mastodon or Bluesky.") in page
    assert '<th scope="row">Mastodon</th><td>Not offered</td>' in page


def test_the_tables_have_captions_and_header_scopes(cast, world, as_person, reach_url):
    page = as_person(cast.lead).get(reach_url()).content.decode()
    tables = re.findall(r"<table.*?</table>", page, re.S)
    assert len(tables) == 5
    for html in tables:
        assert "<caption" in html
        assert not re.search(r"<th(?=[\s>])(?![^>]*scope=)", html)


def test_a_page_of_a_thousand_posts_costs_a_fixed_number_of_queries(cast, website, linkedin, bluesky,
                                                                    directors_bluesky, as_person, reach_url,
                                                                    django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kanava.publishing.models import Delivery, Message, MessageVersion

    client = as_person(cast.lead)
    fetch(post(published(cast, website, voice=cast.voice), directors_bluesky, at=timezone.now() - DAY),
          reactions=1)
    client.get(reach_url())
    with CaptureQueriesContext(connection) as few:
        assert client.get(reach_url()).status_code == 200

    # 250 more messages with four posts each, written in bulk as the outbox and collector would leave them.
    now = timezone.now()
    messages = Message.objects.bulk_create(
        [Message(organisation=cast.org, author=cast.editor, state=Message.State.PUBLISHED, published_at=now,
                 voice=cast.voice if n % 5 == 0 else None) for n in range(250)])
    MessageVersion.objects.bulk_create([MessageVersion(message=m, language="fi", title=f"Tiedote {m.pk}", body="x")
                                        for m in messages])
    posts = []
    for n, message in enumerate(messages):
        for channel, language in ((linkedin, "fi"), (linkedin, "sv"), (bluesky, "fi"), (directors_bluesky, "fi")):
            offered = channel.kind == WITH_IMPRESSIONS
            posts.append(Delivery(
                organisation=cast.org, message=message, channel=channel, language=language,
                idempotency_key=f"bulk-{message.pk}-{channel.pk}-{language}", state=Delivery.State.DELIVERED,
                delivered_at=now - timedelta(minutes=n), url=f"https://{channel.kind}.example/{message.pk}",
                metrics={"impressions": n * 10 if offered else None, "reactions": n, "comments": 1, "shares": 0,
                         "fetched_at": now.isoformat()}))
    Delivery.objects.bulk_create(posts)

    with django_assert_max_num_queries(len(few)):
        response = client.get(f"{reach_url()}?sort=impressions")
    page = response.content.decode()
    assert response.status_code == 200
    assert len(rows(table(page, "reach-messages-table"), "message")) == 50
    assert line(rows(table(page, "reach-organisation-table"), "channel")[str(linkedin.pk)]) == (
        "500", f"{2 * 10 * sum(range(250)):,}", f"{2 * sum(range(250)):,}", "500", "0")
    assert "Page 1 of 6" in page
