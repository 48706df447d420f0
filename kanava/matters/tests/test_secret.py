"""A secret matter's content can never be published."""

import pytest
from django.urls import reverse

from kanava.matters import actions
from kanava.publishing import actions as publishing
from kanava.publishing.checks import check_message
from kanava.publishing.errors import WorkflowError
from kanava.testing.personas import login

TEXTS = {"fi": {"title": "Uutinen", "body": "Teksti."}, "sv": {"title": "Nyhet", "body": "Text."}}


@pytest.fixture
def secret(desk):
    return desk.matter("KH/121/2026", confidentiality="secret", secrecy_ground="JulkL 24.1 § 32 k",
                       title={"fi": "Henkilöstöasia"})


def test_a_message_linked_to_a_secret_matter_is_blocked_from_review_and_publishing(cast, actor_of, secret):
    lead = actor_of(cast.lead)
    message = publishing.do_create_message(lead, cast.org, versions=TEXTS)
    assert check_message(message).ok
    publishing.do_submit_for_review(lead, message)
    publishing.do_approve(lead, message)
    actions.link_message(lead, secret, message)  # linked after approval, before publishing
    report = check_message(message)
    assert [p.code for p in report.blocking] == ["secret_matter"] and "KH/121/2026" in report.blocking[0].message
    with pytest.raises(WorkflowError, match="secret matter"):
        publishing.do_publish(lead, message)
    message.refresh_from_db()
    assert message.state == "approved" and message.published_at is None
    actions.link_message(lead, secret, message, linked=False)
    publishing.do_publish(lead, message)
    assert message.state == "publishing"


def test_a_draft_linked_to_a_secret_matter_cannot_be_sent_for_review(cast, actor_of, secret):
    lead = actor_of(cast.lead)
    message = publishing.do_create_message(lead, cast.org, versions=TEXTS)
    actions.link_message(lead, secret, message)
    with pytest.raises(WorkflowError, match="secret matter"):
        publishing.do_submit_for_review(lead, message)


def test_the_editor_sees_why_on_the_message_page(client, cast, actor_of, secret):
    message = publishing.do_create_message(actor_of(cast.editor), cast.org, versions=TEXTS)
    actions.link_message(actor_of(cast.editor), secret, message)
    login(client, cast.editor)
    answer = client.post(reverse("publishing:message_submit", kwargs={"org": cast.org.slug, "pk": message.pk}),
                         follow=True)
    assert "Nothing of a secret matter may be published" in answer.content.decode()
    message.refresh_from_db()
    assert message.state == "draft"


def test_a_partly_secret_matter_warns_without_blocking(cast, actor_of, desk):
    partly = desk.matter("KH/120/2026", confidentiality="partly_secret", secrecy_ground="JulkL 24.1 § 17 k")
    lead = actor_of(cast.lead)
    message = publishing.do_create_message(lead, cast.org, versions=TEXTS)
    actions.link_message(lead, partly, message)
    report = check_message(message)
    warnings = [p for p in report.general if p.code == "partly_secret_matter"]
    assert report.ok and len(warnings) == 1 and warnings[0].severity == "warning"
    assert "secret part" in warnings[0].message
    publishing.do_submit_for_review(lead, message)
    publishing.do_approve(lead, message)
    assert publishing.do_publish(lead, message).state == "publishing"


def test_a_secret_matter_is_not_linked_to_a_scheduled_or_published_message(cast, actor_of, secret, desk, client):
    lead = actor_of(cast.lead)
    public = desk.matter("KH/1/2026")
    published = desk.publish(public, when=0)
    with pytest.raises(actions.NotAllowed, match="scheduled or already published"):
        actions.link_message(lead, secret, published)
    assert not secret.messages.exists()
    login(client, cast.lead)
    answer = client.post(reverse("matters:link", kwargs={"org": cast.org.slug, "pk": secret.pk}),
                         {"kind": "message", "target": published.pk}, follow=True)
    assert "scheduled or already published" in answer.content.decode() and not secret.messages.exists()
