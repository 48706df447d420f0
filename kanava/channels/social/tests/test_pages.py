"""The channel health page and the "post by hand" checklist, through the Django test client."""

import html
import io
import re
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from kanava.channels.social.errors import mark_broken
from kanava.core.audit import AuditEvent
from kanava.publishing import actions
from kanava.publishing.models import Delivery, Variant
from kanava.testing.personas import login, make_channel

LONG = " ".join(f"Lause numero {n} kertoo vesikatkosta Kirkkotiellä." for n in range(30))  # about 1,500 characters


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://uutiset.pikkula.fi"


def page(cast, name: str, language: str = "en") -> str:
    with translation.override(language):
        return reverse(f"channels:{name}", kwargs={"org": cast.org.slug})


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def connected(cast, kind, name, owner=None, **fields):
    fields.setdefault("account_name", "@kanavala")
    secrets = fields.pop("secrets", {"access_token": "token"})
    return make_channel(cast.org, kind, name, owner=owner, secrets=secrets,
                        config={"instance_url": "https://mastodon.example"} if kind == "mastodon" else {},
                        selected_by_default=owner is None, **fields)


# -- the health page ------------------------------------------------------------------------

def noon_in(cast, days: int):
    """Noon ``days`` calendar days from today where the organisation is (the page counts calendar days)."""
    with timezone.override(cast.org.tz):
        return timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=days)


@pytest.fixture
def accounts(cast):
    now = timezone.now()
    broken = connected(cast, "x", "X")
    mark_broken(broken, "The X connection no longer works (it was revoked or its password changed): reconnect it.")
    return {
        "ok": connected(cast, "mastodon", "Mastodon"),
        "soon": connected(cast, "instagram", "Instagram", token_expires_at=noon_in(cast, 3)),
        "later": connected(cast, "facebook", "Facebook", token_expires_at=noon_in(cast, 9)),
        "broken": broken,
        "expired": connected(cast, "linkedin", "LinkedIn", token_expires_at=now - timedelta(days=1)),
        "unconnected": connected(cast, "bluesky", "Bluesky", secrets={}, account_name=""),
        "voice": connected(cast, "mastodon", "Ville on Mastodon", owner=cast.voice,
                           token_expires_at=noon_in(cast, 2)),
    }


def rows(response, table: str) -> list[tuple[str, str]]:
    """(channel id, status) of each row of the table captioned ``table``."""
    body = response.content.decode()
    section = body[body.index(f'id="{table}"'):]
    section = section[:section.index("</table>")]
    return re.findall(r'data-channel="(\d+)" data-status="(\w+)"', section)


def test_the_lead_sees_what_breaks_first_at_the_top_with_what_to_do(client, cast, accounts):
    login(client, cast.lead)
    response = client.get(page(cast, "health"))
    assert response.status_code == 200

    order = [int(pk) for pk, _status in rows(response, "health-organisation")]
    expected = ["expired", "broken", "soon", "later", "unconnected", "ok"]
    assert order == [accounts[name].pk for name in expected]
    assert [s for _pk, s in rows(response, "health-organisation")] == [
        "expired", "broken", "expiring", "expiring", "not_connected", "ok"]
    text = text_of(response)
    assert "The connection expires on" in text and "in 3 days" in text and "3 days left" in text
    assert "Reconnect the Instagram account before then" in text
    assert "Reconnect the LinkedIn account now" in text
    assert "Renews itself" not in text and "Does not expire" in text  # Mastodon's tokens do not expire
    assert "connections need attention" in text


def test_each_connection_has_its_reconnect_button_and_settings_link(client, cast, accounts):
    login(client, cast.lead)
    body = client.get(page(cast, "health")).content.decode()
    for name in ("ok", "soon", "later", "broken", "expired", "unconnected"):
        channel = accounts[name]
        connect = reverse("channels:connect", kwargs={"org": cast.org.slug, "pk": channel.pk})
        settings_page = reverse("channels:edit", kwargs={"org": cast.org.slug, "pk": channel.pk})
        assert f'href="{connect}"' in body and f'href="{settings_page}"' in body
    assert re.search(r'class="button button--secondary" href="[^"]+/%d/connect/">Reconnect' % accounts["ok"].pk, body)
    assert re.search(r'class="button" href="[^"]+/%d/connect/">Connect' % accounts["unconnected"].pk, body)


