"""The manifest's hooks: the ideas list on the process page, exports, results, "you said, we did", "my data"."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from kanava.participation.kinds.ideas import conf
from kanava.participation.kinds.ideas.models import Idea, Initiative, InitiativeSignature, Support
from kanava.participation.manifest import OutcomeItem

PAGE_SIZE = 20
SORTS = {"newest": ("-created_at", "-id"), "supported": ("-support_count", "-created_at", "-id")}


def visible_ideas(process):
    return Idea.objects.filter(process=process, hidden_at__isnull=True)


def idea_page(process, params) -> dict:
    """One page of the public ideas list: sorted by ``sort``, filtered by ``state``, page ``page``."""
    sort = params.get("sort") if params.get("sort") in SORTS else "newest"
    state = params.get("state") if params.get("state") in Idea.State.values else ""
    ideas = visible_ideas(process).select_related("initiative")
    if state:
        ideas = ideas.filter(state=state)
    page_obj = Paginator(ideas.order_by(*SORTS[sort]), PAGE_SIZE).get_page(params.get("page"))
    return {"ideas": page_obj.object_list, "page_obj": page_obj, "sort": sort, "state": state,
            "states": Idea.State.choices, "sorts": [("newest", _("Newest first")), ("supported", _("Most supported first"))],
            "initiatives_allowed": conf.IdeasConf.of(process).initiatives}


def gate(request, process, action: str) -> dict:
    """What a page needs to offer ``action``: open now, level enough, and where to identify if not."""
    from kanava.participation import identity

    participant, level = identity.current(request, process.organisation)
    needed = process.level_for(action)
    return {"open": process.is_open_for(action), "participant": participant, "level_ok": level >= needed,
            "needed": needed, "identify_url": identity.identify_url(request, process, action, needed)}


def main(request, process) -> tuple[str, dict]:
    """The ideas part of the process page: the newest ideas, the way to propose one and a link to them all.

    The process page is cached for readers without a session, so nothing here depends on the
    reader or the query string; sorting, filtering and paging happen on the ideas list page.
    """
    return "ideas/_main.html", {**idea_page(process, {}), "embedded": True,
                                "propose": {"open": process.is_open_for("propose")}}


EXPORT_FIELDS = ["type", "id", "idea_id", "created_at", "source", "language", "title", "text", "category",
                 "author_name", "state", "answer", "support_count", "signature_count", "hidden"]


def export(process):
    """Ideas, supports and initiative signatures as flat rows (no identity codes, no participant data)."""
    def rows():
        for idea in Idea.objects.filter(process=process).select_related("initiative").order_by("id"):
            initiative = getattr(idea, "initiative", None)
            yield {"type": "idea", "id": idea.pk, "idea_id": idea.pk, "created_at": idea.created_at.isoformat(),
                   "source": idea.source, "language": idea.language, "title": idea.title,
                   "text": "" if idea.is_hidden else idea.text, "category": idea.category,
                   "author_name": idea.author_name, "state": idea.state,
                   "answer": " | ".join(f"{k}: {v}" for k, v in sorted(idea.answer.items())),
                   "support_count": idea.support_count,
                   "signature_count": initiative.signature_count if initiative else "",
                   "hidden": idea.is_hidden}
        for support in Support.objects.filter(process=process).order_by("id"):
            yield _small_row("support", support, support.idea_id)
        for signature in InitiativeSignature.objects.filter(process=process).select_related("initiative").order_by("id"):
            yield _small_row("signature", signature, signature.initiative.idea_id)
    return EXPORT_FIELDS, rows()


def _small_row(kind, row, idea_id) -> dict:
    base = dict.fromkeys(EXPORT_FIELDS, "")
    base.update({"type": kind, "id": row.pk, "idea_id": idea_id, "created_at": row.created_at.isoformat(),
                 "source": row.source, "language": row.language})
    return base


def results(process) -> tuple[str, dict]:
    ideas = visible_ideas(process)
    by_state = dict(ideas.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    return "ideas/results.html", {
        "state_counts": [(label, by_state.get(value, 0)) for value, label in Idea.State.choices],
        "top_ideas": list(ideas.order_by("-support_count", "id")[:10]),
        "total_ideas": sum(by_state.values()),
        "total_supports": ideas.aggregate(n=Sum("support_count"))["n"] or 0,
        "initiatives": list(Initiative.objects.filter(process=process).select_related("idea", "process__organisation")),
    }


def outcome_items(process) -> list[OutcomeItem]:
    items = []
    for idea in visible_ideas(process).select_related("process__organisation").order_by("-support_count", "id"):
        answer = idea.answer_in()
        did = f"{idea.get_state_display()}. {answer}" if answer else str(idea.get_state_display())
        url = reverse("ideas:detail", kwargs={"process": process.slug, "idea": idea.pk})
        items.append(OutcomeItem(said=idea.title, did=did, url=url, count=idea.support_count))
    return items


def counts(process) -> dict[str, int]:
    return {"ideas": process.contribution_count, "participants": process.participant_count}


def personal_data(participant) -> dict[str, list[dict]]:
    ideas = Idea.objects.filter(participant=participant, process__organisation=participant.organisation)
    supports = Support.objects.filter(participant=participant).select_related("idea")
    signatures = InitiativeSignature.objects.filter(participant=participant).select_related("initiative__idea")
    return {
        "ideas": [{"process": idea.process_id, "title": idea.title, "text": idea.text, "name": idea.author_name,
                   "created_at": idea.created_at.isoformat(), "state": idea.state} for idea in ideas],
        "supports": [{"idea": support.idea.title, "created_at": support.created_at.isoformat()} for support in supports],
        "initiative_signatures": [{"initiative": signature.initiative.idea.title,
                                   "created_at": signature.created_at.isoformat()} for signature in signatures],
    }


def forget(participant) -> int:
    """Unlink the participant from what they gave; ideas lose the name shown, counts and texts stay."""
    changed = Idea.objects.filter(participant=participant).update(participant=None, author_name="")
    changed += Support.objects.filter(participant=participant).update(participant=None)
    changed += InitiativeSignature.objects.filter(participant=participant).update(participant=None)
    changed += Initiative.objects.filter(participant=participant).update(participant=None)
    return changed


def digest_lines(process, since) -> list[str]:
    lines = [_("New idea: %(title)s") % {"title": idea.title}
             for idea in visible_ideas(process).filter(created_at__gt=since).order_by("created_at")[:20]]
    lines += [_("Answered: %(title)s (%(state)s)") % {"title": idea.title, "state": idea.get_state_display()}
              for idea in visible_ideas(process).filter(answered_at__gt=since).order_by("answered_at")[:20]]
    return lines
