"""LinkedIn: posts on an organisation page (or a voice's own profile) through LinkedIn's REST API.

Plain HTTP with ``requests`` against LinkedIn's documented, versioned REST API
(learn.microsoft.com/linkedin, Marketing and Community Management): the
official ``linkedin-api-client`` package has not been maintained since 2023
and adds nothing the few calls below need, so depending on it would only
tie Kanava to an abandoned library.

The calls, each with ``LinkedIn-Version: <api_version>`` and
``X-Restli-Protocol-Version: 2.0.0``:

- ``POST /rest/images?action=initializeUpload`` and a ``PUT`` of the bytes to
  the upload address it gives, per image (alternative text goes with the post);
- ``POST /rest/posts``: 201 with the post's URN in ``x-restli-id``;
- ``GET /rest/posts?q=author``: after an attempt whose answer was lost, was
  the post made?  LinkedIn also refuses the same text again soon after with
  a 422 naming the earlier post, which Kanava takes as that post;
- ``GET /rest/organizationalEntityShareStatistics`` (20 posts a request) for
  a page's posts, ``GET /rest/socialActions/{urn}`` for a person's;
- ``GET /v2/userinfo``, ``GET /rest/organizationAcls`` and
  ``GET /rest/organizations/{id}`` when connecting;
- the Comments API for the inbox (``inbox.py``): residents' comments on our
  posts in, our answers out as the page.
"""

from __future__ import annotations

import io
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from urllib.parse import quote, urlsplit

import requests
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanava.channels.base import ChannelError, Config, LookupUnsupported
from kanava.channels.linkedin.inbox import LinkedInInbox
from kanava.channels.social import errors, tokens
from kanava.channels.social.adapter import Connection, Metrics, Outgoing, PostRef, SocialAdapter
from kanava.channels.social.metrics import PARALLEL, fetch_each
from kanava.channels.social.oauth import OAuthSpec

#: LinkedIn serves each monthly version for about a year; channels may set a newer one.
DEFAULT_API_VERSION = "202609"
RESTLI_PROTOCOL = "2.0.0"
TIMEOUT = 30
MAX_CHARACTERS = 3000
MAX_IMAGES = 20
MAX_ALT_TEXT = 4086
#: Share URNs per organizationalEntityShareStatistics request.
STATISTICS_BATCH = 20
#: How many of the author's latest posts are searched for a post whose answer was lost.
FIND_COUNT = 20
#: LinkedIn's 429 says nothing about how long to wait (its quotas are daily): wait this long.
THROTTLE_WAIT = 15 * 60

#: An organisation page: post and read its posts and figures, find the pages the person administers.
ORGANIZATION_SCOPES = ["w_organization_social", "r_organization_social", "rw_organization_admin", "openid",
                       "profile", "w_member_social"]
#: A voice's own profile: who they are, post as them, read their posts' likes and comments.
MEMBER_SCOPES = ["openid", "profile", "w_member_social", "r_member_social"]
#: The image formats LinkedIn's Images API takes; others are converted to PNG first.
IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif"}

#: Reserved characters of LinkedIn's "little text format" (``#`` is handled apart: it may start a hashtag).
RESERVED = set("\\|{}@[]()<>*_~")
HASHTAG = re.compile(r"#\w")
ESCAPED = re.compile(r"\\(.)", re.DOTALL)
DUPLICATE = re.compile(r"duplicate of (urn:li:(?:share|ugcPost):\d+)", re.IGNORECASE)
API_VERSION = re.compile(r"^\d{6}(\.\d{2})?$")


def escape_little(text: str) -> str:
    """``text`` as a commentary in LinkedIn's little text format, shown to readers exactly as written.

    Every reserved character (``\\ | { } @ [ ] ( ) < > * _ ~``) gets a backslash:
    unescaped, LinkedIn takes it for markup (a mention, a template) and cuts
    or garbles the post while still answering 201.  A ``#`` that starts a word
    stays as it is, so hashtags still link; any other ``#`` is escaped.
    """
    out = []
    for index, char in enumerate(text):
        if char in RESERVED or (char == "#" and not HASHTAG.match(text, index)):
            out.append("\\")
        out.append(char)
    return "".join(out)


