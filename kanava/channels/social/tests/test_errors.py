"""Platform answers become translated, actionable errors; rate limits are honoured as the platform says."""

import json
import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from django.utils import timezone, translation

from kanava.channels.models import Channel
from kanava.channels.social import errors
from kanava.channels.social.health import BROKEN, health_of
from kanava.testing.personas import make_channel

NOW = 1_750_000_000.0


@pytest.fixture
def channel(cast):
    return make_channel(cast.org, "facebook", "Pikkulan Facebook", secrets={"access_token": "EAAB"},
                        account_name="Pikkulan kunta")


def business_usage(call_count=10, regain=0, page="1234567890"):
    return json.dumps({page: [{"type": "pages", "call_count": call_count, "total_cputime": 5, "total_time": 7,
                               "estimated_time_to_regain_access": regain}]})


# -- how long to wait ---------------------------------------------------------------------

def test_retry_after_in_seconds():
    assert errors.retry_after_seconds({"Retry-After": "120"}, now=NOW) == 120
    assert errors.retry_after_seconds({"retry-after": " 7 "}, now=NOW) == 7
    assert errors.retry_after_seconds({"Retry-After": "1.5"}, now=NOW) == 1.5


def test_retry_after_as_an_http_date():
    moment = datetime.fromtimestamp(NOW + 90, UTC)
    assert errors.retry_after_seconds({"Retry-After": format_datetime(moment, usegmt=True)}, now=NOW) == 90
    past = datetime.fromtimestamp(NOW - 600, UTC)
    assert errors.retry_after_seconds({"Retry-After": format_datetime(past, usegmt=True)}, now=NOW) == 0


def test_an_unreadable_retry_after_falls_back_to_the_other_headers():
    headers = {"Retry-After": "soon", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(NOW + 300))}
    assert errors.retry_after_seconds(headers, now=NOW) == 300
    assert errors.retry_after_seconds({"Retry-After": "soon"}, now=NOW) is None


def test_xs_reset_time_counts_only_when_the_window_is_used_up():
    reset = str(int(NOW + 840))
    assert errors.retry_after_seconds({"x-rate-limit-remaining": "0", "x-rate-limit-reset": reset}, now=NOW) == 840
    assert errors.retry_after_seconds({"x-rate-limit-remaining": "12", "x-rate-limit-reset": reset}, now=NOW) is None
    assert errors.retry_after_seconds({"x-rate-limit-reset": reset}, now=NOW) == 840


def test_xs_daily_cap_waits_for_its_own_reset_rather_than_the_15_minute_window():
    headers = {"x-rate-limit-remaining": "280", "x-rate-limit-reset": str(int(NOW + 600)),
               "x-user-limit-24hour-remaining": "0", "x-user-limit-24hour-reset": str(int(NOW + 20_000))}
    assert errors.retry_after_seconds(headers, now=NOW) == 20_000


def test_the_longest_of_several_used_up_windows_wins():
    headers = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(NOW + 600)),
               "x-app-limit-24hour-remaining": "0", "x-app-limit-24hour-reset": str(int(NOW + 3_600))}
    assert errors.retry_after_seconds(headers, now=NOW) == 3_600


def test_blueskys_ratelimit_reset_is_a_unix_time_and_the_drafts_a_number_of_seconds():
    bluesky = {"ratelimit-limit": "5000", "ratelimit-remaining": "0", "ratelimit-reset": str(int(NOW + 1_200)),
               "ratelimit-policy": "5000;w=3600"}
    assert errors.retry_after_seconds(bluesky, now=NOW) == 1_200
    assert errors.retry_after_seconds({"RateLimit-Remaining": "0", "RateLimit-Reset": "45"}, now=NOW) == 45


def test_mastodons_reset_is_an_iso_time():
    reset = datetime.fromtimestamp(NOW + 150, UTC).isoformat().replace("+00:00", "Z")
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
    assert errors.retry_after_seconds(headers, now=NOW) == 150


def test_meta_app_usage_near_the_ceiling_waits_the_default_time():
    assert errors.meta_usage({"X-App-Usage": json.dumps({"call_count": 96, "total_time": 20,
                                                          "total_cputime": 8})}) == 96
    assert errors.retry_after_seconds({"X-App-Usage": json.dumps({"call_count": 96})}) == errors.META_DEFAULT_WAIT
    assert errors.retry_after_seconds({"X-App-Usage": json.dumps({"call_count": 40})}) is None


def test_meta_business_use_case_usage_gives_the_time_to_regain_access():
    assert errors.meta_usage({"X-Business-Use-Case-Usage": business_usage(100, 12)}) == 100
    assert errors.retry_after_seconds({"X-Business-Use-Case-Usage": business_usage(100, 12)}) == 12 * 60


def test_meta_saying_access_returns_later_is_honoured_even_below_the_ceiling():
    assert errors.meta_wait_seconds({"X-Business-Use-Case-Usage": business_usage(60, 5)}) == 5 * 60


