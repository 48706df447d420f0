"""The HTTP client of Kanava's generic SMS gateway protocol (see README.md).

It speaks HTTP and nothing else: which recipient was sent is the adapter's
bookkeeping.  Every failure is a :class:`GatewayError` that says whether the
gateway may have received the request (``handed_over``): when it surely did
not, the recipients can simply be sent again; when it may have, only a
lookup by reference can tell.
"""

from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone

import requests
from django.utils.translation import gettext as _
from urllib3.exceptions import ConnectTimeoutError

from kanava.channels.base import ChannelError
from kanava.channels.sms.config import SmsConfig

CONNECT_TIMEOUT = 5
THROTTLED = {429, 503}
PERMANENT_4XX_EXCEPT = {408, 429}


class GatewayError(ChannelError):
    """A failed request.  ``handed_over`` is False when nothing can have been sent."""

    def __init__(self, message: str, *, handed_over: bool, permanent: bool = False,
                 retry_after: float | None = None):
        super().__init__(message, permanent=permanent, retry_after=retry_after)
        self.handed_over = handed_over


@dataclass
class Answer:
    """The gateway's word on one recipient."""

    to: str
    reference: str
    id: str
    status: str  # "accepted" | "rejected"
    error: str = ""

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"

    @classmethod
    def from_json(cls, data: dict) -> "Answer":
        return cls(to=str(data.get("to", "")), reference=str(data.get("reference", "")), id=str(data.get("id", "")),
                   status=str(data.get("status", "")), error=str(data.get("error", "")))


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: either a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _never_connected(error: requests.RequestException) -> bool:
    """True when the request cannot have reached the gateway (no connection was made)."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    seen, current = set(), error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        # urllib3 wraps a refused or unresolvable connection in
        # NewConnectionError, a ConnectTimeoutError, inside MaxRetryError.
        reason = getattr(current, "reason", None)
        if isinstance(current, ConnectTimeoutError) or isinstance(reason, ConnectTimeoutError):
            return True
        nested = current.args[0] if getattr(current, "args", None) else None
        current = nested if isinstance(nested, BaseException) else current.__cause__ or current.__context__
    return False


class GatewayClient:
    """One HTTP session to the gateway; close it when done."""

    def __init__(self, config: SmsConfig, secrets: dict):
        self.config = config
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"
        if secrets.get("token"):
            self.session.headers["Authorization"] = f"Bearer {secrets['token']}"
        else:
            self.session.auth = (config.username or "", secrets.get("password", ""))
        self.timeout = (CONNECT_TIMEOUT, float(config.timeout_seconds))

    def close(self) -> None:
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, text: str, recipients: list[tuple[str, str]]) -> list[Answer]:
        """Send ``text`` to ``[(number, reference), ...]``; the gateway's answer per recipient.

        Raises :class:`GatewayError`.
        """
        payload = {"sender": self.config.sender, "text": text,
                   "recipients": [{"to": to, "reference": reference} for to, reference in recipients]}
        try:
            response = self.session.post(self.config.messages_url, json=payload, timeout=self.timeout)
        except requests.RequestException as error:
            raise GatewayError(_("The SMS gateway could not be reached: %(error)s") % {"error": error},
                               handed_over=not _never_connected(error)) from error
        self._raise_for_status(response)
        return self._answers(response, handed_over=True)

    def lookup(self, reference: str) -> list[Answer]:
        """What the gateway knows of the message with this reference (empty: nothing).

        Raises :class:`GatewayError` when it cannot be asked.
        """
        try:
            response = self.session.get(self.config.messages_url, params={"reference": reference},
                                        timeout=self.timeout)
        except requests.RequestException as error:
            raise GatewayError(str(error), handed_over=False) from error
        self._raise_for_status(response)
        return self._answers(response, handed_over=False)

    # -- reading answers ---------------------------------------------------------
    def _raise_for_status(self, response: requests.Response) -> None:
        status = response.status_code
        if status in (200, 201):
            return
        if status in THROTTLED:
            raise GatewayError(_("The SMS gateway asked to wait (HTTP %(status)s).") % {"status": status},
                               handed_over=False, retry_after=retry_after_seconds(response.headers.get("Retry-After")))
        if status in (401, 403):
            raise GatewayError(_("The SMS gateway refused the credentials (HTTP %(status)s).") % {"status": status},
                               handed_over=False, permanent=True)
        if 400 <= status < 500 and status not in PERMANENT_4XX_EXCEPT:
            raise GatewayError(_("The SMS gateway refused the request (HTTP %(status)s): %(body)s")
                               % {"status": status, "body": response.text[:300]}, handed_over=False, permanent=True)
        if status == 408:
            raise GatewayError(_("The SMS gateway timed out (HTTP 408)."), handed_over=False)
        # Another 5xx: the gateway may have queued part of the request.
        raise GatewayError(_("The SMS gateway failed (HTTP %(status)s).") % {"status": status}, handed_over=True,
                           retry_after=retry_after_seconds(response.headers.get("Retry-After")))

    def _answers(self, response: requests.Response, handed_over: bool) -> list[Answer]:
        try:
            messages = response.json()["messages"]
            return [Answer.from_json(m) for m in messages]
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise GatewayError(_("The SMS gateway gave an answer that cannot be read."),
                               handed_over=handed_over) from error
