"""Local stand-ins for the demo: an SMTP server, an SMS gateway and the six social platforms.

Mail is written to ``var/demo-mail/<n>.eml``; SMS to ``var/demo-sms/messages.jsonl``.
For demos and development only: real deployments use a real SMTP relay and
SMS gateway configured on each channel.
"""

import json
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kanava.publishing.management.commands.seed_demo import demo_sms_password


class Command(BaseCommand):
    help = "Run the demo's local SMTP server, SMS gateway and social platforms (development only)."

    def add_arguments(self, parser):
        parser.add_argument("--smtp-port", type=int, default=settings.EMAIL_PORT)
        parser.add_argument("--sms-port", type=int, default=8025)

    def handle(self, *args, smtp_port, sms_port, **options):
        if settings.PRODUCTION:
            raise CommandError("demo_sinks is for demos; it is disabled in production.")
        from kanava.testing.sms_gateway import SmsGateway
        from kanava.testing.smtp import CaptureHandler, SMTPServer

        mail_dir = settings.VAR_DIR / "demo-mail"
        sms_dir = settings.VAR_DIR / "demo-sms"
        mail_dir.mkdir(parents=True, exist_ok=True)
        sms_dir.mkdir(parents=True, exist_ok=True)

        class FileHandler(CaptureHandler):
            async def handle_DATA(self, server, session, envelope):
                self.count += 1
                name = mail_dir / f"{time.time_ns()}.eml"
                name.write_bytes(b"X-Envelope-To: " + ", ".join(envelope.rcpt_tos).encode() + b"\r\n"
                                 + envelope.content)
                return "250 Message accepted for delivery"

        smtp = SMTPServer()
        smtp.handler = FileHandler(keep_data=False)
        smtp.controller.handler = smtp.handler
        smtp.controller.port = smtp_port
        smtp.start()
        gateway = SmsGateway(port=sms_port, username="kanava", password=demo_sms_password()).start()
        self.stdout.write(f"Demo SMTP on 127.0.0.1:{smtp_port} -> {mail_dir}; SMS gateway on {gateway.url} -> {sms_dir}")
        from kanava.testing.platforms.demo import serve

        platforms = serve(write=self.stdout.write)
        seen = 0
        try:
            with open(sms_dir / "messages.jsonl", "a", encoding="utf-8") as out:
                while True:
                    time.sleep(0.5)
                    records = gateway.records
                    for record in records[seen:]:
                        out.write(json.dumps({**record.as_json(), "text": record.text, "sender": record.sender},
                                             ensure_ascii=False) + "\n")
                    out.flush()
                    seen = len(records)
        except KeyboardInterrupt:
            pass
        finally:
            for server in platforms.values():
                server.stop()
            gateway.stop()
            smtp.stop()
