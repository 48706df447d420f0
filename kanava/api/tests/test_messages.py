import pytest

from kanava.api.tests.conftest import BILINGUAL
from kanava.core.models import AuditEvent
from kanava.publishing.models import Message
from kanava.testing.personas import make_channel

LIST = "/api/v1/messages/"


def detail(message) -> str:
    return f"{LIST}{message.pk}/"


def test_an_editor_creates_a_bilingual_draft(cast, api_as, website):
    response = api_as(cast.editor).post(LIST, {"versions": BILINGUAL, "topic": "tiet"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    message = Message.objects.get(pk=body["id"])
    assert (message.organisation, message.author, message.state) == (cast.org, cast.editor, "draft")
    assert body["versions"]["sv"]["title"] == "Vattenavbrott på Kyrkvägen"
    assert body["topic"] == "tiet" and body["author"] == "Eero Editor"
    assert body["channels"] == [website.pk]  # the organisation's default channels
    event = AuditEvent.objects.get(action="message.created")
    assert (event.actor, event.object_id, event.ip_address) == (cast.editor, str(message.pk), "127.0.0.1")


def test_a_draft_can_name_its_channels(cast, api_as, website):
    other = make_channel(cast.org, "website", "Intra", selected_by_default=False)
    response = api_as(cast.editor).post(LIST, {"versions": BILINGUAL, "channels": [other.pk]}, format="json")
    assert response.json()["channels"] == [other.pk]


def test_a_channel_or_topic_of_another_organisation_is_refused(cast, api_as, website):
    theirs = make_channel(cast.other_org, "website", "Toinen")
    response = api_as(cast.editor).post(LIST, {"versions": BILINGUAL, "channels": [theirs.pk], "topic": "nope"},
                                        format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert str(theirs.pk) in fields["channels"][0] and "nope" in fields["topic"][0]
    assert not Message.objects.exists()


def test_a_draft_needs_at_least_one_language_and_known_languages_only(cast, api_as, website):
    client = api_as(cast.editor)
    response = client.post(LIST, {"versions": {}}, format="json")
    assert response.status_code == 400 and "versions" in response.json()["error"]["fields"]
    response = client.post(LIST, {"versions": {"de": {"title": "Hallo", "body": "Welt"}}}, format="json")
    assert response.json()["error"]["fields"] == {"versions.de": ["Unknown language: de."]}
    response = client.post(LIST, {"versions": {"fi": {"title": "Otsikko"}}}, format="json")
    assert list(response.json()["error"]["fields"]) == ["versions.fi.body"]


def test_a_moderator_cannot_draft(cast, api_as, website):
    response = api_as(cast.moderator).post(LIST, {"versions": BILINGUAL}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_messages_are_listed_newest_first_and_filtered(cast, api_as, draft, actor_of):
    from kanava.core.models import Topic
    from kanava.publishing import actions

    first = draft()
    second = draft(versions={"fi": BILINGUAL["fi"]})
    other_topic = Topic.objects.create(organisation=cast.org, slug="koulut", name={"fi": "Koulut"})
    third = draft(versions={"sv": BILINGUAL["sv"]})
    actions.do_update_message(actor_of(cast.editor), third, topic=other_topic)
    actions.do_submit_for_review(actor_of(cast.editor), first)
    client = api_as(cast.editor)

    def ids(query=""):
        response = client.get(f"{LIST}{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [third.pk, second.pk, first.pk]
    assert ids("?state=in_review") == [first.pk]
    assert ids("?topic=koulut") == [third.pk]
    assert ids("?language=fi") == [second.pk, first.pk]
    assert ids("?state=draft&language=sv") == [third.pk]


def test_a_bad_filter_is_a_clear_error(cast, api_as):
    response = api_as(cast.editor).get(f"{LIST}?state=gone&language=de")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"state", "language"}


def test_the_list_is_paginated_by_cursor(cast, api_as, draft):
    made = [draft(versions={"fi": BILINGUAL["fi"]}).pk for _ in range(5)]
    client = api_as(cast.editor)
    page = client.get(f"{LIST}?page_size=2").json()
    seen = [row["id"] for row in page["results"]]
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]
    assert seen == sorted(made, reverse=True)
    assert client.get(f"{LIST}?cursor=garbage").status_code == 404


def test_a_message_is_retrieved_with_its_versions(cast, api_as, draft):
    message = draft()
    body = api_as(cast.editor).get(detail(message)).json()
    assert body["id"] == message.pk and set(body["versions"]) == {"fi", "sv"}
    assert body["versions"]["fi"]["body"] == BILINGUAL["fi"]["body"]


def test_a_partial_update_changes_only_what_is_sent(cast, api_as, draft):
    message = draft()
    response = api_as(cast.editor).patch(detail(message), {"versions": {"fi": {"title": "Uusi otsikko"}}},
                                         format="json")
    assert response.status_code == 200, response.content
    versions = response.json()["versions"]
    assert versions["fi"]["title"] == "Uusi otsikko"
    assert versions["fi"]["body"] == BILINGUAL["fi"]["body"]
    assert versions["sv"]["title"] == BILINGUAL["sv"]["title"]
    assert response.json()["topic"] == "tiet"
    assert AuditEvent.objects.filter(action="message.updated", actor=cast.editor).exists()


def test_a_partial_update_adds_removes_languages_and_clears_the_topic(cast, api_as, draft):
    message = draft()
    client = api_as(cast.editor)
    response = client.patch(detail(message), {"versions": {"sv": None, "en": {"title": "Water", "body": "Off."}},
                                              "topic": None}, format="json")
    body = response.json()
    assert set(body["versions"]) == {"fi", "en"} and body["topic"] is None
    response = client.patch(detail(message), {"versions": {"sv": {"title": "Bara rubrik"}}}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"versions.sv.body": ["This field is required."]}


def test_a_published_message_cannot_be_changed(cast, api_as, published):
    response = api_as(cast.editor).patch(detail(published), {"versions": {"fi": {"title": "Myöhäinen"}}},
                                         format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "invalid_state" and "Published" in error["message"]
    published.refresh_from_db()
    assert published.versions.get(language="fi").title == BILINGUAL["fi"]["title"]


def test_a_draft_is_submitted_for_review(cast, api_as, draft):
    message = draft()
    response = api_as(cast.editor).post(f"{detail(message)}submit/")
    assert response.status_code == 200 and response.json()["state"] == "in_review"
    assert AuditEvent.objects.get(action="message.submitted").actor == cast.editor
    again = api_as(cast.editor).post(f"{detail(message)}submit/")
    assert again.status_code == 409


def test_a_draft_missing_a_required_language_is_not_submitted(cast, api_as, draft):
    message = draft(versions={"fi": BILINGUAL["fi"]})
    response = api_as(cast.editor).post(f"{detail(message)}submit/")
    assert response.status_code == 409
    assert "Swedish" in response.json()["error"]["message"]
    message.refresh_from_db()
    assert message.state == "draft"


@pytest.mark.parametrize("verb", ["approve", "publish", "schedule"])
def test_approving_and_publishing_are_not_offered(cast, api_as, draft, verb):
    message = draft()
    assert api_as(cast.lead).post(f"{detail(message)}{verb}/").status_code == 404
    message.refresh_from_db()
    assert message.state == "draft"


def test_messages_cannot_be_replaced_or_deleted(cast, api_as, draft):
    message = draft()
    client = api_as(cast.lead)
    assert client.put(detail(message), {"versions": BILINGUAL}, format="json").status_code == 405
    assert client.delete(detail(message)).status_code == 405
    assert Message.objects.filter(pk=message.pk).exists()
