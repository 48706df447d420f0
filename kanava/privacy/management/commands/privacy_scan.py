"""``manage.py privacy_scan < text``: the privacy guard's findings as JSON.

Reads all of standard input as UTF-8 text and prints a JSON list of
``{"kind", "start", "end", "text"}``; ``start`` and ``end`` are character
offsets into the text read.  Exits 0 whatever it finds.
"""

import json
import sys

from django.core.management.base import BaseCommand

from kanava.privacy.scan import scan


class Command(BaseCommand):
    help = "Read text on standard input and print the privacy guard's findings as a JSON list."
    stealth_options = ("stdin",)  # call_command(..., stdin=io.StringIO(...)) in tests

    def handle(self, *args, **options):
        stream = options.get("stdin") or getattr(sys.stdin, "buffer", sys.stdin)
        text = stream.read()
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="replace")
        self.stdout.write(json.dumps([finding.as_dict() for finding in scan(text)], ensure_ascii=False))
