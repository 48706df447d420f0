"""Demo notices: four bilingual notices on the board, one of which leaves it (and loses its personal data)
a couple of minutes after seeding, so ``make demo`` shows the removal happen.

``seed(organisation)`` is idempotent: a demo notice already there (by its Finnish title) is not made again.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kanava.core.audit import Actor
from kanava.notices import actions
from kanava.notices.models import Notice

#: The notice that ends its period this long after seeding.
ENDS_SOON = timedelta(minutes=2)

NOTICES = [
    {
        "kind": Notice.Kind.DECISION, "period_days": 14, "appeal_days": 30, "removal_basis": Notice.RemovalBasis.APPEAL,
        "published_ago": timedelta(days=3),
        "title": {"fi": "Rakennuslupapäätös: omakotitalo, Kirkkotie 12",
                  "sv": "Bygglovsbeslut: egnahemshus, Kyrkvägen 12"},
        "body": {"fi": "Rakennuslautakunta on myöntänyt rakennusluvan omakotitalon rakentamiseen.\n\n"
                       "Päätökseen tyytymätön voi hakea muutosta kunnallisvalituksella 30 päivän kuluessa "
                       "tiedoksisaannista. Valitusosoitus on nähtävillä kunnantalolla.",
                 "sv": "Byggnadsnämnden har beviljat bygglov för ett egnahemshus.\n\n"
                       "Den som är missnöjd med beslutet kan söka ändring genom kommunalbesvär inom 30 dagar "
                       "från delfåendet. Besvärsanvisningen finns på kommungården."},
        "fields": [({"fi": "Hakija", "sv": "Sökande"}, "Maija Meikäläinen"),
                   ({"fi": "Kiinteistötunnus", "sv": "Fastighetsbeteckning"}, "091-423-3-15")],
    },
    {
        "kind": Notice.Kind.ANNOUNCEMENT, "period_days": 14, "appeal_days": None,
        "removal_basis": Notice.RemovalBasis.PERIOD, "published_ago": timedelta(days=2),
        "title": {"fi": "Kuulutus: kunnanvaltuuston kokous", "sv": "Kungörelse: kommunfullmäktiges möte"},
        "body": {"fi": "Kunnanvaltuusto kokoontuu kunnantalon valtuustosalissa torstaina kello 18. "
                       "Esityslista on luettavissa kunnan verkkosivuilla. Kokous on yleisölle avoin.",
                 "sv": "Kommunfullmäktige sammanträder i kommungårdens fullmäktigesal på torsdag klockan 18. "
                       "Föredragningslistan finns på kommunens webbplats. Mötet är öppet för allmänheten."},
        "fields": [],
    },
    {
        "kind": Notice.Kind.ANNOUNCEMENT, "period_days": 30, "appeal_days": None,
        "removal_basis": Notice.RemovalBasis.PERIOD, "published_ago": timedelta(days=5),
        "title": {"fi": "Kuulutus: koulukampuksen asemakaavaehdotus nähtävillä",
                  "sv": "Kungörelse: detaljplaneförslaget för skolcampus finns framlagt"},
        "body": {"fi": "Koulukampuksen asemakaavaehdotus on nähtävillä 30 päivää. Mielipiteen voi jättää "
                       "kirjallisesti kirjaamoon tai sähköpostilla nähtävilläoloaikana.",
                 "sv": "Detaljplaneförslaget för skolcampus finns framlagt i 30 dagar. Åsikter kan lämnas "
                       "skriftligt till registraturen eller per e-post medan förslaget är framlagt."},
        "fields": [],
    },
    {
        "kind": Notice.Kind.DECISION, "period_days": 14, "appeal_days": 30, "removal_basis": Notice.RemovalBasis.PERIOD,
        "published_ago": timedelta(days=14) - ENDS_SOON,
        "title": {"fi": "Päätös: maa-ainesten ottolupa, Hiekkakuoppa",
                  "sv": "Beslut: marktäktstillstånd, Sandgropen"},
        "body": {"fi": "Ympäristölautakunta on myöntänyt luvan maa-ainesten ottamiseen viiden vuoden ajaksi. "
                       "Kuulutusaika päättyy pian; sen jälkeen kuulutus poistuu ilmoitustaululta ja hakijan "
                       "tiedot poistetaan.",
                 "sv": "Miljönämnden har beviljat tillstånd för marktäkt för fem år. Kungörelsetiden går snart "
                       "ut; därefter tas kungörelsen bort från anslagstavlan och sökandens uppgifter raderas."},
        "fields": [({"fi": "Hakija", "sv": "Sökande"}, "Teppo Testaaja"),
                   ({"fi": "Osoite", "sv": "Adress"}, "Hiekkatie 4, 00990 Kanavala")],
    },
]


def seed(organisation, actor: Actor | None = None, now=None) -> list[Notice]:
    """Publish the demo notices in ``organisation`` (those not there yet); returns all four."""
    actor = actor or Actor.system("demo")
    now = now or timezone.now()
    notices = []
    for spec in NOTICES:
        existing = Notice.objects.filter(organisation=organisation, title__fi=spec["title"]["fi"]).first()
        if existing is not None:
            notices.append(existing)
            continue
        notice = actions.do_save_notice(
            actor, organisation, kind=spec["kind"], title=spec["title"], body=spec["body"],
            period_days=spec["period_days"], appeal_days=spec["appeal_days"], removal_basis=spec["removal_basis"],
            personal_fields=[actions.PersonalFieldData(label=label, value=value) for label, value in spec["fields"]])
        notices.append(actions.do_publish_notice(actor, notice, now=now - spec["published_ago"]))
    return notices
