"""What every social platform adapter shares.

A platform package (``kanava/channels/mastodon/`` ...) subclasses
:class:`SocialAdapter` and implements a few hooks:

- :meth:`SocialAdapter.post` publishes one post (one part of a thread) and
  returns a :class:`PostRef`, or raises ``ChannelError`` (use
  :func:`kanava.channels.social.errors.error_for`);
- :meth:`SocialAdapter.find` looks for a post that may have been published by
  an attempt whose answer was lost (crash, timeout), or raises
  ``LookupUnsupported``;
- :meth:`SocialAdapter.fetch_metrics_for` returns each post's figures;
- :meth:`SocialAdapter.verify` checks the connection cheaply and
  :meth:`SocialAdapter.read_limits` reads limits the platform publishes;
- :meth:`SocialAdapter.oauth_spec` and :meth:`SocialAdapter.finish_connection`
  connect an account (see :mod:`kanava.channels.social.oauth`).

The base class does the rest the same way for every platform: limits and
validation, threads, refreshing tokens before they expire, honouring a
pause the platform asked for, and recording each published part of a thread
at once, so a crash or retry resumes after the last part instead of posting
it again.
"""

from __future__ import annotations

import mimetypes
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kanava.channels.base import Adapter, ChannelError, Draft, Length, LookupUnsupported, Problem, PublishResult
from kanava.channels.social import text as social_text


def _internal_host(host: str) -> bool:
    """The host is, or resolves to, an address inside this network (loopback, private, link-local...)."""
    import ipaddress
    import socket

    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return False  # unknown now: the request itself will fail
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            return True
    return False


def insecure_addresses(config: dict) -> list[str]:
    """Setting names whose address would send tokens unencrypted, or to this server's own network.

    In production every platform address must be https and must not point
    inside the network Kanava runs in (a request forged to an internal
    service).  Outside production plain http and loopback are allowed for the
    local stand-ins.
    """
    from urllib.parse import urlsplit

    from django.conf import settings

    if not settings.PRODUCTION:
        return []
    found = []
    for name, value in (config or {}).items():
        if not (name.endswith("_url") and isinstance(value, str) and value.strip()):
            continue
        parts = urlsplit(value.strip())
        if parts.scheme != "https" or not parts.hostname or _internal_host(parts.hostname):
            found.append(name)
    return found


def web_address(value) -> str:
    """``value`` if it is an http(s) address, else "": a platform's answer never becomes a javascript: link."""
    from urllib.parse import urlsplit

    text = str(value or "").strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    return text if parts.scheme in ("http", "https") and parts.netloc else ""


@dataclass
class PostRef:
    """A published post: the platform's id, its public address, and what threads need (Bluesky's uri/cid)."""

    id: str
    url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        self.url = web_address(self.url)

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "PostRef":
        return cls(id=str(data["id"]), url=data.get("url", ""), extra=data.get("extra") or {})


@dataclass
class ImageFile:
    """One image of the message, with its alternative text in the post's language."""

    name: str
    content_type: str
    alt: str
    url: str  # absolute public address (Instagram fetches images itself)
    width: int | None = None
    height: int | None = None
    storage_name: str = ""
    _storage: Any = None

    def read(self) -> bytes:
        with self._storage.open(self.storage_name, "rb") as handle:
            return handle.read()


@dataclass
class Outgoing:
    """One post to publish: a whole message, or one part of a thread."""

    text: str
    index: int
    total: int
    key: str  # idempotency key of this part
    images: list[ImageFile] = field(default_factory=list)
    reply_to: PostRef | None = None  # the previous part
    root: PostRef | None = None  # the first part
    language: str = ""
    link: str = ""  # the message on the resident site


@dataclass
class Metrics:
    """A post's figures; None where the platform does not offer one."""

    impressions: int | None = None
    reactions: int | None = None
    comments: int | None = None
    shares: int | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "raw"}


