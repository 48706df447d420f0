from django.core.management.base import BaseCommand

from kanava.publishing import outbox


class Command(BaseCommand):
    help = "Deliver everything that is due now, in this process, then exit."

    def handle(self, *args, **options):
        done = outbox.drain()
        self.stdout.write(f"{done} deliveries attempted.")
