"""Staff protection: abuse aimed at one of our people is taken off the ordinary queue.

A person is "named" when the text has their whole name, or their surname in
any inflected form (Finnish and Swedish inflect names: Virtanen, Virtasen,
Virtaselle all start with the surname less its last three letters).  Only
abusive items are checked, so a false match costs the lead a look, no more.
"""

from __future__ import annotations

import regex

from kanava.core.models import Membership, Organisation, Person

WORD = regex.compile(r"\p{L}+")


def _words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text or "")]


def _surname_prefix(surname: str) -> str:
    surname = surname.lower()
    return surname[: max(5, len(surname) - 3)] if len(surname) >= 6 else surname


def named(person: Person, text: str, words: list[str] | None = None) -> bool:
    name = (person.display_name or "").strip()
    if not name:
        return False
    words = words if words is not None else _words(text)
    parts = _words(name)
    if len(parts) >= 2 and " ".join(parts) in " ".join(words):
        return True
    surname = parts[-1]
    if len(surname) < 4:
        return False
    prefix = _surname_prefix(surname)
    return any(w == surname or (len(prefix) >= 5 and w.startswith(prefix)) for w in words)


def named_staff(organisation: Organisation, text: str) -> Person | None:
    """The first of the organisation's people the text names, or None."""
    words = _words(text)
    people = (Person.objects.filter(memberships__organisation=organisation).distinct()
              .order_by("pk"))
    for person in people:
        if named(person, text, words):
            return person
    return None
