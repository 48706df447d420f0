"""CAP 1.2: every alert validates against the OASIS schema; updates and cancels reference the earlier ones."""

import xml.etree.ElementTree as ET
from datetime import datetime, timezone as dt_timezone
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from kanava.crisis import actions, cap
from kanava.crisis.tests.conftest import PLACES, POLYGON

T0 = datetime(2026, 3, 4, 8, 0, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
NS = {"cap": cap.NS}


def parse(xml):
    return ET.fromstring(xml)


def test_cap_times_carry_their_offset_and_utc_is_written_as_minus_zero():
    assert cap.cap_time(T0) == "2026-03-04T08:00:00+02:00"
    assert cap.cap_time(datetime(2026, 1, 1, 12, 0, 0, 12345, tzinfo=dt_timezone.utc)) == "2026-01-01T12:00:00-00:00"


def test_alert_update_and_all_clear_validate_and_reference_every_earlier_alert(cast, lead, playbook):
    incident = actions.open_incident(lead, playbook, PLACES, now=T0)
    actions.add_update(lead, incident, now=T0.replace(hour=9))
    actions.close_incident(lead, incident, now=T0.replace(hour=10))
    first, update, all_clear = incident.cap_alerts.order_by("sent")
    for alert in (first, update, all_clear):
        assert cap.validate(alert.xml) == [], alert.xml
    assert [a.msg_type for a in (first, update, all_clear)] == ["Alert", "Update", "Update"]
    root = parse(first.xml)
    assert root.findtext("cap:status", namespaces=NS) == "Actual"
    assert root.findtext("cap:sent", namespaces=NS) == "2026-03-04T08:00:00+02:00"
    assert root.find("cap:references", NS) is None
    infos = root.findall("cap:info", NS)
    assert [info.findtext("cap:language", namespaces=NS) for info in infos] == ["fi-FI", "sv-FI"]
    assert infos[1].findtext("cap:headline", namespaces=NS) == "Koka vattnet: Keskusta"
    assert infos[0].findtext("cap:area/cap:areaDesc", namespaces=NS) == "Keskusta"
    assert infos[1].findtext("cap:area/cap:areaDesc", namespaces=NS) == "Centrum"
    assert infos[0].findtext("cap:area/cap:polygon", namespaces=NS) == POLYGON
    assert infos[0].findtext("cap:area/cap:geocode/cap:value", namespaces=NS) == "999"
    assert parse(update.xml).findtext("cap:references", namespaces=NS) == first.reference
    assert parse(all_clear.xml).findtext("cap:references", namespaces=NS) == f"{first.reference} {update.reference}"
    assert parse(all_clear.xml).findtext("cap:info/cap:responseType", namespaces=NS) == "AllClear"
    assert first.reference == f"{first.sender},{first.identifier},2026-03-04T08:00:00+02:00"


def test_a_cancel_and_an_exercise_validate(cast, lead, playbook):
    incident = actions.open_incident(lead, playbook, PLACES, exercise=True, now=T0)
    actions.close_incident(lead, incident, cancel=True, reason="Väärä hälytys. / Falskt alarm.", now=T0)
    alert, cancel = incident.cap_alerts.order_by("id")
    assert cap.validate(cancel.xml) == []
    root = parse(cancel.xml)
    assert (root.findtext("cap:status", namespaces=NS), root.findtext("cap:msgType", namespaces=NS)) == \
        ("Exercise", "Cancel")
    assert root.findtext("cap:references", namespaces=NS) == alert.reference
    assert root.findtext("cap:note", namespaces=NS) == "HARJOITUS / ÖVNING / EXERCISE"
    assert root.findtext("cap:info/cap:headline", namespaces=NS).startswith("HARJOITUS: ")


def test_validate_reports_what_the_schema_and_the_polygon_rule_refuse(cast, lead, playbook):
    xml = actions.open_incident(lead, playbook, PLACES, now=T0).cap_alerts.get().xml
    assert cap.validate(xml.replace("<status>Actual</status>", "<status>Maybe</status>"))
    assert cap.validate(xml.replace(POLYGON, "60,26 61,26 61,27 60,27"))  # not closed
    assert cap.validate("<alert") != []


def test_the_command_prints_the_latest_alert(cast, lead, playbook):
    incident = actions.open_incident(lead, playbook, PLACES, now=T0)
    update = actions.add_update(lead, incident, now=T0.replace(hour=9))
    out = StringIO()
    call_command("crisis_cap", str(incident.pk), stdout=out)
    assert out.getvalue() == update.cap_alert.xml
    out = StringIO()
    call_command("crisis_cap", "--latest", stdout=out)
    assert parse(out.getvalue()).findtext("cap:msgType", namespaces=NS) == "Update"
    with pytest.raises(CommandError):
        call_command("crisis_cap", "999999")


def test_the_feed_lists_the_organisations_alerts_each_linking_to_its_xml(client, cast, actor_of, lead, playbook):
    from kanava.crisis.tests.conftest import make_playbook

    incident = actions.open_incident(lead, playbook, PLACES, now=T0)
    actions.add_update(lead, incident, now=T0.replace(hour=9))
    outsider = actor_of(cast.outsider)
    theirs = actions.open_incident(outsider, make_playbook(outsider, cast.other_org), PLACES, now=T0)
    response = client.get("/fi/crisis/cap/feed.atom")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    atom = {"a": "http://www.w3.org/2005/Atom"}
    entries = parse(response.content).findall("a:entry", atom)
    assert len(entries) == 2
    link = entries[0].find("a:link", atom)
    assert link.get("type") == "application/cap+xml"
    path = link.get("href").split("://", 1)[1].split("/", 1)[1]
    alert = client.get("/" + path)
    assert alert.status_code == 200 and alert["Content-Type"].startswith("application/cap+xml")
    assert parse(alert.content).findtext("cap:msgType", namespaces=NS) == "Update"
    assert client.get("/fi/crisis/cap/nope.xml").status_code == 404
    their_alert = theirs.cap_alerts.get()
    assert their_alert.identifier.encode() not in response.content  # the default site is ours
    assert client.get(f"/fi/crisis/cap/{their_alert.identifier}.xml").status_code == 404
