"""Demo content: an open Finnish/Swedish opinion map on Kanavala's school network.

``seed(organisation, actor)`` (the manifest's ``seed_demo``) makes one published conversation
``kouluverkko`` with twenty seed statements in Finnish, Swedish and English, 120 synthetic voters
whose votes form three opinion groups (keep the village schools; build the new campus; mind
the travel times and the costs) and agree on a few things, two residents' statements waiting
for moderation, and then computes the map.  The votes come from a seeded random generator, so
every run makes the same conversation; running it again changes nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kanava.participation import actions, identity
from kanava.participation.kinds.opinions import staff_actions
from kanava.participation.kinds.opinions.conf import ConversationSettings
from kanava.participation.kinds.opinions.models import Statement, Vote, Voter
from kanava.participation.manifest import PhaseKind
from kanava.participation.models import Process

SLUG = "kouluverkko"
SEED = 20261128
TITLE = {"fi": "Kanavalan kouluverkko: mitä mieltä olet?", "sv": "Kanavala skolnät: vad tycker du?",
         "en": "Kanavala's school network: what do you think?"}
SUMMARY = {
    "fi": "Kanavalassa on kymmenen vuoden päästä neljännes vähemmän koululaisia. Sivistyslautakunta päättää "
          "keväällä, lakkautetaanko Kylänpään koulu ja rakennetaanko keskustaan uusi yhtenäiskoulu. Kerro, "
          "mitä mieltä olet väitteistä – ja kirjoita omasi.",
    "sv": "Om tio år har Kanavala en fjärdedel färre skolelever. Bildningsnämnden beslutar i vår om Byändans "
          "skola ska läggas ned och om en ny enhetsskola ska byggas i centrum. Säg vad du tycker om "
          "påståendena – och skriv egna.",
    "en": "In ten years Kanavala will have a quarter fewer pupils. In the spring the education committee decides "
          "whether to close the Kylänpää village school and build a new all-through school in the centre. Say "
          "what you think of the statements, and write your own.",
}
QUESTION = {
    "fi": "Miten Kanavalan kouluverkkoa pitäisi kehittää, kun oppilaita on yhä vähemmän?",
    "sv": "Hur borde Kanavalas skolnät utvecklas när eleverna blir allt färre?",
    "en": "How should Kanavala's school network change as the number of pupils falls?",
}

#: Groups: village school keepers, campus supporters, those who weigh travel times and costs.
GROUP_SIZES = (54, 42, 24)
#: Lean of each group on a statement: 2 agrees strongly ... -2 disagrees strongly.
CHANCES = {2: (0.85, 0.05), 1: (0.6, 0.15), 0: (0.3, 0.3), -1: (0.15, 0.6), -2: (0.05, 0.85)}

STATEMENTS = [
    ((2, -2, 0), {"fi": "Kyläkoulu on kylän sydän: sen lakkauttaminen tyhjentää kylän.",
                  "sv": "Byskolan är byns hjärta: läggs den ned töms byn.",
                  "en": "The village school is the heart of the village: closing it empties the village."}),
    ((-2, 2, 1), {"fi": "Uusi yhtenäiskoulukampus keskustaan antaisi kaikille lapsille samat mahdollisuudet.",
                  "sv": "En ny enhetsskola i centrum skulle ge alla barn samma möjligheter.",
                  "en": "A new all-through school campus in the centre would give every child the same chances."}),
    ((2, 0, 2), {"fi": "Alakoululaisen koulumatka saa kestää enintään 30 minuuttia suuntaansa.",
                 "sv": "Skolvägen för en lågstadieelev får ta högst 30 minuter åt gången.",
                 "en": "A primary pupil's journey to school should take at most 30 minutes each way."}),
    ((-2, 2, 0), {"fi": "Pienissä kouluissa yhdysluokat haittaavat oppimista.",
                  "sv": "I små skolor försvårar sammansatta klasser inlärningen.",
                  "en": "In small schools, mixed-age classes hold learning back."}),
    ((1, 0, 2), {"fi": "Kouluverkosta pitää päättää vasta, kun koulukyytien kustannukset on laskettu.",
                 "sv": "Skolnätet ska avgöras först när kostnaderna för skolskjutsarna har räknats ut.",
                 "en": "The school network should be decided only once the cost of school transport is known."}),
    ((2, -1, -1), {"fi": "Säästöt pitää etsiä muualta kuin kouluista.",
                   "sv": "Inbesparingarna ska sökas någon annanstans än i skolorna.",
                   "en": "Savings should be found somewhere other than in schools."}),
    ((2, 2, 2), {"fi": "Koulujen sisäilmaongelmat on korjattava ennen kaikkea muuta.",
                 "sv": "Skolornas inomhusluftproblem måste åtgärdas före allt annat.",
                 "en": "The schools' indoor air problems must be fixed before anything else."}),
    ((-1, 2, 1), {"fi": "Isossa koulussa erityisopetus ja oppilashuolto toimivat paremmin.",
                  "sv": "I en stor skola fungerar specialundervisningen och elevvården bättre.",
                  "en": "Special needs teaching and pupil welfare work better in a large school."}),
    ((2, 0, 1), {"fi": "Kyläkoulun tilat voisivat toimia myös kirjastona ja kylätalona.",
                 "sv": "Byskolans lokaler kunde också fungera som bibliotek och bystuga.",
                 "en": "The village school's building could also serve as a library and village hall."}),
    ((2, 2, 2), {"fi": "Koulukyydeissä pitää olla aikuinen valvomassa pienimpiä.",
                 "sv": "I skolskjutsarna ska en vuxen se efter de minsta.",
                 "en": "School transport should have an adult looking after the youngest pupils."}),
    ((-2, 2, 2), {"fi": "Väkiluku laskee: kaikkia kouluja ei voi pitää auki.",
                  "sv": "Invånarantalet sjunker: alla skolor kan inte hållas öppna.",
                  "en": "The population is falling: not every school can stay open."}),
    ((-1, -1, 1), {"fi": "Etäopetus voisi korvata osan pienten koulujen opetuksesta.",
                   "sv": "Distansundervisning kunde ersätta en del av undervisningen i små skolor.",
                   "en": "Remote teaching could replace some of the lessons in small schools."}),
    ((2, 2, 2), {"fi": "Oppilaita ja vanhempia pitää kuulla ennen päätöstä.",
                 "sv": "Elever och föräldrar ska höras före beslutet.",
                 "en": "Pupils and parents should be heard before the decision."}),
    ((2, -1, 0), {"fi": "Koulujen lakkautuksista ei pidä päättää ennen kuntavaaleja.",
                  "sv": "Skolnedläggningar ska inte beslutas före kommunalvalet.",
                  "en": "School closures should not be decided before the municipal elections."}),
    ((1, 1, 2), {"fi": "Bussiyhteyksiä kylistä keskustaan pitää parantaa joka tapauksessa.",
                 "sv": "Busstrafiken från byarna till centrum ska förbättras i vilket fall som helst.",
                 "en": "Bus links from the villages to the centre should be improved whatever is decided."}),
    ((2, -2, 1), {"fi": "Uusi kampus on liian kallis investointi velkaantuneelle kunnalle.",
                  "sv": "Ett nytt campus är en för dyr investering för en skuldsatt kommun.",
                  "en": "A new campus is too expensive an investment for a municipality in debt."}),
    ((-1, 2, 1), {"fi": "Isommassa koulussa on enemmän valinnaisaineita ja harrastuksia.",
                  "sv": "En större skola har fler valfria ämnen och fritidsaktiviteter.",
                  "en": "A bigger school offers more optional subjects and hobbies."}),
    ((2, -2, -1), {"fi": "Kyläkoulun lakkauttaminen ajaa lapsiperheet muuttamaan pois.",
                   "sv": "Om byskolan läggs ned flyttar barnfamiljerna bort.",
                   "en": "Closing the village school drives families with children away."}),
    ((2, 2, 1), {"fi": "Ruotsinkielinen opetus pitää turvata myös uudessa kouluverkossa.",
                 "sv": "Undervisningen på svenska ska tryggas också i det nya skolnätet.",
                 "en": "Teaching in Swedish must be secured in the new school network too."}),
    ((-1, 1, 2), {"fi": "Päätös pitää tehdä nopeasti, jotta epävarmuus loppuu.",
                  "sv": "Beslutet ska fattas snabbt så att osäkerheten tar slut.",
                  "en": "The decision should be made quickly so that the uncertainty ends."}),
]

#: Residents' own statements waiting for moderation: (voter number, language, text).
PENDING = [
    (3, "fi", "Koulukyytien aikataulut pitäisi sovittaa yhteen iltapäiväkerhojen ja harrastusten kanssa."),
    (60, "sv", "Skolskjutsarna borde gå oftare på eftermiddagen så att barnen hinner till sina hobbyer."),
]


def _languages(organisation) -> list[str]:
    """Finnish and Swedish, and English when the organisation publishes in it."""
    return ["fi", "sv"] + (["en"] if "en" in (organisation.required_languages or ()) else [])


def _vote(rng: random.Random, lean: int) -> int | None:
    """A synthetic voter's vote on a statement of the given lean; None when they skipped it."""
    if rng.random() < 0.15:
        return None
    agree, disagree = CHANCES[lean]
    draw = rng.random()
    return 1 if draw < agree else -1 if draw < agree + disagree else 0