def test_voices_accounts_are_listed_but_only_the_voice_can_reconnect_them(client, cast, accounts):
    login(client, cast.lead)
    response = client.get(page(cast, "health"))
    personal = accounts["voice"]
    assert rows(response, "health-personal") == [(str(personal.pk), "expiring")]
    body = response.content.decode()
    assert reverse("channels:connect", kwargs={"org": cast.org.slug, "pk": personal.pk}) not in body
    assert reverse("channels:edit", kwargs={"org": cast.org.slug, "pk": personal.pk}) not in body
    text = text_of(response)
    assert f"Only {cast.voice} can connect or reconnect this account." in text
    assert f"Ask {cast.voice} to reconnect their personal account" in text
    assert f"personal account of {cast.voice}" in text


def test_the_page_shows_nothing_of_another_organisation(client, cast, accounts):
    theirs = make_channel(cast.other_org, "mastodon", "Toisen Mastodon", secrets={"access_token": "t"},
                          config={"instance_url": "https://mastodon.example"})
    login(client, cast.lead)
    body = client.get(page(cast, "health")).content.decode()
    assert "Toisen Mastodon" not in body and f'data-channel="{theirs.pk}"' not in body


@pytest.mark.parametrize("who,status", [("editor", 403), ("voice", 403), ("moderator", 403), ("outsider", 404)])
def test_only_people_who_manage_channels_see_the_health_page(client, cast, who, status):
    login(client, getattr(cast, who))
    assert client.get(page(cast, "health")).status_code == status


