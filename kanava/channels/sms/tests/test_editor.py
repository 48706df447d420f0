"""What the editor sees for SMS before sending: segments, problems, recipients and cost."""

from decimal import Decimal

import pytest
from django.utils import translation

from kanava.channels.sms import public
from kanava.publishing import actions
from kanava.publishing.checks import check_message
from kanava.publishing.models import Variant
from kanava.testing.personas import login


def draft(cast, actor_of, channel, fi_body="Vesi on poikki tiistaina.", sv_body="Vattnet är avstängt på tisdag."):
    return actions.do_create_message(
        actor_of(cast.editor), cast.org, topic=cast.topic, channels=[channel],
        versions={"fi": {"title": "Vesikatko", "body": fi_body}, "sv": {"title": "Vattenavbrott", "body": sv_body}})


def variant(message, channel, language="fi") -> Variant:
    return Variant.objects.get(message=message, channel=channel, language=language)


def test_the_sms_variant_is_the_plain_text_without_a_title(cast, actor_of, sms_channel):
    message = draft(cast, actor_of, sms_channel, fi_body="Katso **lisää** [sivuilta](https://pikkula.fi/vesi).")
    fi = variant(message, sms_channel)
    assert fi.title == ""
    assert fi.text == "Katso lisää sivuilta (https://pikkula.fi/vesi)."


def test_too_many_segments_blocks_publishing(cast, actor_of, sms_channel):
    message = draft(cast, actor_of, sms_channel, fi_body="a" * (153 * 6 + 1))
    with translation.override("en"):
        report = check_message(message)
    problems = report.per_channel[sms_channel.pk]
    assert [(p.code, p.severity, p.language) for p in problems] == [("too_long", "error", "fi")]
    assert "7 segments" in problems[0].message and "at most 6" in problems[0].message
    assert not report.ok


def test_characters_outside_gsm_give_a_warning_that_names_them(cast, actor_of, sms_channel):
    message = draft(cast, actor_of, sms_channel, sv_body="Välkommen till Šibenik-kvällen 🎉 i kväll.")
    with translation.override("en"):
        report = check_message(message)
    problems = report.per_channel[sms_channel.pk]
    assert [(p.code, p.severity, p.language) for p in problems] == [("unicode", "warning", "sv")]
    assert "Š" in problems[0].message and "🎉" in problems[0].message
    assert "UCS-2" in problems[0].message
    assert report.ok


def test_the_estimate_counts_the_subscribers_of_the_variants_language_and_topic(
        cast, actor_of, sms_channel, subscribe):
    for i in range(3):
        subscribe(f"+35840100000{i}", "fi")
    subscribe("+358401000009", "fi", topics=[cast.topic])
    subscribe("+358502000000", "sv")
    message = draft(cast, actor_of, sms_channel, fi_body="a" * 200)

    estimate = public.estimate_variant(variant(message, sms_channel))
    assert (estimate.segments, estimate.encoding, estimate.recipients) == (2, "GSM-7", 4)
    assert estimate.cost == Decimal("0.48")  # 4 recipients x 2 segments x 6 cents

    sms_channel.config["price_per_segment_cents"] = 7.5
    sms_channel.save()
    estimate = public.estimate_variant(variant(message, sms_channel, "sv"))
    assert (estimate.segments, estimate.recipients, estimate.cost) == (1, 1, Decimal("0.08"))


def test_the_estimate_of_a_message_lists_every_language(cast, actor_of, sms_channel, subscribe):
    subscribe("+358401000000", "fi")
    message = draft(cast, actor_of, sms_channel)
    rows = public.estimate_message(message)
    assert [(v.language, e.recipients, e.segments) for v, e in rows] == [("fi", 1, 1), ("sv", 0, 1)]


def test_the_live_counter_shows_segments_recipients_and_cost(client, cast, sms_channel, subscribe):
    for i in range(10):
        subscribe(f"+35840100000{i}", "fi")
    login(client, cast.editor)
    response = client.post(f"/en/channels/sms/staff/{cast.org.slug}/estimate/",
                           {"channel": sms_channel.pk, "language": "fi", "text": "Hyvää päivää! " * 12})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 segments" in html and "GSM-7" in html
    assert "10 recipients, about 1.20 €" in html


def test_the_live_counter_of_another_organisations_channel_is_not_found(client, cast, sms_channel):
    login(client, cast.outsider)
    response = client.post(f"/en/channels/sms/staff/{cast.other_org.slug}/estimate/",
                           {"channel": sms_channel.pk, "language": "fi", "text": "Hei"})
    assert response.status_code == 404
    response = client.post(f"/en/channels/sms/staff/{cast.org.slug}/estimate/",
                           {"channel": sms_channel.pk, "language": "fi", "text": "Hei"})
    assert response.status_code == 404


@pytest.mark.parametrize("config, problem", [
    ({"base_url": "ftp://gw", "sender": "Pikkula"}, "base address"),
    ({"base_url": "https://gw.example", "sender": "Pikkulan kunta"}, "sender name"),
    ({"base_url": "https://gw.example", "sender": ""}, "sender name"),
])
def test_a_misconfigured_channel_fails_permanently_with_the_reason(cast, actor_of, sms_channel, config, problem):
    from kanava.channels.base import ChannelError

    sms_channel.config = config
    with translation.override("en"), pytest.raises(ChannelError) as error:
        sms_channel.adapter.send_text("+358401000000", "Hei", reference="x")
    assert error.value.permanent
    assert problem in str(error.value)
