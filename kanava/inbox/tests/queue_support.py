"""What the queue, conversation and intake tests share: residents' messages and conversations to work on.

``receive`` goes through the real intake (language id, classifier, claim
matching, due time); ``conversation`` writes rows directly when a test is
about the queue's filters, not the classifier, so that it controls every field.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from kanava.channels.base import Incoming
from kanava.inbox.analysis import Analysis
from kanava.inbox.intake import clean_text, take_in
from kanava.inbox.models import Conversation, Item, ResponseTargets

HELSINKI = ZoneInfo("Europe/Helsinki")
_ids = itertools.count(1)

#: What the bad-input tests feed the inbox: each must be stored and shown escaped.
BAD_INPUTS = {
    "empty": "",
    "huge": "Pitkä valitus. " * 70_000,  # about 1 MB
    "binary": "\x00\x01\x02\xff\xfe PNG\r\n\x1a\n \ufffd\ufffd \x7f",
    "mixed_script": "Hei! Привет 你好 مرحبا Hej där – ääkköset ÅÄÖ",
    "emoji_only": "😡😡😡👎🏽🔥",
    "html": '<script>alert("xss")</script><img src=x onerror=alert(1)><b>lihava</b> & "lainaus"',
}


def at(year, month, day, hour=10, minute=0) -> datetime:
    """A moment in Helsinki time."""
    return datetime(year, month, day, hour, minute, tzinfo=HELSINKI)


def ensure_targets(organisation) -> ResponseTargets:
    """The organisation's response targets as stored (read back, so its times are times)."""
    targets, _created = ResponseTargets.objects.get_or_create(organisation=organisation)
    targets.refresh_from_db()
    organisation._response_targets = targets
    return targets


def incoming(text: str, **fields) -> Incoming:
    fields.setdefault("external_id", f"ext-{next(_ids)}")
    fields.setdefault("author_name", "Matti Meikäläinen")
    fields.setdefault("author_handle", "matti@example.fi")
    return Incoming(text=text, **fields)


def receive(organisation, text: str, source: str = "email", channel=None, kind: str = "", **fields) -> Item:
    """A resident's message through the real intake; ``kind`` stands in for the classifier's verdict
    when a test is about threading, not classification."""
    ensure_targets(organisation)
    analysis = Analysis(language="fi", kind=kind, confidence=0.9) if kind else None
    item = take_in(organisation, source, incoming(text, **fields), channel=channel, analysis=analysis)
    assert item is not None
    return item


def conversation(organisation, text: str = "Milloin uimahalli aukeaa?", *, status="new", source="email",
                 language="fi", kind="question", owner=None, topic=None, due_at=None, received_at=None,
                 name="Matti Meikäläinen", confidence=0.9, claim=None, **extra) -> Conversation:
    """A conversation with one incoming item, written directly (no classifier), its texts cleaned as intake does."""
    received_at = received_at or timezone.now()
    text, name = clean_text(text), clean_text(name)
    found = Conversation.objects.create(
        organisation=organisation, source=source, resident_name=name, resident_address="matti@example.fi",
        language=language, kind=kind, status=status, owner=owner, topic=topic, claim=claim,
        due_at=due_at if due_at is not None else received_at + timedelta(days=3), item_count=1,
        first_received_at=received_at, last_received_at=received_at, **extra)
    Item.objects.create(organisation=organisation, conversation=found, direction=Item.Direction.IN, source=source,
                        external_id=f"direct-{next(_ids)}", text=text, language=language, kind=kind,
                        confidence=confidence, claim=claim, received_at=received_at, author_name=name)
    return found