def test_the_health_page_asks_the_database_the_same_number_of_times_for_many_accounts(
        client, cast, django_assert_max_num_queries):
    login(client, cast.lead)
    for n in range(3):
        connected(cast, "mastodon", f"Mastodon {n}")
    client.get(page(cast, "health"))
    with django_assert_max_num_queries(14) as few:
        client.get(page(cast, "health"))
    for n in range(12):
        connected(cast, "x", f"X {n}", owner=cast.voice if n % 2 else None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(page(cast, "health")).status_code == 200


def test_a_failed_post_is_announced_on_the_health_page(client, cast, actor_of, accounts):
    failed_delivery(cast, actor_of, accounts["ok"])
    login(client, cast.lead)
    text = text_of(client.get(page(cast, "health")))
    assert "1 post did not go out." in text
    assert page(cast, "by_hand") in client.get(page(cast, "health")).content.decode()


def test_the_page_speaks_the_persons_language(client, cast, accounts):
    login(client, cast.lead)
    response = client.get(page(cast, "health", "sv"))
    assert response.status_code == 200
    assert response.content.decode().count('lang="sv"') >= 1


# -- the post-by-hand checklist --------------------------------------------------------------

def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def failed_delivery(cast, actor_of, channel, *, text=None, thread=False, state=Delivery.State.FAILED,
                    parts=(), image=False, language="fi", **fields):
    """A published message whose delivery to ``channel`` did not go out."""
    message = actions.do_create_message(actor_of(cast.editor), cast.org, channels=[channel],
                                        voice=channel.owner, versions={
        "fi": {"title": "Vesikatko Kirkkotiellä", "body": "Vesi on poikki tiistaina klo 9–12."},
        "sv": {"title": "Vattenavbrott på Kyrkvägen", "body": "Vattnet är avstängt på tisdag kl. 9–12."}})
    if text:
        variant = Variant.objects.get(message=message, channel=channel, language=language)
        actions.do_edit_variant(actor_of(cast.editor), variant, title=variant.title, text=text)
    if thread:
        Variant.objects.filter(message=message, channel=channel).update(thread=True)
    if image:
        actions.do_add_image(actor_of(cast.editor), message, SimpleUploadedFile("kartta.png", png(), "image/png"),
                             {"fi": "Kartta: katkos koskee Kirkkotietä 1–15.", "sv": "Karta över Kyrkvägen."})
    fields.setdefault("last_error", "Mastodon is not working right now (error 503); trying again.")
    return Delivery.objects.create(
        organisation=cast.org, message=message, channel=channel, language=language, state=state,
        idempotency_key=uuid.uuid4().hex, attempts=fields.pop("attempts", 8),
        detail={"parts": [{"id": str(100 + i), "url": f"https://mastodon.example/@kanavala/{100 + i}", "extra": {}}
                          for i in range(len(parts))]} if parts else {}, **fields)


@pytest.fixture
def mastodon(cast):
    return connected(cast, "mastodon", "Mastodon", account_url="https://mastodon.example/@kanavala")


def textareas(response) -> dict[str, str]:
    return {m.group(1): html.unescape(m.group(2)) for m in re.finditer(
        r'<textarea[^>]*id="([^"]+)"[^>]*>(.*?)</textarea>', response.content.decode(), re.S)}


def test_a_thread_cut_short_lists_the_parts_still_to_post_ready_to_copy(client, cast, actor_of, mastodon):
    delivery = failed_delivery(cast, actor_of, mastodon, text=LONG, thread=True, parts=[1])
    variant = Variant.objects.get(message=delivery.message, channel=mastodon, language="fi")
    expected = mastodon.adapter.parts(variant)
    assert len(expected) == 4
    login(client, cast.lead)
    response = client.get(page(cast, "by_hand"))

    assert response.status_code == 200
    areas = textareas(response)
    assert areas == {f"text-{delivery.pk}-{n}": expected[n - 1] for n in (2, 3, 4)}
    text = text_of(response)
    assert "Part 1 of 4 already went out" in text
    assert 'href="https://mastodon.example/@kanavala/100"' in response.content.decode()
    assert "Post part 2 of 4 as a reply to the previous part:" in text
    assert "Mastodon is not working right now (error 503)" in text
    assert 'href="https://mastodon.example/@kanavala"' in response.content.decode()


def test_images_come_with_their_alternative_text_in_the_posts_language(client, cast, actor_of, mastodon):
    delivery = failed_delivery(cast, actor_of, mastodon, image=True, language="sv", state=Delivery.State.UNCERTAIN)
    login(client, cast.lead)
    response = client.get(page(cast, "by_hand"))
    areas = textareas(response)
    assert areas[f"alt-{delivery.pk}-1"] == "Karta över Kyrkvägen."
    assert areas[f"text-{delivery.pk}-1"].startswith("Vattenavbrott på Kyrkvägen")
    image = delivery.message.images.get()
    assert f'href="https://uutiset.pikkula.fi{image.file.url}" download' in response.content.decode()
    assert "Uncertain" in text_of(response)


def test_marking_a_post_done_by_hand_records_it_once(client, cast, actor_of, mastodon):
    delivery = failed_delivery(cast, actor_of, mastodon)
    login(client, cast.lead)
    address = "https://mastodon.example/@kanavala/999"
    for _press in range(2):  # a double click
        response = client.post(page(cast, "by_hand"), {"delivery": delivery.pk, "url": address})
        assert response.status_code == 302

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED and delivery.url == address
    assert delivery.detail["by_hand"]["by"] == cast.lead.pk
    events = AuditEvent.objects.filter(action="delivery.posted_by_hand")
    assert events.count() == 1 and events.get().data["url"] == address and events.get().actor == cast.lead
    assert f'data-delivery="{delivery.pk}"' not in client.get(page(cast, "by_hand")).content.decode()


def test_the_address_is_optional_but_must_be_a_web_address(client, cast, actor_of, mastodon):
    first = failed_delivery(cast, actor_of, mastodon)
    login(client, cast.lead)
    client.post(page(cast, "by_hand"), {"delivery": first.pk, "url": "javascript:alert(1)"})
    first.refresh_from_db()
    assert first.state == Delivery.State.FAILED
    client.post(page(cast, "by_hand"), {"delivery": first.pk, "url": ""})
    first.refresh_from_db()
    assert first.state == Delivery.State.DELIVERED and first.url == ""


def test_a_post_that_went_out_on_its_own_cannot_be_marked(client, cast, actor_of, mastodon):
    delivery = failed_delivery(cast, actor_of, mastodon, state=Delivery.State.DELIVERED,
                               external_id="77", delivered_at=timezone.now())
    login(client, cast.lead)
    response = client.post(page(cast, "by_hand"), {"delivery": delivery.pk}, follow=True)
    assert "already gone out" in text_of(response)
    assert not AuditEvent.objects.filter(action="delivery.posted_by_hand").exists()


def test_a_post_still_retrying_is_on_the_list_and_marking_it_stops_the_retries(client, cast, actor_of, mastodon):
    delivery = failed_delivery(cast, actor_of, mastodon, state=Delivery.State.PENDING, attempts=3,
                               next_attempt_at=timezone.now() + timedelta(minutes=20))
    waiting = failed_delivery(cast, actor_of, mastodon, state=Delivery.State.PENDING, attempts=0, last_error="")
    login(client, cast.lead)
    body = client.get(page(cast, "by_hand")).content.decode()
    assert f'data-delivery="{delivery.pk}"' in body and "Still retrying" in body
    assert f'data-delivery="{waiting.pk}"' not in body, "not yet tried: nothing to do by hand"

    client.post(page(cast, "by_hand"), {"delivery": delivery.pk})
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED


def test_a_voice_sees_and_marks_only_posts_on_their_own_accounts(client, cast, actor_of, mastodon):
    personal = connected(cast, "mastodon", "Ville on Mastodon", owner=cast.voice)
    theirs = failed_delivery(cast, actor_of, personal)
    organisations = failed_delivery(cast, actor_of, mastodon)
    login(client, cast.voice)
    body = client.get(page(cast, "by_hand")).content.decode()
    assert f'data-delivery="{theirs.pk}"' in body and f'data-delivery="{organisations.pk}"' not in body

    assert client.post(page(cast, "by_hand"), {"delivery": organisations.pk}).status_code == 404
    client.post(page(cast, "by_hand"), {"delivery": theirs.pk})
    theirs.refresh_from_db()
    organisations.refresh_from_db()
    assert theirs.state == Delivery.State.DELIVERED and organisations.state == Delivery.State.FAILED


@pytest.mark.parametrize("who,status", [("editor", 403), ("moderator", 403), ("outsider", 404)])
def test_people_who_neither_approve_nor_speak_cannot_use_the_checklist(client, cast, actor_of, mastodon, who, status):
    delivery = failed_delivery(cast, actor_of, mastodon)
    login(client, getattr(cast, who))
    assert client.get(page(cast, "by_hand")).status_code == status
    assert client.post(page(cast, "by_hand"), {"delivery": delivery.pk}).status_code == status
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.FAILED


def test_another_organisations_failed_posts_are_neither_shown_nor_markable(client, cast, actor_of, mastodon):
    theirs_channel = make_channel(cast.other_org, "mastodon", "Toisen Mastodon", secrets={"access_token": "t"},
                                  config={"instance_url": "https://mastodon.example"})
    message = actions.do_create_message(actor_of(cast.outsider), cast.other_org, channels=[theirs_channel],
                                        versions={"fi": {"title": "Toinen", "body": "Toisen kunnan tiedote."}})
    theirs = Delivery.objects.create(organisation=cast.other_org, message=message, channel=theirs_channel,
                                     language="fi", state=Delivery.State.FAILED, idempotency_key=uuid.uuid4().hex)
    login(client, cast.lead)
    assert f'data-delivery="{theirs.pk}"' not in client.get(page(cast, "by_hand")).content.decode()
    assert client.post(page(cast, "by_hand"), {"delivery": theirs.pk}).status_code == 404


def test_nothing_to_post_by_hand_says_so(client, cast):
    login(client, cast.lead)
    assert "Nothing to post by hand" in text_of(client.get(page(cast, "by_hand")))


def test_the_checklist_asks_the_database_a_bounded_number_of_times(client, cast, actor_of, mastodon,
                                                                   django_assert_max_num_queries):
    for _ in range(2):
        failed_delivery(cast, actor_of, mastodon, image=True)
    login(client, cast.lead)
    client.get(page(cast, "by_hand"))
    with django_assert_max_num_queries(25) as few:
        client.get(page(cast, "by_hand"))
    for _ in range(6):
        failed_delivery(cast, actor_of, mastodon, image=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(page(cast, "by_hand"))