@dataclass
class Connection:
    """What connecting an account found out, to be stored on the channel."""

    account_name: str
    account_url: str = ""
    secrets: dict[str, Any] = field(default_factory=dict)  # access_token, refresh_token, page token...
    config: dict[str, Any] = field(default_factory=dict)  # non-secret: account or page id
    expires_at: Any = None  # datetime | None
    refresh_expires_at: Any = None


class Progress:
    """The parts of a thread already published, kept in ``Delivery.detail["parts"]``.

    Each part is written down the moment the platform confirms it, so a
    retry or a recovered crash continues with the next part.
    """

    def __init__(self, delivery):
        self.delivery = delivery
        self.parts = [PostRef.from_json(p) for p in (delivery.detail or {}).get("parts", [])]

    def __len__(self) -> int:
        return len(self.parts)

    @property
    def first(self) -> PostRef | None:
        return self.parts[0] if self.parts else None

    @property
    def last(self) -> PostRef | None:
        return self.parts[-1] if self.parts else None

    def add(self, ref: PostRef) -> None:
        from kanava.publishing.models import Delivery

        self.parts.append(ref)
        detail = dict(self.delivery.detail or {})
        detail["parts"] = [p.as_json() for p in self.parts]
        self.delivery.detail = detail
        Delivery.objects.filter(pk=self.delivery.pk).update(detail=detail)

    def result(self) -> PublishResult:
        first = self.parts[0]
        return PublishResult(external_id=first.id, url=first.url,
                             detail={"parts": [p.as_json() for p in self.parts]})


