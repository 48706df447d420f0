"""The press channel's SMTP side: its typed configuration, one connection, one release email.

Press releases go over their own SMTP connection from the channel's
configuration, never through Django's EMAIL_BACKEND (tests swap that for an
in-memory outbox; releases must reach a real server).
"""

from __future__ import annotations

import mimetypes
import posixpath
import smtplib
import ssl
from dataclasses import dataclass
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.utils.translation import gettext as _

from kanava.channels.base import ChannelError, Config


@dataclass
class PressConfig(Config):
    """Empty host, port, user or TLS fall back to the installation's EMAIL_* settings."""

    host: str = ""
    port: int = 0
    user: str = ""
    use_tls: bool | None = None
    use_ssl: bool = False
    from_email: str = ""
    reply_to: str = ""
    timeout: float = 0

    def __post_init__(self):
        self.port = _as_int(self.port)
        self.timeout = _as_int(self.timeout)
        self.use_tls = None if self.use_tls in (None, "") else _as_bool(self.use_tls)
        self.use_ssl = _as_bool(self.use_ssl)

    @property
    def smtp_host(self) -> str:
        return self.host or settings.EMAIL_HOST

    @property
    def smtp_port(self) -> int:
        return self.port or (settings.EMAIL_PORT if not self.host else (465 if self.use_ssl else 25))

    @property
    def smtp_user(self) -> str:
        return self.user if self.host else (self.user or settings.EMAIL_HOST_USER)

    @property
    def starttls(self) -> bool:
        return settings.EMAIL_USE_TLS if self.use_tls is None else self.use_tls

    @property
    def smtp_timeout(self) -> float:
        return self.timeout or settings.EMAIL_TIMEOUT or 30

    def password(self, secrets: dict) -> str:
        if secrets.get("password"):
            return secrets["password"]
        # The installation's password belongs to the installation's server only.
        return "" if self.host else settings.EMAIL_HOST_PASSWORD

    def sender(self, organisation_name: str) -> str:
        name, address = parseaddr(self.from_email or settings.DEFAULT_FROM_EMAIL)
        return formataddr((name or organisation_name, address))


def _as_int(value) -> int:
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


def _as_bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def open_connection(config: PressConfig, secrets: dict) -> smtplib.SMTP:
    """A logged-in SMTP connection.

    Raises ChannelError: transient when the server cannot be reached or is
    busy, permanent when it refuses the credentials.
    """
    try:
        if config.use_ssl:
            connection = smtplib.SMTP_SSL(config.smtp_host, config.smtp_port, local_hostname=DNS_NAME.get_fqdn(),
                                          timeout=config.smtp_timeout, context=ssl.create_default_context())
        else:
            connection = smtplib.SMTP(config.smtp_host, config.smtp_port, local_hostname=DNS_NAME.get_fqdn(),
                                      timeout=config.smtp_timeout)
            if config.starttls:
                connection.starttls(context=ssl.create_default_context())
        user = config.smtp_user
        if user:
            connection.login(user, config.password(secrets))
    except smtplib.SMTPAuthenticationError as error:
        raise ChannelError(_("The mail server refused the user name or password: %(error)s")
                           % {"error": _reply(error)}, permanent=True) from error
    except (smtplib.SMTPException, OSError) as error:
        raise ChannelError(_("Could not connect to the mail server %(host)s: %(error)s")
                           % {"host": f"{config.smtp_host}:{config.smtp_port}", "error": _reply(error)}) from error
    return connection


def close(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):  # already gone; nothing left to tell
        connection.close()


def _reply(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        return f"{error.smtp_code} {text}"
    return str(error) or error.__class__.__name__


@dataclass
class Attachment:
    filename: str
    content: bytes
    mimetype: str


@dataclass
class Release:
    """One release's content, built once and sent to every contact."""

    subject: str
    text: str
    html: str
    sender: str
    reply_to: str
    language: str
    attachments: list[Attachment]

    def email(self, to: str, message_id: str) -> EmailMultiAlternatives:
        mail = EmailMultiAlternatives(
            subject=self.subject, body=self.text, from_email=self.sender, to=[to],
            reply_to=[self.reply_to] if self.reply_to else None,
            headers={"Message-ID": message_id, "Content-Language": self.language},
        )
        mail.attach_alternative(self.html, "text/html")
        for attachment in self.attachments:
            mail.attach(attachment.filename, attachment.content, attachment.mimetype)
        return mail


def message_id(idempotency_key: str, contact_id, sender: str) -> str:
    """The same release to the same contact always has the same Message-ID.

    A copy sent again after a lost connection is then recognisably the same
    mail to the newsroom's systems.
    """
    domain = parseaddr(sender)[1].rpartition("@")[2] or "kanava.invalid"
    return f"<{idempotency_key}.{contact_id}@{domain}>"


def send(connection: smtplib.SMTP, release: Release, to: str, mid: str) -> None:
    """Hand one copy to the server; raises smtplib's errors for the caller to classify."""
    mail = release.email(to, mid)
    sender = parseaddr(release.sender)[1]
    connection.sendmail(sender, [to], mail.message().as_bytes(linesep="\r\n"))


def image_attachment(image) -> Attachment | None:
    """A message image as an attachment, read through the storage API; None if unreadable."""
    from PIL import Image

    try:
        with image.file.open("rb") as handle:
            content = handle.read()
    except OSError:
        return None
    filename = posixpath.basename(image.file.name)
    mimetype = mimetypes.guess_type(filename)[0] or ""
    if not mimetype.startswith("image/"):
        try:
            import io

            with Image.open(io.BytesIO(content)) as opened:
                mimetype = Image.MIME.get(opened.format or "", "application/octet-stream")
        except OSError:
            mimetype = "application/octet-stream"
    return Attachment(filename=filename, content=content, mimetype=mimetype)