def _make_process(organisation, actor) -> Process:
    now = timezone.now()
    phases = [actions.PhaseData(kind=PhaseKind.INPUT, starts_at=now - timedelta(days=7),
                                ends_at=now + timedelta(days=28)),
              actions.PhaseData(kind=PhaseKind.RESULTS, starts_at=now + timedelta(days=28))]
    process = actions.do_create_process(
        actor, organisation, kind="opinions", phases=phases, slug=SLUG, languages=_languages(organisation),
        title=TITLE, summary=SUMMARY, settings=ConversationSettings(question=QUESTION).as_dict())
    return actions.do_publish_process(actor, process)


def _add_votes(process, statements: list[Statement]) -> None:
    rng = random.Random(SEED)
    now = timezone.now()
    voters, rows = [], []
    numbers = list(range(sum(GROUP_SIZES)))
    rng.shuffle(numbers)  # the groups are not in the order the voters came
    for group, size in enumerate(GROUP_SIZES):
        for _member in range(size):
            number = numbers[len(voters)]
            joined = now - timedelta(days=6, hours=rng.randint(0, 6 * 24 - 12))
            voters.append(Voter(process=process, number=number, created_at=joined,
                                key=identity.digest("opinions-demo", f"{process.pk}:{number}")))
            for index, statement in enumerate(statements):
                value = _vote(rng, STATEMENTS[index][0][group])
                if value is not None:
                    at = joined + timedelta(seconds=20 * index + rng.randint(0, 15))
                    rows.append((number, statement, value, at))
    Voter.objects.bulk_create(voters)
    voter_pk = dict(Voter.objects.filter(process=process).values_list("number", "pk"))
    Vote.objects.bulk_create([Vote(process=process, voter_id=voter_pk[n], statement=s, value=v, created_at=at,
                                   updated_at=at) for n, s, v, at in rows], batch_size=2000)
    per_voter: dict[int, int] = {}
    tallies: dict[int, list[int]] = {s.pk: [0, 0, 0] for s in statements}
    for n, s, v, _at in rows:
        per_voter[n] = per_voter.get(n, 0) + 1
        tallies[s.pk][0 if v > 0 else 1 if v < 0 else 2] += 1
    for n, count in per_voter.items():
        Voter.objects.filter(pk=voter_pk[n]).update(vote_count=count)
    for pk, (agree, disagree, passed) in tallies.items():
        Statement.objects.filter(pk=pk).update(agree_count=agree, disagree_count=disagree, pass_count=passed)
    Process.objects.filter(pk=process.pk).update(participant_count=len(per_voter),
                                                 contribution_count=F("contribution_count") + len(rows))


def _compute(process) -> None:
    """The map at once (the demo's first visitor sees it); skipped while the results part is not installed."""
    try:
        from kanava.participation.kinds.opinions.tasks import recompute_now
    except ImportError:
        return
    recompute_now(process)


def seed(organisation, actor) -> Process:
    existing = Process.objects.filter(organisation=organisation, slug=SLUG).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        process = _make_process(organisation, actor)
        languages = process.languages
        statements = [staff_actions.do_add_seed_statement(
            actor, process, {code: text[code] for code in (*languages, "en") if code in text}, language=languages[0])
            for _profile, text in STATEMENTS]
        _add_votes(process, statements)
        voters = {voter.number: voter for voter in Voter.objects.filter(process=process,
                                                                        number__in=[n for n, _l, _t in PENDING])}
        for number, language, text in PENDING:
            staff_actions.do_add_resident_statement(actor, process, voters[number], text, language,
                                                    created_at=timezone.now() - timedelta(hours=5 - number % 4))
    _compute(process)
    process.refresh_from_db()
    return process
