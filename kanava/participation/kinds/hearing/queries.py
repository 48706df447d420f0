"""Reading a hearing for pages and the API: a fixed number of queries whatever the number of comments."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404

from kanava.participation.kinds.hearing.models import Comment, Section

PAGE_SIZE = 20
ORDERS = {"newest": ("-created_at", "-id"), "supported": ("-support_count", "-id")}
LIST_FIELDS = ("id", "section_id", "parent_id", "text", "display_name", "created_at", "source", "language",
               "place", "address", "geometry", "support_count", "reply_count", "answer", "answered_at")


def with_phases(process):
    """Load the phases once (current_phase and is_open_for read them from the prefetch)."""
    prefetch_related_objects([process], "phases")
    return process


def section_of(process, section_id: int, with_files: bool = False) -> Section:
    sections = Section.objects.filter(process=process, pk=section_id)
    if with_files:
        sections = sections.prefetch_related("images", "documents")
    section = sections.first()
    if section is None:
        raise Http404
    section.process = process
    return section


def order_of(value: str) -> str:
    return value if value in ORDERS else "newest"


@dataclass
class CommentPage:
    """Enough of Django's Page for includes/pagination.html, built from the stored thread count."""

    comments: list
    number: int
    num_pages: int
    total: int

    @property
    def paginator(self):
        return self

    def has_other_pages(self):
        return self.num_pages > 1

    def has_previous(self):
        return self.number > 1

    def has_next(self):
        return self.number < self.num_pages

    def previous_page_number(self):
        return self.number - 1

    def next_page_number(self):
        return self.number + 1


def _page_number(raw) -> int:
    try:
        return max(1, int(raw))
    except (TypeError, ValueError):
        return 1


def page_number(section: Section, page, size: int = PAGE_SIZE) -> int:
    """The page asked for, within the pages there are (from the stored count)."""
    return min(_page_number(page), max(1, math.ceil(section.thread_count / size)))


def comment_page(section: Section, order: str, page, size: int = PAGE_SIZE) -> CommentPage:
    """One page of the section's visible comments with their visible replies: two queries."""
    num_pages = max(1, math.ceil(section.thread_count / size))
    number = page_number(section, page, size)
    start = (number - 1) * size
    replies = Comment.objects.filter(hidden=False).order_by("created_at", "id")
    comments = list(Comment.objects.filter(section=section, hidden=False, parent=None)
                    .order_by(*ORDERS[order_of(order)])
                    .prefetch_related(Prefetch("replies", queryset=replies, to_attr="visible_replies"))
                    [start:start + size])
    return CommentPage(comments, number, num_pages, section.thread_count)


def api_comments(section: Section, order: str, limit: int, offset: int) -> list[dict]:
    """Visible comments (not replies) as plain rows, one query."""
    return list(Comment.objects.filter(section=section, hidden=False, parent=None)
                .order_by(*ORDERS[order_of(order)]).values(*LIST_FIELDS)[offset:offset + limit])
