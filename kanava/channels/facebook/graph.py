"""Meta's Graph API, shared by the Facebook and Instagram channels.

Plain HTTP with ``requests``: Meta publishes no maintained Python SDK for
Pages and Instagram publishing (``facebook-sdk`` was abandoned in 2020;
``facebook_business`` is for the Marketing API).  Everything platform
specific about talking to Graph lives here:

- :class:`GraphClient`: the API address and version come from the channel's
  settings (``api_base_url`` + ``graph_version``); the token goes in the
  ``Authorization`` header, never in a logged URL; after every successful
  answer Meta's usage headers are read (:func:`errors.note_usage`), so the
  channel pauses before Meta starts refusing;
- :func:`error_from`: Graph's ``{"error": {"code", "error_subcode", ...}}``
  as a translated :class:`~kanava.channels.base.ChannelError`: code 190 (the
  token expired or was invalidated) means reconnect; codes 4, 17, 32, 613
  and 80001-80014 are rate limits (wait as Meta's usage headers say); 9 /
  2207042 is Instagram's 24-hour publishing quota; 9004 / 2207052 an image
  Instagram could not fetch; ``is_transient`` and codes 1, 2 are retried;
- Facebook Login (:func:`login_spec`, :func:`long_lived`, :func:`managed_pages`):
  both channels connect the same way.  Meta has no refresh tokens: the
  code gives a short-lived user token, exchanged at once for a long-lived
  one (about 60 days); the Page token read with it from ``/me/accounts`` is
  what posts.  When the user token runs out a person must sign in again, so
  the channel's ``token_expires_at`` is the user token's and the health
  page warns two weeks ahead;
- listening (:func:`each_entry`, :func:`reply_target`, :class:`MetaListening`):
  what both adapters' inbox sides share: reading a Graph list page after
  page, the comment a reply goes under, being ready to call.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Any

import requests
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanava.channels.base import ChannelError, Config
from kanava.channels.social import errors
from kanava.channels.social.oauth import OAuthSpec

DEFAULT_API_BASE_URL = "https://graph.facebook.com"
DEFAULT_AUTH_BASE_URL = "https://www.facebook.com"
DEFAULT_GRAPH_VERSION = "v21.0"
TIMEOUT = (10, 60)

TOKEN_CODES = {102, 190, 2500}
RATE_LIMIT_CODES = {4, 17, 32, 613} | set(range(80001, 80015))
PERMISSION_CODES = {10} | set(range(200, 300))
TRANSIENT_CODES = {1, 2, -1, -2}
TRANSIENT_SUBCODES = {2207001, 2207003, 2207008, 2207032, 2207053}
QUOTA_SUBCODE = 2207042
FETCH_SUBCODES = {2207052}
#: Instagram's publishing quota is a rolling 24 hours: look again after this long.
QUOTA_WAIT = 60 * 60
EXPIRED_SUBCODE = 463
#: "Session has expired on Tuesday, 05-Nov-24 04:00:00 PST."
EXPIRED_ON = re.compile(r"expired on \w+, (\d{2}-\w{3}-\d{2} \d{2}:\d{2}:\d{2}) ([A-Z]{3})")
ZONE_OFFSETS = {"PST": -8, "PDT": -7, "UTC": 0, "GMT": 0}
VERSION = re.compile(r"^v\d+\.\d+$")
#: Pages of a list read in one go (comments under one post, replies to one comment).
MAX_PAGES = 50

logger = logging.getLogger("kanava.meta")


def _is_address(value: str) -> bool:
    return str(value or "").startswith(("https://", "http://"))


@dataclass
class MetaConfig(Config):
    """Settings both Meta channels share; the App Secret and tokens live in ``channel.secrets``."""

    api_base_url: str = field(default=DEFAULT_API_BASE_URL, metadata={
        "label": gettext_lazy("Graph API address"),
        "help": gettext_lazy("Meta's Graph API, https://graph.facebook.com unless testing.")})
    auth_base_url: str = field(default=DEFAULT_AUTH_BASE_URL, metadata={
        "label": gettext_lazy("Sign-in address"),
        "help": gettext_lazy("Where people sign in to Facebook, https://www.facebook.com unless testing.")})
    graph_version: str = field(default=DEFAULT_GRAPH_VERSION, metadata={
        "label": gettext_lazy("Graph API version"),
        "help": gettext_lazy("For example v21.0. Meta retires each version about two years after it comes out: "
                             "then enter a newer one.")})
    client_id: str = field(default="", metadata={
        "label": gettext_lazy("App ID"),
        "help": gettext_lazy("The App ID of the organisation's app in Meta's developer dashboard.")})
    page_id: str = field(default="", metadata={
        "label": gettext_lazy("Facebook Page id"),
        "help": gettext_lazy("The Page to publish on. Empty: the first Page the person connecting manages.")})
    webhook_verify_token: str = field(default="", metadata={
        "label": gettext_lazy("Webhook verify token"),
        "help": gettext_lazy("Optional. A word of your choice: enter it also as the Verify Token in Meta's app "
                             "dashboard, with the Callback URL ending in /hooks/facebook/. Comments then arrive at "
                             "once instead of at the next check.")})

    def api_url(self, path: str) -> str:
        return f"{self.api_base_url.rstrip('/')}/{self.graph_version}/{path.lstrip('/')}"

    def auth_url(self, path: str) -> str:
        return f"{self.auth_base_url.rstrip('/')}/{path.lstrip('/')}"

    def problems(self) -> list[str]:
        problems = []
        if not _is_address(self.api_base_url):
            problems.append(_("Enter the Graph API address as a full address starting with https://."))
        if not _is_address(self.auth_base_url):
            problems.append(_("Enter the sign-in address as a full address starting with https://."))
        if not VERSION.match(str(self.graph_version or "")):
            problems.append(_("Enter the Graph API version as v and two numbers, for example v21.0."))
        if self.client_id and not str(self.client_id).isdigit():
            problems.append(_("The App ID is a number: copy it from Meta's developer dashboard."))
        if self.page_id and not str(self.page_id).isdigit():
            problems.append(_("The Page id is a number: find it in the Page's About section."))
        return problems


# -- errors ---------------------------------------------------------------------------

def _graph_error(body: Any) -> dict:
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def expired_at(message: str) -> datetime | None:
    """The moment Graph says a token expired (``Session has expired on Tuesday, 05-Nov-24 04:00:00 PST``)."""
    found = EXPIRED_ON.search(message or "")
    if not found or found.group(2) not in ZONE_OFFSETS:
        return None
    try:
        moment = datetime.strptime(found.group(1), "%d-%b-%y %H:%M:%S")
    except ValueError:
        return None
    return moment.replace(tzinfo=dt_timezone(timedelta(hours=ZONE_OFFSETS[found.group(2)])))


def _token_error(channel, error: dict) -> ChannelError:
    """The token no longer works: when Meta says it expired, remember when, so the message names the date."""
    from kanava.channels.models import Channel

    if _int(error.get("error_subcode")) == EXPIRED_SUBCODE:
        now = timezone.now()
        moment = min(expired_at(str(error.get("message") or "")) or now, now)
        if channel.token_expires_at is None or channel.token_expires_at > now:
            Channel.objects.filter(pk=channel.pk).update(token_expires_at=moment)
            channel.token_expires_at = moment
    return errors.expired_error(channel)


def error_from(channel, status: int | None, headers, body: Any, detail: str = "") -> ChannelError:
    """A Graph answer (``status`` None: no answer at all) as a translated ChannelError."""
    label = errors.platform_label(channel)
    error = _graph_error(body)
    code, subcode = _int(error.get("code")), _int(error.get("error_subcode"))
    detail = str(error.get("error_user_msg") or error.get("message") or detail or "").strip()[:500]
    if status is None:
        return errors.error_for(channel, None, detail=detail)
    if code in TOKEN_CODES:
        return _token_error(channel, error)
    if code in RATE_LIMIT_CODES:
        wait = errors.retry_after_seconds(headers or {}) or float(errors.META_DEFAULT_WAIT)
        return errors.error_for(channel, 429, {"Retry-After": str(math.ceil(wait))}, detail)
    if subcode == QUOTA_SUBCODE:
        errors.pause_channel(channel, QUOTA_WAIT)
        return ChannelError(_("%(platform)s's limit of posts in 24 hours is used up; trying again in %(minutes)s "
                              "min.") % {"platform": label, "minutes": QUOTA_WAIT // 60}, retry_after=QUOTA_WAIT)
    if code == 9004 or subcode in FETCH_SUBCODES:
        return ChannelError(_("%(platform)s could not fetch the image (%(detail)s). Images must be reachable "
                              "from the internet at the site's public address.") % {
            "platform": label, "detail": detail}, permanent=True)
    if status >= 500 or error.get("is_transient") or code in TRANSIENT_CODES or subcode in TRANSIENT_SUBCODES:
        return ChannelError(_("%(platform)s had a temporary problem (%(detail)s); trying again.") % {
            "platform": label, "detail": detail or status}, retry_after=errors.retry_after_seconds(headers or {}))
    if code in PERMISSION_CODES:
        text = _("%(platform)s refused: %(detail)s. Reconnect the account and allow every permission Kanava "
                 "asks for.") % {"platform": label, "detail": detail or status}
        errors.mark_broken(channel, text)
        return ChannelError(text, permanent=True)
    return errors.error_for(channel, status if 400 <= status < 500 else 400, headers, detail)


def parse_time(value) -> datetime | None:
    """Graph's ``2024-11-05T12:00:00+0000``; None if it is not one."""
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


