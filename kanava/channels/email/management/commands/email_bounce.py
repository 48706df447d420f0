"""Read one bounce (or unsubscribe mail) from standard input and record it.

For piping from the mail server that receives the bounce domain, e.g. in
Postfix ``master.cf``::

    kanava-bounce unix - n n - - pipe
      user=kanava argv=/srv/kanava/.venv/bin/python /srv/kanava/manage.py email_bounce --recipient ${recipient}

Without ``--organisation`` only mail to a VERP address (``bounces+<token>@``
or ``unsubscribe+<token>@``, signed and naming one subscriber of one
organisation) changes anything: a DSN that only names an address could have
been written by anyone, so it is refused, with a note on standard error.
With ``--organisation <slug>`` (one bounce domain per organisation) such a
DSN stops mail to the address in that organisation only.  A bounce address
whose token does not verify changes nothing either way.

Exit status 0 when the mail was read (even when it was not a bounce or was
refused: a bounce must never bounce back), 75 (EX_TEMPFAIL) when the database
could not be reached, so that the mail server tries again later.
"""

import os
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from kanava.audience.actions import SubscriptionError
from kanava.channels.email import bounces
from kanava.core.models import Organisation

EX_TEMPFAIL = 75
MAX_BYTES = 10 * 1024 * 1024


class Command(BaseCommand):
    help = "Record a bounce (DSN, RFC 3464) or an unsubscribe mail read from standard input."

    def add_arguments(self, parser):
        parser.add_argument("--recipient", default="",
                            help="The envelope recipient (bounces+<token>@...); default: $ORIGINAL_RECIPIENT, "
                                 "$RECIPIENT or the message headers.")
        parser.add_argument("--organisation", default="",
                            help="Only touch this organisation's subscribers (its slug). Needed for bounces "
                                 "without a VERP token, which are otherwise refused.")

    def handle(self, *args, recipient: str, organisation: str, **options):
        data = sys.stdin.buffer.read(MAX_BYTES)
        recipient = recipient or os.environ.get("ORIGINAL_RECIPIENT", "") or os.environ.get("RECIPIENT", "")
        org = None
        if organisation:
            org = Organisation.objects.filter(slug=organisation).first()
            if org is None:
                raise CommandError(f"No organisation {organisation!r}.")
        try:
            outcome = bounces.handle(data, envelope_recipient=recipient, organisation=org)
        except SubscriptionError as error:
            self.stderr.write(f"refused: {error} Nothing was changed.")
            return
        except DatabaseError as error:
            self.stderr.write(f"database unavailable, try again later: {error}")
            sys.exit(EX_TEMPFAIL)
        if outcome.kind == "refused":
            self.stderr.write(f"refused: this bounce was not acted on because {outcome.note}. Nothing was changed. "
                              "Run with --organisation <slug> to accept bounces without a VERP token.")
            return
        self.stdout.write(f"{outcome.kind}: {outcome.changed} subscriber(s) changed"
                          + (f" ({outcome.note})" if outcome.note else ""))
