"""The hearing's manifest hooks: what the framework asks of a kind (see kanava/participation/manifest.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import get_language, gettext as _, ngettext

from kanava.participation.manifest import OutcomeItem


def _sections(process):
    from kanava.participation.kinds.hearing.models import Section

    return list(Section.objects.filter(process=process).order_by("ordering", "id"))


def section_url(process, section) -> str:
    return reverse("hearing:section", kwargs={"process": process.slug, "section": section.pk})


def main(request, process) -> tuple[str, dict]:
    """The sections, with their stored comment counts, for the process page (one query)."""
    sections = _sections(process)
    for section in sections:
        section.process = process  # no query per section for the organisation's languages
        section.abstract_text = section.text("abstract")
    return "hearing/_main.html", {"hearing_sections": sections,
                                  "hearing_open": process.is_open_for("comment")}


EXPORT_FIELDS = ["id", "section_id", "section", "parent_id", "created_at", "source", "language", "display_name",
                 "text", "place", "address", "geometry", "support_count", "hidden", "hidden_reason", "answer",
                 "answered_at"]


def export(process):
    """Every comment, hidden ones included and marked, oldest first; streamed in batches."""
    from kanava.participation.kinds.hearing.models import Comment

    titles = {s.pk: s.display_title() for s in _sections(process)}

    def rows():
        comments = Comment.objects.filter(process=process).order_by("created_at", "id")
        for c in comments.iterator(chunk_size=2000):
            yield {"id": c.pk, "section_id": c.section_id, "section": titles.get(c.section_id, ""),
                   "parent_id": c.parent_id or "", "created_at": c.created_at.isoformat(), "source": c.source,
                   "language": c.language, "display_name": c.display_name, "text": c.text, "place": c.place,
                   "address": c.address, "geometry": c.geometry or "", "support_count": c.support_count,
                   "hidden": c.hidden, "hidden_reason": c.hidden_reason, "answer": c.answer,
                   "answered_at": c.answered_at.isoformat() if c.answered_at else ""}

    return EXPORT_FIELDS, rows()


def _source_counts(process) -> dict[str, int]:
    from django.db.models import Count

    from kanava.participation.kinds.hearing.models import Comment

    return dict(Comment.objects.filter(process=process, hidden=False).values_list("source")
                .annotate(n=Count("id")).order_by())


def results(process) -> tuple[str, dict]:
    """Comments per section (stored counts), the most supported comments and input by source."""
    from kanava.participation.kinds.hearing.models import Comment

    sections = _sections(process)
    top = list(Comment.objects.filter(process=process, hidden=False, parent=None)
               .select_related("section").order_by("-support_count", "-id")[:10])
    return "hearing/results.html", {"hearing_sections": sections, "top_comments": top,
                                    "by_source": _source_counts(process),
                                    "total_comments": sum(s.comment_count for s in sections)}


def outcome_items(process) -> list[OutcomeItem]:
    items = []
    for section in _sections(process):
        said = ngettext("%(count)d comment on “%(section)s”", "%(count)d comments on “%(section)s”",
                        section.comment_count) % {"count": section.comment_count,
                                                  "section": section.display_title()}
        items.append(OutcomeItem(said=said, did="", url=section_url(process, section), count=section.comment_count))
    return items


def counts(process) -> dict[str, int]:
    return {"comments": process.contribution_count}


def personal_data(participant) -> dict[str, list[dict]]:
    from kanava.participation.kinds.hearing.models import Comment, Support

    comments = [{"process": c.process_id, "section": c.section_id, "created_at": c.created_at.isoformat(),
                 "display_name": c.display_name, "text": c.text, "place": c.place, "address": c.address,
                 "geometry": c.geometry, "hidden": c.hidden}
                for c in Comment.objects.filter(participant=participant).order_by("created_at")]
    supports = [{"comment": s.comment_id, "created_at": s.created_at.isoformat()}
                for s in Support.objects.filter(participant=participant).order_by("created_at")]
    return {"hearing_comments": comments, "hearing_supports": supports}


def forget(participant) -> int:
    """Anonymise the participant's comments (the text stays as public input; name and place go) and supports."""
    from kanava.participation.kinds.hearing.models import Comment, Support

    changed = Comment.objects.filter(participant=participant).update(participant=None, display_name="", address="",
                                                                     geometry=None, dedupe_digest="")
    changed += Support.objects.filter(participant=participant).update(participant=None)
    return changed


def digest_lines(process, since) -> list[str]:
    from kanava.participation.kinds.hearing.models import Comment, Section

    lines = []
    for section in Section.objects.filter(process=process):
        new = Comment.objects.filter(section=section, hidden=False, created_at__gte=since).count()
        if new:
            lines.append(ngettext("%(count)d new comment on “%(section)s”", "%(count)d new comments on “%(section)s”",
                                  new) % {"count": new, "section": section.display_title(get_language())})
    return lines


def seed_demo(organisation, actor) -> None:
    from kanava.participation.kinds.hearing import demo

    demo.seed(organisation, actor)


def anonymous_label() -> str:
    return _("Anonymous")
