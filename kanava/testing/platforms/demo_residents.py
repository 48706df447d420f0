"""The demo's residents: they comment on the organisation's posts on the stand-in platforms.

Each platform's first posts get a few comments in Finnish and Swedish, once:
questions, thanks, a rumour the claims register answers, and one abusive
comment naming the municipal director.  Kanava finds them by polling the
platforms, as it would in production.  Like the audience in ``demo.py``, this
is made-up behaviour of the stand-ins, never of Kanava.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger("kanava.demo")

#: platform -> language of the post -> [(resident, text)]
COMMENTS = {
    "facebook": {
        "fi": [("Marja Kivelä", "Pysähtyykö kirjastoauto myös Kivikylässä? En löytänyt aikataulua mistään."),
               ("Pekka Nurmi", "Kunnanjohtaja Virtanen on täysi idiootti ja valehtelija, painu helvettiin!")],
        "sv": [("Britt Lindqvist", "Stängs simhallen för gott? Det säger alla i byn.")],
    },
    "instagram": {
        "fi": [("aino.k", "Kiitos, tosi hyvä että auto kiertää kylissä! 👍")],
        "sv": [("hanna_ek", "Vilken bra idé, tack!")],
    },
    "x": {
        "fi": [("Jussi Lahtinen", "Kuulin että uimahalli suljetaan pysyvästi. Onko totta?")],
        "sv": [("Erik Sandström", "Varför stannar bokbussen inte vid skolan längre?")],
    },
    "mastodon": {
        "fi": [("Sari Heino", "Mihin aikaan auto on Rantakylässä torstaisin?")],
        "sv": [("Lars Holm", "När kommer bokbussen till Byåsen? Tidtabellen hittar jag inte.")],
    },
    "bluesky": {
        "fi": [("Tiina Aho", "Miksei kirjastoautossa ole pyörätuolihissiä? Saavutettavuus unohtui taas.")],
        "sv": [("Mia Berg", "Hur når jag bokbussen med rullator?")],
    },
    "linkedin": {
        "fi": [("Olli Saari", "Hyvä ratkaisu remontin ajaksi.")],
    },
}

_commented: set[str] = set()


def _language_of(text: str) -> str:
    swedish = (" och ", " för ", " är ", " på ", " att ", " i ", "Bokbussen", "bokbussen")
    return "sv" if any(word in f" {text} " for word in swedish) else "fi"


def _post_text(post) -> str:
    record = getattr(post, "record", None)
    if isinstance(record, dict):
        return str(record.get("text") or "")
    return str(getattr(post, "text", None) or getattr(post, "commentary", None) or "")


def _posts(server) -> list:
    return [p for p in list(getattr(server, "posts", [])) if _post_text(p)]


def _post_id(post) -> str:
    return str(getattr(post, "uri", None) or getattr(post, "id", ""))


def _handle(name: str) -> str:
    """"Jussi Lahtinen" -> "jussi_lahtinen" (the handle a resident has on the platform)."""
    return "_".join(name.lower().replace(".", " ").split()).translate(str.maketrans("äöå", "aoa"))


def _comment(kind: str, server, post, author: str, text: str) -> None:
    post_id = _post_id(post)
    if kind in ("facebook", "instagram"):
        server.add_comment(post_id, text, author=author)
    elif kind == "linkedin":
        server.add_comment(post_id, text, author=_handle(author))
    elif kind == "x":
        server.add_reply(post_id, text, author=_handle(author), name=author)
    elif kind == "mastodon":
        server.add_reply(post_id, text, author=_handle(author), display_name=author)
    elif kind == "bluesky":
        server.add_reply(post_id, text, author=_handle(author))


def _kind_of(server_name: str, post) -> str:
    return getattr(post, "platform", "") or server_name if server_name == "meta" else server_name


def speak(servers: dict) -> int:
    """Comment once on each platform's first post per language; the number of comments made."""
    made = 0
    for name, server in servers.items():
        for post in _posts(server):
            post_id = _post_id(post)
            if not post_id or post_id in _commented:
                continue
            kind = _kind_of(name, post)
            language = _language_of(_post_text(post))
            key = f"{kind}:{language}"
            if key in _commented:
                _commented.add(post_id)
                continue
            _commented.update({key, post_id})
            for author, text in COMMENTS.get(kind, {}).get(language, []):
                try:
                    _comment(kind, server, post, author, text)
                    made += 1
                except Exception:  # a stand-in without this post (restarted) or this call: no comment, no harm
                    logger.exception("Demo resident could not comment on %s %s", kind, post_id)
    return made


#: Residents who write to the feedback address: (name, address, subject, text, message id).
MAIL = [
    ("Anna Söderström", "anna.soderstrom@example.fi", "Skolskjutsen",
     "Hej! Jag hörde att skolskjutsarna från byarna upphör i januari. Stämmer det? "
     "Mina barn åker taxi till skolan varje dag.", "demo-mail-1@example.fi"),
    ("Kalle Mäkinen", "kalle.makinen@example.fi", "Vesikatko",
     "Hei, milloin Kirkkotien vesikatko loppuu? Meillä ei ole ollut vettä aamusta asti.", "demo-mail-2@example.fi"),
]
_mailed: set[str] = set()


def inbound_path() -> Path:
    """Where seed_demo leaves the address of the email channel's inbound-mail endpoint."""
    return Path(settings.VAR_DIR) / "demo-inbound.txt"


def _raw(name: str, address: str, subject: str, text: str, message_id: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"{name} <{address}>"
    mail["To"] = "viestinta@kanavala.fi"
    mail["Subject"] = subject
    mail["Date"] = format_datetime(timezone.now())
    mail["Message-ID"] = f"<{message_id}>" if message_id else make_msgid()
    mail.set_content(text)
    return bytes(mail)


def mail() -> int:
    """Post the residents' mail to the inbound endpoint once the web server answers; how many went in."""
    import requests

    path = inbound_path()
    if not path.exists() or len(_mailed) == len(MAIL):
        return 0
    url = path.read_text().strip()
    sent = 0
    for name, address, subject, text, message_id in MAIL:
        if message_id in _mailed:
            continue
        try:
            answer = requests.post(url, data=_raw(name, address, subject, text, message_id),
                                   headers={"Content-Type": "message/rfc822"}, timeout=5)
        except requests.RequestException:
            return sent  # the web server is not up yet
        if answer.status_code < 500:
            _mailed.add(message_id)
            sent += 1
    return sent
