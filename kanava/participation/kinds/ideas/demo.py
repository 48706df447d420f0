"""Demo content: an ideas process in Finnish and Swedish, answered ideas, and an initiative close to its threshold.

``seed(organisation, actor)`` (the manifest's ``seed_demo``) makes one published process
``ideat-keskusta`` with an input phase open for two months; running it again changes nothing.
The initiative lacks two signatures of 2 % of the organisation's population (at most
1,000 signatures are written), so two demo residents can take it over the threshold.
"""

from __future__ import annotations

import datetime
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from kanava.participation import identity
from kanava.participation.kinds.ideas import actions, conf
from kanava.participation import hetu
from kanava.participation.kinds.ideas.models import Initiative, InitiativeSignature
from kanava.participation.manifest import PhaseKind
from kanava.participation.models import Contribution, Participant, Phase, Process

SLUG = "ideat-keskusta"
#: The demo identity provider (kanava/testing/saml_idp.py) gives its residents this home municipality.
DEMO_MUNICIPALITY = "091"
MAX_DEMO_SIGNATURES = 1000

TITLE = {"fi": "Ideoita keskustan kehittämiseen", "sv": "Idéer för att utveckla centrum",
         "en": "Ideas for the town centre"}
SUMMARY = {"fi": "Miten keskustasta tehdään viihtyisämpi? Ehdota ideaa tai tue muiden ideoita. Kunta vastaa jokaiseen.",
           "sv": "Hur blir centrum trivsammare? Föreslå en idé eller stöd andras idéer. Kommunen svarar på varje idé.",
           "en": "How can the centre be made more pleasant? Propose an idea or support others'. The municipality "
                 "answers each one."}

IDEAS = [
    # (language, title, text, name, supports, state, answer)
    ("fi", "Lisää penkkejä torille", "Torilla ei ole juuri paikkoja istua. Ikäihmiset tarvitsisivat penkkejä "
     "varjoisiin paikkoihin kauppojen lähelle.", "Aino", 34, "taken_forward",
     {"fi": "Viedään eteenpäin. Tekninen lautakunta on varannut ensi vuoden budjettiin kuusi uutta penkkiä torille.",
      "sv": "Tas vidare. Tekniska nämnden har reserverat sex nya bänkar för torget i nästa års budget."}),
    ("sv", "Cykelställ vid biblioteket", "Det finns för få cykelställ vid biblioteket, och cyklarna står i vägen "
     "för barnvagnar och rullstolar.", "Erik", 21, "considering",
     {"fi": "Harkinnassa. Selvitämme kirjaston pihan tilan ja kustannukset kevään aikana.",
      "sv": "Under övervägande. Vi utreder utrymmet och kostnaderna på bibliotekets gård under våren."}),
    ("fi", "Kesäkonsertteja rantapuistoon", "Rantapuistossa voisi olla kesäisin ilmaisia konsertteja "
     "torstai-iltaisin. Paikallisille bändeille esiintymispaikka.", "", 12, "not_taken_forward",
     {"fi": "Ei viedä eteenpäin tänä vuonna: kulttuuritoimen määräraha on jo jaettu. Idea otetaan mukaan "
            "ensi vuoden suunnitteluun.",
      "sv": "Tas inte vidare i år: kulturanslaget är redan fördelat. Idén tas med i planeringen för nästa år."}),
    ("sv", "Julbelysning i hela centrum", "Julbelysningen finns bara på torget. Den kunde sträcka sig längs "
     "hela Storgatan.", "Maja", 8, "submitted", {}),
    ("fi", "Koirapuisto lähemmäs keskustaa", "Nykyinen koirapuisto on kaukana. Keskustan lähellä olisi tilaa "
     "aidatulle koira-aitaukselle vanhan kentän laidalla.", "Pekka", 5, "submitted", {}),
]

INITIATIVE = ("fi", "Kuntalaisaloite: uimahallin aukioloajat pidemmiksi",
              "Esitämme, että uimahalli on auki arkisin klo 6–21 ja viikonloppuisin klo 8–18. Nykyiset ajat eivät "
              "sovi vuorotyötä tekeville eivätkä koululaisille.\n\nVi föreslår att simhallen hålls öppen kl. 6–21 "
              "på vardagar och kl. 8–18 på veckoslut.", "Uimahalliryhmä")


def seed(organisation, actor) -> Process | None:
    """Make the demo process of ``organisation`` unless it is there already; returns it when made."""
    if Process.objects.filter(organisation=organisation, slug=SLUG).exists():
        return None
    with transaction.atomic():
        process = _process(organisation, actor)
        participants = _residents(organisation, max(idea[4] for idea in IDEAS))
        for language, title, text, name, supports, state, answer in IDEAS:
            idea = actions.do_propose(actor, process, participants[0], title=title, text=text, author_name=name,
                                      language=language).idea
            for participant in participants[1:supports + 1]:
                actions.do_support(actor, idea, participant)
            if state != "submitted":
                actions.do_answer(actor, idea, state, answer)
        _initiative(process, actor, participants[0])
    return process


def _process(organisation, actor) -> Process:
    now = timezone.now()
    process = Process.objects.create(
        organisation=organisation, kind="ideas", slug=SLUG, state=Process.State.PUBLISHED, title=TITLE,
        summary=SUMMARY, languages=[lang for lang in ("fi", "sv") if lang in organisation.required_languages] or ["fi"],
        settings={"initiatives": True, "municipality_code": DEMO_MUNICIPALITY},
        created_by=actor.person, published_at=now)
    Phase.objects.create(process=process, kind=PhaseKind.INPUT, starts_at=now - timedelta(days=7),
                         ends_at=now + timedelta(days=60))
    Phase.objects.create(process=process, kind=PhaseKind.RESULTS, starts_at=now + timedelta(days=60))
    return process


def _residents(organisation, count: int) -> list[Participant]:
    now = timezone.now()
    return [Participant.objects.create(organisation=organisation, email_verified_at=now,
                                       language="fi" if number % 3 else "sv") for number in range(count + 1)]


def _initiative(process, actor, author) -> Initiative:
    language, title, text, name = INITIATIVE
    idea = actions.do_propose(actor, process, author, title=title, text=text, author_name=name,
                              language=language).idea
    initiative = actions.do_open_initiative(actor, idea)
    needed = conf.threshold(process.organisation.population) or 50
    count = max(0, min(needed - 2, MAX_DEMO_SIGNATURES))
    born = datetime.date(1960, 1, 1)
    InitiativeSignature.objects.bulk_create([
        InitiativeSignature(process=process, initiative=initiative, language="fi",
                            source=Contribution.Source.PAPER if number % 4 == 0 else Contribution.Source.ONLINE,
                            strong_id_digest=identity.digest("hetu", hetu.make(born + timedelta(days=number), 200 + number % 500)))
        for number in range(count)
    ])
    Initiative.objects.filter(pk=initiative.pk).update(signature_count=count)
    return initiative
