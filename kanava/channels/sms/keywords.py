"""SMS keywords residents send to subscribe or stop (no Django imports).

The first word decides, in any letter case; the keyword's language is the
language the person wants their news and replies in.  An optional second
word names a topic.
"""

import re
from dataclasses import dataclass

SUBSCRIBE = "subscribe"
STOP = "stop"

KEYWORDS = {
    "tilaa": (SUBSCRIBE, "fi"),
    "beställ": (SUBSCRIBE, "sv"),
    "bestall": (SUBSCRIBE, "sv"),  # phones and people that drop the umlaut
    "start": (SUBSCRIBE, "en"),
    "subscribe": (SUBSCRIBE, "en"),
    "lopeta": (STOP, "fi"),
    "stopp": (STOP, "sv"),
    "stop": (STOP, "en"),
}

#: What to tell people to send, per language.
SUBSCRIBE_WORD = {"fi": "TILAA", "sv": "BESTÄLL", "en": "SUBSCRIBE"}
STOP_WORD = {"fi": "LOPETA", "sv": "STOPP", "en": "STOP"}


@dataclass(frozen=True)
class Command:
    action: str  # SUBSCRIBE or STOP
    language: str
    topic: str = ""  # the second word, as typed (lower case)


def parse(text: str) -> Command | None:
    """The command in an incoming SMS, or None when it is not one of ours."""
    words = re.findall(r"[\w-]+", (text or "").casefold())
    if not words or words[0] not in KEYWORDS:
        return None
    action, language = KEYWORDS[words[0]]
    topic = words[1] if action == SUBSCRIBE and len(words) > 1 else ""
    return Command(action=action, language=language, topic=topic)