def test_meta_usage_headers_that_are_not_json_are_ignored():
    headers = {"X-App-Usage": "{oops", "X-Business-Use-Case-Usage": "[1, 2]"}
    assert errors.meta_usage(headers) is None
    assert errors.retry_after_seconds(headers) is None


# -- the errors ---------------------------------------------------------------------------

def test_401_says_the_connection_expired_and_marks_the_channel_broken(channel):
    error = errors.error_for(channel, 401, {}, "Error validating access token")
    assert error.permanent
    assert "Facebook" in str(error) and "reconnect" in str(error)
    channel.refresh_from_db()
    assert channel.last_error == str(error) and channel.last_error_at is not None
    assert health_of(channel).status == BROKEN


def test_401_after_the_known_expiry_names_the_date(channel, settings):
    Channel.objects.filter(pk=channel.pk).update(token_expires_at=datetime(2025, 3, 2, 10, 0, tzinfo=UTC))
    channel.refresh_from_db()
    with translation.override("en"):
        error = errors.error_for(channel, 401)
    assert "2025" in str(error) and "expired" in str(error)


def test_429_pauses_the_channel_as_long_as_the_platform_asked(channel):
    before = timezone.now()
    error = errors.error_for(channel, 429, {"Retry-After": "600"})
    assert not error.permanent and error.retry_after == 600
    assert "10" in str(error)
    channel.refresh_from_db()
    assert before + timedelta(seconds=590) < channel.paused_until < timezone.now() + timedelta(seconds=610)
    assert channel.last_error == ""


def test_429_without_a_wait_pauses_a_minute(channel):
    error = errors.error_for(channel, 429, {})
    assert error.retry_after == 60
    channel.refresh_from_db()
    assert channel.paused_until > timezone.now()


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
def test_server_errors_are_transient(channel, status):
    error = errors.error_for(channel, status, {"Retry-After": "30"})
    assert not error.permanent and error.retry_after == 30
    assert str(status) in str(error)
    channel.refresh_from_db()
    assert channel.last_error == "" and channel.paused_until is None


def test_no_answer_at_all_is_transient(channel):
    error = errors.error_for(channel, None, detail="ConnectionError")
    assert not error.permanent and "ConnectionError" in str(error)


def test_403_is_a_refusal_with_the_platforms_reason(channel):
    error = errors.error_for(channel, 403, {}, "(#200) Requires pages_manage_posts permission")
    assert error.permanent and "pages_manage_posts" in str(error)


def test_other_4xx_reject_the_post_with_the_platforms_reason(channel):
    error = errors.error_for(channel, 422, {}, "Validation failed: Text character limit of 500 exceeded")
    assert error.permanent and "character limit" in str(error)
    assert errors.error_for(channel, 400).permanent


def test_note_usage_pauses_before_the_platform_refuses(channel):
    errors.note_usage(channel, {"X-Business-Use-Case-Usage": business_usage(97, 0)})
    channel.refresh_from_db()
    assert channel.paused_until > timezone.now() + timedelta(minutes=14)


def test_note_usage_pauses_until_xs_window_resets_when_none_is_left(channel):
    reset = int(timezone.now().timestamp()) + 300
    errors.note_usage(channel, {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)})
    channel.refresh_from_db()
    assert channel.paused_until > timezone.now() + timedelta(seconds=240)


def test_note_usage_leaves_a_channel_with_room_to_spare_alone(channel):
    errors.note_usage(channel, {"x-rate-limit-remaining": "42", "x-rate-limit-reset": "1999999999",
                                "X-App-Usage": json.dumps({"call_count": 30})})
    errors.note_usage(channel, None)
    channel.refresh_from_db()
    assert channel.paused_until is None


# -- in the reader's language -----------------------------------------------------------------

@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_errors_are_whole_sentences_in_the_active_language(channel, language):
    Channel.objects.filter(pk=channel.pk).update(token_expires_at=datetime(2025, 3, 2, 10, 0, tzinfo=UTC))
    channel.refresh_from_db()
    with translation.override(language), timezone.override("Europe/Helsinki"):
        expired = str(errors.error_for(channel, 401))
        slow = str(errors.error_for(channel, 429, {"Retry-After": "180"}))
        rejected = str(errors.error_for(channel, 400, {}, "Bad image"))
        down = str(errors.error_for(channel, 503))
        expected_date = {"fi": "2.3.2025", "sv": "2025-03-02", "en": "03/02/2025"}[language]
    # Until the catalogues are filled the words are English; the structure is the same in every language.
    assert expected_date in expired and "Facebook" in expired
    assert re.search(r"\b3\b", slow) and "Facebook" in slow
    assert rejected.endswith("Bad image") and "Facebook" in rejected
    assert "503" in down
    for text in (expired, slow, rejected, down):
        assert "%(" not in text and text[0].isupper()
    assert all(text.endswith(".") for text in (expired, slow, down))
