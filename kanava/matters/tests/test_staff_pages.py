"""The register's staff pages: list with filters, detail with history and links, the form that keeps
what was typed, the CSV upload with per-line errors, and nothing of another organisation."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kanava.core.models import AuditEvent
from kanava.matters import actions
from kanava.matters.models import Matter, MatterEvent
from kanava.participation.models import Process
from kanava.publishing import actions as publishing
from kanava.testing.personas import login


def url(name, org, **kwargs):
    return reverse(f"matters:{name}", kwargs={"org": org.slug, **kwargs})


@pytest.fixture
def matters(cast, actor_of):
    lead = actor_of(cast.lead)
    return {
        "school": actions.create_matter(lead, cast.org, case_number="SIVI/45/12.00.00/2026", stage="preparation",
                                        title={"fi": "Kouluverkkoselvitys", "sv": "Utredning av skolnätet"}),
        "road": actions.create_matter(lead, cast.org, case_number="TEK/77/10.02.03/2026", stage="decided",
                                      title={"fi": "Kirkkotien peruskorjaus"}),
        "staff": actions.create_matter(lead, cast.org, case_number="KH/121/01.01.01/2026", stage="decided",
                                       title={"fi": "Henkilöstöasia"}, confidentiality="secret",
                                       secrecy_ground="JulkL 24.1 § 32 k"),
        "theirs": actions.create_matter(actor_of(cast.outsider), cast.other_org, case_number="X/1/2026",
                                        title={"fi": "Toisen kunnan asia"}),
    }


def form_data(**extra):
    data = {"case_number": "KH/200/00.00.00/2026", "deciding_body": "Kunnanhallitus", "preparer": "Sari",
            "stage": "preparation", "meeting_date": "2026-05-04", "agenda_url": "", "minutes_url": "",
            "confidentiality": "public", "secrecy_ground": "", "title_fi": "Uusi uimahalli",
            "title_sv": "Ny simhall", "title_en": "", "summary_fi": "Tiivistelmä", "summary_sv": "", "summary_en": ""}
    data.update(extra)
    return data


def test_the_list_shows_our_matters_only_and_filters_them(client, cast, matters, django_assert_max_num_queries):
    login(client, cast.editor)
    with django_assert_max_num_queries(12):
        page = client.get(url("list", cast.org)).content.decode()
    assert "Kouluverkkoselvitys" in page and "Henkilöstöasia" in page and "Toisen kunnan asia" not in page
    decided = client.get(url("list", cast.org), {"stage": "decided"}).content.decode()
    assert "Kirkkotien" in decided and "Kouluverkkoselvitys" not in decided
    secret = client.get(url("list", cast.org), {"confidentiality": "secret"}).content.decode()
    assert "Henkilöstöasia" in secret and "Kirkkotien" not in secret
    found = client.get(url("list", cast.org), {"q": "skolnätet"}).content.decode()
    assert "Kouluverkkoselvitys" in found and "Kirkkotien" not in found
    assert "Kirkkotien" in client.get(url("list", cast.org), {"q": "TEK/77"}).content.decode()


def test_another_organisations_matter_is_not_found(client, cast, matters):
    login(client, cast.lead)
    theirs = matters["theirs"].pk
    for name in ("detail", "edit"):
        assert client.get(url(name, cast.org, pk=theirs)).status_code == 404
    for name in ("stage", "link"):
        assert client.post(url(name, cast.org, pk=theirs), {"stage": "decided"}).status_code == 404
    login(client, cast.outsider)
    assert client.get(url("detail", cast.org, pk=matters["school"].pk)).status_code == 404
    assert client.get(url("list", cast.org)).status_code == 404


def test_the_detail_shows_history_and_linked_messages_and_processes(client, cast, matters, actor_of):
    matter = matters["school"]
    message = publishing.do_create_message(actor_of(cast.editor), cast.org,
                                           versions={"fi": {"title": "Kouluverkko selvitetään", "body": "Teksti."}})
    process = Process.objects.create(organisation=cast.org, kind="hearing", slug="kouluverkko",
                                     title={"fi": "Kouluverkon kuuleminen"}, languages=["fi"])
    login(client, cast.editor)
    link = url("link", cast.org, pk=matter.pk)
    assert client.post(link, {"kind": "message", "target": message.pk}).status_code == 302
    assert client.post(link, {"kind": "process", "target": process.pk}).status_code == 302
    client.post(url("stage", cast.org, pk=matter.pk), {"stage": "agenda", "note": "Lautakunnan listalla"})
    page = client.get(url("detail", cast.org, pk=matter.pk)).content.decode()
    assert "Kouluverkko selvitetään" in page and "Kouluverkon kuuleminen" in page and "Lautakunnan listalla" in page
    assert list(matter.messages.all()) == [message] and list(matter.processes.all()) == [process]
    assert [e.stage for e in MatterEvent.objects.filter(matter=matter)] == ["preparation", "agenda"]
    assert AuditEvent.objects.filter(action="matters.message_linked", object_id=str(matter.pk)).exists()
    client.post(url("link", cast.org, pk=matter.pk), {"kind": "message", "target": message.pk, "unlink": "1"})
    assert not matter.messages.exists()


def test_a_process_of_another_organisation_cannot_be_linked(client, cast, matters):
    theirs = Process.objects.create(organisation=cast.other_org, kind="hearing", slug="x", title={"fi": "X"},
                                    languages=["fi"])
    login(client, cast.lead)
    answer = client.post(url("link", cast.org, pk=matters["school"].pk), {"kind": "process", "target": theirs.pk})
    assert answer.status_code == 404 and not matters["school"].processes.exists()


def test_an_editor_enters_a_matter_by_hand(client, cast):
    login(client, cast.editor)
    assert client.get(url("new", cast.org)).status_code == 200
    answer = client.post(url("new", cast.org), form_data())
    matter = Matter.objects.get(organisation=cast.org, case_number="KH/200/00.00.00/2026")
    assert answer.status_code == 302 and answer["Location"] == url("detail", cast.org, pk=matter.pk)
    assert matter.title == {"fi": "Uusi uimahalli", "sv": "Ny simhall"} and matter.summary == {"fi": "Tiivistelmä"}
    assert matter.source == "manual" and matter.meeting_date.isoformat() == "2026-05-04"
    assert AuditEvent.objects.filter(action="matters.created", object_id=str(matter.pk)).exists()


@pytest.mark.parametrize("extra, problem", [
    ({"confidentiality": "secret"}, "legal ground"),
    ({"title_fi": "", "title_sv": ""}, "title in at least one language"),
    ({"meeting_date": "31.2.2026"}, "valid date"),
    ({"agenda_url": "javascript:alert(1)"}, "valid URL"),
    ({"case_number": "SIVI/45/12.00.00/2026"}, "already in the register"),
])
def test_bad_input_is_refused_and_what_was_typed_stays(client, cast, matters, extra, problem):
    login(client, cast.editor)
    answer = client.post("/en" + url("new", cast.org)[3:], form_data(**extra))
    html = answer.content.decode()
    assert answer.status_code == 400 and problem in html
    assert 'value="Kunnanhallitus"' in html and "Tiivistelmä" in html and 'value="Sari"' in html
    assert not Matter.objects.filter(preparer="Sari").exists()


def test_editing_keeps_the_other_languages_and_records_the_stage(client, cast, matters):
    matter = matters["road"]
    login(client, cast.editor)
    form = client.get(url("edit", cast.org, pk=matter.pk)).content.decode()
    assert 'value="Kirkkotien peruskorjaus"' in form
    answer = client.post(url("edit", cast.org, pk=matter.pk), form_data(
        case_number=matter.case_number, title_fi="Kirkkotien peruskorjaus", title_sv="Kyrkvägen", stage="appeal"))
    assert answer.status_code == 302
    matter.refresh_from_db()
    assert matter.title == {"fi": "Kirkkotien peruskorjaus", "sv": "Kyrkvägen"} and matter.stage == "appeal"
    assert matter.events.last().stage == "appeal"


def test_the_lead_uploads_a_csv_and_sees_the_rows_that_failed(client, cast):
    data = ("Diaarinumero;Otsikko;Rubrik;Tila;Kokouspäivä\r\n"
            "KH/1/2026;Päiväkodin laajennus;Utvidgning av daghemmet;Valmistelussa;1.9.2026\r\n"
            "KH/2/2026;Huono päivä;;Valmistelussa;huomenna\r\n").encode("cp1252")
    login(client, cast.lead)
    assert client.get(url("import", cast.org)).status_code == 200
    answer = client.post("/en" + url("import", cast.org)[3:], {
        "file": SimpleUploadedFile("matters.csv", data, content_type="text/csv"), "mapping": "",
        "date_format": "%d.%m.%Y", "column_case_number": "Diaarinumero", "column_title_fi": "Otsikko",
        "column_title_sv": "Rubrik", "column_stage": "Tila", "column_meeting_date": "Kokouspäivä",
        "save_as": "Dynasty"})
    html = answer.content.decode()
    assert answer.status_code == 200 and "New: 1." in html and "Not imported: 1." in html
    assert "<td>3</td>" in html and "huomenna" in html
    assert Matter.objects.get(case_number="KH/1/2026").title["sv"] == "Utvidgning av daghemmet"
    saved = cast.org.matter_mappings.get(name="Dynasty")
    assert saved.columns["title_sv"] == "Rubrik"
    again = client.post(url("import", cast.org), {
        "file": SimpleUploadedFile("matters.csv", data, content_type="text/csv"), "mapping": saved.pk})
    assert again.status_code == 200 and Matter.objects.filter(organisation=cast.org).count() == 1


def test_an_upload_with_wrong_columns_shows_the_file_s_columns_and_keeps_the_typed_ones(client, cast):
    login(client, cast.lead)
    answer = client.post("/en" + url("import", cast.org)[3:], {
        "file": SimpleUploadedFile("m.csv", b"Dnro;Otsikko\r\nKH/1/2026;Asia\r\n"), "mapping": "",
        "column_case_number": "Diaarinumero", "column_title_fi": "Otsikko"})
    html = answer.content.decode()
    assert "Diaarinumero" in html and "<code>Dnro</code>" in html and 'value="Diaarinumero"' in html
    assert not Matter.objects.exists()


def test_an_editor_may_not_import_files(client, cast):
    login(client, cast.editor)
    assert client.get(url("import", cast.org)).status_code == 403


def test_the_matter_page_has_its_case_number_as_title_and_its_notices_section_once(client, cast, matters):
    import re

    login(client, cast.lead)
    html = client.get(url("detail", cast.org, pk=matters["school"].pk)).content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "SIVI/45/12.00.00/2026" in title and "<" not in title
    assert html.count('id="link-notice"') <= 1
