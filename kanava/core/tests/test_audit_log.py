import csv
import io
from datetime import datetime, timezone as dt_timezone

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from kanava.core.audit import record
from kanava.core.models import AuditEvent
from kanava.testing.personas import login

AUDIT = "/en/staff/pikkula/audit/"
EXPORT = "/en/staff/pikkula/audit/export.csv"


def _event(actor, organisation, action, when=None, **data):
    """An event at a chosen time: set before its one and only save."""
    event = AuditEvent(organisation=organisation, actor=actor.person, actor_label=str(actor), action=action,
                       object_repr=data.pop("object_repr", ""), data=data, ip_address=actor.ip_address)
    if when is not None:
        event.created_at = when
    event.save()
    return event


@pytest.fixture
def events(cast, actor_of):
    return {
        "ours": _event(actor_of(cast.editor), cast.org, "message.created", object_repr="Vesikatko"),
        "approved": _event(actor_of(cast.lead), cast.org, "message.approved", object_repr="Vesikatko"),
        "theirs": _event(actor_of(cast.outsider), cast.other_org, "message.created", object_repr="Toisen salaisuus"),
    }


def _csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_lead_sees_the_organisations_events_with_readable_actions(client, cast, events):
    login(client, cast.lead)
    response = client.get(AUDIT)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Message created" in html and "Message approved" in html
    assert "Eero Editor" in html and "192.0.2.10" in html and "Vesikatko" in html
    assert "Toisen salaisuus" not in html and "Olli Outsider" not in html


def test_the_csv_export_has_only_the_organisations_rows(client, cast, events):
    login(client, cast.lead)
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="audit-pikkula-' in response["Content-Disposition"]
    rows = _csv(response)
    objects = {row["object"] for row in rows}
    assert "Vesikatko" in objects and "Toisen salaisuus" not in objects
    assert {row["email"] for row in rows if row["action"] == "message.created"} == {"editor@pikkula.fi"}
    assert AuditEvent.objects.filter(action="audit.exported", organisation=cast.org, actor=cast.lead).exists()


def test_the_other_organisation_sees_only_its_own_rows(client, cast, events):
    login(client, cast.outsider)
    html = client.get("/en/staff/toinen/audit/").content.decode()
    assert "Toisen salaisuus" in html and "Vesikatko" not in html
    rows = _csv(client.get("/en/staff/toinen/audit/export.csv"))
    assert {row["object"] for row in rows if row["object"]} == {"Toisen salaisuus"}


def test_times_are_shown_in_the_organisations_time_zone(client, cast, actor_of):
    cast.org.time_zone = "America/New_York"
    cast.org.save()
    _event(actor_of(cast.editor), cast.org, "message.created", when=datetime(2025, 1, 15, 12, 0, tzinfo=dt_timezone.utc))
    login(client, cast.lead)
    assert "2025-01-15 07:00:00" in client.get(AUDIT).content.decode()
    rows = _csv(client.get(EXPORT))
    assert "2025-01-15T07:00:00-05:00" in {row["time"] for row in rows}


def test_filters_narrow_by_action_person_and_dates(client, cast, actor_of):
    editor, lead = actor_of(cast.editor), actor_of(cast.lead)
    _event(editor, cast.org, "message.created", when=datetime(2025, 3, 1, 10, tzinfo=dt_timezone.utc),
           object_repr="Maaliskuu")
    _event(lead, cast.org, "message.approved", when=datetime(2025, 3, 2, 10, tzinfo=dt_timezone.utc),
           object_repr="Hyväksytty")
    _event(editor, cast.org, "variant.edited", when=datetime(2025, 4, 1, 10, tzinfo=dt_timezone.utc),
           object_repr="Huhtikuu")
    # 31 March 22:30 UTC is already 1 April in Helsinki.
    _event(editor, cast.org, "message.updated", when=datetime(2025, 3, 31, 22, 30, tzinfo=dt_timezone.utc),
           object_repr="Helsingin huhtikuu")
    login(client, cast.lead)

    def shown(**query):
        rows = _csv(client.get(EXPORT, query))
        return {row["object"] for row in rows if row["action"] != "audit.exported" and row["object"]}

    assert shown(action="message.") == {"Maaliskuu", "Hyväksytty", "Helsingin huhtikuu"}
    assert shown(person=cast.lead.pk) == {"Hyväksytty"}
    assert shown(since="2025-04-01") == {"Huhtikuu", "Helsingin huhtikuu"}
    assert shown(since="2025-03-01", until="2025-03-31") == {"Maaliskuu", "Hyväksytty"}
    page = client.get(AUDIT, {"action": "variant."}).content.decode()
    assert "Huhtikuu" in page and "Maaliskuu" not in page


def test_bad_filters_get_clear_errors_not_a_crash(client, cast, events):
    login(client, cast.lead)
    response = client.get(AUDIT, {"since": "2025-05-02", "until": "2025-05-01", "person": "999999",
                                  "action": "nonsense"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "The end date is before the start date." in html
    assert "Select a valid choice." in html
    assert client.get(EXPORT, {"since": "yesterday"}).status_code == 400


def test_the_log_is_paginated(client, cast, actor_of):
    actor = actor_of(cast.editor)
    for number in range(55):
        _event(actor, cast.org, "message.updated", object_repr=f"Viesti {number}")
    login(client, cast.lead)
    first = client.get(AUDIT).content.decode()
    second = client.get(AUDIT, {"page": 2}).content.decode()
    assert "Page 1 of 2" in first and "Viesti 54" in first and "Viesti 4<" not in first
    assert "Viesti 4<" in second
    assert client.get(AUDIT, {"page": "zzz"}).status_code == 200


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(client, cast, actor_of):
    _event(actor_of(cast.editor), cast.org, "message.created", object_repr='=HYPERLINK("http://evil")')
    login(client, cast.lead)
    rows = _csv(client.get(EXPORT))
    assert "'=HYPERLINK(\"http://evil\")" in {row["object"] for row in rows}


def test_an_editor_may_not_see_the_audit_log(client, cast):
    login(client, cast.editor)
    assert client.get(AUDIT).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_an_audit_event_cannot_be_changed_through_the_model(cast, actor_of):
    event = record(actor_of(cast.lead), cast.org, "login")
    event.action = "logout"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_the_database_refuses_to_update_an_audit_event(cast, actor_of):
    event = record(actor_of(cast.lead), cast.org, "login")
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditevent SET action = %s WHERE id = %s", ["logout", event.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(ip_address="203.0.113.1")
    event.refresh_from_db()
    assert (event.action, event.ip_address) == ("login", "192.0.2.10")


def test_date_filters_keep_their_value_on_a_finnish_page(client, cast, events):
    login(client, cast.lead)
    html = client.get("/fi/staff/pikkula/audit/", {"since": "2025-04-01"}).content.decode()
    assert 'value="2025-04-01"' in html


def test_the_audit_page_takes_the_same_number_of_queries_for_more_events(client, cast, actor_of):
    login(client, cast.lead)
    _event(actor_of(cast.editor), cast.org, "message.created")
    client.get(AUDIT)
    with CaptureQueriesContext(connection) as few:
        client.get(AUDIT)
    for _number in range(20):
        _event(actor_of(cast.editor), cast.org, "message.updated")
    with CaptureQueriesContext(connection) as many:
        client.get(AUDIT)
    assert len(many) == len(few)
