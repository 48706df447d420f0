"""manage.py create_organisation: set up an organisation on a new installation."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kanava.core.actions import do_create_organisation
from kanava.core.audit import Actor
from kanava.core.models import LANGUAGE_CODES, Organisation


def _names(values: list[str]) -> dict[str, str]:
    names = {}
    for value in values:
        code, sep, name = value.partition("=")
        if not sep or code not in LANGUAGE_CODES or not name.strip():
            raise CommandError(f"--name takes LANGUAGE=NAME with a language of {', '.join(LANGUAGE_CODES)}: {value!r}")
        names[code] = name.strip()
    return names


class Command(BaseCommand):
    help = "Create an organisation (a municipality, a wellbeing services county...)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="Short address name, e.g. pikkula (used in /fi/staff/pikkula/).")
        parser.add_argument("--name", action="append", default=[], metavar="LANG=NAME",
                            help='Name per language, repeatable: --name "fi=Pikkulan kunta" --name "sv=Pikkula kommun".')
        parser.add_argument("--languages", default="fi",
                            help="Languages the organisation must use, comma separated (fi,sv).")
        parser.add_argument("--majority", help="Majority language (default: the first of --languages).")
        parser.add_argument("--time-zone", default="Europe/Helsinki")
        parser.add_argument("--kind", default=Organisation.Kind.MUNICIPALITY, choices=Organisation.Kind.values)

    def handle(self, *args, slug, name, languages, majority, time_zone, kind, **options):
        names = _names(name)
        codes = [code.strip() for code in languages.split(",") if code.strip()]
        if not names:
            raise CommandError("Give at least one --name.")
        try:
            organisation = do_create_organisation(
                Actor.system("manage.py create_organisation"), slug=slug, names=names, languages=codes,
                majority_language=majority or (codes[0] if codes else ""), time_zone=time_zone, kind=kind,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"Created organisation {organisation.slug} ({organisation.display_name()}).")
