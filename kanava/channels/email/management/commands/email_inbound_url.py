"""Print the address a mail server posts an email channel's incoming mail to.

    manage.py email_inbound_url <channel id>          # the current address
    manage.py email_inbound_url <channel id> --new    # a new random secret first

Give the address to the mail provider's inbound-mail webhook (or a relay
that posts each message as ``message/rfc822``).  The address holds a token
derived from the channel's secret: ``--new`` retires the old address.
"""

from django.core.management.base import BaseCommand, CommandError

from kanava.channels.email import inbound
from kanava.channels.models import Channel
from kanava.core.audit import Actor


class Command(BaseCommand):
    help = "Print (with --new: first renew) the inbound-mail address of an email channel."

    def add_arguments(self, parser):
        parser.add_argument("channel", type=int, help="The email channel's id.")
        parser.add_argument("--new", action="store_true", help="Set a new random secret; the old address stops.")

    def handle(self, *args, channel: int, new: bool, **options):
        found = Channel.objects.select_related("organisation").filter(pk=channel, kind="email").first()
        if found is None:
            raise CommandError(f"No email channel {channel}.")
        if new:
            inbound.do_new_inbound_secret(Actor.system("manage.py email_inbound_url"), found)
            found.refresh_from_db()
        url = inbound.inbound_url(found)
        if not url:
            raise CommandError("The channel has no inbound mail secret: run again with --new.")
        self.stdout.write(url)