# -- calls ----------------------------------------------------------------------------

def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {}


class GraphClient:
    """One channel's calls to the Graph API; every failure comes out as a ChannelError."""

    def __init__(self, channel, config: MetaConfig, session: requests.Session | None = None):
        self.channel = channel
        self.config = config
        self.session = session or requests.Session()

    def send(self, method: str, path: str, token: str | None, **kwargs) -> requests.Response:
        """One raw request; raises requests' own exceptions (for worker threads: map with :meth:`checked`)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.session.request(method, self.config.api_url(path), headers=headers, timeout=TIMEOUT, **kwargs)

    def checked(self, answer) -> dict:
        """The JSON of a successful answer, after noting Meta's usage; a ChannelError otherwise.

        ``answer`` is a response or the exception :meth:`send` raised.  Call it
        in the thread that may write to the database (it pauses the channel).
        """
        if isinstance(answer, Exception):
            raise error_from(self.channel, None, {}, {}, detail=answer.__class__.__name__)
        body = _json(answer)
        if answer.status_code >= 400 or _graph_error(body):
            raise error_from(self.channel, answer.status_code, answer.headers, body, detail=answer.reason)
        errors.note_usage(self.channel, answer.headers)
        return body if isinstance(body, dict) else {"data": body}

    def answer(self, method: str, path: str, token: str | None, **kwargs):
        """The response, or the exception that stood for it; safe in worker threads (no database)."""
        try:
            return self.send(method, path, token, **kwargs)
        except requests.RequestException as error:
            return error

    def call(self, method: str, path: str, token: str | None, **kwargs) -> dict:
        return self.checked(self.answer(method, path, token, **kwargs))

    def get(self, path: str, token: str | None, **params) -> dict:
        return self.call("GET", path, token, params=params)

    def post(self, path: str, token: str | None, data: dict | None = None, files: dict | None = None) -> dict:
        return self.call("POST", path, token, data=data or {}, files=files)


def each_entry(graph: GraphClient, path: str, token: str, params: dict, first=None, max_pages: int = MAX_PAGES):
    """Every entry of a Graph list, page after page (``paging.cursors.after`` while Graph gives a ``next``).

    ``first`` is the first page's answer when it was already asked for (in a
    worker thread).  The ``next`` address itself is not followed: in real life
    it carries the token in the query string.  After ``max_pages`` pages the
    rest is left for the next time (a warning says so).
    """
    body = graph.checked(first) if first is not None else graph.get(path, token, **params)
    for _page in range(max_pages):
        yield from body.get("data") or []
        paging = body.get("paging") or {}
        after = (paging.get("cursors") or {}).get("after")
        if not paging.get("next") or not after:
            return
        body = graph.get(path, token, **{**params, "after": after})
    logger.warning("%s: more than %s pages under %s; the rest is read next time", graph.channel, max_pages, path)


def error_code(answer) -> tuple[int | None, int | None]:
    """Graph's ``(code, error_subcode)`` of a failed answer, (None, None) when it is not one."""
    if not isinstance(answer, requests.Response) or answer.status_code < 400:
        return None, None
    error = _graph_error(_json(answer))
    return _int(error.get("code")), _int(error.get("error_subcode"))


