"""Hearings for the tests: a published process with an open input phase and three sections."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kanava.core.audit import Actor
from kanava.participation.models import Phase, Process
from kanava.participation.kinds.hearing import actions
from kanava.participation.kinds.hearing.models import Section

PLACES = [
    {"id": "school-yard", "name": {"fi": "Koulun piha", "sv": "Skolgården"},
     "geometry": {"type": "Point", "coordinates": [24.95, 60.17]}},
    {"id": "park", "name": {"fi": "Puisto", "sv": "Parken"},
     "geometry": {"type": "Polygon", "coordinates": [[[24.94, 60.16], [24.95, 60.16], [24.95, 60.17],
                                                        [24.94, 60.16]]]}},
]


def make_hearing(organisation, slug="koulun-kaava", levels=None, open_=True, settings=None) -> Process:
    now = timezone.now()
    process = Process.objects.create(
        organisation=organisation, kind="hearing", slug=slug, state=Process.State.PUBLISHED,
        title={"fi": "Koulun asemakaava", "sv": "Detaljplan för skolan"},
        summary={"fi": "Kerro mielipiteesi.", "sv": "Säg din åsikt."},
        body={"fi": "Luonnos on **nähtävillä**.", "sv": "Utkastet är **framlagt**."},
        languages=["fi", "sv"], identity_levels=levels or {}, settings=settings or {"tile_url": ""},
        published_at=now)
    Phase.objects.create(process=process, kind="input", starts_at=now - timedelta(days=1),
                         ends_at=now + timedelta(days=(30 if open_ else -0.5)))
    for i, (fi, sv) in enumerate([("Tavoitteet", "Mål"), ("Liikenne", "Trafik"), ("Piha-alue", "Gårdsområdet")]):
        Section.objects.create(process=process, ordering=i, title={"fi": fi, "sv": sv},
                               abstract={"fi": f"{fi} lyhyesti.", "sv": f"{sv} i korthet."},
                               body={"fi": f"## {fi}\n\nTeksti.", "sv": f"## {sv}\n\nText."},
                               map_input="point" if i == 2 else "none", places=PLACES if i == 2 else [])
    return process


def sections(process) -> list[Section]:
    return list(Section.objects.filter(process=process).order_by("ordering"))


def add_comments(section, count: int, prefix: str = "Kommentti") -> list:
    actor = Actor.system("test")
    return [actions.do_add_comment(actor, section, text=f"{prefix} {i}", language="fi")[0] for i in range(count)]
