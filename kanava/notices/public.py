"""What residents may see of notices: the one door the resident pages read through.

A notice is on the board from ``published_at`` until ``period_ends_at`` (to the
second, whether or not the sweep has marked it expired yet), and its personal
data is shown only before ``remove_personal_data_at`` (whether or not the
sweep has blanked it yet).  Only the request's organisation's notices, never
another's, not even by id.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone

from kanava.notices.models import Notice, NoticePersonalField


def board(organisation, now=None):
    """The notices on the board now, newest first."""
    now = now or timezone.now()
    return (Notice.objects.filter(organisation=organisation, status=Notice.Status.PUBLISHED, published_at__lte=now,
                                  period_ends_at__gt=now)
            .select_related("organisation").order_by("-published_at", "-pk"))


def notice(organisation, pk: int, now=None) -> Notice | None:
    """One notice on the board now, with ``public_fields`` set to the personal data it may still show."""
    now = now or timezone.now()
    found = (board(organisation, now).filter(pk=pk)
             .prefetch_related(Prefetch("personal_fields", to_attr="all_fields",
                                        queryset=NoticePersonalField.objects.order_by("position", "pk")))
             .first())
    if found is not None:
        shows = found.personal_data_removed_at is None and found.remove_personal_data_at > now
        found.public_fields = [field for field in found.all_fields if field.value] if shows else []
        found.had_personal_data = bool(found.all_fields) and not shows
    return found


def was_on_board(organisation, pk: int, now=None) -> bool:
    """Whether ``pk`` is a notice of this organisation whose period has ended (its old address answers 410)."""
    now = now or timezone.now()
    return Notice.objects.filter(organisation=organisation, pk=pk, period_ends_at__lte=now,
                                 status__in=[Notice.Status.PUBLISHED, Notice.Status.EXPIRED]).exists()
