"""The channel adapter contract.

One package per channel (``kanava/channels/<kind>/``) holds a ``manifest.py``
declaring a :class:`ChannelManifest`, an adapter subclassing :class:`Adapter`
and, if it needs them, its own models, forms and templates.  Adapters know
nothing of views: they take variants and a channel configuration and return a
:class:`PublishResult` or raise :class:`ChannelError`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Iterable

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # pragma: no cover
    from kanava.channels.models import Channel
    from kanava.publishing.models import Delivery, Message, MessageVersion, Variant


#: The longest wait a platform's answer can impose, in seconds.
MAX_WAIT = 2 * 24 * 3600


class ChannelError(Exception):
    """A delivery failed.

    ``permanent`` errors are not retried (bad credentials, rejected content);
    others are retried with backoff, waiting at least ``retry_after`` seconds
    when the platform said so.
    """

    def __init__(self, message: str, *, permanent: bool = False, retry_after: float | None = None,
                 uncertain: bool = False):
        super().__init__(message)
        self.permanent = permanent
        # The message was handed over and the connection broke before the
        # answer: it may have arrived.  Never retried blindly; a person decides.
        self.uncertain = uncertain
        # A platform's "wait" is believed up to two days, never more (a huge
        # Retry-After must not stall a channel for good or overflow a date).
        self.retry_after = None if retry_after is None else max(0.0, min(float(retry_after), MAX_WAIT))


class LookupUnsupported(Exception):
    """The channel cannot tell whether an earlier attempt arrived."""


@dataclass
class Problem:
    """Something wrong with a variant, shown to the editor before publishing."""

    code: str
    message: str
    severity: str = "error"  # "error" blocks publishing, "warning" does not
    language: str = ""

    @property
    def blocks(self) -> bool:
        return self.severity == "error"


@dataclass
class PublishResult:
    external_id: str
    url: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Incoming:
    """Something a resident said to us on a channel: a comment, a reply, a mention, a direct message.

    ``thread_id`` is what holds the conversation together on the platform
    (our post's id for comments under it, the direct-message thread's id);
    ``parent_id`` is the item this one answers, when the platform tells.
    """

    external_id: str
    text: str
    kind: str = "comment"  # comment | mention | direct
    thread_id: str = ""
    parent_id: str = ""
    author_name: str = ""
    author_handle: str = ""
    author_id: str = ""
    created_at: Any = None  # an aware datetime; None: now
    url: str = ""
    subject: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # what replying needs (Bluesky's uri/cid...)


@dataclass
class Fetched:
    """One poll's harvest: the items, and the cursor to continue from next time."""

    items: list[Incoming] = field(default_factory=list)
    cursor: dict[str, Any] = field(default_factory=dict)


@dataclass
class Reply:
    """Our answer to an incoming item, going back where it came from."""

    text: str
    key: str  # idempotency key: the same reply is never posted twice
    to: Incoming
    language: str = ""
    signature: str = ""  # "Aino Virtanen, communications lead", already at the end of the text
    person_name: str = ""  # who answers (an email's From name)


class ModerationUnsupported(Exception):
    """The platform does not let us do this (hide, ban, block, report) through its API."""


@dataclass
class Draft:
    """A variant's content as derived from a message version."""

    title: str
    text: str


@dataclass
class Length:
    """A length as the channel counts it, with its limit."""

    used: int
    limit: int | None
    unit: Any = _("characters")
    detail: Any = ""

    @property
    def over(self) -> bool:
        return self.limit is not None and self.used > self.limit


class Config:
    """Typed view over a channel's JSON configuration.

    Subclasses declare fields as dataclass fields; :meth:`load` ignores unknown
    keys so configuration written by an older version still loads.
    """

    @classmethod
    def load(cls, data: dict | None):
        data = data or {}
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in data.items() if k in names})  # type: ignore[call-arg]

    def problems(self) -> list[str]:
        """Translated reasons why these settings cannot work; empty when fine."""
        return []


@dataclass
class NoConfig(Config):
    pass


