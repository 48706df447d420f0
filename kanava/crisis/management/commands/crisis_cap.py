"""``manage.py crisis_cap INCIDENT`` or ``--latest``: print an incident's latest CAP 1.2 alert as XML."""

from django.core.management.base import BaseCommand, CommandError

from kanava.crisis.models import CapAlert, Incident


class Command(BaseCommand):
    help = "Print the latest CAP 1.2 alert of an incident (or of the most recently opened incident) as XML."

    def add_arguments(self, parser):
        parser.add_argument("incident", nargs="?", type=int, help="the incident's id")
        parser.add_argument("--latest", action="store_true", help="the most recently opened incident")
        parser.add_argument("--organisation", help="with --latest: only this organisation's incidents (slug)")

    def handle(self, *args, incident=None, latest=False, organisation=None, **options):
        if (incident is None) == (not latest):
            raise CommandError("Give an incident id or --latest (not both).")
        incidents = Incident.objects.all()
        if organisation:
            incidents = incidents.filter(organisation__slug=organisation)
        found = (incidents.filter(pk=incident) if incident is not None
                 else incidents.order_by("-activated_at", "-id")).first()
        if found is None:
            raise CommandError("No such incident.")
        alert = CapAlert.objects.filter(incident=found).order_by("-sent", "-id").first()
        if alert is None:
            raise CommandError("The incident has no CAP alert.")
        self.stdout.write(alert.xml, ending="")
