"""One newsletter batch as a byte template: rendered once, personalised by substitution.

:func:`build` renders the HTML and the plain-text part once per batch with a
placeholder where the personal unsubscribe link goes.  :meth:`Batch.message`
then makes each recipient's message by replacing the placeholder, encoding
the two parts as quoted-printable (C speed, :func:`binascii.b2a_qp`) and
adding the three personal headers (To, Message-ID, List-Unsubscribe).  No
template is rendered per recipient: that is what makes hundreds of messages
a second possible.

Headers are never glued from settings as they are: names are RFC 2047
encoded, domains IDNA, a non-ASCII local part (``viestintä@kunta.fi``) is
written as UTF-8 (RFC 6532) in ``Reply-To`` and percent-encoded in the
``mailto:`` URL.  :func:`build` raises ``ValueError`` for a sender that
cannot be written safely (a line break in the list identifier, say), before
any recipient is touched.
"""

import binascii
import email.policy
import uuid
from dataclasses import dataclass
from email.header import Header
from email.utils import formataddr, formatdate

from django.template.loader import render_to_string
from django.utils import translation

from kanava.audience import links, tokens
from kanava.channels.email import addresses
from kanava.publishing.render import markdown_to_html, markdown_to_text

#: Letters only, so it passes HTML escaping, Markdown and URL quoting unchanged.
PLACEHOLDER = "KANAVAxUNSUBSCRIBExURLxPLACEHOLDER"
CRLF = "\r\n"
# refold_source="all": encode non-ASCII words even in short headers.
_policy = email.policy.SMTP.clone(refold_source="all")
# For a Reply-To whose local part is not ASCII: written as UTF-8 (RFC 6532).
_utf8_policy = _policy.clone(utf8=True)


@dataclass(frozen=True)
class Sender:
    """Who sends: resolved from the channel configuration and the organisation."""

    from_name: str
    from_address: str
    reply_to: str
    list_id: str
    bounce_domain: str

    @property
    def domain(self) -> str:
        return self.from_address.rpartition("@")[2] or "localhost"


@dataclass
class Batch:
    """Everything that is the same for every recipient of one delivery."""

    head: bytes  # the shared headers, each ending in CRLF
    text: str  # plain-text part, CRLF line ends, with PLACEHOLDER
    html: str  # HTML part, CRLF line ends, with PLACEHOLDER
    boundary: str
    key: str  # the delivery's idempotency key, for deterministic Message-IDs
    sender: Sender
    base_url: str
    fallback_mailto: str = ""  # List-Unsubscribe mailto without a bounce domain: the same for everyone

    @property
    def utf8(self) -> bool:
        """Whether the shared headers hold UTF-8 (a non-ASCII Reply-To): SMTP should be told."""
        return not self.head.isascii()

    def envelope_sender(self, subscriber_id: int) -> str:
        """The VERP bounce address when a bounce domain is set, else the From address."""
        if self.sender.bounce_domain:
            return f"bounces+{tokens.address_token(subscriber_id, 'bounce')}@{self.sender.bounce_domain}"
        return self.sender.from_address

    def message_id(self, subscriber_id: int) -> str:
        return f"<{self.key}.{subscriber_id}@{self.sender.domain}>"

    def unsubscribe_mailto(self, subscriber_id: int) -> str:
        if not self.sender.bounce_domain:
            return self.fallback_mailto
        token = tokens.address_token(subscriber_id, "unsubscribe")
        return f"mailto:unsubscribe+{token}@{self.sender.bounce_domain}?subject=unsubscribe"

    def message(self, address: str, subscriber_id: int) -> bytes:
        """The complete message for one recipient, ready for SMTP DATA."""
        url = links.unsubscribe_url(self.base_url, subscriber_id)
        personal = (
            f"To: {address}{CRLF}"
            f"Message-ID: {self.message_id(subscriber_id)}{CRLF}"
            f"List-Unsubscribe: <{url}>,{CRLF} <{self.unsubscribe_mailto(subscriber_id)}>{CRLF}"
        ).encode("ascii")
        boundary = self.boundary.encode("ascii")
        return b"".join((
            self.head, personal, b"\r\n",
            b"--", boundary, b"\r\n", _PART_HEADERS["plain"], _qp(self.text.replace(PLACEHOLDER, url)), b"\r\n",
            b"--", boundary, b"\r\n", _PART_HEADERS["html"], _qp(self.html.replace(PLACEHOLDER, url)), b"\r\n",
            b"--", boundary, b"--\r\n",
        ))