# -- Facebook Login ----------------------------------------------------------------------

def login_spec(config: MetaConfig, secrets: dict, scopes: list[str]) -> OAuthSpec:
    """Facebook Login's code flow for a server-side app: the App Secret goes with the code exchange.

    No PKCE: Meta documents it only for its OpenID Connect flow, still marked
    as being tested; a confidential web app proves itself with the App Secret.
    """
    if not config.client_id or not secrets.get("client_secret"):
        raise ChannelError(_("Enter the Meta app's App ID and App Secret in the channel settings first."),
                           permanent=True)
    return OAuthSpec(authorize_url=config.auth_url(f"{config.graph_version}/dialog/oauth"),
                     token_url=config.api_url("oauth/access_token"), client_id=str(config.client_id),
                     client_secret=secrets["client_secret"], scopes=list(scopes), scope_separator=",",
                     pkce=False, client_auth="body")


def long_lived(graph: GraphClient, secrets: dict, short_lived: str) -> tuple[str, datetime | None]:
    """Exchange a short-lived user token for a long-lived one: ``(token, when it expires)``."""
    body = graph.get("oauth/access_token", None, grant_type="fb_exchange_token",
                     client_id=str(graph.config.client_id), client_secret=secrets.get("client_secret", ""),
                     fb_exchange_token=short_lived)
    expires_in = _int(body.get("expires_in"))
    return body["access_token"], (timezone.now() + timedelta(seconds=expires_in)) if expires_in else None


