"""Every process's input as CSV and JSON, from the kind's export hook, for staff who may view."""

import csv
import io
import json

from django.urls import reverse
from django.utils import timezone

from kanava.core.models import AuditEvent
from kanava.participation.tests.framework_fixtures import STATE, make_process, test_kind  # noqa: F401
from kanava.testing.personas import login

ROWS = [
    {"id": 1, "text": "Lisää penkkejä, kiitos", "source": "online", "created_at": timezone.now()},
    {"id": 2, "text": "=HYPERLINK(\"http://evil\")", "source": "paper", "created_at": timezone.now()},
    {"id": 3, "text": {"nested": ["ok"]}, "source": "phone", "created_at": None},
]


def url(name, cast, process):
    return reverse(f"participation_staff:{name}", kwargs={"org": cast.org.slug, "pk": process.pk})


def body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def test_the_csv_has_a_header_every_row_and_no_formulas(client, cast, test_kind):
    process = make_process(cast.org)
    STATE["rows"] = ROWS
    login(client, cast.editor)
    response = client.get(url("export_csv", cast, process))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(body(response).lstrip("\ufeff"))))
    assert rows[0] == ["id", "text", "source", "created_at"]
    assert [r[2] for r in rows[1:]] == ["online", "paper", "phone"]
    assert rows[2][1].startswith("'=")  # a spreadsheet will not run it
    assert json.loads(rows[3][1]) == {"nested": ["ok"]}
    assert AuditEvent.objects.filter(action="participation.input_exported").exists()


def test_the_json_lists_the_fields_and_rows(client, cast, test_kind):
    process = make_process(cast.org)
    STATE["rows"] = ROWS
    login(client, cast.lead)
    data = json.loads(body(client.get(url("export_json", cast, process))))
    assert data["fields"] == ["id", "text", "source", "created_at"]
    assert data["process"]["id"] == process.pk and len(data["rows"]) == 3
    assert data["rows"][1]["text"] == "=HYPERLINK(\"http://evil\")"  # JSON keeps the text as it is


def test_an_empty_process_exports_a_header_only(client, cast, test_kind):
    process = make_process(cast.org)
    login(client, cast.lead)
    assert body(client.get(url("export_csv", cast, process))).strip() == "\ufeffid,text,source,created_at"
    assert json.loads(body(client.get(url("export_json", cast, process))))["rows"] == []
