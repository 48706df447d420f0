"""The email channel's typed configuration and whose SMTP server and credentials it uses."""

from dataclasses import dataclass, field, fields

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanava.channels.base import Config
from kanava.channels.email import addresses
from kanava.channels.email.mailbox import Mailbox
from kanava.channels.forms import LABELS

#: Name of the SMTP password in ``Channel.secrets`` (what the settings form stores).
PASSWORD = "password"
#: Name of the IMAP password in ``Channel.secrets``.
IMAP_PASSWORD = "imap_password"
#: Name of the inbound-mail secret in ``Channel.secrets`` (the endpoint's token is derived from it).
INBOUND_SECRET = "inbound_secret"


@dataclass
class EmailConfig(Config):
    """What an email channel is configured with; the password is in ``channel.secrets["password"]``.

    An empty ``smtp_host`` means the installation's own server (``EMAIL_*``
    settings), and only then are the installation's user name and password
    used: a channel pointed at another server never gets them.
    """

    from_name: str = ""  # default: the organisation's name in the message's language
    from_address: str = ""  # default: the address in DEFAULT_FROM_EMAIL
    reply_to: str = ""
    list_id: str = ""  # default: <channel id>.<organisation slug>.<sender's domain>
    smtp_host: str = field(default="", metadata={
        "help": gettext_lazy("Leave empty to send through this installation's own mail server.")})
    smtp_port: int = field(default=0, metadata={
        "help": gettext_lazy("0 or empty: the usual port (25, or 465 with TLS from the start).")})
    # Port, STARTTLS and TLS apply to the channel's own server; the
    # installation's is reached with its EMAIL_* settings.
    smtp_user: str = ""
    smtp_tls: bool | None = None  # STARTTLS; default: EMAIL_USE_TLS
    smtp_ssl: bool = False
    smtp_timeout: float = 0  # default: EMAIL_TIMEOUT, else 30 seconds
    # Bounces go to bounces+<token>@bounce_domain (VERP) when this is set.
    bounce_domain: str = ""
    # The mailbox residents write to (the feedback address, the newsletter's
    # Reply-To), read over IMAP for the inbox; empty imap_host: not read.
    imap_host: str = field(default="", metadata={
        "label": gettext_lazy("IMAP server of the feedback mailbox"),
        "help": gettext_lazy("Messages to the feedback address and replies to the newsletter are read from this "
                             "mailbox into the inbox. Leave empty to not read any mailbox.")})
    imap_port: int = field(default=0, metadata={
        "label": gettext_lazy("IMAP port"),
        "help": gettext_lazy("0 or empty: the usual port (993 with TLS, 143 without).")})
    imap_tls: bool = field(default=True, metadata={
        "label": gettext_lazy("IMAP with TLS from the start"),
        "help": gettext_lazy("Without it, the connection is encrypted with STARTTLS when the server offers it.")})
    imap_user: str = field(default="", metadata={"label": gettext_lazy("IMAP user name")})
    imap_folder: str = field(default="INBOX", metadata={
        "label": gettext_lazy("IMAP folder to read"),
        "help": gettext_lazy("Messages are only read, never moved, marked or deleted.")})
    imap_sent_folder: str = field(default="", metadata={
        "label": gettext_lazy("IMAP folder where the mail server files sent mail"),
        "help": gettext_lazy("Optional. When the mail server keeps a copy of what it sends, an answer whose "
                             "sending was interrupted is looked for there instead of being marked uncertain.")})

    def __post_init__(self):
        for item in fields(self):
            if item.type is str and not isinstance(getattr(self, item.name), str):
                setattr(self, item.name, str(getattr(self, item.name) or ""))
        self.smtp_port = _number(self.smtp_port, int)
        self.smtp_timeout = _number(self.smtp_timeout, float)
        self.smtp_tls = None if self.smtp_tls in (None, "") else _flag(self.smtp_tls)
        self.smtp_ssl = _flag(self.smtp_ssl)
        self.imap_port = _number(self.imap_port, int)
        self.imap_tls = _flag(self.imap_tls)
        self.imap_folder = self.imap_folder.strip() or "INBOX"

    # -- the server ----------------------------------------------------------------
    @property
    def own_server(self) -> bool:
        return bool(self.smtp_host.strip())

    @property
    def host(self) -> str:
        return self.smtp_host.strip() if self.own_server else (settings.EMAIL_HOST or "127.0.0.1")

    @property
    def port(self) -> int:
        if not self.own_server:
            return int(settings.EMAIL_PORT or 25)
        return self.smtp_port or (465 if self.smtp_ssl else 25)

    @property
    def user(self) -> str:
        if self.own_server:
            return self.smtp_user
        return self.smtp_user or getattr(settings, "EMAIL_HOST_USER", "")

    @property
    def starttls(self) -> bool:
        # The installation's server is reached the way the installation says
        # (a form's unticked box must not turn its TLS off).
        if not self.own_server or self.smtp_tls is None:
            return bool(getattr(settings, "EMAIL_USE_TLS", False))
        return self.smtp_tls

    @property
    def ssl(self) -> bool:
        return self.smtp_ssl if self.own_server else bool(getattr(settings, "EMAIL_USE_SSL", False))

    @property
    def timeout(self) -> float:
        return self.smtp_timeout or float(getattr(settings, "EMAIL_TIMEOUT", None) or 30)

    def password(self, secrets: dict) -> str:
        """The channel's own password, else the installation's for the installation's server only."""
        if secrets.get(PASSWORD):
            return secrets[PASSWORD]
        return "" if self.own_server else getattr(settings, "EMAIL_HOST_PASSWORD", "")

    # -- the feedback mailbox (IMAP) -------------------------------------------------
    @property
    def reads_mailbox(self) -> bool:
        return bool(self.imap_host.strip())

    def mailbox(self, secrets: dict, folder: str = "") -> Mailbox:
        """Where and how to read the feedback mailbox (or the sent folder, with ``folder``)."""
        return Mailbox(host=self.imap_host.strip(), port=self.imap_port or (993 if self.imap_tls else 143),
                       tls=self.imap_tls, user=self.imap_user.strip(), password=secrets.get(IMAP_PASSWORD, ""),
                       folder=folder or self.imap_folder, timeout=self.timeout)

    # -- checks ------------------------------------------------------------------
    def problems(self) -> list[str]:
        """Reasons these settings cannot be used, translated; they end up in mail headers, SMTP and IMAP."""
        found = []
        for name in ("from_name", "from_address", "reply_to", "list_id", "smtp_host", "smtp_user",
                     "bounce_domain", "imap_host", "imap_user", "imap_folder", "imap_sent_folder"):
            if addresses.has_control(getattr(self, name)):
                found.append(_line_break_problem(name))
        if found:
            return found
        checks = [
            # The sender address is also the envelope sender, which SMTP wants in ASCII.
            ("from_address", lambda v, label: addresses.address_problem(v, label, ascii_only=True)),
            ("reply_to", addresses.address_problem),
            ("list_id", addresses.list_id_problem),
            ("bounce_domain", addresses.domain_problem),
        ]
        for name, check in checks:
            value = getattr(self, name).strip()
            problem = check(value, LABELS[name]) if value else None
            if problem:
                found.append(problem)
        for name in ("smtp_host", "imap_host"):
            if any(c.isspace() for c in getattr(self, name).strip()):
                found.append(_("%(setting)s must be a host name or an IP address, without spaces.")
                             % {"setting": _label(name)})
        return found


def _label(name: str) -> str:
    meta = next((f.metadata for f in fields(EmailConfig) if f.name == name), {})
    return str(meta.get("label") or LABELS.get(name) or name)


def _line_break_problem(name: str) -> str:
    return _("%(setting)s must be on one line.") % {"setting": _label(name)}


def _number(value, kind):
    try:
        return max(kind(0), kind(value or 0))
    except (TypeError, ValueError):
        return kind(0)


def _flag(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)
