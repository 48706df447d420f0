"""Demo content: a Finnish/Swedish survey on the library's opening hours, with a conditional question
and some responses, a few from paper forms and a phone call.

``seed(organisation, actor)`` (the manifest's ``seed_demo``) makes one published, anonymous
survey ``kirjaston-aukioloajat`` with an input phase open for six weeks; running it again
changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from kanava.participation.kinds.survey import actions
from kanava.participation.kinds.survey.flow import load_questions
from kanava.participation.kinds.survey.forms import AnswerData
from kanava.participation.manifest import PhaseKind
from kanava.participation.models import Contribution, Phase, Process

SLUG = "kirjaston-aukioloajat"
TITLE = {"fi": "Kirjaston aukioloajat", "sv": "Bibliotekets öppettider", "en": "The library's opening hours"}
SUMMARY = {
    "fi": "Milloin sinä käyttäisit kirjastoa? Kerro meille ennen kuin kulttuurilautakunta päättää ensi vuoden "
          "aukioloajoista. Vastaaminen vie viisi minuuttia, ja se on nimetön.",
    "sv": "När skulle du använda biblioteket? Berätta för oss innan kulturnämnden beslutar om nästa års "
          "öppettider. Det tar fem minuter att svara, och enkäten är anonym.",
    "en": "When would you use the library? Tell us before the culture committee decides next year's opening "
          "hours. Answering takes five minutes and is anonymous.",
}

QUESTIONS = [
    {"kind": "single", "required": True,
     "text": {"fi": "Kuinka usein käyt kirjastossa?", "sv": "Hur ofta besöker du biblioteket?",
              "en": "How often do you visit the library?"},
     "choices": [{"fi": "Viikoittain", "sv": "Varje vecka", "en": "Every week"},
                 {"fi": "Kuukausittain", "sv": "Varje månad", "en": "Every month"},
                 {"fi": "Harvemmin", "sv": "Mer sällan", "en": "Less often"},
                 {"fi": "En koskaan", "sv": "Aldrig", "en": "Never"}]},
    {"kind": "text", "required": False, "condition": (0, [3]), "max_length": 1000,
     "text": {"fi": "Mikä saisi sinut käymään kirjastossa?", "sv": "Vad skulle få dig att besöka biblioteket?",
              "en": "What would make you visit the library?"}},
    {"kind": "multiple", "required": True, "max_choices": 2,
     "text": {"fi": "Mihin aikaan kirjaston pitäisi olla auki nykyistä useammin?",
              "sv": "När borde biblioteket oftare vara öppet?",
              "en": "When should the library be open more often?"},
     "help": {"fi": "Valitse enintään kaksi.", "sv": "Välj högst två.", "en": "Choose at most two."},
     "choices": [{"fi": "Aamuisin ennen yhdeksää", "sv": "På morgonen före nio", "en": "Mornings before nine"},
                 {"fi": "Arki-iltaisin", "sv": "Vardagskvällar", "en": "Weekday evenings"},
                 {"fi": "Lauantaisin", "sv": "Lördagar", "en": "Saturdays"},
                 {"fi": "Sunnuntaisin", "sv": "Söndagar", "en": "Sundays"}]},
    {"kind": "scale", "required": True, "scale_max": 5,
     "text": {"fi": "Kuinka tärkeä omatoimikirjasto (kirjastokortilla sisään ilman henkilökuntaa) olisi sinulle?",
              "sv": "Hur viktigt vore ett meröppet bibliotek (in med lånekortet utan personal) för dig?",
              "en": "How important would a self-service library (in with your card, no staff) be to you?"},
     "scale_min_label": {"fi": "ei lainkaan tärkeä", "sv": "inte alls viktigt", "en": "not at all important"},
     "scale_max_label": {"fi": "erittäin tärkeä", "sv": "mycket viktigt", "en": "very important"}},
    {"kind": "ranking", "required": False,
     "text": {"fi": "Järjestä kirjaston palvelut tärkeysjärjestykseen", "sv": "Ordna bibliotekets tjänster efter "
              "hur viktiga de är", "en": "Rank the library's services by importance"},
     "choices": [{"fi": "Kirjojen lainaus", "sv": "Boklån", "en": "Borrowing books"},
                 {"fi": "Lukusali ja lehdet", "sv": "Läsesal och tidningar", "en": "Reading room and papers"},
                 {"fi": "Tapahtumat ja satutunnit", "sv": "Evenemang och sagostunder", "en": "Events and story "
                  "hours"}]},
    {"kind": "text", "required": False, "max_length": 2000,
     "text": {"fi": "Mitä muuta haluat sanoa aukioloajoista?", "sv": "Vad mer vill du säga om öppettiderna?",
              "en": "What else would you like to say about the opening hours?"}},
]

# (source, language, frequency index, hours indexes, scale, ranking choice order or None, texts)
RESPONSES = [
    ("online", "fi", 0, [1, 2], 4, [0, 1, 2], "", "Iltaisin kahdeksaan asti olisi hyvä."),
    ("online", "fi", 0, [1], 5, [0, 2, 1], "", ""),
    ("online", "sv", 1, [2, 3], 3, [2, 0, 1], "", "Söndagsöppet vore fint för barnfamiljer."),
    ("online", "fi", 1, [1, 3], 4, None, "", ""),
    ("online", "fi", 2, [0], 2, [1, 0, 2], "", ""),
    ("online", "sv", 3, [2], 1, None, "Om det fanns fler böcker på svenska.", ""),
    ("online", "fi", 3, [1, 2], 3, None, "Jos kirjasto olisi auki iltaisin töiden jälkeen.", ""),
    ("online", "fi", 0, [3], 5, [0, 1, 2], "", "Omatoimikirjasto olisi loistava."),
    ("paper", "fi", 0, [0, 1], 2, [1, 0, 2], "", "Lehtilukusali aamuisin tärkeä."),
    ("paper", "fi", 1, [0], 1, [1, 2, 0], "", ""),
    ("paper", "sv", 2, [2], 3, None, "", ""),
    ("phone", "fi", 0, [0], 2, [1, 0, 2], "", "Soitan, koska en käytä nettiä."),
]


def _make_process(organisation, actor) -> Process:
    now = timezone.now()
    process = Process.objects.create(
        organisation=organisation, kind="survey", slug=SLUG, state=Process.State.PUBLISHED, title=TITLE,
        summary=SUMMARY, languages=[code for code in ("fi", "sv") if code in (organisation.required_languages or
                                                                               ["fi", "sv"])] or ["fi"],
        settings={"mode": "anonymous", "free_text_public": True}, published_at=now,
        created_by=actor.person)
    Phase.objects.create(process=process, kind=PhaseKind.INPUT, starts_at=now - timedelta(days=7),
                         ends_at=now + timedelta(days=35))
    Phase.objects.create(process=process, kind=PhaseKind.RESULTS, starts_at=now + timedelta(days=35))
    return process


def _add_questions(process, actor) -> None:
    made = []
    for spec in QUESTIONS:
        spec = dict(spec)
        choices = spec.pop("choices", None)
        condition = spec.pop("condition", None)
        ids = []
        if condition:
            source = made[condition[0]]
            spec["condition_question"] = source
            picked = list(source.choices.all())
            ids = [picked[i].pk for i in condition[1]]
        made.append(actions.do_add_question(actor, process, choices=choices, condition_choice_ids=ids, **spec))


def _answers(questions, row) -> list[AnswerData]:
    _, _, frequency, hours, scale, ranking, why, other = row
    q = {number: question for number, question in enumerate(questions)}
    found = [AnswerData(q[0], choice_id=list(q[0].choices.all())[frequency].pk)]
    if frequency == 3 and why:
        found.append(AnswerData(q[1], text=why))
    found += [AnswerData(q[2], choice_id=list(q[2].choices.all())[i].pk) for i in hours]
    found.append(AnswerData(q[3], value=scale))
    if ranking:
        choices = list(q[4].choices.all())
        found += [AnswerData(q[4], choice_id=choices[index].pk, value=position)
                  for position, index in enumerate(ranking, start=1)]
    if other:
        found.append(AnswerData(q[5], text=other))
    return found


def seed(organisation, actor) -> Process:
    existing = Process.objects.filter(organisation=organisation, slug=SLUG).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        process = _make_process(organisation, actor)
        _add_questions(process, actor)
        questions = load_questions(process)
        for row in RESPONSES:
            source = row[0]
            actions.do_submit_response(
                actor, process, _answers(questions, row), source=source, language=row[1],
                recorded_by=actor.person if source != Contribution.Source.ONLINE else None,
                session_digest="" if source != "online" else f"demo-{RESPONSES.index(row)}")
    return process
