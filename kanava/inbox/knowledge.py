"""The knowledge base that suggests answers while someone writes a reply.

Three kinds of entries, all the organisation's own:

- **claims** from the register (their statements and other phrasings lead to
  the prepared factual answer),
- **FAQ entries** (:class:`KnowledgeEntry` of kind ``faq``), written on the
  staff pages here,
- **earlier good answers**: our answers someone marked with
  :func:`do_mark_good_answer`, found through the resident's message they
  answered.

``suggestions(organisation, text, language)`` finds the entries closest to a
resident's message with :class:`kanava.text.similarity.SimilarityIndex`
(stems and character n-grams, so inflected Finnish and Swedish meet).  The
index is built once per process and organisation and rebuilt when the
entries change: the version is read from the database (claims' count and
latest change, FAQ rows, and the latest audit event of the actions below),
so every web process notices a change made in another.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, OuterRef, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from kanava.core.access import can
from kanava.core.audit import Actor, record
from kanava.core.models import LANGUAGE_CODES, AuditEvent, Organisation, in_language
from kanava.core.roles import Cap
from kanava.inbox.models import Claim, Item, KnowledgeEntry

#: Entries scoring below this are not offered.
THRESHOLD = 0.2
#: An entry written in another language than the reply counts a little less, so that
#: of two equally close entries the one in the reply's language comes first.
OTHER_LANGUAGE_FACTOR = 0.85
#: Rebuild at least this often (seconds), whatever the version says.
MAX_AGE = 600
MAX_QUESTION = 1000
MAX_ANSWER = 5000
TITLE_LENGTH = 120

#: Actions that change the knowledge base besides claims (whose own ``updated_at`` tells).
KNOWLEDGE_ACTIONS = ("knowledge.faq_created", "knowledge.faq_changed", "knowledge.faq_deleted",
                     "knowledge.answer_marked", "knowledge.answer_unmarked", "claim.created", "claim.changed")

_lock = threading.Lock()
_indexes: dict[int, tuple[tuple, float, _Knowledge]] = {}


@dataclass(frozen=True)
class Suggestion:
    """One entry offered to someone writing a reply.

    ``kind``: "claim", "faq" or "answer"; ``answer`` is in the language asked
    for when the entry has it (claims), else in the entry's own language,
    which ``language`` names; ``url`` is the entry's staff page.
    """

    kind: str
    title: str
    answer: str
    score: float
    url: str
    language: str = ""
    verdict: str = ""

    @property
    def verdict_label(self) -> str:
        return str(Claim.Verdict(self.verdict).label) if self.verdict in Claim.Verdict.values else ""


@dataclass
class _Knowledge:
    index: object  # SimilarityIndex, or None when there is nothing to search
    records: dict  # key -> plain data of the entry


# -- the index ------------------------------------------------------------------------

def _version(organisation_id: int) -> tuple:
    claims = Claim.objects.filter(organisation_id=organisation_id).aggregate(n=Count("pk"), last=Max("updated_at"))
    faq = KnowledgeEntry.objects.filter(organisation_id=organisation_id).aggregate(
        n=Count("pk"), last=Max("pk"), at=Max("created_at"))
    # Ids alone could repeat after a rolled-back transaction; the times do not.
    changed = AuditEvent.objects.filter(organisation_id=organisation_id, action__in=KNOWLEDGE_ACTIONS) \
        .aggregate(last=Max("pk"), at=Max("created_at"))
    return claims["n"], claims["last"], faq["n"], faq["last"], faq["at"], changed["last"], changed["at"]


def _claim_entries(organisation_id: int):
    for claim in Claim.objects.filter(organisation_id=organisation_id).exclude(answer={}):
        key = ("claim", claim.pk)
        data = {"statement": claim.statement, "answer": claim.answer, "verdict": claim.verdict}
        texts = [t for t in (claim.statement or {}).values() if t]
        texts += [line.strip() for line in claim.phrasings.splitlines() if line.strip()]
        yield key, data, texts


def _faq_entries(organisation_id: int):
    for entry in KnowledgeEntry.objects.filter(organisation_id=organisation_id):
        kind = "answer" if entry.kind == KnowledgeEntry.Kind.ANSWER else "faq"
        data = {"question": entry.question, "answer": entry.answer, "language": entry.language,
                  "conversation_id": None}
        yield (kind + "-entry" if kind == "answer" else kind, entry.pk), data, [entry.question, entry.answer]


def _answer_entries(organisation_id: int):
    """Our answers marked good, each found through the resident's message it answered."""
    answered = (Item.objects.filter(conversation_id=OuterRef("conversation_id"), direction=Item.Direction.IN,
                                    received_at__lte=OuterRef("received_at"))
                .order_by("-received_at", "-pk").values("text")[:1])
    answers = (Item.objects.filter(organisation_id=organisation_id, direction=Item.Direction.OUT, good_answer=True)
               .select_related("conversation").annotate(question=Subquery(answered)))
    for answer in answers:
        question = answer.question or ""
        data = {"question": question, "answer": answer.text,
                  "language": answer.language or answer.conversation.language,
                  "conversation_id": answer.conversation_id}
        yield ("answer", answer.pk), data, [question, answer.text]


