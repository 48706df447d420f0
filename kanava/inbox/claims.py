"""The claims register: rumours and recurring misunderstandings with prepared factual answers.

Moderators and everyone who answers residents (``Cap.REPLY``) read the
register; leads (``Cap.APPROVE``) write it, publish claims on the resident
site's "questions and facts" page and re-run matching against the inbox.
Every change is an audit event.  Publishing, unpublishing and editing a
published claim bump the organisation's ``site_version`` so that the cached
public pages show the change at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kanava.core.access import can
from kanava.core.audit import Actor, record
from kanava.core.models import LANGUAGE_CODES, LANGUAGE_NAMES, Organisation, Topic
from kanava.core.roles import Cap
from kanava.inbox.models import OPEN_STATUSES, Claim, Conversation, Item

#: Incoming items this recent are matched again when a lead asks for it.
MATCH_WINDOW = timedelta(days=30)
#: Items read and written per round when matching again.
MATCH_BATCH = 500
MAX_STATEMENT = 500
MAX_ANSWER = 3000
MAX_SOURCES = 20
URL = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://\S+")

FIELDS = ("statement", "phrasings", "verdict", "answer", "sources", "checked_on", "topic", "slug")


@dataclass(frozen=True)
class SourceLink:
    """One line of a claim's sources: a title, an address, or both."""

    title: str
    url: str = ""


# -- permissions ----------------------------------------------------------------------

def may_read(person, organisation: Organisation) -> bool:
    return can(person, organisation, Cap.REPLY)


def may_edit(person, organisation: Organisation) -> bool:
    return can(person, organisation, Cap.APPROVE)


def _require_editor(actor: Actor, organisation: Organisation) -> None:
    if actor.person is None or not may_edit(actor.person, organisation):
        raise PermissionDenied(_("Only communications leads may change the claims register."))


# -- parsing and checking ---------------------------------------------------------------

def parse_sources(text: str) -> list[SourceLink]:
    """The sources, one per non-empty line: ``"Title https://address"``, a bare address or a bare title."""
    links = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        found = URL.search(line)
        url = found.group().rstrip(".,;)") if found else ""
        title = (line[:found.start()] + line[found.end():]).strip(" \t-–—:|,") if found else line
        links.append(SourceLink(title=title, url=url))
    return links


def phrasing_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _per_language(values: dict | None, limit: int, label) -> tuple[dict[str, str], dict]:
    """Trimmed per-language texts (only fi, sv, en) and the errors of those too long."""
    cleaned, errors = {}, {}
    for code in LANGUAGE_CODES:
        text = str((values or {}).get(code) or "").replace("\x00", "").strip()
        if len(text) > limit:
            errors.setdefault(f"{label}_{code}", []).append(
                _("At most %(limit)s characters (now %(count)s).") % {"limit": limit, "count": len(text)})
        if text:
            cleaned[code] = text
    return cleaned, errors


def _check_sources(text: str) -> list[str]:
    problems = []
    links = parse_sources(text)
    if len(links) > MAX_SOURCES:
        problems.append(_("At most %(limit)s sources.") % {"limit": MAX_SOURCES})
    for link in links:
        if link.url and not link.url.lower().startswith("https://"):
            problems.append(_("Use a secure address that starts with https:// (%(address)s).")
                            % {"address": link.url[:100]})
    return problems


