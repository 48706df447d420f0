"""Import of 50,000 matters from CSV into a fresh SQLite database (issue 7: under 60 s).

    .venv/bin/python -m kanava.matters.bench [--rows 50000]      # var/matters_bench.sqlite3

Generates a case-management export (semicolons, Windows-1252, Finnish and Swedish titles,
every field mapped), drops and migrates the database, imports it once (all new), then again
with a tenth of the rows changed (updates, the rest unchanged).  ``run(report)`` calls
``report(line)`` with progress and returns the figures; ``main`` prints them as JSON last.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'matters_bench.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanava.settings")

COLUMNS = {
    "case_number": "Diaarinumero", "external_id": "Tunniste", "title_fi": "Otsikko", "title_sv": "Rubrik",
    "summary_fi": "Kuvaus", "summary_sv": "Beskrivning", "deciding_body": "Toimielin", "preparer": "Valmistelija",
    "stage": "Tila", "meeting_date": "Kokouspäivä", "agenda_url": "Esityslista", "minutes_url": "Pöytäkirja",
    "confidentiality": "Julkisuus", "secrecy_ground": "Salassapitoperuste",
}
BODIES = ["Kunnanhallitus", "Kunnanvaltuusto", "Tekninen lautakunta", "Sivistyslautakunta", "Ympäristölautakunta"]
STAGES = ["Valmistelussa", "Esityslistalla", "Päätetty", "Muutoksenhaku", "Lainvoimainen"]
SUBJECTS = [("Asemakaavan muutos, kortteli", "Ändring av detaljplan, kvarter"),
            ("Katusuunnitelma, Mäkeläntie", "Gatuplan, Mäkelävägen"),
            ("Avustushakemus, yhdistys nro", "Understödsansökan, förening nr"),
            ("Kiinteistön myynti, tontti", "Försäljning av fastighet, tomt")]


def generate(rows: int, variant: int = 0) -> bytes:
    """A CSV export of ``rows`` matters; ``variant`` changes the stage of every tenth row."""
    lines = [";".join(COLUMNS.values())]
    start = dt.date(2026, 1, 1)
    for i in range(rows):
        fi, sv = SUBJECTS[i % len(SUBJECTS)]
        stage = STAGES[(i + (variant if i % 10 == 0 else 0)) % len(STAGES)]
        secret = i % 50 == 0
        lines.append(";".join([
            f"KUNTA/{i + 1}/10.02.03/2026", f"dyn-{i + 1}", f"{fi} {i + 1}", f"{sv} {i + 1}",
            f"Päätösehdotus: {fi.lower()} {i + 1} hyväksytään.", f"Beslutsförslag: {sv.lower()} {i + 1} godkänns.",
            BODIES[i % len(BODIES)], f"Valmistelija {i % 97}", stage,
            (start + dt.timedelta(days=i % 365)).strftime("%d.%m.%Y"),
            f"https://kunta.tweb.fi/esityslista/{i + 1}",
            f"https://kunta.tweb.fi/poytakirja/{i + 1}" if i % 5 > 1 else "",
            "Salassa pidettävä" if secret else "Julkinen", "JulkL 24.1 § 25 k" if secret else "",
        ]))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def run(report=print, rows: int = 50_000, fresh: bool = True) -> dict:
    import django

    django.setup()
    from django.db import connection

    from kanava.matters.importers import csv_import
    from kanava.matters.models import Matter, MatterEvent
    from kanava.testing.personas import make_organisation

    if fresh:
        from kanava.bench.run import fresh_database

        fresh_database()
    report(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    organisation = make_organisation("benchkunta")
    first, second = generate(rows), generate(rows, variant=1)
    report(f"generated {rows} rows ({len(first) / 1e6:.1f} MB, Windows-1252, semicolons)")
    clock = time.perf_counter()
    created = csv_import(organisation, first, COLUMNS)
    first_seconds = time.perf_counter() - clock
    report(f"first import: {created.created} created, {len(created.errors)} errors in {first_seconds:.1f} s")
    clock = time.perf_counter()
    again = csv_import(organisation, second, COLUMNS)
    second_seconds = time.perf_counter() - clock
    report(f"re-import: {again.updated} updated, {again.unchanged} unchanged, {again.created} created "
           f"in {second_seconds:.1f} s")
    assert Matter.objects.filter(organisation=organisation).count() == rows
    return {"matters_rows": rows, "matters_import_seconds": round(first_seconds, 2),
            "matters_reimport_seconds": round(second_seconds, 2),
            "matters_reimport_updated": again.updated, "matters_events": MatterEvent.objects.count()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--keep", action="store_true", help="Do not drop and migrate the database first.")
    args = parser.parse_args()
    figures = run(lambda line: print(line, flush=True), args.rows, fresh=not args.keep)
    sys.stdout.write(json.dumps(figures) + "\n")


if __name__ == "__main__":
    main()
