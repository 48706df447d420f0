"""Create an opinion map from a Polis open-data export folder; the last line printed is its identifier.

    manage.py opinions_import_polis ../shared/data/polis/vtaiwan.uberx [--organisation SLUG] [--slug S]

The identifier (the process's id) is what ``opinions_compute`` takes.
"""

from __future__ import annotations

from pathlib import Path
from time import perf_counter

from django.core.management.base import BaseCommand, CommandError

from kanava.core.models import Organisation


class Command(BaseCommand):
    help = "Create an opinion map from a Polis export folder and print its identifier as the last line."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="a folder with comments.csv, votes.csv, participants-votes.csv, summary.csv")
        parser.add_argument("--organisation", help="the organisation's slug (needed when there are several)")
        parser.add_argument("--slug", help="the new process's address (default: from the topic)")
        parser.add_argument("--language", default="en", help="the language of the texts (default en)")

    def handle(self, *args, **options):
        from kanava.participation.kinds.opinions import polis

        folder = Path(options["folder"])
        if not folder.is_dir():
            raise CommandError(f"No such folder: {folder}")
        organisation = self._organisation(options.get("organisation"))
        started = perf_counter()
        try:
            process = polis.import_export(organisation, folder, slug=options.get("slug"),
                                          language=options["language"])
        except polis.PolisFormatError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Imported “{process.display_title()}” into {organisation.slug} as /{process.slug}: "
                          f"{process.participant_count} voters, {process.contribution_count} votes and statements "
                          f"in {perf_counter() - started:.2f} s")
        self.stdout.write(str(process.pk))

    def _organisation(self, slug):
        if slug:
            found = Organisation.objects.filter(slug=slug).first()
            if found is None:
                raise CommandError(f"No organisation with the slug {slug!r}.")
            return found
        found = list(Organisation.objects.all()[:2])
        if len(found) == 1:
            return found[0]
        if not found:
            raise CommandError("There is no organisation yet: create one first (or run make demo).")
        raise CommandError("There are several organisations: choose one with --organisation SLUG.")
