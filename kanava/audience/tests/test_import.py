import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kanava.audience.models import Subscriber
from kanava.audience.tests.conftest import subscribe
from kanava.core.models import AuditEvent
from kanava.testing.personas import login

IMPORT = "/en/staff/pikkula/subscribers/import/"


@pytest.fixture
def lead_client(client, cast):
    login(client, cast.lead)
    return client


def upload(client, content: bytes, consent=True, language="fi", name="lista.csv"):
    data = {"file": SimpleUploadedFile(name, content, content_type="text/csv"), "default_language": language}
    if consent:
        data["consent_given"] = "on"
    return client.post(IMPORT, data)


def test_an_import_adds_good_rows_and_reports_each_bad_one_with_its_reason(lead_client, cast):
    subscribe(cast.org, "vanha@example.fi")
    subscribe(cast.org, "pois@example.fi", state=Subscriber.State.UNSUBSCRIBED)
    csv = (
        "Sähköposti;Kieli;Aiheet\n"
        "matti@example.fi;fi;\n"
        "GRETA@example.fi;svenska;tiet\n"
        "ei-osoite;fi;\n"
        "liisa@example.fi;klingon;\n"
        "pekka@example.fi;fi;avaruus\n"
        "matti@example.fi;fi;\n"
        "vanha@example.fi;fi;\n"
        "pois@example.fi;fi;\n"
        "\n"
        "asa@exämple.fi;sv;Vägar\n"
    ).encode("utf-8")

    response = upload(lead_client, csv)

    page = response.content.decode()
    assert response.status_code == 200
    assert "3 addresses were added." in page
    assert "1 address was already on the list." in page
    assert "5 rows were rejected." in page
    for row, reason in [(4, "Enter a valid email address"), (5, "Unknown language “klingon”"),
                        (6, "Unknown topic “avaruus”"), (7, "already on row 2"), (9, "has unsubscribed")]:
        assert f'<td class="numeric">{row}</td>' in page and reason in page
    greta = Subscriber.objects.get(address="greta@example.fi")
    assert (greta.language, greta.state, greta.source, greta.all_topics) == ("sv", "confirmed", "import", False)
    assert list(greta.topics.all()) == [cast.topic]
    assert Subscriber.objects.get(address="asa@xn--exmple-cua.fi").language == "sv"
    assert Subscriber.objects.get(address="pois@example.fi").state == Subscriber.State.UNSUBSCRIBED
    event = AuditEvent.objects.get(action="subscribers.imported")
    assert (event.data["added"], event.data["rejected"], event.actor) == (3, 5, cast.lead)


def test_an_import_needs_the_consent_statement(lead_client, cast):
    response = upload(lead_client, b"matti@example.fi\n", consent=False)
    assert response.status_code == 400
    assert "You can only import people who have agreed" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_a_spreadsheet_saved_as_windows_1252_without_a_header_imports(lead_client, cast):
    csv = "matti@example.fi,ruotsi\r\nmaija@example.fi,\r\n".encode("cp1252")
    csv += b"j\xe4rvi@example.fi,fi\r\n"  # "ä" in Windows-1252: not a valid address anyway

    response = upload(lead_client, csv, language="sv")

    assert "2 addresses were added." in response.content.decode()
    assert dict(Subscriber.objects.values_list("address", "language")) == {
        "matti@example.fi": "sv", "maija@example.fi": "sv"}


def test_a_binary_file_is_refused_with_an_explanation(lead_client, cast):
    response = upload(lead_client, b"PK\x03\x04\x00\x00binary", name="lista.xlsx")
    assert response.status_code == 400 and "This is not a CSV file." in response.content.decode()


@pytest.mark.slow
def test_a_list_of_100000_addresses_imports_in_one_request(lead_client, cast):
    rows = io.BytesIO()
    rows.write(b"email,language\n")
    for number in range(100_000):
        rows.write(b"asukas%06d@example.fi,%s\n" % (number, b"sv" if number % 3 == 0 else b"fi"))
    rows.write(b"rikki@,fi\n")

    started = time.monotonic()
    response = upload(lead_client, rows.getvalue())
    print(f"100,000 rows imported in {time.monotonic() - started:.1f} s")

    page = response.content.decode()
    assert response.status_code == 200
    assert "100000 addresses were added." in page.replace(",", "").replace("\xa0", "")
    assert "1 row was rejected." in page
    assert Subscriber.objects.filter(organisation=cast.org, state="confirmed").count() == 100_000
    assert Subscriber.objects.filter(language="sv").count() == 33_334


def test_the_import_command_streams_a_file_from_disk(cast, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "lista.csv"
    path.write_text("email;language\nmatti@example.fi;fi\ngreta@example.fi;sv\nrikki;fi\n", encoding="utf-8")
    out = io.StringIO()

    call_command("import_subscribers", "pikkula", str(path), "--consent-given", stdout=out)

    assert "added 2, already there 0, rejected 1" in out.getvalue()
    assert "row 4: rikki" in out.getvalue()
    assert AuditEvent.objects.get(action="subscribers.imported").actor_label == "import_subscribers command"
