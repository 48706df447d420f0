"""Import pending matters: ``--csv FILE`` (with ``--mapping NAME`` or ``--columns JSON``), ``--ahjo URL``
or ``--feed URL --parser NAME``.  Prints the counts and every row that was not imported."""

import json

from django.core.management.base import BaseCommand, CommandError

from kanava.core.audit import Actor
from kanava.core.models import Organisation
from kanava.matters.importers import PARSERS, MappingError, ahjo_import, csv_import, feed_import
from kanava.matters.models import ImportMapping


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--csv", metavar="FILE")
        source.add_argument("--ahjo", metavar="URL", help="The Ahjo API root or its cases listing.")
        source.add_argument("--feed", metavar="URL", help="An RSS or Atom feed of a meeting system.")
        parser.add_argument("--mapping", metavar="NAME", help="A saved CSV mapping of the organisation.")
        parser.add_argument("--columns", metavar="JSON",
                            help='A CSV mapping: {"case_number": "Diaarinumero", "title_fi": "Otsikko", ...}.')
        parser.add_argument("--parser", default="agenda", help=f"Feed parser: {', '.join(sorted(PARSERS))}.")
        parser.add_argument("--case-pattern", help="Feeds: a regular expression for the case number.")
        parser.add_argument("--organisation", metavar="SLUG", help="Needed when there are several.")

    def handle(self, *args, **options):
        organisation = self._organisation(options["organisation"])
        actor = Actor.system("matters_import")
        try:
            if options["csv"]:
                result = csv_import(organisation, options["csv"], self._mapping(organisation, options), actor=actor)
            elif options["ahjo"]:
                result = ahjo_import(organisation, options["ahjo"], actor=actor)
            else:
                if options["parser"] not in PARSERS:
                    raise CommandError(f"Unknown parser {options['parser']!r}; known: {', '.join(sorted(PARSERS))}.")
                feed_options = {"case_pattern": options["case_pattern"]} if options["case_pattern"] else {}
                result = feed_import(organisation, options["feed"], options["parser"], options=feed_options,
                                     actor=actor)
        except (MappingError, OSError) as problem:
            raise CommandError(str(problem))
        self.stdout.write(f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}, "
                          f"errors {len(result.errors)}")
        for number, message in result.errors:
            self.stdout.write(f"{number}: {message}")

    def _organisation(self, slug):
        if slug:
            try:
                return Organisation.objects.get(slug=slug)
            except Organisation.DoesNotExist:
                raise CommandError(f"No organisation {slug!r}.")
        organisations = list(Organisation.objects.all()[:2])
        if len(organisations) != 1:
            raise CommandError("Give --organisation SLUG." if organisations else "There is no organisation.")
        return organisations[0]

    def _mapping(self, organisation, options) -> dict:
        if options["columns"]:
            try:
                mapping = json.loads(options["columns"])
            except json.JSONDecodeError as problem:
                raise CommandError(f"--columns is not JSON: {problem}")
            if not isinstance(mapping, dict):
                raise CommandError("--columns must be a JSON object.")
            return mapping
        if options["mapping"]:
            saved = ImportMapping.objects.filter(organisation=organisation, name=options["mapping"]).first()
            if saved is None:
                raise CommandError(f"No saved mapping {options['mapping']!r}.")
            return saved.as_mapping()
        raise CommandError("--csv needs --mapping NAME or --columns JSON.")