def _build(organisation_id: int) -> _Knowledge:
    from kanava.text.similarity import SimilarityIndex

    records, entries = {}, []
    for source in (_claim_entries, _faq_entries, _answer_entries):
        for key, data, texts in source(organisation_id):
            records[key] = data
            entries += [(key, text) for text in texts if text]
    return _Knowledge(SimilarityIndex(entries) if entries else None, records)


def knowledge_for(organisation_id: int) -> _Knowledge:
    """The organisation's index, rebuilt when its entries changed (or it is older than MAX_AGE)."""
    version = _version(organisation_id)
    cached = _indexes.get(organisation_id)
    if cached and cached[0] == version and time.monotonic() - cached[1] < MAX_AGE:
        return cached[2]
    knowledge = _build(organisation_id)
    with _lock:
        _indexes[organisation_id] = (version, time.monotonic(), knowledge)
    return knowledge


# -- suggestions -------------------------------------------------------------------------

def suggestions(organisation: Organisation, text: str, language: str, limit: int = 5) -> list[Suggestion]:
    """The entries closest to ``text`` (a resident's message), best first, at most ``limit``.

    ``language`` is the reply's language: claims answer in it when they can
    (else the organisation's majority language), and FAQ entries and earlier
    answers in it rank a little higher than those in another language.
    """
    knowledge = knowledge_for(organisation.pk)
    if knowledge.index is None or not (text or "").strip():
        return []
    query_language = language if language in LANGUAGE_CODES else None
    hits = knowledge.index.search(text, limit=max(limit * 3, limit), threshold=THRESHOLD, language=None)
    found = [_suggestion(organisation, key, knowledge.records[key], score, query_language)
             for key, score in hits if key in knowledge.records]
    found.sort(key=lambda s: -s.score)
    return found[:limit]


def _suggestion(organisation, key, entry: dict, score: float, language: str | None) -> Suggestion:
    kind, pk = key
    if kind == "claim":
        answer_language = _language_of(entry["answer"], language, organisation)
        return Suggestion(
            kind="claim", title=in_language(entry["statement"], language, organisation),
            answer=in_language(entry["answer"], language, organisation), score=round(score, 4),
            url=_url("claims:detail", organisation, pk), language=answer_language, verdict=entry["verdict"])
    if language and entry["language"] and entry["language"] != language:
        score *= OTHER_LANGUAGE_FACTOR
    if kind == "faq":
        url = _url("claims:faq_edit", organisation, pk)
    else:
        url = _url("inbox:conversation", organisation, entry["conversation_id"]) if entry["conversation_id"] \
            else _url("claims:faq_list", organisation)
    return Suggestion(kind="faq" if kind == "faq" else "answer",
                      title=Truncator(" ".join(entry["question"].split())).chars(TITLE_LENGTH),
                      answer=entry["answer"], score=round(score, 4), url=url, language=entry["language"])


