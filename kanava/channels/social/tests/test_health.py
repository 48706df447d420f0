"""The health of connections: known (and told, once) before a post meets a broken one."""

import threading
from datetime import timedelta

import pytest
from django.utils.translation import gettext
from django.utils import translation
from django.core import mail
from django.db import connection
from django.utils import timezone, translation

from kanava.channels.models import Channel
from kanava.channels.social.actions import do_connect
from kanava.channels.social.adapter import Connection
from kanava.channels.social.errors import mark_broken
from kanava.channels.social.health import (BROKEN, EXPIRED, EXPIRING, LEADS, NOT_CONNECTED, OK, PAUSED,
                                           check_channel, check_due, health_of)
from kanava.core.models import Alert
from kanava.publishing.models import Delivery
from kanava.testing.personas import make_channel
from kanava.testing.platforms.mastodon import MastodonServer
from kanava.testing.platforms.meta import MetaServer
from kanava.testing.platforms.x import XServer


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"), timezone.override("Europe/Helsinki"):
        yield


def channel_with(cast, kind="facebook", *, owner=None, **fields):
    secrets = fields.pop("secrets", {"access_token": "token"})
    return make_channel(cast.org, kind, fields.pop("name", kind.title()), secrets=secrets, owner=owner,
                        account_name=fields.pop("account_name", "Pikkulan kunta"), **fields)


# -- the state in words -----------------------------------------------------------------------

def test_an_account_not_connected_says_who_connects_it(cast):
    organisation = health_of(channel_with(cast, "x", secrets={}))
    assert organisation.status == NOT_CONNECTED and organisation.needs_reconnect
    assert "sign in to X" in organisation.advice
    personal = channel_with(cast, "x", secrets={}, owner=cast.voice, name="Ville on X")
    assert "Connect your X account" in health_of(personal, viewer=cast.voice).advice
    assert "Connect your X account" in health_of(personal).advice, "without a reader: advice for its owner"
    assert health_of(personal, viewer=cast.lead).advice.startswith(f"Only {cast.voice} can connect")
    assert health_of(personal, viewer=LEADS).advice.startswith(f"Only {cast.voice} can connect")


def test_a_connection_that_renews_itself_is_fine(cast):
    channel = channel_with(cast, "x", secrets={"access_token": "a", "refresh_token": "r"},
                           token_expires_at=timezone.now() + timedelta(hours=2))
    health = health_of(channel)
    assert health.status == OK and health.renews and health.expires_at is None
    assert health.headline == "Connected as Pikkulan kunta." and health.advice == ""


def test_a_token_that_never_expires_is_fine(cast):
    health = health_of(channel_with(cast, "mastodon"))
    assert health.status == OK and not health.renews and health.expires_at is None


def test_a_60_day_token_without_refresh_warns_two_weeks_ahead(cast):
    now = timezone.localtime().replace(hour=9, minute=0)
    channel = channel_with(cast, token_expires_at=now + timedelta(days=10, hours=1))
    health = health_of(channel, now)
    assert health.status == EXPIRING and health.days_left == 10 and health.needs_reconnect
    assert health.expires_at == channel.token_expires_at
    assert f"in {health.days_left} days" in health.headline
    assert "Reconnect the Facebook account before then" in health.advice
    assert health_of(channel, now - timedelta(days=40)).status == OK  # 50 days ahead: nothing to say yet


def test_a_token_expiring_later_today_says_today(cast):
    now = timezone.localtime().replace(hour=8, minute=0)
    channel = channel_with(cast, token_expires_at=now + timedelta(hours=3))
    health = health_of(channel, now)
    assert health.status == EXPIRING and health.days_left == 0 and "today" in health.headline


def test_a_refresh_token_that_itself_expires_warns_before_it_does(cast):
    now = timezone.now()
    year = channel_with(cast, "linkedin", secrets={"access_token": "a", "refresh_token": "r"},
                        token_expires_at=now + timedelta(days=50), refresh_expires_at=now + timedelta(days=200))
    assert health_of(year, now).status == OK and health_of(year, now).renews
    ending = channel_with(cast, "linkedin", secrets={"access_token": "a", "refresh_token": "r"},
                          token_expires_at=now + timedelta(days=1), refresh_expires_at=now + timedelta(days=6))
    health = health_of(ending, now)
    assert health.status == EXPIRING and health.expires_at == ending.refresh_expires_at
    assert not health.renews


def test_an_expired_connection_names_the_date(cast):
    now = timezone.now()
    channel = channel_with(cast, token_expires_at=now - timedelta(days=2))
    health = health_of(channel, now)
    date = timezone.localtime(channel.token_expires_at).strftime("%m/%d/%Y")
    assert health.status == EXPIRED and date in health.headline and "now" in health.advice


