"""CSV imports: Finnish and Swedish exports in the encodings and separators Excel writes, re-imports
that update and never duplicate, and malformed rows reported by line number while the rest go in."""

import pytest

from kanava.core.models import AuditEvent
from kanava.matters import actions
from kanava.matters.importers import MappingError, csv_import
from kanava.matters.models import ImportMapping, Matter, MatterEvent

COLUMNS = {
    "case_number": "Diaarinumero", "title_fi": "Otsikko", "title_sv": "Rubrik", "summary_fi": "Kuvaus",
    "deciding_body": "Toimielin", "preparer": "Valmistelija", "stage": "Tila", "meeting_date": "Kokouspäivä",
    "agenda_url": "Esityslista", "confidentiality": "Julkisuus", "secrecy_ground": "Salassapitoperuste",
    "date_format": "%d.%m.%Y",
}
HEADER = ("Diaarinumero;Otsikko;Rubrik;Kuvaus;Toimielin;Valmistelija;Tila;Kokouspäivä;Esityslista;Julkisuus;"
          "Salassapitoperuste")
ROWS = [
    "KH/112/00.01.02/2026;Talousarvio 2027;Budget 2027;Kunnanhallituksen esitys;Kunnanvaltuusto;Mikko Laine;"
    "Esityslistalla;12.11.2026;https://kunta.tweb.fi/epj/112;Julkinen;",
    "TEK/77/10.02.03/2026;Kirkkotien peruskorjaus;Grundrenovering av Kyrkvägen;\"Katu; vesijohdot\";"
    "Tekninen lautakunta;Jari Mäkelä;Päätetty;3.2.2026;;Julkinen;",
    "KH/121/01.01.01/2026;Henkilöstöasia;Personalärende;;Kunnanhallitus;Tiina Koivisto;Beslutad;10.1.2026;;"
    "Salassa pidettävä;JulkL 24.1 § 32 k",
]


def csv_bytes(rows=ROWS, header=HEADER, encoding="utf-8", bom=False, delimiter=";"):
    text = "\r\n".join([header, *rows]) + "\r\n"
    if delimiter != ";":
        text = text.replace(";", delimiter)
    data = text.encode(encoding)
    return b"\xef\xbb\xbf" + data if bom else data


def test_it_imports_a_semicolon_file_with_a_byte_order_mark(cast):
    result = csv_import(cast.org, csv_bytes(bom=True), COLUMNS)
    assert (result.created, result.updated, result.errors) == (3, 0, [])
    budget = Matter.objects.get(organisation=cast.org, case_number="KH/112/00.01.02/2026")
    assert budget.title == {"fi": "Talousarvio 2027", "sv": "Budget 2027"}
    assert budget.stage == "agenda" and budget.meeting_date.isoformat() == "2026-11-12"
    assert budget.deciding_body == "Kunnanvaltuusto" and budget.source == "csv"
    assert budget.agenda_url == "https://kunta.tweb.fi/epj/112"
    road = Matter.objects.get(case_number="TEK/77/10.02.03/2026")
    assert road.summary == {"fi": "Katu; vesijohdot"} and road.stage == "decided"
    secret = Matter.objects.get(case_number="KH/121/01.01.01/2026")
    assert not secret.is_public and secret.confidentiality == "secret" and secret.secrecy_ground == "JulkL 24.1 § 32 k"
    assert secret.stage == "decided"  # "Beslutad", the Swedish word
    assert MatterEvent.objects.filter(matter__organisation=cast.org).count() == 3
    assert AuditEvent.objects.filter(action="matters.imported", organisation=cast.org, data__created=3).exists()


def test_it_reads_windows_1252_with_commas(cast):
    rows = [r.replace('"Katu; vesijohdot"', '"Katu, vesijohdot"') for r in ROWS]
    result = csv_import(cast.org, csv_bytes(rows, encoding="cp1252", delimiter=","), COLUMNS)
    assert result.created == 3 and not result.errors
    road = Matter.objects.get(case_number="TEK/77/10.02.03/2026")
    assert road.preparer == "Jari Mäkelä" and road.title["sv"] == "Grundrenovering av Kyrkvägen"
    assert road.summary["fi"] == "Katu, vesijohdot"


