"""Our answer to a resident's email, as the email a mail program threads under theirs.

* ``From: "Aino Virtanen / Pikkulan kunta" <uutiset@pikkula.fi>``: the
  person who answers, for the organisation, from the channel's sender address
  (the only address the channel may send from); ``Reply-To`` the feedback
  address, so the resident's next message reaches the mailbox the inbox reads;
* ``In-Reply-To`` the resident's Message-ID and ``References`` the thread's
  (its first, that is our newsletter's for a newsletter reply, and the last
  ones, RFC 5322 3.6.4), so the answer and what follows stay one thread;
* ``Subject: Re: <their subject>`` (no second "Re:" or "Vs:");
* ``Message-ID: <kanava-reply.<hash of the reply's key>@<sender's domain>>``:
  the same answer always has the same id, so a copy found later
  (:meth:`~kanava.channels.email.adapter.EmailAdapter.find_reply`) can be
  recognised, and intake knows our own answers when they come back.

:func:`build` raises ``ValueError`` for what cannot be written safely (no
address to answer to, an address that SMTP cannot carry).
"""

from __future__ import annotations

import email.policy
import hashlib
import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate

from kanava.channels.base import Reply
from kanava.channels.email import addresses, sender
from kanava.channels.email.intake import ANSWER_PREFIX, KEEP_REFERENCES, one_line

# "Re:", "RE:", "Vs:" (Finnish), "Sv:" (Swedish), "AW:" (German), "Antw:": already an answer.
_ANSWERED = re.compile(r"^\s*(re|vs|sv|aw|antw)\s*(\[\d+\])?\s*:", re.I)
_ID = re.compile(r"^[^<>\s@]+@[^<>\s@]+$")
_policy = email.policy.SMTP
_utf8_policy = email.policy.SMTPUTF8


@dataclass(frozen=True)
class Answer:
    message_id: str  # without angle brackets
    recipient: str
    envelope_sender: str
    data: bytes
    utf8: bool  # headers hold UTF-8 (a non-ASCII Reply-To): SMTP is told


def answer_id(key: str, domain: str) -> str:
    """The Message-ID (without brackets) of the answer with this idempotency key."""
    return f"{ANSWER_PREFIX}{hashlib.sha256(key.encode('utf-8')).hexdigest()[:40]}@{domain}"


def subject_for(subject: str) -> str:
    subject = one_line(subject)
    return subject if _ANSWERED.match(subject) else f"Re: {subject}".strip()


def person_name(reply: Reply) -> str:
    """The answering person's name: the reply's ``person_name`` when it has one, else its signature's first part."""
    name = one_line(getattr(reply, "person_name", "") or "")
    if not name:
        signature = one_line(reply.signature).lstrip("–—- ")
        name = signature.split(", ")[0]
    return name


def recipient_of(reply: Reply) -> str:
    """Where the resident wants answers: their Reply-To, else their From address."""
    extra = reply.to.extra or {}
    return one_line(str(extra.get("reply_to") or reply.to.author_handle or ""))


def thread_ids(reply: Reply) -> tuple[str, list[str]]:
    """``(In-Reply-To, References)`` ids for the answer, each a plain ``local@domain``."""
    extra = reply.to.extra or {}
    parent = str(extra.get("message_id") or reply.to.external_id or "")
    chain = [str(i) for i in extra.get("references") or []] or [reply.to.thread_id]
    chain = [i for i in chain if i and i != parent] + [parent]
    ids = []
    for item in chain:
        if _ID.match(item or "") and item not in ids:
            ids.append(item)
    if len(ids) > KEEP_REFERENCES:
        ids = ids[:1] + ids[-(KEEP_REFERENCES - 1):]
    return (parent if _ID.match(parent) else ""), ids


def build(reply: Reply, *, from_address: str, reply_to: str, organisation_name: str) -> Answer:
    """The answer's envelope and bytes; raises ``ValueError`` when it cannot be written."""
    recipient = recipient_of(reply)
    if sender.unusable(recipient) or "@" not in recipient:
        raise ValueError(f"no usable address to answer: {recipient!r}")
    if sender.unusable(from_address):
        raise ValueError(f"unusable sender address {from_address!r}")
    domain = from_address.rpartition("@")[2]
    identifier = answer_id(reply.key, domain)
    parent, references = thread_ids(reply)
    name = " / ".join(part for part in (person_name(reply), one_line(organisation_name)) if part)
    reply_to = addresses.header_form(reply_to) if reply_to else ""
    utf8 = not reply_to.isascii()
    message = EmailMessage(policy=_utf8_policy if utf8 else _policy)
    message["From"] = Address(display_name=name, addr_spec=from_address)
    message["To"] = Address(addr_spec=recipient)
    if reply_to:
        message["Reply-To"] = reply_to
    message["Subject"] = subject_for(reply.to.subject)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = f"<{identifier}>"
    if parent:
        message["In-Reply-To"] = f"<{parent}>"
    if references:
        message["References"] = " ".join(f"<{i}>" for i in references)
    message.set_content(reply.text, charset="utf-8", cte="quoted-printable")
    if reply.language:  # after set_content, which replaces every Content-* header
        message["Content-Language"] = one_line(reply.language)[:8]
    return Answer(message_id=identifier, recipient=recipient, envelope_sender=from_address,
                  data=message.as_bytes(), utf8=utf8)
