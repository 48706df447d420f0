"""Create an opinion map from a Polis open-data export folder; the last line printed is its identifier.

    manage.py opinions_import_polis ../shared/data/polis/vtaiwan.uberx [--organisation SLUG] [--slug S] [--no-map]
                                                                     [--publish]

The identifier (the process's id) is what ``opinions_compute`` takes. The map is computed as
Polis computed it live: the vote history is replayed, one update per second of votes, and
stored as the conversation's state (a minute or two for the biggest shared conversations);
``opinions_compute`` then updates it in milliseconds. ``--no-map`` leaves that to the first
``opinions_compute`` or worker run. The conversation is a draft that only staff see (its results
on its staff pages) unless ``--publish`` puts it on the resident site. Without ``--organisation``
it goes to the first organisation created, and the command says which.
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
        parser.add_argument("--publish", action="store_true",
                            help="publish the conversation on the resident site (default: a draft for staff)")
        parser.add_argument("--no-map", action="store_true",
                            help="do not replay the history into the opinion map now")

    def handle(self, *args, **options):
        from kanava.participation.kinds.opinions import polis

        folder = Path(options["folder"])
        if not folder.is_dir():
            raise CommandError(f"No such folder: {folder}")
        organisation = self._organisation(options.get("organisation"))
        started = perf_counter()
        try:
            process = polis.import_export(organisation, folder, slug=options.get("slug"),
                                          language=options["language"], publish=options["publish"])
        except polis.PolisFormatError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Imported “{process.display_title()}” into {organisation.slug} as /{process.slug}: "
                          f"{process.participant_count} voters, {process.contribution_count} votes and statements "
                          f"in {perf_counter() - started:.2f} s")
        if process.state != process.State.PUBLISHED:
            self.stdout.write("It is a draft that only staff see; --publish puts it on the resident site.")
        if not options["no_map"]:
            from kanava.participation.kinds.opinions import mathrun

            result = mathrun.rebuild(process)
            self.stdout.write(f"Opinion map: {len(result.groups)} groups of {sum(g.members for g in result.groups)} "
                              f"participants, from the vote history replayed in {result.seconds:.1f} s")
        self.stdout.write(str(process.pk))

    def _organisation(self, slug):
        if slug:
            found = Organisation.objects.filter(slug=slug).first()
            if found is None:
                raise CommandError(f"No organisation with the slug {slug!r}.")
            return found
        first = Organisation.objects.order_by("pk").first()
        if first is None:
            raise CommandError("There is no organisation yet: create one first (or run make demo).")
        if Organisation.objects.exclude(pk=first.pk).exists():
            self.stdout.write(f"Into {first.slug}, the first organisation (--organisation SLUG chooses another).")
        return first