class SocialAdapter(Adapter):
    """Base of the Facebook, Instagram, X, LinkedIn, Mastodon and Bluesky adapters."""

    per_language = True
    #: Default length limit when the platform does not tell one at run time.
    default_limit: ClassVar[int] = 500
    unit: ClassVar[Any] = gettext_lazy("characters")
    #: How the platform counts length (see :mod:`kanava.channels.social.text`).
    count = staticmethod(social_text.characters)
    #: The platform has threads (replies to one's own post), so long text may become one.
    threads: ClassVar[bool] = False
    max_images: ClassVar[int] = 4
    #: Instagram: a post must have at least one image.
    requires_image: ClassVar[bool] = False
    #: "oauth" (the platform's OAuth flow) or "password" (Bluesky's app passwords).
    connect_with: ClassVar[str] = "oauth"
    #: The platform reports reach figures for posts.
    has_metrics: ClassVar[bool] = True
    #: Refresh the access token when less than this is left (seconds).
    refresh_margin: ClassVar[int] = 15 * 60

    # -- hooks for platform packages ------------------------------------------------
    def post(self, out: Outgoing) -> PostRef:
        raise NotImplementedError

    def find(self, out: Outgoing) -> PostRef | None:
        """The post an earlier attempt may have published, or None; raise LookupUnsupported if unknowable."""
        raise LookupUnsupported

    def fetch_metrics_for(self, refs: list[PostRef]) -> dict[str, Metrics]:
        """Figures per post id; posts the platform no longer has are left out."""
        return {}

    def verify(self) -> None:
        """Check the connection cheaply (who am I); raise ChannelError if it does not work."""

    def read_limits(self) -> dict:
        """Limits the platform publishes at run time (e.g. ``{"max_characters": 1000}``)."""
        return {}

    def oauth_spec(self):
        """An :class:`kanava.channels.social.oauth.OAuthSpec`, or None when connected otherwise."""
        return None

    def finish_connection(self, token: dict) -> Connection:
        """After OAuth: find out who the account is (and pick a page's token)."""
        raise NotImplementedError

    def connect_with_password(self, identifier: str, password: str) -> Connection:
        raise NotImplementedError

    def refresh(self) -> dict | None:
        """A new token (OAuth token response) from the refresh token; None if this platform cannot."""
        from kanava.channels.social import oauth

        spec = self.oauth_spec()
        if not spec or not self.secrets.get("refresh_token"):
            return None
        return oauth.refresh_token(spec, self.channel, self.secrets["refresh_token"])

    # -- limits and validation --------------------------------------------------------
    def limit(self) -> int:
        limits = (self.channel.platform_state or {}).get("limits") or {}
        return int(limits.get("max_characters") or self.default_limit)

    def length(self, variant) -> Length:
        return Length(used=self.count(variant.text), limit=self.limit(), unit=self.unit)

    def link_for(self, message, language: str) -> str:
        from kanava.core.sites import site_base_url

        return f"{site_base_url(message.organisation)}/{language}/m/{message.pk}/"

    def full_text(self, message, version) -> str:
        """Title and summary (or the text) with a link to the whole message on the resident site."""
        lead = version.summary.strip() or version.plain_text().strip()
        text = f"{version.title.strip()}\n\n{lead}".strip()
        return f"{text}\n\n{self.link_for(message, version.language)}"

    def derive(self, message, version) -> Draft:
        """The full text when it fits; otherwise its beginning with the link (validation says so, and
        on platforms with threads offers the whole text as a thread instead)."""
        text = self.full_text(message, version)
        if self.count(text) > self.limit():
            lead = text.rsplit("\n\n", 1)[0]
            text = social_text.shorten_with_link(lead, self.limit(), self.link_for(message, version.language),
                                                 self.count)
        return Draft(title=version.title, text=text)

    def auto_shortened(self, variant) -> bool:
        """The derived text had to be shortened to fit (the editor has not written their own)."""
        if variant.edited or not variant.message_id:
            return False
        version = variant.version
        return bool(version) and self.count(self.full_text(variant.message, version)) > self.limit()

    def source_text(self, variant) -> str:
        """What a thread is made of: the editor's text, or the whole derived text."""
        if variant.thread and self.auto_shortened(variant):
            return self.full_text(variant.message, variant.version)
        return variant.text

    def parts(self, variant) -> list[str]:
        """The texts to post: one, or a thread when the editor chose it."""
        text = self.source_text(variant) if self.threads and variant.thread else variant.text
        if self.threads and variant.thread and self.count(text) > self.limit():
            return social_text.split_thread(text, self.limit(), self.count)
        return [text.strip()]

    def images(self, message, language: str) -> list[ImageFile]:
        from kanava.core.sites import site_base_url

        found = []
        for image in message.images.all():
            url = image.file.url
            if not url.startswith(("http://", "https://")):
                url = f"{site_base_url(message.organisation)}{url}"
            found.append(ImageFile(
                name=image.file.name.rsplit("/", 1)[-1],
                content_type=mimetypes.guess_type(image.file.name)[0] or "application/octet-stream",
                alt=image.alt_text(language), url=url, width=image.width, height=image.height,
                storage_name=image.file.name, _storage=image.file.storage))
        return found

    def validate(self, variant) -> list[Problem]:
        problems = []
        label = self.channel.manifest.label
        length = self.length(variant)
        if not variant.text.strip():
            problems.append(Problem("empty", _("The text for %(channel)s is empty.") % {"channel": self.channel.name},
                                    language=variant.language))
        elif length.over and not (self.threads and variant.thread):
            if self.threads:
                advice = _("Shorten it, publish it as a thread, or use the shortened version with a link.")
            else:
                advice = _("Shorten it, or use the shortened version with a link.")
            problems.append(Problem(
                "too_long", _("Too long for %(channel)s: %(used)s of %(limit)s %(unit)s. %(advice)s") % {
                    "channel": self.channel.name, "used": length.used, "limit": length.limit,
                    "unit": length.unit, "advice": advice},
                language=variant.language))
        elif not variant.thread and self.auto_shortened(variant):
            advice = _(" You can publish the whole text as a thread instead.") if self.threads else ""
            problems.append(Problem("shortened", _(
                "Shortened to fit %(channel)s: the whole text is behind the link.%(advice)s") % {
                    "channel": self.channel.name, "advice": advice},
                severity="warning", language=variant.language))
        if variant.text.strip() and self.threads and variant.thread and len(self.parts(variant)) > 1:
            count = len(self.parts(variant))
            problems.append(Problem("thread", ngettext(
                "Goes out on %(channel)s as a thread of %(count)s post.",
                "Goes out on %(channel)s as a thread of %(count)s posts.", count) % {
                    "channel": self.channel.name, "count": count},
                severity="info", language=variant.language))
        image_count = variant.message.images.count()
        if self.requires_image and image_count == 0:
            problems.append(Problem("image_required", _("%(platform)s needs at least one image.") % {
                "platform": label}, language=variant.language))
        if image_count > self.max_images:
            problems.append(Problem("too_many_images", ngettext(
                "%(platform)s takes at most %(max)s image; this message has %(count)s.",
                "%(platform)s takes at most %(max)s images; this message has %(count)s.", self.max_images) % {
                    "platform": label, "max": self.max_images, "count": image_count},
                language=variant.language))
        if not self.is_connected():
            problems.append(Problem("not_connected", _(
                "%(channel)s is not connected: connect the account on the Connections page.") % {
                    "channel": self.channel.name}, language=variant.language))
        return problems

    # -- connection state ---------------------------------------------------------------
    def is_connected(self) -> bool:
        return bool(self.secrets.get("access_token"))

    def ensure_fresh_token(self) -> None:
        """Refresh the access token if it expires soon (one process at a time)."""
        from kanava.channels.social import tokens

        tokens.ensure_fresh(self)

    def check_not_paused(self) -> None:
        paused = self.channel.paused_until
        if paused and paused > timezone.now():
            wait = (paused - timezone.now()).total_seconds()
            raise ChannelError(_("%(platform)s asked us to wait; trying again in %(minutes)s min.") % {
                "platform": self.channel.manifest.label, "minutes": max(1, round(wait / 60))}, retry_after=wait)

    # -- delivering --------------------------------------------------------------------
    def outgoing(self, delivery, variant) -> list[Outgoing]:
        texts = self.parts(variant)
        images = self.images(delivery.message, delivery.language)
        link = self.link_for(delivery.message, delivery.language)
        return [Outgoing(text=t, index=i, total=len(texts), key=f"{delivery.idempotency_key}-{i}",
                         images=images if i == 0 else [], language=delivery.language, link=link)
                for i, t in enumerate(texts)]

    def publish(self, delivery, variants, idempotency_key) -> PublishResult:
        from kanava.channels.social.errors import mark_ok

        self.check_not_paused()
        if not self.is_connected():
            raise ChannelError(_("%(channel)s is not connected: connect the account on the Connections page.")
                               % {"channel": self.channel.name}, permanent=True)
        self.ensure_fresh_token()
        variant = variants[delivery.language]
        progress = Progress(delivery)
        for out in self.outgoing(delivery, variant):
            if out.index < len(progress):
                continue
            out.reply_to, out.root = progress.last, progress.first
            ref = None
            if delivery.attempts > 1:  # an earlier attempt may have got through without us hearing
                try:
                    ref = self.find(out)
                except LookupUnsupported:
                    ref = None
            progress.add(ref or self.post(out))
        mark_ok(self.channel)
        return progress.result()

    def lookup(self, delivery, idempotency_key) -> PublishResult | None:
        """After a crash: record the parts the platform has; None (resume) unless all are there."""
        from kanava.publishing.models import Variant

        variant = Variant.objects.select_related("message").filter(
            message=delivery.message_id, channel=delivery.channel_id, language=delivery.language).first()
        if variant is None:
            return None
        progress = Progress(delivery)
        for out in self.outgoing(delivery, variant):
            if out.index < len(progress):
                continue
            out.reply_to, out.root = progress.last, progress.first
            ref = self.find(out)  # may raise LookupUnsupported: a person decides
            if ref is None:
                return None
            progress.add(ref)
        return progress.result() if len(progress) else None

    def fetch_metrics(self, delivery) -> dict:
        first = ((delivery.detail or {}).get("parts") or [{}])[0]
        if not first.get("id"):
            return {}
        found = self.fetch_metrics_for([PostRef.from_json(first)])
        metrics = found.get(str(first["id"]))
        return metrics.as_json() if metrics else {}
