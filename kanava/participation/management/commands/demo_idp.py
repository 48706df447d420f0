"""The demo's stand-in for Suomi.fi e-Identification: a local SAML identity provider with test persons.

Writes its metadata to ``var/saml/test_idp_metadata.xml``, which Kanava reads when no
``SUOMIFI_IDP_METADATA`` is configured (development only).  Test persons: Nordea Demo
and Sirpa Testi (adults living in the municipality), Onni Testinen (under 15) and
Väinö Muualta (living in another municipality).
"""

import signal
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run a local SAML test identity provider standing in for Suomi.fi (development only)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8036)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--municipality", default="091",
                            help="Home municipality code (Statistics Finland) of the test persons living here.")

    def handle(self, *args, port, host, municipality, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("demo_idp is for demos; it is disabled in production.")
        from kanava.participation import saml
        from kanava.testing.saml_idp import SamlTestIdP

        idp = SamlTestIdP(sp_metadata=saml.metadata_xml(), port=port, host=host, directory=saml.var_dir(),
                          home_municipality=municipality)
        idp.start()
        self.stdout.write(f"Test identity provider at {idp.url}/sso; metadata in {idp.metadata_path}")
        # Stopped by make demo (SIGTERM) or Ctrl-C: take the metadata away, so that strong
        # identification is not offered while nothing answers it.
        signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            idp.stop()
            idp.metadata_path.unlink(missing_ok=True)