def test_a_second_import_of_the_same_file_changes_nothing(cast):
    csv_import(cast.org, csv_bytes(), COLUMNS)
    again = csv_import(cast.org, csv_bytes(bom=True), COLUMNS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Matter.objects.filter(organisation=cast.org).count() == 3
    assert MatterEvent.objects.count() == 3


def test_a_changed_row_updates_its_matter_and_a_new_stage_goes_into_the_history(cast):
    csv_import(cast.org, csv_bytes(), COLUMNS)
    changed = [ROWS[0].replace("Esityslistalla", "Päätetty").replace("Talousarvio 2027", "Talousarvio vuodelle 2027"),
               *ROWS[1:]]
    result = csv_import(cast.org, csv_bytes(changed), COLUMNS)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    budget = Matter.objects.get(case_number="KH/112/00.01.02/2026")
    assert budget.stage == "decided" and budget.title["fi"] == "Talousarvio vuodelle 2027"
    assert [e.stage for e in budget.events.all()] == ["agenda", "decided"]


def test_an_import_never_erases_a_language_typed_by_hand(cast, actor_of):
    matter = actions.create_matter(actor_of(cast.lead), cast.org, case_number="KH/112/00.01.02/2026",
                                   title={"fi": "Vanha", "en": "Budget 2027"})
    csv_import(cast.org, csv_bytes(ROWS[:1]), COLUMNS)
    matter.refresh_from_db()
    assert matter.title == {"fi": "Talousarvio 2027", "sv": "Budget 2027", "en": "Budget 2027"}
    assert Matter.objects.count() == 1


def test_malformed_rows_are_reported_by_line_and_the_rest_are_imported(cast):
    rows = [
        ROWS[0],
        ';Ei diaarinumeroa;;;;;Valmistelussa;1.1.2026;;Julkinen;',                       # line 3
        'KH/1/2026;"Otsikko, jossa\nrivinvaihto";;;;;Valmistelussa;1.1.2026;;Julkinen;',  # lines 4-5, fine
        'KH/2/2026;Huono päivä;;;;;Valmistelussa;31.2.2026;;Julkinen;',                  # line 6
        'KH/3/2026;Outo tila;;;;;Hyllytetty;1.1.2026;;Julkinen;',                         # line 7
        'KH/4/2026;Salainen ilman perustetta;;;;;Valmistelussa;1.1.2026;;Salassa pidettävä;',  # line 8
        'KH/5/2026;Huono linkki;;;;;Valmistelussa;1.1.2026;javascript:alert(1);Julkinen;',  # line 9
        'KH/6/2026;;;;;;Valmistelussa;1.1.2026;;Julkinen;',                               # line 10: no title
        ROWS[1],
    ]
    result = csv_import(cast.org, csv_bytes(rows), COLUMNS)
    assert [line for line, _message in result.errors] == [3, 6, 7, 8, 9, 10]
    assert result.created == 3
    messages = dict(result.errors)
    assert "case number" in messages[3] and "31.2.2026" in messages[6] and "Hyllytetty" in messages[7]
    assert "secrecy" in messages[8] and "javascript" in messages[9] and "title" in messages[10]
    assert Matter.objects.get(case_number="KH/1/2026").title["fi"] == "Otsikko, jossa\nrivinvaihto"


def test_a_column_missing_from_the_file_stops_the_import_before_anything_is_written(cast):
    result = csv_import(cast.org, csv_bytes(header=HEADER.replace("Rubrik", "Titel")), COLUMNS)
    assert result.imported == 0 and result.errors[0][0] == 1 and "Rubrik" in result.errors[0][1]
    assert not Matter.objects.exists()


@pytest.mark.parametrize("mapping", [{"title_fi": "Otsikko"}, {"case_number": "Diaarinumero"},
                                     {"case_number": "Diaarinumero", "title_fi": "Otsikko", "colour": "Väri"}])
def test_a_mapping_without_case_number_or_title_or_with_unknown_fields_is_refused(cast, mapping):
    with pytest.raises(MappingError):
        csv_import(cast.org, csv_bytes(), mapping)


def test_a_saved_mapping_imports_the_same_way(cast, actor_of):
    columns = {k: v for k, v in COLUMNS.items() if k != "date_format"}
    saved = actions.save_mapping(actor_of(cast.lead), cast.org, "Dynasty", columns, "%d.%m.%Y")
    assert ImportMapping.objects.get(organisation=cast.org, name="Dynasty") == saved
    assert csv_import(cast.org, csv_bytes(), saved.as_mapping()).created == 3


def test_the_same_case_number_in_another_organisation_is_another_matter(cast):
    csv_import(cast.org, csv_bytes(), COLUMNS)
    result = csv_import(cast.other_org, csv_bytes(), COLUMNS)
    assert result.created == 3
    assert Matter.objects.filter(case_number="KH/112/00.01.02/2026").count() == 2


def test_the_external_id_finds_a_matter_whose_case_number_changed(cast):
    columns = {**COLUMNS, "external_id": "Tunniste"}
    header = HEADER + ";Tunniste"
    csv_import(cast.org, csv_bytes([ROWS[0] + ";dyn-1"], header=header), columns)
    renumbered = ROWS[0].replace("KH/112/00.01.02/2026", "KV/12/00.01.02/2026") + ";dyn-1"
    result = csv_import(cast.org, csv_bytes([renumbered], header=header), columns)
    assert (result.created, result.updated) == (0, 1)
    assert list(Matter.objects.values_list("case_number", flat=True)) == ["KV/12/00.01.02/2026"]
