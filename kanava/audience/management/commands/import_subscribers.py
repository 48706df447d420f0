"""Import a CSV file of email subscribers who have agreed to receive the newsletter.

The same streaming import as the staff page (see kanava.audience.importing),
for lists too large to upload comfortably::

    manage.py import_subscribers pikkula lista.csv --language fi --consent-given
"""

from django.core.management.base import BaseCommand, CommandError

from kanava.audience import actions
from kanava.core.audit import Actor
from kanava.core.models import Organisation


class Command(BaseCommand):
    help = "Import email subscribers from a CSV file (email, language, topics) as confirmed subscribers."

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="The organisation's slug.")
        parser.add_argument("path", help="The CSV file.")
        parser.add_argument("--language", default="", help="Language for rows that do not say (default: the "
                                                           "organisation's majority language).")
        parser.add_argument("--consent-given", action="store_true",
                            help="State that everyone on the list has agreed to receive the newsletter.")

    def handle(self, *args, organisation: str, path: str, language: str, consent_given: bool, **options):
        org = Organisation.objects.filter(slug=organisation).first()
        if org is None:
            raise CommandError(f"No organisation {organisation!r}.")
        if not consent_given:
            raise CommandError("Only people who have agreed may be imported: add --consent-given.")
        # The command runs as the installation's operator, outside any role.
        actor = Actor.system("import_subscribers command")
        try:
            with open(path, "rb") as handle:
                report = actions.import_subscribers_as_system(actor, org, handle,
                                                              default_language=language or org.majority_language,
                                                              filename=path)
        except (OSError, actions.SubscriptionError) as error:
            raise CommandError(str(error))
        self.stdout.write(f"added {report.added}, already there {report.already}, rejected {report.rejected}")
        for problem in report.problems:
            self.stdout.write(f"  row {problem.row}: {problem.value}: {problem.reason}")
        if report.more_problems:
            self.stdout.write(f"  ... and {report.more_problems} more rejected rows")