def managed_pages(graph: GraphClient, user_token: str) -> list[dict]:
    """The Pages the person manages, each with its Page token and linked Instagram account."""
    body = graph.get("me/accounts", user_token, limit=100,
                     fields="id,name,access_token,instagram_business_account{id,username}")
    return [page for page in body.get("data") or [] if page.get("id") and page.get("access_token")]


def pick_page(pages: list[dict], page_id: str) -> dict:
    """The configured Page, or the first one; a translated ChannelError when there is none to pick."""
    if not pages:
        raise ChannelError(_("The account you signed in with manages no Facebook Page. Sign in as a person who "
                             "manages the organisation's Page, and allow Kanava to use it."), permanent=True)
    if page_id:
        for page in pages:
            if str(page["id"]) == str(page_id):
                return page
        raise ChannelError(_("The account you signed in with does not manage the Page %(page)s, or did not allow "
                             "Kanava to use it.") % {"page": page_id}, permanent=True)
    return pages[0]


class MetaLogin:
    """Connecting through Facebook Login, shared by the Facebook and Instagram adapters.

    ``scopes`` is set by each adapter.  Meta has no refresh tokens: a person
    signs in again before the long-lived user token runs out (the health page
    warns in advance).
    """

    scopes: list[str] = []

    def oauth_spec(self):
        return login_spec(self.config, self.secrets, self.scopes)

    def refresh(self) -> dict | None:
        return None


# -- listening: shared by both adapters' inbox side ----------------------------------------

#: Polling asks again from this long before the newest comment it saw (Meta's clock; late arrivals).
OVERLAP = timedelta(minutes=10)


def reply_target(item) -> str:
    """The comment a reply goes under: both platforms keep two levels, so a reply to a reply answers its top comment."""
    if item.parent_id and item.parent_id != item.thread_id:
        return item.parent_id
    return item.external_id


def moment_of(value) -> datetime | None:
    """A Graph time (``2024-11-05T12:00:00+0000``) or a Unix time in seconds, as an aware datetime."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(float(value), dt_timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    return parse_time(value)


class MetaListening:
    """What the Facebook and Instagram adapters' inbox sides share: being ready to call Graph."""

    def ready_to_call(self) -> None:
        """Raise a ChannelError when the channel is paused or not connected; renew what can be renewed."""
        self.check_not_paused()
        if not self.is_connected():
            raise ChannelError(_("%(channel)s is not connected: connect the account on the Connections page.")
                               % {"channel": self.channel.name}, permanent=True)
        self.ensure_fresh_token()

    def succeeded(self, body: dict) -> None:
        """Graph's ``{"success": true}``; a ChannelError when it says otherwise."""
        if body.get("success") is not True:
            raise ChannelError(_("%(platform)s did not confirm the change; trying again.") % {
                "platform": self.channel.manifest.label})
