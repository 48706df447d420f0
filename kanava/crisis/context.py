"""The site-wide crisis banner: every resident page shows the active incidents that crisis mode put on it.

The banner is a channel of crisis mode (``banner`` in a playbook's channel
order).  The context holds a callable, so only templates that show the banner
(the resident site's base) pay its one query; staff pages never do.  Resident
pages are cached whole per site version, and every incident step bumps the
version, so the banner appears and disappears with the next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import get_language

from kanava.crisis import public
from kanava.crisis.models import Incident, text_in


@dataclass
class BannerItem:
    title: str
    latest: str  # the latest public message's title, in the page's language
    at: datetime
    time: str  # the time in the organisation's zone, e.g. 14.05
    is_exercise: bool
    url: str


def banner_items(organisation, language: str) -> list[BannerItem]:
    from kanava.site import links

    incidents = list(Incident.objects.filter(organisation=organisation, status=Incident.Status.ACTIVE, banner=True)
                     .select_related("organisation", "playbook").order_by("-activated_at", "-id")[:3])
    if not incidents:
        return []
    url = links.url_in(language, "crisis_public:page")
    items = []
    for incident in incidents:
        latest = next(iter(public.public_updates(incident, limit=1)), None)
        title = incident.title_in(language)
        latest_title = text_in(latest.title, language, organisation.majority_language) if latest else ""
        items.append(BannerItem(title=title, latest=latest_title if latest_title != title else "",
                                at=(at := latest.at if latest else incident.activated_at),
                                time=timezone.localtime(at, organisation.tz).strftime("%-d.%-m. %H.%M"),
                                is_exercise=incident.is_exercise, url=url))
    return items


def banner(request) -> dict:
    organisation = getattr(request, "_kanava_organisation", None)
    if organisation is None:
        return {}
    language = (get_language() or organisation.majority_language)[:2]
    return {"crisis_banner": lambda: banner_items(organisation, language)}
