"""The guard on staff content: what a message's versions reveal and what staff have confirmed.

``message_problems(message)`` gives one blocking :class:`PrivacyProblem` per
finding that nobody has confirmed; ``checks.check_message`` adds them to the
message's report, so a message cannot be submitted, approved or published
with them.  A confirmation holds for one exact value (by its keyed digest) in
one message and language: change the value and it is asked again.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Iterable

from django.apps import apps
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from kanava.channels.base import Problem
from kanava.core.models import LANGUAGE_NAMES
from kanava.privacy import scan
from kanava.privacy.labels import CATEGORY_LABELS, FIELD_LABELS, PROBLEM_MESSAGES

#: The parts of a language version that go out.
FIELDS = ("title", "summary", "body", "plain_title", "plain_body")


@dataclass
class PrivacyProblem(Problem):
    """A finding in one field of one language version; ``digest`` identifies its value."""

    kind: str = ""
    field: str = ""
    digest: str = ""
    masked: str = ""
    confirm_url: str = ""  # where the confirm button posts; "" when it cannot be confirmed here


@dataclass(frozen=True)
class Located:
    language: str
    field: str
    finding: scan.Finding
    digest: str


def normalise(kind: str, text: str) -> str:
    """The value as compared: ``040 123 4567`` and ``040-1234567`` are the same number."""
    if kind == scan.SENSITIVE or kind == scan.EMAIL:
        return text.lower()
    cleaned = "".join(char for char in text if char.isalnum() or char == "+")
    if kind == scan.PHONE:
        cleaned = cleaned.replace("+358", "0").replace("(0)", "")
        if cleaned.startswith("00358"):
            cleaned = "0" + cleaned[5:]
    return cleaned.upper()


def value_digest(kind: str, text: str) -> str:
    """A keyed SHA-256 digest of a found value; without the secret key it cannot be matched to a list."""
    key = hashlib.sha256(f"kanava.privacy.confirmation:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, f"{kind}:{normalise(kind, text)}".encode(), hashlib.sha256).hexdigest()


def mask_value(finding: scan.Finding) -> str:
    """Enough to recognise the value, too little to use it: ``01•••••••3F``, ``m•••@pikkula.fi``."""
    text = finding.text
    if finding.kind == scan.SENSITIVE:
        return text  # the word itself names no one
    if finding.kind == scan.EMAIL:
        local, _, domain = text.partition("@")
        return f"{local[:1]}•••@{domain}"
    keep = 2 if len(text) > 6 else 1
    return text[:keep] + "•" * (len(text) - 2 * keep) + text[-keep:]


def version_findings(versions: Iterable) -> list[Located]:
    """Every finding in the fields of these language versions, in order."""
    located = []
    for version in versions:
        for field in FIELDS:
            for finding in scan.scan(getattr(version, field, "") or ""):
                located.append(Located(version.language, field, finding, value_digest(finding.kind, finding.text)))
    return located


def confirmations_installed() -> bool:
    return apps.is_installed("kanava.privacy")


def confirmed_keys(message) -> set[tuple[str, str, str]]:
    """(language, kind, digest) of what staff confirmed for this message."""
    if not confirmations_installed() or message.pk is None:
        return set()
    from kanava.privacy.models import Confirmation

    return set(Confirmation.objects.filter(organisation_id=message.organisation_id, message_id=message.pk)
               .values_list("language", "kind", "value_digest"))


def confirm_url(message) -> str:
    if not confirmations_installed() or message.pk is None:
        return ""
    try:
        return reverse("privacy:confirm", kwargs={"org": message.organisation.slug, "pk": message.pk})
    except NoReverseMatch:  # the privacy URLs are not mounted
        return ""


def message_problems(message) -> list[PrivacyProblem]:
    """Blocking problems for the findings in ``message`` that are not confirmed yet."""
    located = version_findings(message.versions.all())
    if not located:
        return []
    confirmed = confirmed_keys(message)
    url = confirm_url(message)
    problems = []
    seen = set()
    for item in located:
        key = (item.language, item.finding.kind, item.digest)
        if key in confirmed or (key, item.field) in seen:
            continue
        seen.add((key, item.field))
        problems.append(problem_for(item, url))
    return problems


def problem_for(item: Located, url: str = "") -> PrivacyProblem:
    finding = item.finding
    masked = mask_value(finding)
    text = PROBLEM_MESSAGES[finding.kind] % {
        "value": masked,
        "language": LANGUAGE_NAMES.get(item.language, item.language),
        "field": FIELD_LABELS[item.field],
        "category": CATEGORY_LABELS.get(finding.detail, finding.detail),
    }
    return PrivacyProblem(code=f"privacy_{finding.kind}", message=str(text), language=item.language,
                          kind=finding.kind, field=item.field, digest=item.digest, masked=masked,
                          confirm_url=url)