class Adapter:
    """Base class of every channel adapter."""

    kind: ClassVar[str] = ""
    #: One delivery per language (True) or one for all languages together.
    per_language: ClassVar[bool] = True
    #: Deliveries fan out to subscribers in recipient batches.
    batched: ClassVar[bool] = False
    config_class: ClassVar[type[Config]] = NoConfig
    #: Batched channels that hand recipients over one at a time, in the order
    #: of RecipientLog.queued(), marking each sent right after, set this to 1:
    #: after a crash only the first unresolved recipient can have been in
    #: flight, and the rest go back to the queue.  None: all are uncertain.
    max_in_flight: ClassVar[int | None] = None
    #: Names and labels of the credentials kept encrypted in Channel.secrets.
    secret_fields: ClassVar[dict[str, Any]] = {}

    def __init__(self, channel: "Channel"):
        self.channel = channel
        self.config = self.config_class.load(channel.config)
        self.secrets = channel.secrets or {}

    @classmethod
    def warm_up(cls) -> None:
        """Load what the first delivery would otherwise wait for (called once per worker)."""

    # -- composing -----------------------------------------------------
    def derive(self, message: "Message", version: "MessageVersion") -> Draft:
        """The automatic variant for one language; editors may change it."""
        return Draft(title=version.title, text=version.plain_text())

    def length(self, variant: "Variant") -> Length | None:
        """How long the variant is, as the channel counts it."""
        return None

    def validate(self, variant: "Variant") -> list[Problem]:
        """Problems that are specific to this channel."""
        problems = []
        length = self.length(variant)
        if length and length.over:
            problems.append(
                Problem(
                    "too_long",
                    str(_("Too long for %(channel)s: %(used)s of %(limit)s %(unit)s."))
                    % {"channel": self.channel.name, "used": length.used, "limit": length.limit, "unit": length.unit},
                    language=variant.language,
                )
            )
        return problems

    # -- delivering ----------------------------------------------------
    def publish(self, delivery: "Delivery", variants: dict[str, "Variant"], idempotency_key: str) -> PublishResult:
        """Publish once.  Raise :class:`ChannelError` on failure."""
        raise NotImplementedError

    def lookup(self, delivery: "Delivery", idempotency_key: str) -> PublishResult | None:
        """After a crash: the earlier attempt's result, or None if it never arrived.

        Raise :class:`LookupUnsupported` when the channel cannot tell.
        """
        raise LookupUnsupported

    def send_batch(self, delivery: "Delivery", variants: dict[str, "Variant"], recipients: "RecipientLog") -> None:
        """Batched channels: send to every queued recipient of the batch."""
        raise NotImplementedError

    def lookup_recipient(self, delivery: "Delivery", recipient) -> bool | None:
        """Batched channels after a crash: True sent, False not sent, None unknown."""
        return None

    # -- listening: the inbox --------------------------------------------
    #: The platform can answer residents through its API (the inbox sends replies back).
    can_reply: ClassVar[bool] = False
    #: Moderation actions the platform offers through its API ("hide", "restore", "ban", "block", "report").
    moderation_actions: ClassVar[tuple[str, ...]] = ()

    def fetch_replies(self, cursor: dict, posts: list) -> Fetched:
        """What residents said since ``cursor``: comments under ``posts`` (our recent posts'
        :class:`~kanava.channels.social.adapter.PostRef`), mentions and direct messages.

        Returns the items and the cursor for next time.  Items may repeat
        between polls (the inbox stores each external id once).
        """
        return Fetched(cursor=cursor)

    def send_reply(self, reply: Reply):
        """Post ``reply`` where ``reply.to`` was said; returns a PostRef.  Raise ChannelError on failure."""
        raise ChannelError(str(_("This channel cannot send replies.")), permanent=True)

    def find_reply(self, reply: Reply):
        """After a crash: the reply an earlier attempt posted (a PostRef), or None if it never arrived.

        Raise :class:`LookupUnsupported` when the platform cannot tell.
        """
        raise LookupUnsupported

    def moderate(self, action: str, item: Incoming) -> None:
        """Hide, restore, report, ban or block on the platform; ModerationUnsupported where it offers no such thing."""
        raise ModerationUnsupported(action)

    def fetch_metrics(self, delivery: "Delivery") -> dict:
        return {}


class RecipientLog:
    """Protocol of the per-recipient bookkeeping given to ``send_batch``.

    Implemented in :mod:`kanava.publishing.outbox`; documented here so channel
    packages depend only on this module.
    """

    def queued(self) -> Iterable:  # recipients still to send, in chunks
        raise NotImplementedError

    def sending(self, recipients) -> None:  # about to hand these over
        raise NotImplementedError

    def sent(self, recipient, external_id: str = "") -> None:
        raise NotImplementedError

    def rejected(self, recipient, error: str, bounced: bool = False) -> None:
        raise NotImplementedError

    def release(self, recipients) -> None:  # surely not handed over: back in the queue
        raise NotImplementedError

    def uncertain(self, recipients) -> None:  # may or may not have arrived: a person decides
        raise NotImplementedError


@dataclass
class ChannelManifest:
    kind: str
    label: Any
    adapter: str  # dotted path to the Adapter subclass
    description: Any = ""
    owned: bool = True  # a channel the organisation owns (website, newsletter...)
    icon: str = ""
