"""A local stand-in for LinkedIn's versioned REST API (Marketing / Community Management).

It answers what Kanava's LinkedIn adapter uses, with the shapes of LinkedIn's
documentation (learn.microsoft.com/linkedin):

- every ``/rest/...`` call must carry ``LinkedIn-Version: YYYYMM`` (missing:
  400 ``VERSION_MISSING``; a version LinkedIn does not serve: 426
  ``NONEXISTENT_VERSION``) and ``X-Restli-Protocol-Version: 2.0.0``;
- ``POST /rest/posts`` (author ``urn:li:organization:<id>`` or
  ``urn:li:person:<id>``) answers 201 with the post's URN in ``x-restli-id``
  and an empty body; the commentary is read as LinkedIn's *little text
  format*: an unescaped reserved character silently cuts the post there, as
  on LinkedIn, and more than 3,000 characters (as a reader sees them) is a
  422; the same text again from the same author soon after is a 422
  "Content is a duplicate of urn:li:share:...";
- ``POST /rest/images?action=initializeUpload`` and the ``PUT`` to the
  upload address it gives (served here too);
- comments (the Comments API): ``GET /rest/socialActions/{urn}/comments``
  for a post's first-level comments or, with a comment's URN, the replies to
  it (``start``/``count`` paging, oldest first, each with its
  ``commentsSummary``), ``GET .../comments/{id}``, and ``POST`` of a comment
  as ``actor`` (a member, or a page the member administers) on ``object``
  (the post's share or activity URN), a reply naming ``parentComment``;
  comments nest one level only and take at most 1,250 characters; a comment
  is ``urn:li:comment:(urn:li:activity:...,<id>)`` with the post's activity
  URN as its ``object``;
- ``GET /rest/posts?q=author``, ``GET /rest/organizationalEntityShareStatistics``
  (``shares=List(...)``), ``GET /rest/socialActions/{urn}``,
  ``GET /v2/userinfo`` (OpenID Connect), ``GET /rest/organizationAcls?q=roleAssignee``
  and ``GET /rest/organizations/{id}``;
- OAuth 2.0 at ``/oauth/v2/authorization`` and ``/oauth/v2/accessToken``:
  access tokens for 60 days, refresh tokens for 365 days, and a refresh does
  *not* rotate the refresh token or extend its life (it answers the same
  refresh token with the seconds it has left);
- errors as ``{"status", "serviceErrorCode", "code", "message"}``: 401
  ``EXPIRED_ACCESS_TOKEN`` / ``REVOKED_ACCESS_TOKEN`` / ``INVALID_ACCESS_TOKEN``,
  403 ``ACCESS_DENIED`` (missing scope or not the page's administrator), 422,
  and 429 ``TOO_MANY_REQUESTS`` (:meth:`LinkedInServer.throttle`; LinkedIn
  sends no header saying how long to wait).

Posts are kept in :attr:`LinkedInServer.posts` (in order) with the text a
reader sees, comments in :attr:`LinkedInServer.comments`;
:meth:`LinkedInServer.set_metrics` sets the figures the statistics endpoints
answer with, and :meth:`LinkedInServer.add_comment` is a resident commenting.  The authorisation, API and upload hosts
of LinkedIn are one server here.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote, urlencode

from kanava.testing.platforms.base import PlatformServer, Request, Response

API_VERSION = "202609"
#: The oldest version this stand-in still serves (LinkedIn serves each for about a year).
OLDEST_VERSION = "202401"
MAX_COMMENTARY = 3000
MAX_COMMENT = 1250
#: A post's activity id is its share id plus this (they are different numbers on LinkedIn too).
ACTIVITY_OFFSET = 1_000_000
MAX_IMAGES = 20
DUPLICATE_WINDOW = 600.0

ORGANIZATION_SCOPES = ["openid", "profile", "w_member_social", "w_organization_social", "r_organization_social",
                       "rw_organization_admin"]
MEMBER_SCOPES = ["openid", "profile", "w_member_social", "r_member_social"]
#: What LinkedIn allows Kanava's app to ask for (another scope: ``unauthorized_scope_error``).
APP_SCOPES = set(ORGANIZATION_SCOPES + MEMBER_SCOPES + ["email", "r_organization_admin"])

#: Characters of the little text format that must be backslash-escaped to be plain text.
RESERVED = set("\\|{}@[]()<>#*_~")
MENTION = re.compile(r"@\[([^\]\\]*)\]\((urn:li:(?:person|organization):[^)\s]+)\)")
HASHTAG_TEMPLATE = re.compile(r"\{hashtag\|\\#\|([^{}|]+)\}")
HASHTAG = re.compile(r"#(\w+)")
VERSION = re.compile(r"^(\d{6})(?:\.\d{2})?$")


def read_little(commentary: str) -> str:
    """The text a reader sees for a commentary in LinkedIn's little text format.

    Escaped characters are plain text, mentions show the name, hashtags (and
    the hashtag template) show ``#tag``; at the first reserved character that
    is not escaped and starts no element, LinkedIn cuts the post silently.
    """
    out, i = [], 0
    while i < len(commentary):
        char = commentary[i]
        if char == "\\":
            if i + 1 >= len(commentary):
                break
            out.append(commentary[i + 1])
            i += 2
            continue
        if char == "@" and (found := MENTION.match(commentary, i)):
            out.append(found.group(1))
            i = found.end()
            continue
        if char == "{" and (found := HASHTAG_TEMPLATE.match(commentary, i)):
            out.append("#" + found.group(1))
            i = found.end()
            continue
        if char == "#" and (found := HASHTAG.match(commentary, i)):
            out.append(found.group(0))
            i = found.end()
            continue
        if char in RESERVED:
            break  # what LinkedIn does: the rest of the post is gone, and the call still succeeds
        out.append(char)
        i += 1
    return "".join(out)


def _ms(moment: float) -> int:
    return int(moment * 1000)


@dataclass
class PostImage:
    id: str
    alt: str
    content_type: str
    data: bytes


@dataclass
class LinkedInPost:
    """A published post: ``commentary`` as sent (little text format), ``text`` as a reader sees it."""

    id: str
    author: str
    commentary: str
    text: str
    images: list[PostImage]
    visibility: str
    created_at: float
    body: dict
    reply_to: str | None = None  # LinkedIn has no threads
    metrics: dict[str, int] = field(default_factory=dict)

    @property
    def activity(self) -> str:
        """The post's activity URN: comments name it as their ``object``."""
        return f"urn:li:activity:{int(self.id.rsplit(':', 1)[-1]) + ACTIVITY_OFFSET}"

    def as_json(self) -> dict:
        return {**self.body, "id": self.id, "createdAt": _ms(self.created_at), "publishedAt": _ms(self.created_at),
                "lastModifiedAt": _ms(self.created_at), "lifecycleStateInfo": {"isEditedByAuthor": False}}