def test_a_broken_connection_until_it_works_again(cast):
    channel = channel_with(cast, "x")
    mark_broken(channel, "The X connection no longer works.")
    health = health_of(channel)
    assert health.status == BROKEN and "no longer works" in health.headline and "post by hand" in health.advice
    channel.last_ok_at = timezone.now() + timedelta(seconds=1)
    assert health_of(channel).status == OK


def test_a_paused_channel_needs_nothing_from_anyone(cast):
    health = health_of(channel_with(cast, "x", paused_until=timezone.now() + timedelta(minutes=20)))
    assert health.status == PAUSED and not health.needs_reconnect and health.advice.startswith("Nothing to do")


def test_expired_and_broken_sort_before_expiring_and_the_sooner_first(cast):
    now = timezone.now()
    rows = [health_of(c, now) for c in (
        channel_with(cast, "mastodon"),
        channel_with(cast, token_expires_at=now + timedelta(days=9)),
        channel_with(cast, "x", secrets={}),
        channel_with(cast, "instagram", token_expires_at=now + timedelta(days=3)),
        channel_with(cast, "linkedin", token_expires_at=now - timedelta(days=1)))]
    assert [h.status for h in sorted(rows, key=lambda h: h.urgency)] == [EXPIRED, EXPIRING, EXPIRING,
                                                                          NOT_CONNECTED, OK]
    assert sorted(rows, key=lambda h: h.urgency)[1].channel.kind == "instagram"


# -- the check ---------------------------------------------------------------------------------

@pytest.fixture
def mastodon():
    with MastodonServer() as server:
        yield server


def mastodon_channel(cast, server, **fields):
    return make_channel(cast.org, "mastodon", fields.pop("name", "Mastodon"), config=server.channel_config(),
                        secrets=server.channel_secrets(), account_name="@kanavala", **fields)


def test_the_check_refreshes_a_token_expiring_within_a_day_and_verifies_it(cast):
    with XServer() as server:
        channel = make_channel(cast.org, "x", "X", config=server.channel_config(), secrets=server.channel_secrets(),
                               token_expires_at=timezone.now() + timedelta(hours=20))
        old = channel.secrets["access_token"]
        health = check_channel(channel)
        assert len(server.requests_to("POST", r"^/2/oauth2/token$")) == 1
        (me,) = server.requests_to("GET", r"^/2/users/me$")
    assert health.status == OK
    channel.refresh_from_db()
    assert channel.secrets["access_token"] != old and me.bearer() == channel.secrets["access_token"]
    assert channel.health_checked_at is not None and channel.last_ok_at is not None


def test_the_check_keeps_the_limits_the_platform_publishes(cast, mastodon):
    mastodon.max_characters = 1000
    channel = mastodon_channel(cast, mastodon, platform_state={"limits": {"max_characters": 500}, "other": 1})
    check_channel(channel)
    channel.refresh_from_db()
    assert channel.platform_state["limits"]["max_characters"] == 1000
    assert channel.platform_state["other"] == 1
    assert channel.adapter.limit() == 1000


def test_a_revoked_connection_is_marked_broken_before_any_post_fails(cast, mastodon):
    channel = mastodon_channel(cast, mastodon)
    mastodon.revoke_tokens("kanavala")
    health = check_channel(channel)

    assert health.status == BROKEN and "reconnect" in health.headline
    channel.refresh_from_db()
    assert channel.last_error and not Delivery.objects.exists()
    (alert,) = Alert.objects.filter(organisation=cast.org)
    assert alert.link == f"/fi/staff/{cast.org.slug}/channels/health/"
    assert "Mastodon" in alert.text
    assert sorted(m.to[0] for m in mail.outbox) == [cast.admin.email, cast.lead.email]


def test_a_check_that_works_again_clears_the_old_error(cast, mastodon):
    channel = mastodon_channel(cast, mastodon)
    mark_broken(channel, "The Mastodon connection no longer works.")
    assert check_channel(channel).status == OK
    channel.refresh_from_db()
    assert channel.last_error == ""


def test_a_platform_that_is_down_does_not_mark_the_connection_broken(cast, mastodon):
    channel = mastodon_channel(cast, mastodon)
    mastodon.fail_next(503, times=5)
    assert check_channel(channel).status == OK
    channel.refresh_from_db()
    assert channel.last_error == "" and channel.health_checked_at is not None
    assert not Alert.objects.exists()


@pytest.fixture
def meta():
    with MetaServer() as server:
        yield server