def unique_slug(organisation: Organisation, text: str, exclude_pk: int | None = None) -> str:
    """A slug from ``text`` that no other claim of the organisation has ("uimahalli-suljetaan-2")."""
    base = slugify(text)[:70].strip("-") or "claim"
    taken = set(Claim.objects.filter(organisation=organisation, slug__startswith=base)
                .exclude(pk=exclude_pk).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    return slug


def _validated(organisation: Organisation, claim: Claim | None, data: dict) -> dict:
    """The cleaned values of a claim, or ValidationError with errors per form field."""
    errors: dict[str, list] = {}
    statement, too_long = _per_language(data.get("statement"), MAX_STATEMENT, "statement")
    errors.update(too_long)
    answer, too_long = _per_language(data.get("answer"), MAX_ANSWER, "answer")
    errors.update(too_long)
    if not statement:
        errors.setdefault("statement_" + organisation.majority_language, []).append(
            _("Write the claim as people put it, in at least one language."))
    verdict = data.get("verdict") or Claim.Verdict.UNCLEAR
    if verdict not in Claim.Verdict.values:
        errors.setdefault("verdict", []).append(_("Choose a verdict."))
    sources = "\n".join(line.strip() for line in str(data.get("sources") or "").splitlines() if line.strip())
    if problems := _check_sources(sources):
        errors["sources"] = problems
    topic = data.get("topic")
    if topic is not None and topic.organisation_id != organisation.pk:
        errors.setdefault("topic", []).append(_("Choose one of the organisation's topics."))
    slug = slugify(data.get("slug") or "")[:80]
    if slug and Claim.objects.filter(organisation=organisation, slug=slug).exclude(
            pk=claim.pk if claim else None).exists():
        errors.setdefault("slug", []).append(_("Another claim already has this address."))
    if errors:
        raise ValidationError(errors)
    if not slug:
        slug = claim.slug if claim and claim.slug else unique_slug(
            organisation, statement.get(organisation.majority_language) or next(iter(statement.values())),
            exclude_pk=claim.pk if claim else None)
    return {"statement": statement, "answer": answer, "verdict": verdict, "sources": sources,
            "phrasings": "\n".join(phrasing_lines(data.get("phrasings") or "")),
            "checked_on": data.get("checked_on"), "topic": topic, "slug": slug}


def missing_for_publishing(claim: Claim) -> list[str]:
    """What must be filled in before the claim can go on the public page (translated sentences)."""
    missing = []
    for code in claim.organisation.required_languages:
        name = LANGUAGE_NAMES.get(code, code)
        if not (claim.statement or {}).get(code):
            missing.append(_("The claim in %(language)s is missing.") % {"language": name})
        if not (claim.answer or {}).get(code):
            missing.append(_("The factual answer in %(language)s is missing.") % {"language": name})
    if claim.checked_on is None:
        missing.append(_("The date the facts were checked is missing."))
    return missing


# -- actions ------------------------------------------------------------------------------

def _bump_site(organisation: Organisation) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(site_version=F("site_version") + 1)


@transaction.atomic
def do_save_claim(actor: Actor, organisation: Organisation, claim: Claim | None = None, *,
                  statement: dict, answer: dict, verdict: str, phrasings: str = "", sources: str = "",
                  checked_on=None, topic: Topic | None = None, slug: str = "") -> Claim:
    """Create a claim (``claim`` None) or change one; ValidationError names the fields at fault.

    A published claim stays published; if it then lacks what publishing
    needs, the change is refused.
    """
    _require_editor(actor, organisation)
    if claim is not None and claim.organisation_id != organisation.pk:
        raise PermissionDenied
    values = _validated(organisation, claim, {
        "statement": statement, "answer": answer, "verdict": verdict, "phrasings": phrasings,
        "sources": sources, "checked_on": checked_on, "topic": topic, "slug": slug})
    created = claim is None
    if created:
        claim = Claim(organisation=organisation, created_by=actor.person)
    before = {name: _comparable(getattr(claim, name, None)) for name in FIELDS}
    for name, value in values.items():
        setattr(claim, name, value)
    if claim.published and (missing := missing_for_publishing(claim)):
        raise ValidationError(missing)
    claim.save()
    changed = [name for name in FIELDS if _comparable(getattr(claim, name)) != before[name]]
    record(actor, organisation, "claim.created" if created else "claim.changed", claim,
           slug=claim.slug, verdict=claim.verdict, changed=changed)
    if claim.published and changed:
        _bump_site(organisation)
    return claim


def _comparable(value):
    if isinstance(value, Topic):
        return value.pk
    return value.isoformat() if hasattr(value, "isoformat") else value


@transaction.atomic
def do_publish_claim(actor: Actor, claim: Claim) -> Claim:
    """Show the claim on the public "questions and facts" page; ValidationError says what is missing."""
    _require_editor(actor, claim.organisation)
    if missing := missing_for_publishing(claim):
        raise ValidationError(missing)
    if not claim.published:
        claim.published = True
        claim.save(update_fields=["published", "updated_at"])
        record(actor, claim.organisation, "claim.published", claim, slug=claim.slug)
        _bump_site(claim.organisation)
    return claim


@transaction.atomic
def do_unpublish_claim(actor: Actor, claim: Claim) -> Claim:
    """Take the claim off the public page (it stays in the register and keeps matching)."""
    _require_editor(actor, claim.organisation)
    if claim.published:
        claim.published = False
        claim.save(update_fields=["published", "updated_at"])
        record(actor, claim.organisation, "claim.unpublished", claim, slug=claim.slug)
        _bump_site(claim.organisation)
    return claim


# -- matching the inbox again ------------------------------------------------------------

def recent_open_items(organisation: Organisation, now=None):
    """Incoming items of the last 30 days in the organisation's open conversations."""
    since = (now or timezone.now()) - MATCH_WINDOW
    return (Item.objects.filter(organisation=organisation, direction=Item.Direction.IN, received_at__gte=since,
                                conversation__status__in=OPEN_STATUSES)
            .order_by("pk"))


def do_find_matching_items(actor: Actor, claim: Claim) -> int:
    """Match the organisation's recent open items against the whole register again.

    Run after a claim was written or reworded: items that came in before it
    existed get their ``claim`` (and their conversation's, when it has none
    or its claim no longer matches).  Each item gets its best claim, so an
    item can also move to a better matching one, or lose a match that no
    longer holds.  Returns how many items now point to ``claim``.
    """
    from kanava.inbox.analysis import CLAIM_THRESHOLD, claim_index_for

    organisation = claim.organisation
    _require_editor(actor, organisation)
    index = claim_index_for(organisation.pk)
    changed_items, best_of_conversation = 0, {}
    items = recent_open_items(organisation).only("pk", "text", "language", "claim_id", "claim_score",
                                                 "conversation_id")
    last_pk = 0
    while True:
        batch = list(items.filter(pk__gt=last_pk)[:MATCH_BATCH])
        if not batch:
            break
        last_pk = batch[-1].pk
        changed = []
        for item in batch:
            hits = index.search(item.text, limit=1, threshold=CLAIM_THRESHOLD,
                                language=item.language or None) if index is not None else []
            claim_id, score = (int(hits[0][0]), float(hits[0][1])) if hits else (None, None)
            if claim_id is not None:
                known = best_of_conversation.get(item.conversation_id)
                if known is None or score > known[1]:
                    best_of_conversation[item.conversation_id] = (claim_id, score)
            if item.claim_id != claim_id:
                item.claim_id, item.claim_score = claim_id, score
                changed.append(item)
        Item.objects.bulk_update(changed, ["claim", "claim_score"])
        changed_items += len(changed)
    conversations = _mark_conversations(organisation, best_of_conversation)
    matched = recent_open_items(organisation).filter(claim=claim).count()
    record(actor, organisation, "claim.matched", claim, items=matched, changed_items=changed_items,
           conversations=conversations)
    return matched


def _mark_conversations(organisation: Organisation, best: dict[int, tuple[int, float]]) -> int:
    """Give each conversation whose items match a claim that claim, unless one of its items still matches its own."""
    changed = 0
    query = Conversation.objects.filter(organisation=organisation, pk__in=list(best)).only("pk", "claim_id")
    for conversation in query:
        if conversation.claim_id is not None and Item.objects.filter(
                conversation=conversation, claim_id=conversation.claim_id).exists():
            continue
        claim_id = best[conversation.pk][0]
        if conversation.claim_id != claim_id:
            Conversation.objects.filter(pk=conversation.pk).update(claim_id=claim_id)
            changed += 1
    return changed


# -- reading ---------------------------------------------------------------------------------

def claims_of(organisation: Organisation):
    return Claim.objects.filter(organisation=organisation)


def published_claims(organisation: Organisation):
    """What the public page lists: published claims, most recently checked first."""
    return (Claim.objects.filter(organisation=organisation, published=True).select_related("organisation")
            .order_by(F("checked_on").desc(nulls_last=True), "-updated_at", "-pk"))


def matched_conversations(claim: Claim):
    """Conversations marked with the claim, or with an item that is."""
    from django.db.models import Exists, OuterRef, Q

    matched_item = Item.objects.filter(conversation=OuterRef("pk"), claim=claim)
    return (Conversation.objects.filter(organisation=claim.organisation)
            .filter(Q(claim=claim) | Q(Exists(matched_item)))
            .select_related("channel", "owner").order_by("-last_received_at", "-pk"))
