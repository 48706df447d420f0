"""The SMS channel's typed configuration and its checks."""

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanava.channels.base import Config

# An alphanumeric sender name: letters and digits (and spaces), at most 11
# characters, at least one letter; or an international number.
ALPHANUMERIC_SENDER = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")
NUMERIC_SENDER = re.compile(r"^\+?[0-9]{3,15}$")


@dataclass
class SmsConfig(Config):
    """Non-secret settings; the password or token lives in ``channel.secrets``."""

    base_url: str = field(default="", metadata={
        "label": gettext_lazy("Gateway address"),
        "help": gettext_lazy("The gateway API's base address, for example https://sms.example.fi/api/v1.")})
    sender: str = field(default="", metadata={
        "label": gettext_lazy("Sender name"),
        "help": gettext_lazy("Up to 11 letters or digits, shown as the sender on phones.")})
    username: str = field(default="", metadata={"label": gettext_lazy("User name")})
    price_per_segment_cents: float = field(default=6, metadata={
        "label": gettext_lazy("Price per segment (cents)"),
        "help": gettext_lazy("Used for the cost estimate editors see before sending.")})
    max_segments: int = field(default=6, metadata={
        "label": gettext_lazy("Longest message (segments)"),
        "help": gettext_lazy("A longer text cannot be published on this channel.")})
    max_recipients_per_request: int = field(default=100, metadata={
        "label": gettext_lazy("Recipients per request")})
    timeout_seconds: float = field(default=30, metadata={
        "label": gettext_lazy("Time to wait for the gateway (seconds)")})

    @property
    def messages_url(self) -> str:
        return self.base_url.rstrip("/") + "/messages"

    def problems(self) -> list[str]:
        """What keeps this configuration from working, in whole translated sentences."""
        problems = []
        url = urlsplit(self.base_url or "")
        if url.scheme not in ("http", "https") or not url.netloc:
            problems.append(_("Enter the gateway's base address, starting with https://."))
        if not (ALPHANUMERIC_SENDER.match(self.sender or "") or NUMERIC_SENDER.match(self.sender or "")):
            problems.append(
                _("The sender name must be 1 to 11 letters or digits (for example Pikkula), or a phone number.")
            )
        if int(self.max_segments) < 1:
            problems.append(_("Allow at least one segment per message."))
        if not 1 <= int(self.max_recipients_per_request) <= 1000:
            problems.append(_("Send to between 1 and 1000 recipients per request."))
        if float(self.price_per_segment_cents) < 0:
            problems.append(_("The price per segment cannot be negative."))
        return problems