def _language_of(values: dict, language: str | None, organisation) -> str:
    """Which language ``in_language`` picks for ``values``."""
    values = values or {}
    for code in (language, organisation.majority_language):
        if code and values.get(code):
            return code
    return next((code for code, text in values.items() if text), "")


def _url(name: str, organisation, pk=None) -> str:
    kwargs = {"org": organisation.slug}
    if pk is not None:
        kwargs["pk"] = pk
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:  # the page is not mounted (a test of this module alone)
        return ""


# -- actions -------------------------------------------------------------------------------

def may_use(person, organisation: Organisation) -> bool:
    return can(person, organisation, Cap.REPLY)


def _require(actor: Actor, organisation: Organisation) -> None:
    if actor.person is None or not may_use(actor.person, organisation):
        raise PermissionDenied(_("You are not allowed to change the answers."))


def _clean(text, limit: int, field: str, empty_message: str) -> str:
    text = str(text or "").replace("\x00", "").strip()
    if not text:
        raise ValidationError({field: [empty_message]})
    if len(text) > limit:
        raise ValidationError({field: [_("At most %(limit)s characters (now %(count)s).")
                                       % {"limit": limit, "count": len(text)}]})
    return text


@transaction.atomic
def do_save_faq(actor: Actor, organisation: Organisation, entry: KnowledgeEntry | None = None, *,
                language: str, question: str, answer: str) -> KnowledgeEntry:
    """Create an FAQ entry (``entry`` None) or change one."""
    _require(actor, organisation)
    if entry is not None and (entry.organisation_id != organisation.pk or entry.kind != KnowledgeEntry.Kind.FAQ):
        raise PermissionDenied
    if language not in LANGUAGE_CODES:
        raise ValidationError({"language": [_("Choose a language.")]})
    question = _clean(question, MAX_QUESTION, "question", _("Write the question."))
    answer = _clean(answer, MAX_ANSWER, "answer", _("Write the answer."))
    created = entry is None
    if created:
        entry = KnowledgeEntry(organisation=organisation, kind=KnowledgeEntry.Kind.FAQ, created_by=actor.person)
    entry.language, entry.question, entry.answer = language, question, answer
    entry.save()
    record(actor, organisation, "knowledge.faq_created" if created else "knowledge.faq_changed", entry,
           language=language)
    return entry


@transaction.atomic
def do_delete_faq(actor: Actor, entry: KnowledgeEntry) -> None:
    _require(actor, entry.organisation)
    if entry.kind != KnowledgeEntry.Kind.FAQ:
        raise PermissionDenied
    record(actor, entry.organisation, "knowledge.faq_deleted", entry, question=entry.question[:200])
    entry.delete()


@transaction.atomic
def do_mark_good_answer(actor: Actor, item: Item, good: bool = True) -> Item:
    """Offer our answer ``item`` again as an example (``good=False`` takes it back).

    Only our own answers (outgoing items) can be marked; ValidationError
    otherwise.
    """
    _require(actor, item.organisation)
    if item.direction != Item.Direction.OUT:
        raise ValidationError(_("Only our own answers can be offered as examples."))
    if item.good_answer != good:
        Item.objects.filter(pk=item.pk).update(good_answer=good)
        item.good_answer = good
        record(actor, item.organisation, "knowledge.answer_marked" if good else "knowledge.answer_unmarked", item,
               conversation=item.conversation_id)
    return item


def faq_entries(organisation: Organisation):
    return KnowledgeEntry.objects.filter(organisation=organisation, kind=KnowledgeEntry.Kind.FAQ).order_by(
        "language", "question", "pk")