def facebook_channel(cast, meta, days_left, owner=None):
    return make_channel(cast.org, "facebook", "Facebook" if owner is None else f"Facebook – {owner}",
                        config=meta.channel_config("facebook"), secrets=meta.channel_secrets(), owner=owner,
                        account_name="Kanavalan kunta", token_expires_at=timezone.now() + timedelta(days=days_left))


def test_the_lead_is_alerted_once_per_expiry_not_on_every_check(cast, meta):
    channel = facebook_channel(cast, meta, days_left=10)
    now = timezone.now()
    for day in range(4):  # a check every day: the text changes ("in 10 days", "in 9 days"...), the alert does not
        check_channel(Channel.objects.get(pk=channel.pk), now + timedelta(days=day))

    (alert,) = Alert.objects.filter(organisation=cast.org)
    with translation.override("fi"):  # the organisation's main language
        advice = gettext("Reconnect the %(platform)s account before then: it takes a minute and nothing is lost.")
    assert "Facebook" in alert.text and advice % {"platform": "Facebook"} in alert.text
    assert len(mail.outbox) == 2  # the lead and the administrator, once each

    channel.refresh_from_db()  # the day has come and gone: still that one alert
    assert check_channel(channel, channel.token_expires_at + timedelta(hours=1)).status == EXPIRED
    assert Alert.objects.filter(organisation=cast.org).count() == 1 and len(mail.outbox) == 2


def test_reconnecting_starts_the_reminders_again(cast, meta, actor_of):
    channel = facebook_channel(cast, meta, days_left=5)
    check_channel(channel)
    do_connect(actor_of(cast.lead), channel, Connection(
        account_name="Kanavalan kunta", secrets=meta.channel_secrets(),
        expires_at=timezone.now() + timedelta(days=60)))
    channel.refresh_from_db()
    check_channel(channel)
    assert Alert.objects.count() == 1  # 60 days left: nothing to say

    Channel.objects.filter(pk=channel.pk).update(token_expires_at=timezone.now() + timedelta(days=3))
    channel.refresh_from_db()
    check_channel(channel)
    assert Alert.objects.count() == 2


def test_a_voice_is_emailed_once_in_their_language_about_their_own_account(cast, meta, settings):
    settings.SITE_URL = "https://kanava.pikkula.fi"
    cast.voice.language = "sv"
    cast.voice.save(update_fields=["language"])
    channel = facebook_channel(cast, meta, days_left=7, owner=cast.voice)
    check_channel(channel)
    check_channel(Channel.objects.get(pk=channel.pk), timezone.now() + timedelta(days=1))

    to_voice = [m for m in mail.outbox if m.to == [cast.voice.email]]
    assert len(to_voice) == 1
    with translation.override("sv"):  # the voice's own language
        advice = gettext("Reconnect the %(platform)s account before then: it takes a minute and nothing is lost.")
    assert advice % {"platform": "Facebook"} in to_voice[0].body
    assert f"https://kanava.pikkula.fi/sv/staff/{cast.org.slug}/channels/mine/" in to_voice[0].body
    (alert,) = Alert.objects.filter(organisation=cast.org)
    assert str(cast.voice) in alert.text, "the lead cannot reconnect it: they are told whom to ask"


def test_a_sweep_checks_due_connections_and_leaves_the_rest(cast, mastodon):
    due = mastodon_channel(cast, mastodon, name="Due")
    recent = mastodon_channel(cast, mastodon, name="Recent", health_checked_at=timezone.now() - timedelta(hours=1))
    stale = mastodon_channel(cast, mastodon, name="Stale", health_checked_at=timezone.now() - timedelta(hours=7))
    mastodon_channel(cast, mastodon, name="Off", enabled=False)
    make_channel(cast.org, "website", "Website")

    assert check_due() == 2
    assert check_due() == 0
    checked = set(Channel.objects.filter(health_checked_at__gt=timezone.now() - timedelta(minutes=1))
                  .values_list("pk", flat=True))
    assert checked == {due.pk, stale.pk}
    assert recent.pk not in checked


def test_two_sweeps_at_once_check_each_connection_once(transactional_db, cast, mastodon):
    channels = [mastodon_channel(cast, mastodon, name=f"Mastodon {n}") for n in range(3)]
    mastodon.latency = 0.15  # each check takes a while: the sweeps overlap
    start = threading.Barrier(2)
    counts, failures = [], []

    def sweep():
        try:
            start.wait()
            counts.append(check_due())
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(repr(error))
        finally:
            connection.close()

    sweeps = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in sweeps:
        thread.start()
    for thread in sweeps:
        thread.join(timeout=60)

    assert failures == [] and sum(counts) == len(channels)
    assert len(mastodon.requests_to("GET", r"^/api/v1/accounts/verify_credentials$")) == len(channels)