@dataclass
class Member:
    account: str
    sub: str
    name: str


@dataclass
class Organization:
    id: str
    name: str
    vanity: str
    admins: list[str]


@dataclass
class LinkedInComment:
    """A comment on a post (``parent`` None) or a reply to one: LinkedIn nests comments one level deep."""

    id: str
    post: str  # the post's share or ugcPost URN
    activity: str  # the post's activity URN (the comment's ``object``)
    actor: str  # who it is from: a member, or an organisation
    agent: str  # the member who wrote it (for an organisation: its administrator)
    text: str
    created_at: float
    parent: str | None = None

    @property
    def urn(self) -> str:
        return f"urn:li:comment:({self.activity},{self.id})"

    def as_json(self, replies: int = 0) -> dict:
        created = {"actor": self.agent, "time": _ms(self.created_at)}
        body = {"$URN": self.urn, "commentUrn": self.urn, "id": self.id, "actor": self.actor, "agent": self.agent,
                "object": self.activity, "message": {"text": self.text, "attributes": []},
                "created": created, "lastModified": created,
                "likesSummary": {"selectedLikes": [], "aggregatedTotalLikes": 0, "likedByCurrentUser": False,
                                 "totalLikes": 0},
                "commentsSummary": {"selectedComments": [], "totalFirstLevelComments": replies,
                                    "aggregatedTotalComments": replies}}
        if self.parent:
            body["parentComment"] = self.parent
        return body


METRIC_NAMES = {"impressions": "impressionCount", "reactions": "likeCount", "likes": "likeCount",
                "comments": "commentCount", "shares": "shareCount", "clicks": "clickCount",
                "unique_impressions": "uniqueImpressionsCount"}