def unescape_little(commentary: str) -> str:
    """The plain text of a commentary written by :func:`escape_little`."""
    return ESCAPED.sub(r"\1", commentary)


@dataclass
class LinkedInConfig(Config):
    """Non-secret settings; the app's client secret and the tokens live in ``channel.secrets``."""

    api_base_url: str = field(default="https://api.linkedin.com", metadata={
        "label": gettext_lazy("API address"),
        "help": gettext_lazy("LinkedIn's API, https://api.linkedin.com unless testing.")})
    auth_base_url: str = field(default="https://www.linkedin.com", metadata={
        "label": gettext_lazy("Sign-in address"),
        "help": gettext_lazy("Where people sign in to LinkedIn, https://www.linkedin.com unless testing.")})
    api_version: str = field(default=DEFAULT_API_VERSION, metadata={
        "label": gettext_lazy("API version"),
        "help": gettext_lazy("LinkedIn's monthly API version as YYYYMM. LinkedIn retires a version after about "
                             "a year: then enter a newer one.")})
    client_id: str = field(default="", metadata={
        "label": gettext_lazy("App client id"),
        "help": gettext_lazy("From the organisation's app in LinkedIn's developer portal.")})
    organization_id: str = field(default="", metadata={
        "label": gettext_lazy("Page (organisation) id"),
        "help": gettext_lazy("The number of the LinkedIn page to post on. Empty: the first page the person "
                             "connecting administers.")})

    def api_url(self, path: str) -> str:
        return self.api_base_url.rstrip("/") + path

    def auth_url(self, path: str) -> str:
        return self.auth_base_url.rstrip("/") + path

    def problems(self) -> list[str]:
        """What keeps these settings from working, in whole translated sentences."""
        problems = []
        if not _is_address(self.api_base_url):
            problems.append(_("Enter the API address as a full address starting with https://."))
        if not _is_address(self.auth_base_url):
            problems.append(_("Enter the sign-in address as a full address starting with https://."))
        if not API_VERSION.match(str(self.api_version or "")):
            problems.append(_("Enter the API version as six digits, year and month (for example 202609)."))
        if self.organization_id and not str(self.organization_id).isdigit():
            problems.append(_("The page id is a number (the digits at the end of urn:li:organization:…)."))
        return problems


