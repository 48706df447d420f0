"""Residents' messages from Kanava's own pages: the feedback form and the comment form under each news item.

Both go through :func:`kanava.inbox.intake.take_in` like everything else
residents say.  Comments under one news item by the same resident (the same
email address) join one conversation; a comment without an address, and every
feedback message, starts its own.  When the resident left an email address
and the organisation has an email channel, the conversation is tied to it so
that the inbox can answer by email.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kanava.channels.base import Incoming
from kanava.core.audit import Actor, record
from kanava.core.models import LANGUAGE_CODES, Organisation
from kanava.inbox import intake
from kanava.inbox.analysis import analyse
from kanava.inbox.models import Conversation, Item, Source

#: Longest message the forms accept (characters); the inbox itself cuts at intake.MAX_TEXT.
MAX_MESSAGE = 5000
MAX_NAME = 200


def email_channel_of(organisation: Organisation):
    """The organisation's own enabled email channel, or None."""
    from kanava.channels.models import Channel

    return (Channel.objects.filter(organisation=organisation, kind="email", enabled=True, owner__isnull=True)
            .order_by("pk").first())


def feedback_subject(organisation: Organisation, language: str) -> str:
    """The subject of a feedback message (and, after "Re:", of our answer by email), in the page's language."""
    language = language if language in LANGUAGE_CODES else organisation.majority_language
    with translation.override(language):
        return _("Your feedback to %(organisation)s") % {"organisation": organisation.display_name(language)}


def _random_id() -> str:
    return secrets.token_hex(12)


def do_take_web_feedback(actor: Actor, organisation: Organisation, *, text: str, name: str = "", email: str = "",
                         accessibility: bool = False, post=None, language: str = "") -> Item | None:
    """Store one message from our pages in the inbox; the item, or None if it was already there.

    ``post`` is the news item (a website ``SitePost``) a comment is under;
    ``language`` the language of the page it was written on, used when the
    text itself is too short to tell; ``accessibility`` marks feedback about
    accessibility (answered within 14 days by law).
    """
    email = (email or "").strip().lower()
    subject = post.title if post is not None else feedback_subject(organisation, language)
    incoming = Incoming(
        external_id=f"web-{_random_id()}", text=text, kind="comment" if post is not None else "direct",
        thread_id=f"post-{post.message_id}" if post is not None else "",
        author_name=(name or "").strip()[:MAX_NAME], author_handle=email,
        # Without an address nothing tells two residents apart: each such comment is its own conversation.
        author_id="" if email else f"anonymous-{_random_id()}",
        url=post.absolute_url if post is not None else "", subject=subject,
        extra={"form": "comment" if post is not None else "feedback", "page_language": language,
               "post": post.pk if post is not None else None, "accessibility": bool(accessibility)},
    )
    analysis = analyse(organisation.pk, [intake.clean_text(text)])[0]
    if not analysis.language and language in LANGUAGE_CODES:
        analysis.language = language
    channel = email_channel_of(organisation) if email else None
    with transaction.atomic():
        item = intake.take_in(organisation, Source.WEB, incoming, channel=channel, analysis=analysis, actor=actor)
        if item is not None and accessibility:
            _mark_accessibility(actor, organisation, item)
    return item


def _mark_accessibility(actor: Actor, organisation: Organisation, item: Item) -> None:
    """The resident said it is about accessibility: the conversation is due within the 14 days the law gives."""
    conversation = Conversation.objects.select_for_update().get(pk=item.conversation_id)
    if conversation.accessibility:
        return
    conversation.accessibility = True
    conversation.due_at = intake.due_time(organisation, conversation, item.received_at)
    conversation.save(update_fields=["accessibility", "due_at", "updated_at"])
    record(actor, organisation, "inbox.accessibility_marked", conversation, by="resident", item=item.pk)
