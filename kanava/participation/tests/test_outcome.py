""""You said, we did": written and published by staff, shown to residents, followers told once in their language."""

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from kanava.core.models import AuditEvent
from kanava.participation import actions, digest
from kanava.participation.models import Follow, Outcome, Process
from kanava.participation.tests.framework_fixtures import (  # noqa: F401
    make_follow, make_participant, make_process, test_kind,
)
from kanava.testing.personas import login
from kanava.testing.smtp import SMTPServer


@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
        yield server


def staff_url(name, process, org):
    return reverse(f"participation_staff:{name}", kwargs={"org": org.slug, "pk": process.pk})


def write_outcome(actor, process):
    return actions.do_save_outcome(actor, process, text={"fi": "**Te sanoitte**, me teimme.", "sv": "Ni sade."},
                                   decision_title={"fi": "Kunnanhallitus § 12"},
                                   decision_url="https://example.fi/paatos/12")


def test_the_outcome_page_is_public_only_once_published(client, cast, test_kind, actor_of):
    process = make_process(cast.org, open_now=False)
    url = reverse("participation:outcome", args=[process.slug])
    write_outcome(actor_of(cast.lead), process)
    assert client.get(url).status_code == 404
    actions.do_publish_outcome(actor_of(cast.lead), process)
    html = client.get(url).content.decode()
    assert "<strong>Te sanoitte</strong>" in html and "Kunnanhallitus § 12" in html
    assert "https://example.fi/paatos/12" in html
    assert "Enemmän penkkejä puistoon" in html and "Kymmenen penkkiä lisättiin" in html  # the kind's items
    assert "Merkinnät" in html


def test_publishing_tells_each_follower_once_in_their_language(cast, test_kind, actor_of, smtp):
    process = make_process(cast.org, open_now=False)
    make_follow(make_participant(cast.org, "fi@example.fi"), process, language="fi")
    make_follow(make_participant(cast.org, "sv@example.fi"), process, language="sv")
    make_follow(make_participant(cast.org, "no@example.fi"), process, wants_outcome=False)
    write_outcome(actor_of(cast.lead), process)

    actions.do_publish_outcome(actor_of(cast.lead), process)
    actions.do_publish_outcome(actor_of(cast.lead), process)  # a double click
    digest.sweep()
    by_address = {m.message["To"]: m.message for m in smtp.messages}
    assert set(by_address) == {"fi@example.fi", "sv@example.fi"}
    assert "/sv/participate/puistosuunnitelma/you-said-we-did/" in by_address["sv@example.fi"].get_content()
    assert "Process puistosuunnitelma" in by_address["sv@example.fi"]["Subject"]
    assert Outcome.objects.get(process=process).notified_at is not None
    assert AuditEvent.objects.filter(action="participation.outcome_published").count() == 1


def test_a_crash_between_sends_repeats_no_notification(cast, test_kind, actor_of, smtp):
    process = make_process(cast.org, open_now=False)
    for n in range(3):
        make_follow(make_participant(cast.org, f"r{n}@example.fi"), process)
    write_outcome(actor_of(cast.lead), process)
    real_send = digest._send
    calls = []

    def crash_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real_send(*args, **kwargs)

    with mock.patch.object(digest, "_send", crash_on_second), pytest.raises(RuntimeError):
        actions.do_publish_outcome(actor_of(cast.lead), process)
    assert Outcome.objects.get(process=process).notified_at is None
    digest.sweep()  # the sweep resumes
    digest.sweep()
    addresses = sorted(m.message["To"] for m in smtp.messages)
    assert len(addresses) == len(set(addresses)) == 2  # the one claimed when the crash came is not sent twice
    assert Follow.objects.filter(outcome_sent_at__isnull=True).count() == 0


def test_staff_write_link_input_and_publish_the_outcome(client, cast, test_kind, smtp):
    process = make_process(cast.org, open_now=False)
    make_follow(make_participant(cast.org), process)
    login(client, cast.lead)
    url = staff_url("outcome", process, cast.org)
    assert client.get(url).status_code == 200
    data = {"decision_url": "https://example.fi/p/1", "decided_at": "2026-11-01", "text_fi": "Päätimme näin.",
            "text_sv": "Vi beslöt så.", "decision_title_fi": "Lautakunta § 1", "decision_title_sv": ""}
    assert client.post(url, data).status_code == 302
    outcome = Outcome.objects.get(process=process)
    assert outcome.text == {"fi": "Päätimme näin.", "sv": "Vi beslöt så."} and outcome.published_at is None

    bad_link = client.post(url, {"add_link": "1", "link-item": f"core.topic:{cast.topic.pk}", "link-note": "x"})
    assert bad_link.status_code == 400  # not input of this process

    assert client.post(staff_url("outcome_publish", process, cast.org)).status_code == 302
    outcome.refresh_from_db()
    assert outcome.published_at is not None and len(smtp.messages) == 1
    assert client.get(reverse("participation:outcome", args=[process.slug])).status_code == 200


def test_the_outcome_needs_text_in_every_required_language(client, cast, test_kind):
    process = make_process(cast.org, open_now=False)
    login(client, cast.lead)
    page = client.post(staff_url("outcome", process, cast.org), {"text_fi": "Vain suomeksi", "text_sv": ""})
    assert page.status_code == 400 and not Outcome.objects.exists()


def test_an_editor_may_look_but_not_publish(client, cast, test_kind, actor_of):
    process = make_process(cast.org, open_now=False)
    write_outcome(actor_of(cast.lead), process)
    login(client, cast.editor)
    assert client.post(staff_url("outcome_publish", process, cast.org)).status_code == 403
    assert Outcome.objects.get(process=process).published_at is None


def test_staff_pick_an_idea_from_the_list_and_it_stands_on_you_said_we_did(client, cast):
    from kanava.participation.kinds.ideas.models import Idea
    from kanava.participation.models import OutcomeLink, Phase

    process = Process.objects.create(organisation=cast.org, kind="ideas", slug="ideat", title={"fi": "Ideat"},
                                     languages=["fi", "sv"], state=Process.State.PUBLISHED)
    Phase.objects.create(process=process, kind="results", starts_at=timezone.now() - timedelta(days=1))
    idea = Idea.objects.create(process=process, title="Penkkejä puistoon", text="Lisää penkkejä.")
    other = Idea.objects.create(process=Process.objects.create(organisation=cast.org, kind="ideas", slug="muut",
                                                               title={"fi": "Muut"}, languages=["fi"]),
                                title="Toinen", text="Toisen prosessin idea.")
    login(client, cast.lead)
    url = staff_url("outcome", process, cast.org)
    page = client.get(url).content.decode()
    assert "Penkkejä puistoon" in page and "Toinen" not in page  # only this process's input is offered
    refused = client.post(url, {"add_link": "1", "link-item": f"participation_ideas.idea:{other.pk}"})
    assert refused.status_code == 400 and not OutcomeLink.objects.exists()
    done = client.post(url, {"add_link": "1", "link-item": f"participation_ideas.idea:{idea.pk}",
                             "link-note": "Penkit tulevat keväällä."})
    assert done.status_code == 302
    link = OutcomeLink.objects.get()
    assert (link.item_type, link.item_id) == ("participation_ideas.idea", idea.pk)
    assert "Penkkejä puistoon" in client.get(url).content.decode()