class LinkedInServer(PlatformServer):
    authorize_path = "/oauth/v2/authorization"
    token_path = "/oauth/v2/accessToken"
    token_lifetime = 60 * 24 * 3600  # 5,184,000 seconds
    refresh_lifetime = 365 * 24 * 3600  # 31,536,000 seconds
    client_id = "kanava-linkedin-app"
    client_secret = "kanava-linkedin-secret"
    public_paths = (r"^/feed/update/", r"^/company/")
    routes = [
        ("POST", r"^/rest/posts$", "create_post"),
        ("GET", r"^/rest/posts$", "posts_by_author"),
        ("GET", r"^/rest/posts/(?P<urn>[^/]+)$", "get_post"),
        ("POST", r"^/rest/images$", "images_action"),
        ("PUT", r"^/dms-uploads/(?P<asset>[^/]+)/uploaded-image/0$", "upload_image"),
        ("GET", r"^/rest/organizationalEntityShareStatistics$", "share_statistics"),
        ("GET", r"^/rest/socialActions/(?P<urn>[^/]+)$", "social_actions"),
        ("GET", r"^/rest/socialActions/(?P<urn>[^/]+)/comments$", "list_comments"),
        ("POST", r"^/rest/socialActions/(?P<urn>[^/]+)/comments$", "create_comment"),
        ("GET", r"^/rest/socialActions/(?P<urn>[^/]+)/comments/(?P<id>\d+)$", "get_comment"),
        ("GET", r"^/v2/userinfo$", "userinfo"),
        ("GET", r"^/rest/organizationAcls$", "organization_acls"),
        ("GET", r"^/rest/organizations/(?P<id>[^/]+)$", "organization"),
        ("GET", r"^/feed/update/(?P<urn>[^/]+)/?$", "post_page"),
        ("GET", r"^/company/(?P<vanity>[^/]+)/?$", "company_page"),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.share_ids = itertools.count(7_200_000_000_000_000_001)
        self.comment_ids = itertools.count(7_300_000_000_000_000_001)
        self._current = threading.local()
        self.reset()

    def reset(self) -> None:
        """Forget every post, image, token, fault and logged request (tests share one server)."""
        with self.lock:
            self.posts: list[LinkedInPost] = []
            self.comments: list[LinkedInComment] = []
            self.images: dict[str, dict[str, Any]] = {}
            self.members: dict[str, Member] = {}
            self.organizations: dict[str, Organization] = {}
            self.oldest_version = OLDEST_VERSION
            self.duplicate_window = DUPLICATE_WINDOW
            self.log.clear()
            self.faults.clear()
            self.tokens.clear()
            self.refresh_tokens.clear()
            self.codes.clear()
            self.auto_approve = True
            self.add_member("kanavala", "Kanavala Viestintä")
            self.organization_id = self.add_organization("Kanavalan kunta", "kanavala", admins=["kanavala"]).id

    # -- accounts and pages ------------------------------------------------------------
    def member(self, account: str) -> Member:
        """The LinkedIn member signing in as ``account`` (made up on first use)."""
        with self.lock:
            if account not in self.members:
                self.add_member(account, account.replace("-", " ").title())
            return self.members[account]

    def add_member(self, account: str, name: str) -> Member:
        sub = "m" + hashlib.sha256(account.encode()).hexdigest()[:9]
        with self.lock:
            self.members[account] = Member(account, sub, name)
            return self.members[account]

    def add_organization(self, name: str, vanity: str, admins=("kanavala",)) -> Organization:
        with self.lock:
            org_id = str(2414183 + len(self.organizations))
            self.organizations[org_id] = Organization(org_id, name, vanity, list(admins))
            return self.organizations[org_id]

    def person_urn(self, account: str) -> str:
        return f"urn:li:person:{self.member(account).sub}"

    def _account_of(self, urn: str) -> str | None:
        for member in list(self.members.values()):
            if f"urn:li:person:{member.sub}" == urn:
                return member.account
        return None

    # -- what other code uses ------------------------------------------------------------
    def channel_config(self, organization: bool = True) -> dict:
        """Kanava's channel settings pointing here: the organisation page, or (False) a personal profile."""
        config = {"api_base_url": self.url, "auth_base_url": self.url, "api_version": API_VERSION,
                  "client_id": self.client_id}
        if organization:
            config["organization_id"] = self.organization_id
        return config

    def channel_secrets(self, account: str = "kanavala", scopes=None) -> dict:
        """The secrets of a connected channel: an access token, a refresh token and the app's secret."""
        scopes = list(scopes or ORGANIZATION_SCOPES + ["r_member_social"])
        self.member(account)
        return {"access_token": self.issue_token(account, scopes=scopes),
                "refresh_token": self.issue_refresh_token(account, scopes),
                "client_secret": self.client_secret}

    def set_metrics(self, post_id: str, **figures: int) -> None:
        """Figures of a post: ``impressions``, ``reactions``, ``comments``, ``shares`` (or LinkedIn's names)."""
        with self.lock:
            post = self._post(post_id)
            if post is None:
                raise KeyError(post_id)
            for name, value in figures.items():
                post.metrics[METRIC_NAMES.get(name, name)] = int(value)

    def throttle(self, times: int = 1, path: str | None = r"^/rest/posts$", method: str | None = "POST") -> None:
        """The next requests get LinkedIn's 429 (which says nothing about how long to wait)."""
        self.fail_next(429, {"status": 429, "serviceErrorCode": 101, "code": "TOO_MANY_REQUESTS",
                             "message": "Resource level throttle APPLICATION DAY limit for calls to this resource "
                                        "is reached."}, times=times, path=path, method=method)

    def _post(self, urn: str) -> LinkedInPost | None:
        return next((p for p in self.posts if p.id == urn), None)

    # -- answers ------------------------------------------------------------------------
    def error(self, status: int, message: str, code: str = "", service_code: int | None = None) -> Response:
        codes = {400: "ILLEGAL_ARGUMENT", 401: "INVALID_ACCESS_TOKEN", 403: "ACCESS_DENIED", 404: "NOT_FOUND",
                 422: "UNPROCESSABLE_ENTITY", 426: "NONEXISTENT_VERSION", 429: "TOO_MANY_REQUESTS"}
        return Response(status, {"status": status, "serviceErrorCode": service_code or 100,
                                 "code": code or codes.get(status, "INTERNAL_SERVER_ERROR"), "message": message})

    def unauthorised(self) -> Response:
        request = getattr(self._current, "request", None)
        value = request.bearer() if request else ""
        token = self.tokens.get(value) if value else None
        if not value:
            return self.error(401, "Empty oauth2_access_token", "EMPTY_ACCESS_TOKEN", 65604)
        if token is None:
            return self.error(401, "Invalid access token", "INVALID_ACCESS_TOKEN", 65600)
        if token.revoked:
            return self.error(401, "The token used in the request has been revoked by the user",
                              "REVOKED_ACCESS_TOKEN", 65601)
        return self.error(401, "The token used in the request has expired", "EXPIRED_ACCESS_TOKEN", 65602)

    def handle(self, request: Request):
        self._current.request = request
        if request.path.startswith("/rest/"):
            problem = self._protocol_problem(request)
            if problem is not None:
                with self.lock:
                    self.log.append(request)
                return problem, False
        return super().handle(request)

    def _protocol_problem(self, request: Request) -> Response | None:
        """LinkedIn's versioned API refuses calls without its two headers."""
        version = request.headers.get("linkedin-version", "").strip()
        if not version:
            return self.error(400, "A version must be present. Please specify a version by adding the "
                                   "LinkedIn-Version header.", "VERSION_MISSING")
        found = VERSION.match(version)
        if not found:
            return self.error(400, f"Invalid version format: {version}. Use YYYYMM.", "INVALID_VERSION")
        current = datetime.now(timezone.utc).strftime("%Y%m")
        if not self.oldest_version <= found.group(1) <= current:
            return self.error(426, f"Requested version {version} is not active", "NONEXISTENT_VERSION")
        if request.headers.get("x-restli-protocol-version", "").strip() != "2.0.0":
            return self.error(400, "This API requires Rest.li protocol 2.0.0: send the header "
                                   "X-Restli-Protocol-Version: 2.0.0.", "ILLEGAL_ARGUMENT")
        return None

    def _has_scope(self, request: Request, *scopes: str) -> bool:
        return bool(request.token and set(scopes) & set(request.token.scopes))

    def _denied(self, what: str) -> Response:
        return self.error(403, f"Not enough permissions to access: {what}", "ACCESS_DENIED")

    def _may_act_as(self, request: Request, author: str, write: bool) -> bool:
        """The token's member may write (or read) as this author: themself, or a page they administer."""
        account = request.token.account if request.token else ""
        if author.startswith("urn:li:organization:"):
            org = self.organizations.get(author.rsplit(":", 1)[1])
            scopes = ("w_organization_social",) if write else ("r_organization_social", "rw_organization_admin")
            return bool(org and account in org.admins and self._has_scope(request, *scopes))
        if author.startswith("urn:li:person:"):
            scopes = ("w_member_social",) if write else ("r_member_social",)
            return self._account_of(author) == account and self._has_scope(request, *scopes)
        return False

    @staticmethod
    def _urn_in_path(request: Request) -> str | None:
        """A URN in a Rest.li 2.0 path must be URL-encoded (``urn%3Ali%3Ashare%3A1``)."""
        raw = request.match.group("urn")
        return unquote(raw) if ":" not in raw else None

    # -- images ------------------------------------------------------------------------
    def images_action(self, request: Request) -> Response:
        if request.query.get("action") != "initializeUpload":
            return self.error(400, "Unsupported action")
        owner = ((request.json() or {}).get("initializeUploadRequest") or {}).get("owner", "")
        if not owner:
            return self.error(422, "ERROR :: /initializeUploadRequest/owner :: field is required but not found "
                                   "and has no default value\n")
        if not self._may_act_as(request, owner, write=True):
            return self._denied("images.initializeUpload")
        asset = "D4E10AQ" + secrets.token_urlsafe(9).replace("-", "x").replace("_", "y")
        urn = f"urn:li:image:{asset}"
        expires = time.time() + 24 * 3600
        with self.lock:
            self.images[urn] = {"owner": owner, "status": "WAITING_UPLOAD", "data": b"", "content_type": "",
                                "asset": asset}
        query = urlencode({"ca": "vector_feedshare", "cn": "uploads", "m": secrets.token_urlsafe(8), "app": "1",
                           "sync": "0", "v": "beta", "ut": secrets.token_urlsafe(6)})
        return Response(200, {"value": {"uploadUrlExpiresAt": _ms(expires),
                                        "uploadUrl": f"{self.url}/dms-uploads/{asset}/uploaded-image/0?{query}",
                                        "image": urn}})

    def upload_image(self, request: Request) -> Response:
        urn = f"urn:li:image:{request.match.group('asset')}"
        data = request.body
        kind = ("image/png" if data.startswith(b"\x89PNG") else "image/jpeg" if data.startswith(b"\xff\xd8")
                else "image/gif" if data.startswith(b"GIF8") else "")
        with self.lock:
            image = self.images.get(urn)
            if image is None:
                return self.error(404, "Upload not found")
            if not self._may_act_as(request, image["owner"], write=True):
                return self._denied("dms-uploads")
            image.update(data=data, content_type=kind, status="AVAILABLE" if kind else "PROCESSING_FAILED")
        return Response(201, b"")

    # -- posts -------------------------------------------------------------------------
    def create_post(self, request: Request) -> Response:
        try:
            body = request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return self.error(400, "Request body could not be converted to data map")
        missing = [name for name in ("author", "commentary", "visibility", "distribution", "lifecycleState")
                   if name not in body]
        if missing:
            return self.error(422, "".join(f"ERROR :: /{name} :: field is required but not found and has no "
                                           f"default value\n" for name in missing))
        author = body["author"]
        if not isinstance(author, str) or not author.startswith(("urn:li:organization:", "urn:li:person:")):
            return self.error(422, f"ERROR :: /author :: {author} is not a valid author URN\n")
        if not self._may_act_as(request, author, write=True):
            return self._denied("partnerApiPostsExternal.CREATE")
        if body["visibility"] not in ("PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER"):
            return self.error(422, f"ERROR :: /visibility :: {body['visibility']} is not an enum symbol\n")
        if body["lifecycleState"] not in ("PUBLISHED", "DRAFT"):
            return self.error(422, f"ERROR :: /lifecycleState :: {body['lifecycleState']} is not allowed\n")
        if (body["distribution"] or {}).get("feedDistribution") not in ("MAIN_FEED", "NONE"):
            return self.error(422, "ERROR :: /distribution/feedDistribution :: field is required\n")
        text = read_little(str(body["commentary"]))
        if len(text) > MAX_COMMENTARY:
            return self.error(422, f"ERROR :: /commentary :: length of commentary {len(text)} exceeds the maximum "
                                   f"allowed length {MAX_COMMENTARY}\n")
        images, problem = self._post_images(body.get("content") or {}, author)
        if problem:
            return problem
        now = time.time()
        with self.lock:
            for earlier in reversed(self.posts):
                if now - earlier.created_at > self.duplicate_window:
                    break
                if earlier.author == author and earlier.commentary == body["commentary"]:
                    return self.error(422, f"Content is a duplicate of {earlier.id}", "DUPLICATE_POST")
            urn = f"urn:li:share:{next(self.share_ids)}"
            self.posts.append(LinkedInPost(id=urn, author=author, commentary=body["commentary"], text=text,
                                           images=images, visibility=body["visibility"], created_at=now,
                                           body=body))
        return Response(201, b"", {"x-restli-id": urn, "x-linkedin-id": urn})

    def _post_images(self, content: dict, author: str) -> tuple[list[PostImage], Response | None]:
        if "media" in content:
            entries = [content["media"]]
        elif "multiImage" in content:
            entries = list((content["multiImage"] or {}).get("images") or [])
            if not 2 <= len(entries) <= MAX_IMAGES:
                return [], self.error(422, f"ERROR :: /content/multiImage/images :: a multi-image post takes 2 to "
                                           f"{MAX_IMAGES} images, not {len(entries)}\n")
        else:
            return [], None
        found = []
        with self.lock:
            for entry in entries:
                image = self.images.get(entry.get("id", ""))
                if image is None or image["owner"] != author:
                    return [], self.error(422, f"ERROR :: /content :: unknown image {entry.get('id')}\n")
                if image["status"] != "AVAILABLE":
                    return [], self.error(422, f"ERROR :: /content :: image {entry['id']} is {image['status']}\n")
                found.append(PostImage(entry["id"], entry.get("altText", ""), image["content_type"], image["data"]))
        return found, None

    def posts_by_author(self, request: Request) -> Response:
        if request.query.get("q") != "author":
            return self.error(400, "Unsupported finder")
        author = request.query.get("author", "")
        if not self._may_act_as(request, author, write=False):
            return self._denied("partnerApiPostsExternal.FINDER-author")
        start, count = int(request.query.get("start", 0)), min(int(request.query.get("count", 10)), 100)
        with self.lock:
            mine = [p for p in reversed(self.posts) if p.author == author]
        page = mine[start:start + count]
        return Response(200, {"paging": {"start": start, "count": count, "links": [], "total": len(mine)},
                              "elements": [p.as_json() for p in page]})

    def get_post(self, request: Request) -> Response:
        urn = self._urn_in_path(request)
        if urn is None:
            return self.error(400, "Syntax exception in path variables")
        with self.lock:
            post = self._post(urn)
        if post is None:
            return self.error(404, f"Post {urn} not found")
        if not self._may_act_as(request, post.author, write=False):
            return self._denied("partnerApiPostsExternal.GET")
        return Response(200, post.as_json())

    # -- figures -------------------------------------------------------------------------
    def share_statistics(self, request: Request) -> Response:
        if request.query.get("q") != "organizationalEntity":
            return self.error(400, "Unsupported finder")
        entity = request.query.get("organizationalEntity", "")
        org = self.organizations.get(entity.rsplit(":", 1)[-1]) if entity.startswith("urn:li:organization:") else None
        if org is None:
            return self.error(400, f"Invalid organizationalEntity {entity}")
        if request.token.account not in org.admins or not self._has_scope(
                request, "rw_organization_admin", "r_organization_social"):
            return self._denied("organizationalEntityShareStatistics.FINDER-organizationalEntity")
        wanted = []
        for name, kind in (("shares", "share"), ("ugcPosts", "ugcPost")):
            raw = request.query.get(name)
            if raw is None:
                continue
            listed = re.fullmatch(r"List\((.*)\)", raw)
            if not listed:
                return self.error(400, f"Invalid value for {name}: use List(...)")
            wanted += [(kind, unquote(u)) for u in listed.group(1).split(",") if u]
        elements = []
        with self.lock:
            for kind, urn in wanted:
                post = self._post(urn)
                if post is None or post.author != entity:
                    continue
                figures = {"uniqueImpressionsCount": 0, "shareCount": 0, "clickCount": 0, "likeCount": 0,
                           "impressionCount": 0, "commentCount": 0, **post.metrics}
                acted = figures["clickCount"] + figures["likeCount"] + figures["commentCount"] + figures["shareCount"]
                figures["engagement"] = acted / figures["impressionCount"] if figures["impressionCount"] else 0.0
                elements.append({"organizationalEntity": entity, kind: urn, "totalShareStatistics": figures})
        return Response(200, {"paging": {"start": 0, "count": 10, "links": []}, "elements": elements})

    def social_actions(self, request: Request) -> Response:
        urn = self._urn_in_path(request)
        if urn is None:
            return self.error(400, "Syntax exception in path variables")
        with self.lock:
            post = self._post(urn)
        if post is None:
            return self.error(404, f"Not found: {urn}")
        if not self._has_scope(request, "r_member_social", "r_organization_social"):
            return self._denied("socialActions.GET")
        likes, comments = post.metrics.get("likeCount", 0), post.metrics.get("commentCount", 0)
        return Response(200, {
            "target": urn,
            "likesSummary": {"selectedLikes": [], "aggregatedTotalLikes": likes, "likedByCurrentUser": False,
                             "totalLikes": likes},
            "commentsSummary": {"selectedComments": [], "totalFirstLevelComments": comments,
                                "aggregatedTotalComments": comments}})

    # -- comments ------------------------------------------------------------------------
    def _target(self, urn: str) -> tuple[LinkedInPost | None, LinkedInComment | None]:
        """What a socialActions path names: a post (by share, ugcPost or activity URN) or a comment."""
        comment = next((c for c in self.comments if c.urn == urn), None)
        if comment is not None:
            return self._post(comment.post), comment
        return next((p for p in self.posts if urn in (p.id, p.activity)), None), None

    def _replies(self, comment: LinkedInComment) -> list[LinkedInComment]:
        return [c for c in self.comments if c.parent == comment.urn]

    def list_comments(self, request: Request) -> Response:
        """Comments on a post (first level), or the replies to one comment, oldest first, ``start``/``count`` paged."""
        urn = self._urn_in_path(request)
        if urn is None:
            return self.error(400, "Syntax exception in path variables")
        with self.lock:
            post, comment = self._target(urn)
            if post is None:
                return self.error(404, f"Not found: {urn}")
            if not self._may_act_as(request, post.author, write=False):
                return self._denied("comments.FINDER")
            try:
                start, count = int(request.query.get("start", 0)), min(int(request.query.get("count", 10)), 100)
            except ValueError:
                return self.error(400, "start and count must be numbers")
            found = [c for c in self.comments if c.post == post.id and c.parent == (comment.urn if comment else None)]
            page = [c.as_json(len(self._replies(c))) for c in found[start:start + count]]
        return Response(200, {"paging": {"start": start, "count": count, "links": [], "total": len(found)},
                              "elements": page})

    def get_comment(self, request: Request) -> Response:
        urn = self._urn_in_path(request)
        with self.lock:
            post, _comment = self._target(urn or "")
            found = next((c for c in self.comments if post and c.post == post.id
                          and c.id == request.match.group("id")), None)
            if found is None:
                return self.error(404, "Comment not found")
            if not self._may_act_as(request, post.author, write=False):
                return self._denied("comments.GET")
            return Response(200, found.as_json(len(self._replies(found))))

    def create_comment(self, request: Request) -> Response:
        """A comment as ``actor`` (a member, or a page the member administers); a reply names ``parentComment``."""
        urn = self._urn_in_path(request)
        if urn is None:
            return self.error(400, "Syntax exception in path variables")
        try:
            body = request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return self.error(400, "Request body could not be converted to data map")
        missing = [name for name in ("actor", "object", "message") if name not in body]
        if missing:
            return self.error(422, "".join(f"ERROR :: /{name} :: field is required but not found and has no "
                                           f"default value\n" for name in missing))
        text = (body.get("message") or {}).get("text")
        if not isinstance(text, str) or not text.strip():
            return self.error(422, "ERROR :: /message/text :: field is required but not found\n")
        if len(text) > MAX_COMMENT:
            return self.error(422, f"ERROR :: /message/text :: length {len(text)} exceeds the maximum allowed "
                                   f"length {MAX_COMMENT}\n")
        if not self._may_act_as(request, str(body["actor"]), write=True):
            return self._denied("comments.CREATE")
        with self.lock:
            post, target = self._target(urn)
            if post is None:
                return self.error(404, f"Not found: {urn}")
            if body["object"] not in (post.id, post.activity):
                return self.error(422, f"ERROR :: /object :: {body['object']} is not the object of {urn}\n")
            parent, problem = self._parent_of(body.get("parentComment"), target, post)
            if problem:
                return problem
            member = self.person_urn(request.token.account)
            comment = LinkedInComment(id=str(next(self.comment_ids)), post=post.id, activity=post.activity,
                                      actor=str(body["actor"]), agent=member, text=text, created_at=time.time(),
                                      parent=parent.urn if parent else None)
            self.comments.append(comment)
        return Response(201, comment.as_json(), {"x-restli-id": comment.id})

    def _parent_of(self, named, target: LinkedInComment | None, post: LinkedInPost):
        """The comment a reply answers: named in ``parentComment``, and the path's target when that is a comment."""
        if named is None:
            if target is not None:
                return None, self.error(422, "ERROR :: /parentComment :: required when commenting on a comment\n")
            return None, None
        parent = next((c for c in self.comments if c.urn == named and c.post == post.id), None)
        if parent is None or (target is not None and target.urn != parent.urn):
            return None, self.error(422, f"ERROR :: /parentComment :: {named} is not a comment on {post.id}\n")
        if parent.parent is not None:
            return None, self.error(422, "ERROR :: /parentComment :: comments nest one level only: reply to the "
                                         "first-level comment\n")
        return parent, None

    def add_comment(self, post: str, text: str, author: str = "asukas", parent: str | None = None) -> LinkedInComment:
        """A member's comment on a post (share or activity URN), or their reply to a first-level comment."""
        actor = self.person_urn(author)
        with self.lock:
            found, target = self._target(parent or post)
            if found is None:
                raise KeyError(parent or post)
            comment = LinkedInComment(id=str(next(self.comment_ids)), post=found.id, activity=found.activity,
                                      actor=actor, agent=actor, text=text, created_at=time.time(),
                                      parent=target.urn if target else None)
            self.comments.append(comment)
            return comment

    def comments_on(self, post: str) -> list[LinkedInComment]:
        """Every comment and reply on a post, oldest first."""
        with self.lock:
            return [c for c in self.comments if c.post == post]

    # -- who am I ------------------------------------------------------------------------
    def userinfo(self, request: Request) -> Response:
        if not self._has_scope(request, "openid"):
            return self._denied("userinfo")
        member = self.member(request.token.account)
        given, _, family = member.name.partition(" ")
        return Response(200, {"sub": member.sub, "name": member.name, "given_name": given, "family_name": family,
                              "locale": {"country": "FI", "language": "fi"}, "email_verified": True})

    def organization_acls(self, request: Request) -> Response:
        if request.query.get("q") != "roleAssignee":
            return self.error(400, "Unsupported finder")
        if not self._has_scope(request, "rw_organization_admin", "r_organization_admin"):
            return self._denied("organizationAcls.FINDER-roleAssignee")
        account = request.token.account
        role, state = request.query.get("role", "ADMINISTRATOR"), request.query.get("state", "APPROVED")
        elements = []
        if role == "ADMINISTRATOR" and state == "APPROVED":
            with self.lock:
                for org in self.organizations.values():
                    if account in org.admins:
                        elements.append({"roleAssignee": self.person_urn(account), "state": "APPROVED",
                                         "role": "ADMINISTRATOR", "organization": f"urn:li:organization:{org.id}"})
        return Response(200, {"paging": {"start": 0, "count": 10, "links": [], "total": len(elements)},
                              "elements": elements})

    def organization(self, request: Request) -> Response:
        org = self.organizations.get(request.match.group("id"))
        if org is None:
            return self.error(404, f"Organization {request.match.group('id')} not found")
        return Response(200, {"id": int(org.id), "localizedName": org.name, "vanityName": org.vanity,
                              "name": {"localized": {"fi_FI": org.name}, "preferredLocale": {"country": "FI",
                                                                                            "language": "fi"}}})

    # -- pages a reader opens (the demo links to them) ------------------------------------
    def post_page(self, request: Request) -> Response:
        urn = unquote(request.match.group("urn"))
        with self.lock:
            post = self._post(urn)
        if post is None:
            return Response(404, "<!doctype html><title>Not found</title><p>This post is not here.</p>",
                            content_type="text/html; charset=utf-8")
        author = post.author
        org = self.organizations.get(author.rsplit(":", 1)[1]) if "organization" in author else None
        name = org.name if org else self.member(self._account_of(author) or "unknown").name
        images = "".join(f'<li>{html.escape(i.alt) or "(no description)"}</li>' for i in post.images)
        comments = "".join(f"<li lang=''>{html.escape(c.text)}</li>" for c in self.comments_on(post.id))
        return Response(200, (
            f"<!doctype html><html lang='fi'><head><meta charset='utf-8'><title>{html.escape(name)} on LinkedIn"
            f"</title></head><body><main><h1>{html.escape(name)}</h1><p style='white-space:pre-wrap'>"
            f"{html.escape(post.text)}</p>{f'<ul>{images}</ul>' if images else ''}"
            f"{f'<h2>Comments</h2><ul>{comments}</ul>' if comments else ''}</main></body></html>"),
            content_type="text/html; charset=utf-8")

    def company_page(self, request: Request) -> Response:
        vanity = request.match.group("vanity")
        org = next((o for o in self.organizations.values() if o.vanity == vanity), None)
        if org is None:
            return Response(404, "<!doctype html><title>Not found</title>", content_type="text/html; charset=utf-8")
        return Response(200, f"<!doctype html><html lang='fi'><head><meta charset='utf-8'><title>"
                             f"{html.escape(org.name)}</title></head><body><main><h1>{html.escape(org.name)}</h1>"
                             f"</main></body></html>", content_type="text/html; charset=utf-8")

    # -- OAuth 2.0 as LinkedIn does it ----------------------------------------------------
    def oauth_authorize(self, request: Request) -> Response:
        query = dict(request.query)
        scopes = (query.get("scope") or "").replace(",", " ").split()
        unknown = [s for s in scopes if s not in APP_SCOPES]
        if unknown and query.get("client_id") == self.client_id and query.get("redirect_uri"):
            location = f"{query['redirect_uri']}?" + urlencode({
                "error": "unauthorized_scope_error",
                "error_description": f'Scope "{unknown[0]}" is not authorized for your application',
                "state": query.get("state", "")})
            return Response(302, b"", {"Location": location})
        return super().oauth_authorize(request)

    def token_response(self, account: str, scopes: list[str]) -> dict:
        return {"access_token": self.issue_token(account, scopes=scopes), "expires_in": self.token_lifetime,
                "refresh_token": self.issue_refresh_token(account, scopes),
                "refresh_token_expires_in": self.refresh_lifetime, "scope": ",".join(scopes), "token_type": "Bearer"}

    def oauth_token(self, request: Request) -> Response:
        """A refresh gives a new access token but keeps the refresh token and its expiry (LinkedIn's rule)."""
        form = request.form()
        if form.get("grant_type") != "refresh_token":
            return super().oauth_token(request)
        if not self._client_ok(request, form) or not form.get("client_secret"):
            return Response(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
        value = form.get("refresh_token", "")
        with self.lock:
            found = self.refresh_tokens.get(value)
        if not found or (found[1] is not None and found[1] < time.time()):
            return Response(400, {"error": "invalid_request", "error_description":
                                  "The provided authorization grant or refresh token is invalid, expired or revoked"})
        account, expires_at, scopes = found
        left = int(expires_at - time.time()) if expires_at else self.refresh_lifetime
        return Response(200, {"access_token": self.issue_token(account, scopes=scopes),
                              "expires_in": self.token_lifetime, "refresh_token": value,
                              "refresh_token_expires_in": left, "scope": ",".join(scopes), "token_type": "Bearer"})
