"""Demo content for participation: every kind's own demo, and one finished process with "you said, we did".

``seed_participation`` is idempotent: run twice, it creates nothing new.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kanava.participation import actions
from kanava.participation.manifest import PhaseKind, kinds
from kanava.participation.models import Outcome, Process

FINISHED_SLUG = "uimahallin-remontti"

FINISHED = {
    "title": {"fi": "Uimahallin remontti", "sv": "Simhallens renovering", "en": "Renovating the swimming hall"},
    "summary": {
        "fi": "Kysyimme, mitä uimahallin remontissa pitäisi korjata ensin. Kiitos – tässä, mitä päätettiin.",
        "sv": "Vi frågade vad som borde åtgärdas först i simhallens renovering. Tack – här är vad som beslutades.",
        "en": "We asked what the swimming hall's renovation should fix first. Thank you: here is what was decided.",
    },
    "body": {
        "fi": "Uimahalli remontoidaan ensi vuonna. Asukkaat saivat kertoa toiveensa verkossa, "
              "paperilomakkeella uimahallin kassalla ja puhelimitse.",
        "sv": "Simhallen renoveras nästa år. Invånarna kunde berätta om sina önskemål på nätet, "
              "på en pappersblankett i simhallens kassa och per telefon.",
        "en": "The swimming hall is renovated next year. Residents could tell us their wishes online, "
              "on a paper form at the swimming hall's desk and by phone.",
    },
}

OUTCOME = {
    "text": {
        "fi": "**Te sanoitte:** pukuhuoneet ja esteettömyys ensin, lasten allas lämpimämmäksi.\n\n"
              "**Me teimme:** pukuhuoneet uusitaan ja halliin tulee allasnostin. Lasten altaan lämpötilaa "
              "nostetaan kahdella asteella. Kuntosalin laajennus siirtyy myöhemmäksi.",
        "sv": "**Ni sade:** omklädningsrummen och tillgängligheten först, varmare barnbassäng.\n\n"
              "**Vi gjorde:** omklädningsrummen förnyas och hallen får en bassänglyft. Barnbassängens "
              "temperatur höjs med två grader. Utvidgningen av gymmet skjuts upp.",
        "en": "**You said:** changing rooms and accessibility first, a warmer children's pool.\n\n"
              "**We did:** the changing rooms are renewed and the hall gets a pool hoist. The children's pool "
              "is made two degrees warmer. Enlarging the gym is put off.",
    },
    "decision_title": {"fi": "Sivistyslautakunta 12.11. § 45", "sv": "Bildningsnämnden 12.11 § 45",
                       "en": "Education committee 12 Nov, section 45"},
    "decision_url": "https://example.fi/poytakirjat/sivistyslautakunta/45",
}


def seed_participation(organisation, actor) -> None:
    """Every kind's demo (``seed_demo``), then one finished process with a published outcome."""
    for kind in kinds():
        if kind.seed_demo is not None:
            kind.seed_demo(organisation, actor)
    seed_finished_process(organisation, actor)


def _finished_kind():
    """A survey when the kind is there (its demo input is added below); else the first kind with input and results."""
    if any(k.kind == "survey" for k in kinds()):
        return next(k for k in kinds() if k.kind == "survey")
    candidates = [k for k in kinds() if PhaseKind.INPUT in k.phase_kinds and PhaseKind.RESULTS in k.phase_kinds]
    candidates.sort(key=lambda k: k.seed_demo is None)
    return candidates[0] if candidates else None


def seed_finished_process(organisation, actor) -> Process | None:
    existing = Process.objects.filter(organisation=organisation, slug=FINISHED_SLUG).first()
    if existing is not None:
        return existing
    kind = _finished_kind()
    if kind is None:
        return None
    now = timezone.now()
    languages = [code for code in ("fi", "sv", "en") if code in organisation.required_languages] or \
        list(organisation.required_languages)
    phases = [actions.PhaseData(kind=PhaseKind.INPUT, starts_at=now - timedelta(days=90),
                                ends_at=now - timedelta(days=45)),
              actions.PhaseData(kind=PhaseKind.RESULTS, starts_at=now - timedelta(days=45))]
    process = actions.do_create_process(
        actor, organisation, kind=kind.kind, phases=phases, slug=FINISHED_SLUG, languages=languages,
        title=FINISHED["title"], summary=FINISHED["summary"], body=FINISHED["body"])
    if kind.kind == "survey":
        _finished_survey_input(actor, process)
    actions.do_publish_process(actor, process)
    Process.objects.filter(pk=process.pk).update(published_at=now - timedelta(days=90))
    actions.do_save_outcome(actor, process, text=OUTCOME["text"], decision_title=OUTCOME["decision_title"],
                            decision_url=OUTCOME["decision_url"], decided_at=(now - timedelta(days=16)).date())
    if not Outcome.objects.filter(process=process, published_at__isnull=False).exists():
        actions.do_publish_outcome(actor, process)
    return process


FIX_FIRST = {"fi": "Mitä uimahallin remontissa pitäisi korjata ensin?",
             "sv": "Vad borde åtgärdas först i simhallens renovering?",
             "en": "What should the swimming hall's renovation fix first?"}
FIX_CHOICES = [
    {"fi": "Pukuhuoneet", "sv": "Omklädningsrummen", "en": "The changing rooms"},
    {"fi": "Esteettömyys (allasnostin, kaiteet)", "sv": "Tillgängligheten (bassänglyft, ledstänger)",
     "en": "Accessibility (pool hoist, handrails)"},
    {"fi": "Lasten altaan lämpötila", "sv": "Barnbassängens temperatur", "en": "The children's pool's temperature"},
    {"fi": "Kuntosalin laajennus", "sv": "Utvidgningen av gymmet", "en": "Enlarging the gym"},
]
# (source, language, chosen answers) of the residents who answered: online, on paper at the desk, by phone.
FIX_ANSWERS = ([("online", "fi", [0, 1])] * 9 + [("online", "sv", [0, 2])] * 4 + [("online", "fi", [3])] * 3
               + [("online", "fi", [2])] * 4 + [("paper", "fi", [1])] * 6 + [("paper", "sv", [1, 0])] * 2
               + [("phone", "fi", [1, 2])] * 3)


def _finished_survey_input(actor, process) -> None:
    """One question and its answers (online, paper and phone) for the finished swimming-hall survey."""
    from kanava.participation.kinds.survey import actions as survey
    from kanava.participation.kinds.survey.actions import AnswerData

    question = survey.do_add_question(actor, process, kind="multiple", text=FIX_FIRST, required=True,
                                      choices=FIX_CHOICES)
    choices = list(question.choices.all())
    for number, (source, language, picked) in enumerate(FIX_ANSWERS):
        survey.do_submit_response(
            actor, process, [AnswerData(question, choice_id=choices[index].pk) for index in picked],
            source=source, language=language, recorded_by=actor.person if source != "online" else None,
            session_digest=f"demo-finished-{number}" if source == "online" else "")
