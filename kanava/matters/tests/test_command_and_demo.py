"""``manage.py matters_import`` and the demo's matters."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kanava.matters import demo
from kanava.matters.models import Matter
from kanava.participation.models import Process


def run(*args) -> str:
    out = StringIO()
    call_command("matters_import", *args, stdout=out)
    return out.getvalue()


def test_the_command_imports_a_csv_with_columns_and_prints_counts_and_errors(cast, tmp_path):
    path = tmp_path / "asiat.csv"
    path.write_bytes("Dnro,Otsikko,Tila\r\nKH/1/2026,Päiväkoti,Vireillä\r\n,Ei numeroa,Vireillä\r\n".encode("cp1252"))
    columns = json.dumps({"case_number": "Dnro", "title_fi": "Otsikko", "stage": "Tila"})
    output = run("--csv", str(path), "--columns", columns, "--organisation", cast.org.slug)
    assert output.splitlines()[0] == "created 1, updated 0, unchanged 0, errors 1"
    assert output.splitlines()[1].startswith("3: ")
    assert run("--csv", str(path), "--columns", columns, "--organisation", cast.org.slug).startswith(
        "created 0, updated 0, unchanged 1")


def test_the_command_needs_a_mapping_and_a_known_organisation(cast, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("Dnro;Otsikko\n")
    with pytest.raises(CommandError):
        run("--csv", str(path), "--organisation", cast.org.slug)
    with pytest.raises(CommandError):
        run("--csv", str(path), "--mapping", "Nope", "--organisation", cast.org.slug)
    with pytest.raises(CommandError):
        run("--csv", str(path), "--columns", "{}")  # two organisations: which?


def test_the_demo_imports_its_matters_once_and_links_the_hearing(cast, actor_of):
    hearing = Process.objects.create(organisation=cast.org, kind="hearing", slug="koulukeskus",
                                     title={"fi": "Koulukeskus"}, languages=["fi"], matter_reference="KAAV/2026/14")
    first = demo.seed(cast.org)
    assert first.created == 30 and not first.errors
    second = demo.seed(cast.org)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 30)
    assert Matter.objects.filter(organisation=cast.org).count() == 30
    assert list(Matter.objects.get(case_number="KAAV/2026/14").processes.all()) == [hearing]
    assert Matter.objects.filter(organisation=cast.org, title__has_key="sv").count() >= 25
    assert all(m.secrecy_ground for m in Matter.objects.exclude(confidentiality="public"))


def test_the_demo_tells_some_matters_in_both_languages_and_leaves_gaps_for_the_dashboard(cast, actor_of):
    from kanava.matters import duty
    from kanava.publishing.models import Message

    lead = actor_of(cast.lead)
    demo.seed(cast.org, lead)
    demo.seed(cast.org, lead)  # again: nothing is added
    assert Message.objects.filter(organisation=cast.org, matters__isnull=False).count() == 3
    assert Process.objects.filter(organisation=cast.org, slug="kylakoulujen-tulevaisuus").count() == 1
    by_case = {d.matter.case_number: d for d in duty.records(duty.covered(cast.org), cast.org)}
    assert by_case["TEK/77/10.02.03/2026"].done_at("decision") is not None
    assert by_case["KH/112/00.01.02/2026"].gaps == []
    assert by_case["SIVI/45/12.00.00/2026"].gaps == [("participation", "sv")]
    assert ("decision", "sv") in by_case["VAPA/12/14.00.00/2026"].gaps
    assert "KH/121/01.01.01/2026" not in by_case  # secret: nothing owed, nothing published
    gaps, count = duty.dashboard_gaps(cast.org)
    assert gaps[0].matter.stage in ("decided", "appeal", "in_force") and ("decision", "fi") in gaps[0].gaps
    assert count >= 10