class LinkedInAdapter(LinkedInInbox, SocialAdapter):
    kind = "linkedin"
    default_limit = MAX_CHARACTERS
    threads = False
    max_images = MAX_IMAGES
    config_class = LinkedInConfig
    secret_fields = {
        "client_secret": gettext_lazy("App client secret"),
        "access_token": gettext_lazy("Access token"),
        "refresh_token": gettext_lazy("Refresh token"),
    }

    # -- HTTP ---------------------------------------------------------------------------
    @cached_property
    def session(self) -> requests.Session:
        return requests.Session()

    def _send(self, method: str, url: str, *, token: str | None = None, versioned: bool = True,
              headers: dict | None = None, **kwargs) -> requests.Response:
        """One request as LinkedIn wants it; raises requests' own exceptions (callers map them)."""
        sent = {"Authorization": f"Bearer {token or self.secrets.get('access_token', '')}"}
        if versioned:
            sent.update({"LinkedIn-Version": str(self.config.api_version),
                         "X-Restli-Protocol-Version": RESTLI_PROTOCOL})
        sent.update(headers or {})
        if not url.startswith(("http://", "https://")):
            url = self.config.api_url(url)
        return self.session.request(method, url, headers=sent, timeout=TIMEOUT, **kwargs)

    def _call(self, method: str, url: str, *, allow: tuple[int, ...] = (), token: str | None = None,
              retried: bool = False, **kwargs) -> requests.Response:
        """A request whose failure becomes a translated ChannelError (``allow``: statuses handed back instead)."""
        try:
            response = self._send(method, url, token=token, **kwargs)
        except requests.RequestException as error:
            raise errors.error_for(self.channel, None, detail=error.__class__.__name__) from error
        if response.status_code == 401 and token is None and not retried and self._refreshed_after(response):
            return self._call(method, url, allow=allow, retried=True, **kwargs)
        return self._checked(response, allow)

    def _checked(self, response: requests.Response, allow: tuple[int, ...] = ()) -> requests.Response:
        if response.status_code in allow:
            return response
        if response.status_code >= 400:
            raise self._error(response)
        errors.note_usage(self.channel, response.headers)
        return response

    def _error(self, response: requests.Response) -> ChannelError:
        """LinkedIn's ``{"status", "serviceErrorCode", "code", "message"}`` as a ChannelError."""
        body = _json(response)
        status, code = response.status_code, str(body.get("code") or "")
        message = str(body.get("message") or response.reason or status).strip()
        if status == 426 or code == "NONEXISTENT_VERSION":
            text = _("LinkedIn no longer serves API version %(version)s: enter a newer version (YYYYMM) in the "
                     "channel settings.") % {"version": self.config.api_version}
            errors.mark_broken(self.channel, text)
            return ChannelError(text, permanent=True)
        headers = dict(response.headers)
        if status == 429 and errors.retry_after_seconds(headers) is None:
            headers["Retry-After"] = str(THROTTLE_WAIT)
        return errors.error_for(self.channel, status, headers, message)

    def _refreshed_after(self, response: requests.Response) -> bool:
        """LinkedIn says the token expired sooner than we thought: refresh it once, if we can."""
        from kanava.channels.models import Channel

        if _json(response).get("code") != "EXPIRED_ACCESS_TOKEN" or not self.secrets.get("refresh_token"):
            return False
        now = timezone.now()
        Channel.objects.filter(pk=self.channel.pk).update(token_expires_at=now)
        self.channel.token_expires_at = now
        return tokens.ensure_fresh(self)

    # -- who posts ---------------------------------------------------------------------
    def author(self) -> str:
        """The page's URN, or for a personal profile the URN of the member who connected it."""
        if self.config.organization_id:
            return f"urn:li:organization:{self.config.organization_id}"
        member = (self.channel.platform_state or {}).get("member_id")
        if not member:
            member = self._userinfo()["sub"]
            self._remember_member(member)
        return f"urn:li:person:{member}"

    def _remember_member(self, member: str) -> None:
        from kanava.channels.models import Channel

        state = {**(self.channel.platform_state or {}), "member_id": member}
        Channel.objects.filter(pk=self.channel.pk).update(platform_state=state)
        self.channel.platform_state = state

    def _userinfo(self, token: str | None = None) -> dict:
        return _json(self._call("GET", "/v2/userinfo", token=token))

    def ref(self, urn: str) -> PostRef:
        return PostRef(id=urn, url=self.config.auth_url(f"/feed/update/{urn}/"))

    # -- publishing --------------------------------------------------------------------
    def post(self, out: Outgoing) -> PostRef:
        author = self.author()
        body = {
            "author": author,
            "commentary": escape_little(out.text),
            "visibility": "PUBLIC",
            "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                             "thirdPartyDistributionChannels": []},
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        content = self._content(out, author)
        if content:
            body["content"] = content
        response = self._call("POST", "/rest/posts", json=body, allow=(422,))
        if response.status_code == 422:
            earlier = DUPLICATE.search(str(_json(response).get("message") or ""))
            if earlier:  # the same text is already there: an earlier attempt made it
                return self.ref(earlier.group(1))
            raise self._error(response)
        urn = response.headers.get("x-restli-id") or response.headers.get("x-linkedin-id")
        if not urn:
            raise ChannelError(_("LinkedIn took the post but did not say which it is; checking again."))
        return self.ref(urn)

    def _content(self, out: Outgoing, author: str) -> dict | None:
        """One image as ``media``, several as ``multiImage``, each with its alternative text."""
        if not out.images:
            return None
        entries = []
        for image in out.images[:MAX_IMAGES]:
            entry = {"id": self._upload(image, author)}
            if image.alt.strip():
                entry["altText"] = image.alt.strip()[:MAX_ALT_TEXT]
            entries.append(entry)
        if len(entries) == 1:
            return {"media": entries[0]}
        return {"multiImage": {"images": entries}}

    def _upload(self, image, author: str) -> str:
        """Register an image with LinkedIn and upload its bytes; returns its ``urn:li:image:`` URN."""
        answer = _json(self._call("POST", "/rest/images?action=initializeUpload",
                                  json={"initializeUploadRequest": {"owner": author}}))
        value = answer.get("value") or {}
        if not value.get("uploadUrl") or not value.get("image"):
            raise ChannelError(_("LinkedIn did not give an address for the image; trying again."))
        data, content_type = linkedin_image(image)
        self._call("PUT", value["uploadUrl"], data=data, versioned=False, headers={"Content-Type": content_type})
        return value["image"]

    def find(self, out: Outgoing) -> PostRef | None:
        """The author's recent post with this text, if an earlier attempt made it; None if not there."""
        author = self.author()
        response = self._call("GET", f"/rest/posts?author={quote(author, safe='')}&q=author&count={FIND_COUNT}"
                                     f"&sortBy=LAST_MODIFIED", allow=(403,))
        if response.status_code == 403:  # no permission to read this member's posts
            raise LookupUnsupported
        commentary = escape_little(out.text)
        for element in _json(response).get("elements") or []:
            written = str(element.get("commentary") or "")
            if written == commentary or unescape_little(written) == out.text:
                return self.ref(str(element["id"]))
        return None

    # -- figures -----------------------------------------------------------------------
    def fetch_metrics_for(self, refs: list[PostRef]) -> dict[str, Metrics]:
        if not refs:
            return {}
        if self.config.organization_id:
            return self._share_statistics(refs)
        return self._social_actions(refs)

    def _share_statistics(self, refs: list[PostRef]) -> dict[str, Metrics]:
        """A page's posts: impressions, likes, comments and shares, 20 posts a request, a few requests at once."""
        urls = [self._statistics_url(refs[start:start + STATISTICS_BATCH])
                for start in range(0, len(refs), STATISTICS_BATCH)]
        urls = [url for url in urls if url]
        with ThreadPoolExecutor(max_workers=max(1, min(PARALLEL, len(urls)))) as pool:
            answers = list(pool.map(self._get_quietly, urls))
        found = {}
        for answer in answers:  # errors are mapped here, in the calling thread (they write to the database)
            for element in _json(self._answered(answer)).get("elements") or []:
                urn = element.get("share") or element.get("ugcPost")
                figures = element.get("totalShareStatistics") or {}
                if urn:
                    found[str(urn)] = Metrics(impressions=figures.get("impressionCount"),
                                              reactions=figures.get("likeCount"),
                                              comments=figures.get("commentCount"),
                                              shares=figures.get("shareCount"), raw=figures)
        return found

    def _statistics_url(self, refs: list[PostRef]) -> str:
        """Rest.li 2.0: ``List(...)`` stays as it is, each URN in it is URL-encoded."""
        organization = quote(f"urn:li:organization:{self.config.organization_id}", safe="")
        query = f"q=organizationalEntity&organizationalEntity={organization}"
        for name, kind in (("shares", ":share:"), ("ugcPosts", ":ugcPost:")):
            urns = [quote(ref.id, safe="") for ref in refs if kind in ref.id]
            if urns:
                query += f"&{name}=List({','.join(urns)})"
        if "List(" not in query:
            return ""
        return f"/rest/organizationalEntityShareStatistics?{query}"

    def _social_actions(self, refs: list[PostRef]) -> dict[str, Metrics]:
        """A person's posts: likes and comments per post (LinkedIn gives members no impressions)."""
        answers = fetch_each(refs, lambda ref: self._get_quietly(f"/rest/socialActions/{quote(ref.id, safe='')}"))
        found = {}
        for ref in refs:
            answer = answers.get(ref.id)
            if isinstance(answer, requests.Response) and answer.status_code in (404, 410):
                continue  # deleted on LinkedIn
            body = _json(self._answered(answer))
            likes = (body.get("likesSummary") or {}).get("totalLikes")
            comments = body.get("commentsSummary") or {}
            found[ref.id] = Metrics(reactions=likes, raw=body,
                                    comments=comments.get("aggregatedTotalComments",
                                                          comments.get("totalFirstLevelComments")))
        return found

    def _get_quietly(self, url: str):
        """For worker threads: the response, or the exception; nothing touches the database here."""
        try:
            return self._send("GET", url)
        except requests.RequestException as error:
            return error

    def _answered(self, answer) -> requests.Response:
        if isinstance(answer, requests.Response):
            return self._checked(answer)
        detail = answer.__class__.__name__ if answer is not None else ""
        raise errors.error_for(self.channel, None, detail=detail)

    # -- connecting --------------------------------------------------------------------
    def oauth_spec(self) -> OAuthSpec:
        """LinkedIn's three-legged flow for web apps: client secret in the form, no PKCE (native apps only)."""
        if not self.config.client_id or not self.secrets.get("client_secret"):
            raise ChannelError(_("Enter the LinkedIn app's client id and client secret in the channel settings "
                                 "first."), permanent=True)
        return OAuthSpec(authorize_url=self.config.auth_url("/oauth/v2/authorization"),
                         token_url=self.config.auth_url("/oauth/v2/accessToken"),
                         client_id=self.config.client_id, client_secret=self.secrets["client_secret"],
                         scopes=MEMBER_SCOPES if self.channel.is_personal else ORGANIZATION_SCOPES,
                         pkce=False, client_auth="body")

    def refresh(self) -> dict | None:
        """The generic OAuth refresh; LinkedIn answers the same refresh token with the time it has left."""
        if not self.secrets.get("refresh_token"):
            return None
        return super().refresh()

    def finish_connection(self, token: dict) -> Connection:
        """Who signed in, and for an organisation channel which page it posts on (and the page's name)."""
        access = token["access_token"]
        member = self._userinfo(access)
        now = timezone.now()
        connection = Connection(
            account_name=str(member.get("name") or " ".join(
                filter(None, [member.get("given_name"), member.get("family_name")])) or member.get("sub", "")),
            secrets={"access_token": access, "refresh_token": token.get("refresh_token", "")},
            expires_at=now + timedelta(seconds=int(token["expires_in"])) if token.get("expires_in") else None,
            refresh_expires_at=(now + timedelta(seconds=int(token["refresh_token_expires_in"]))
                                if token.get("refresh_token_expires_in") else None))
        if not self.channel.is_personal:
            page = self._choose_page(access)
            organization = _json(self._call("GET", f"/rest/organizations/{page}", token=access))
            connection.account_name = str(organization.get("localizedName") or page)
            if organization.get("vanityName"):
                connection.account_url = self.config.auth_url(f"/company/{organization['vanityName']}/")
            connection.config = {"organization_id": page}
        self._remember_member(str(member["sub"]))
        return connection

    def _administered_pages(self, token: str | None = None) -> list[str]:
        answer = _json(self._call("GET", "/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED",
                                  token=token))
        return [str(e["organization"]).rsplit(":", 1)[-1] for e in answer.get("elements") or []
                if e.get("organization") and e.get("state", "APPROVED") == "APPROVED"]

    def _choose_page(self, token: str) -> str:
        """The configured page if the person administers it, else the first page they administer."""
        pages = self._administered_pages(token)
        wanted = str(self.config.organization_id or "")
        if wanted and wanted not in pages:
            raise ChannelError(_("The LinkedIn account you signed in with is not an administrator of the page "
                                 "%(page)s. Sign in with an administrator's account.") % {"page": wanted},
                               permanent=True)
        if not pages:
            raise ChannelError(_("The LinkedIn account you signed in with administers no LinkedIn page. Sign in "
                                 "with the account of one of the page's administrators."), permanent=True)
        return wanted or pages[0]

    def verify(self) -> None:
        """Does the token work, and is the person still an administrator of the page?"""
        self._userinfo()
        if self.config.organization_id and not self.channel.is_personal:
            if str(self.config.organization_id) not in self._administered_pages():
                text = _("The LinkedIn account that connected this channel no longer administers the page: "
                         "reconnect it with an administrator's account.")
                errors.mark_broken(self.channel, text)
                raise ChannelError(text, permanent=True)


def linkedin_image(image) -> tuple[bytes, str]:
    """The image's bytes in a format LinkedIn takes (JPEG, PNG, GIF); anything else becomes a PNG."""
    data = image.read()
    if image.content_type in IMAGE_TYPES:
        return data, image.content_type
    from PIL import Image

    with Image.open(io.BytesIO(data)) as opened:
        buffer = io.BytesIO()
        opened.save(buffer, "PNG")
    return buffer.getvalue(), "image/png"


def _is_address(value) -> bool:
    address = urlsplit(str(value or ""))
    return address.scheme in ("http", "https") and bool(address.netloc)


def _json(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
