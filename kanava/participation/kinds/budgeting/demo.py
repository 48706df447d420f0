"""Demo content: a Finnish/Swedish participatory budget in its voting phase with vetted proposals."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from kanava.participation.kinds.budgeting import actions
from kanava.participation.kinds.budgeting.conf import BudgetSettings
from kanava.participation.kinds.budgeting.models import Proposal
from kanava.participation.manifest import PhaseKind
from kanava.participation.models import Phase, Process

SLUG = "osallistuva-budjetti"

# (language, title, text, author, cost, note fi, note sv)
PROPOSALS = [
    ("fi", "Leikkipuisto Keskuspuistoon", "Keskuspuistoon uusi leikkipuisto, jossa on keinut, liukumäki ja esteetön "
     "hiekkalaatikko. Lähellä ei ole yhtään leikkipaikkaa.", "Sanna K.", 60000,
     "Arvio sisältää välineet, turva-alustan ja asennuksen.", "Beräkningen omfattar redskap, fallskydd och montering."),
    ("sv", "Elcyklar att låna på biblioteket", "Biblioteket kunde låna ut elcyklar och lådcyklar, så att man kan "
     "prova innan man köper.", "Johan L.", 18000,
     "Kuusi sähköpyörää ja kaksi laatikkopyörää, lukot ja kahden vuoden huolto.",
     "Sex elcyklar och två lådcyklar, lås och underhåll i två år."),
    ("fi", "Frisbeegolfrata Kuusikkoon", "Yhdeksän väylän frisbeegolfrata Kuusikon metsään, kuntoradan varteen.",
     "Mikko", 35000, "Rata suunnitellaan niin, ettei se risteä kuntoradan kanssa.",
     "Banan planeras så att den inte korsar motionsbanan."),
    ("fi", "Nuorten skeittiramppi", "Koulun pihalle skeittiramppi ja rail nuorille. Nyt nuoret skeittaavat "
     "kauppakeskuksen parkkipaikalla.", "Nuorisovaltuusto", 45000,
     "Betoninen ramppi kestää talven; arvio sisältää perustukset.",
     "En ramp i betong tål vintern; beräkningen omfattar grunden."),
    ("sv", "Bänkar längs strandpromenaden", "Fler bänkar med ryggstöd längs strandpromenaden, så att äldre orkar "
     "gå hela vägen.", "Seniorrådet", 12000, "Kymmenen penkkiä käsinojineen.", "Tio bänkar med armstöd."),
    ("fi", "Kirjastoon hiljainen lukusali", "Kirjaston yläkertaan lasiseinällä erotettu hiljainen lukusali "
     "opiskelijoille.", "Aino", 40000, "Arvio sisältää lasiseinän ja ilmanvaihdon muutokset.",
     "Beräkningen omfattar glasväggen och ändringar i ventilationen."),
    ("fi", "Koirapuisto Asemanseudulle", "Aidattu koirapuisto, jossa erikseen pienet ja isot koirat.",
     "Koiraharrastajat ry", 25000, "Aita, portit, penkit ja roska-astiat.", "Staket, grindar, bänkar och soptunnor."),
    ("sv", "Belysning på skolvägen", "Gatlampor på gång- och cykelvägen till skolan, som är mörk på vintern.",
     "Föräldraföreningen", 55000, "Kahdeksan LED-valaisinta ja kaapelointi.", "Åtta LED-lampor och kablar."),
]


def seed(organisation, actor) -> Process | None:
    """Create the demo process once (nothing happens if it exists)."""
    if Process.objects.filter(organisation=organisation, slug=SLUG).exists():
        return None
    now = timezone.now()
    conf = BudgetSettings(total_budget=200000, method="budget", minimum_age=12)
    with transaction.atomic():
        process = Process.objects.create(
            organisation=organisation, kind="budgeting", slug=SLUG, state=Process.State.PUBLISHED,
            title={"fi": "Osallistuva budjetointi 2027", "sv": "Deltagande budgetering 2027",
                   "en": "Participatory budgeting 2027"},
            summary={"fi": "Päätä, mihin kunta käyttää 200 000 euroa.",
                     "sv": "Bestäm hur kommunen använder 200 000 euro.",
                     "en": "Decide how the municipality spends 200,000 euros."},
            body={"fi": "Asukkaat tekivät ehdotuksia, kunta arvioi niiden kustannukset. Nyt äänestetään: valitse "
                        "ehdotukset, joiden yhteishinta on enintään 200 000 euroa.",
                  "sv": "Invånarna lämnade förslag och kommunen uppskattade kostnaderna. Nu röstar vi: välj förslag "
                        "som tillsammans kostar högst 200 000 euro.",
                  "en": "Residents made proposals and the municipality estimated their costs. Now we vote."},
            languages=list(organisation.required_languages or ["fi", "sv"]), settings=conf.to_dict(),
            created_by=actor.person, published_at=now - datetime.timedelta(days=60))
        day = datetime.timedelta(days=1)
        Phase.objects.create(process=process, kind=PhaseKind.INPUT, starts_at=now - 60 * day, ends_at=now - 30 * day)
        Phase.objects.create(process=process, kind=PhaseKind.VETTING, starts_at=now - 30 * day, ends_at=now - day)
        Phase.objects.create(process=process, kind=PhaseKind.VOTING, starts_at=now - day, ends_at=now + 14 * day)
        Phase.objects.create(process=process, kind=PhaseKind.RESULTS, starts_at=now + 14 * day)
        for language, title, text, author, cost, note_fi, note_sv in PROPOSALS:
            proposal = actions.do_propose(actor, process, None, title=title, text=text, language=language,
                                          author_name=author)
            actions.do_vet(actor, proposal, state=Proposal.State.ACCEPTED, cost_estimate=cost,
                           feasibility_note={"fi": note_fi, "sv": note_sv})
        not_feasible = actions.do_propose(actor, process, None, title="Uimahalli torille",
                                          text="Torille uusi uimahalli.", language="fi", author_name="")
        actions.do_vet(actor, not_feasible, state=Proposal.State.NOT_FEASIBLE, cost_estimate=None,
                       feasibility_note={"fi": "Uimahalli maksaisi noin 15 miljoonaa euroa, moninkertaisesti koko "
                                               "budjetin verran.",
                                         "sv": "En simhall skulle kosta cirka 15 miljoner euro, många gånger hela "
                                               "budgeten."})
    return process