_PART_HEADERS = {
    kind: (f'Content-Type: text/{kind}; charset="utf-8"\r\n'
           "Content-Transfer-Encoding: quoted-printable\r\n\r\n").encode("ascii")
    for kind in ("plain", "html")
}


def _qp(text: str) -> bytes:
    return binascii.b2a_qp(text.encode("utf-8"), istext=True)


def _crlf(text: str) -> str:
    return CRLF.join(text.splitlines()) + CRLF


def _one_line(value: str) -> str:
    return " ".join((value or "").split())


def _phrase(value: str) -> str:
    """A display name for a structured header: quoted, or RFC 2047 encoded (folded with CRLF) when not ASCII."""
    value = _one_line(value).replace("\\", "").replace('"', "'")
    return Header(value, "utf-8").encode(linesep=CRLF) if not value.isascii() else f'"{value}"'


def _list_id(sender: Sender, organisation_name: str) -> bytes:
    list_id = addresses.safe_list_id(sender.list_id)
    if list_id is None:
        raise ValueError(f"unusable List-Id {sender.list_id!r}")
    return f"List-Id: {_phrase(organisation_name)} <{list_id}>{CRLF}".encode("ascii")


def _reply_to(address: str) -> bytes:
    value = addresses.header_form(address)  # ValueError for anything but one address on one line
    return (_policy if value.isascii() else _utf8_policy).fold_binary("Reply-To", value)


def _from(sender: Sender) -> bytes:
    if sender.from_address != addresses.header_form(sender.from_address) or not sender.from_address.isascii():
        raise ValueError(f"unusable sender address {sender.from_address!r}")
    return _policy.fold_binary("From", formataddr((_one_line(sender.from_name), sender.from_address)))


def build(delivery, variant, sender: Sender, base_url: str) -> Batch:
    """Render the delivery's newsletter once, in the delivery's language."""
    language = delivery.language or variant.language
    with translation.override(language):
        context = _context(delivery, variant, language, base_url)
        html = render_to_string("channel_email/newsletter.html", context)
        text = render_to_string("channel_email/newsletter.txt", context)
    boundary = f"=_kanava_{uuid.uuid4().hex}"
    mailto = "" if sender.bounce_domain else addresses.mailto(sender.reply_to or sender.from_address, "unsubscribe")
    return Batch(head=_head(variant.title, sender, language, boundary, context["organisation_name"]),
                 text=_crlf(text), html=_crlf(html), boundary=boundary, key=delivery.idempotency_key,
                 sender=sender, base_url=base_url, fallback_mailto=mailto)


def _head(subject: str, sender: Sender, language: str, boundary: str, organisation_name: str) -> bytes:
    lines = [
        _from(sender),
        _policy.fold_binary("Subject", _one_line(subject)),
        _policy.fold_binary("Date", formatdate(localtime=True)),
        b"MIME-Version: 1.0\r\n",
        f"Content-Language: {language}\r\n".encode("ascii"),
        _list_id(sender, organisation_name),
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
        b"Precedence: bulk\r\n",
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n'.encode("ascii"),
    ]
    if sender.reply_to:
        lines.insert(2, _reply_to(sender.reply_to))
    return b"".join(lines)


def _context(delivery, variant, language: str, base_url: str) -> dict:
    message = variant.message
    organisation = message.organisation
    return {
        "subject": variant.title,
        "body_html": markdown_to_html(variant.text),
        "body_text": markdown_to_text(variant.text),
        "images": images_of(message, language, base_url),
        "web_url": web_version_url(base_url, language, message.pk),
        "organisation_name": organisation.display_name(language),
        "topic_name": message.topic.display_name(language) if message.topic_id else "",
        "brand_colour": organisation.brand_colour or "#0000bf",
        "language": language,
        "unsubscribe_url": PLACEHOLDER,
        "subscribe_url": links.subscribe_url(base_url, language),
    }


def web_version_url(base_url: str, language: str, message_id: int) -> str:
    return f"{base_url}/{language}/channels/email/view/{message_id}/"


def images_of(message, language: str, base_url: str) -> list[dict]:
    found = []
    for image in message.images.all():
        url = image.file.url if image.file else ""
        if not url:
            continue
        found.append({
            "url": url if url.startswith(("http://", "https://")) else f"{base_url}{url}",
            "alt": image.alt_text(language),
            "width": min(image.width or 600, 600),
        })
    return found
