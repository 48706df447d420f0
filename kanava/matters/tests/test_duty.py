"""The duty to inform, step by step and language by language."""

from kanava.matters import duty
from kanava.matters.duty import ANNOUNCED, DECISION, DONE, MISSED, MISSING, NOT_APPLICABLE, NOT_DUE, PARTICIPATION
from kanava.matters.models import Matter

from .conftest import at, finnish_only_window


def record(matter):
    return duty.record_for(Matter.objects.select_related("organisation").get(pk=matter.pk))


def states(found, step):
    return {code: cell.state for code, cell in found.step(step).cells.items()}


def test_a_matter_announced_in_both_languages_then_decided_owes_the_decision(desk):
    matter = desk.matter("KH/1/2026")
    message = desk.publish(matter, when=1)
    desk.stage(matter, "decided", when=5)
    found = record(matter)
    assert states(found, ANNOUNCED) == {"fi": DONE, "sv": DONE}
    assert found.step(ANNOUNCED).cells["sv"].evidence.pk == message.pk
    assert found.step(ANNOUNCED).cells["fi"].evidence.at == at(1)
    assert states(found, PARTICIPATION) == {"fi": NOT_APPLICABLE, "sv": NOT_APPLICABLE}
    assert states(found, DECISION) == {"fi": MISSING, "sv": MISSING}
    assert found.decided_at == at(5) and found.gaps == [(DECISION, "fi"), (DECISION, "sv")]


def test_a_message_after_the_decision_tells_the_decision_and_not_the_announcement(desk):
    matter = desk.matter("KH/2/2026")
    desk.stage(matter, "agenda", when=2)
    desk.stage(matter, "decided", when=5)
    desk.publish(matter, when=6)
    found = record(matter)
    assert states(found, DECISION) == {"fi": DONE, "sv": DONE}
    assert states(found, ANNOUNCED) == {"fi": MISSED, "sv": MISSED}
    assert found.gaps == [] and found.missed == [(ANNOUNCED, "fi"), (ANNOUNCED, "sv")]
    assert found.done_at(DECISION) == at(6)


def test_a_missing_swedish_version_is_a_gap(desk, cast):
    matter = desk.matter("KH/3/2026")
    with finnish_only_window(cast.org):
        # Published while only Finnish was required; the Swedish version has a title but no text.
        desk.publish(matter, when=1, versions={"fi": {"title": "Uutinen", "body": "Teksti."},
                                               "sv": {"title": "Nyhet", "body": ""}})
    found = record(matter)
    assert states(found, ANNOUNCED) == {"fi": DONE, "sv": MISSING}
    assert found.gaps == [(ANNOUNCED, "sv")]
    assert states(found, DECISION) == {"fi": NOT_DUE, "sv": NOT_DUE}


def test_a_draft_or_a_message_in_review_tells_nothing(desk, actor_of, cast):
    from kanava.matters import actions
    from kanava.publishing import actions as publishing

    matter = desk.matter("KH/4/2026")
    draft = publishing.do_create_message(actor_of(cast.lead), cast.org, versions={
        "fi": {"title": "Luonnos", "body": "x"}, "sv": {"title": "Utkast", "body": "x"}})
    actions.link_message(actor_of(cast.lead), matter, draft)
    publishing.do_submit_for_review(actor_of(cast.lead), draft)
    assert record(matter).gaps == [(ANNOUNCED, "fi"), (ANNOUNCED, "sv")]


def test_participation_is_owed_only_when_a_process_is_linked_and_counts_per_language(desk):
    matter = desk.matter("KH/5/2026")
    desk.publish(matter, when=1)
    assert states(record(matter), PARTICIPATION) == {"fi": NOT_APPLICABLE, "sv": NOT_APPLICABLE}
    unpublished = desk.process(matter, when=2, publish=False, slug="luonnos")
    assert states(record(matter), PARTICIPATION) == {"fi": MISSING, "sv": MISSING}
    desk.process(matter, when=3, languages=("fi",), slug="vain-suomeksi")
    found = record(matter)
    assert states(found, PARTICIPATION) == {"fi": DONE, "sv": MISSING}
    assert found.step(PARTICIPATION).cells["fi"].evidence.at == at(3)
    assert unpublished.pk not in [c.evidence.pk for c in found.step(PARTICIPATION).cells.values() if c.evidence]
    desk.stage(matter, "decided", when=10)
    assert states(record(matter), PARTICIPATION) == {"fi": DONE, "sv": MISSED}


def test_a_matter_entered_already_decided_was_decided_at_its_meeting(desk, cast):
    import datetime as dt

    matter = desk.matter("KH/6/2026", when=10, stage="decided", meeting_date=dt.date(2026, 3, 5))
    found = record(matter)
    assert found.decided_at == dt.datetime(2026, 3, 5, tzinfo=cast.org.tz)
    desk.publish(matter, when=4)  # 6 March, after the meeting though before the matter was entered
    assert states(record(matter), DECISION) == {"fi": DONE, "sv": DONE}


def test_secret_matters_owe_nothing_and_partly_secret_ones_owe_their_public_part(desk):
    secret = desk.matter("KH/7/2026", confidentiality="secret", secrecy_ground="JulkL 24.1 § 32 k")
    partly = desk.matter("KH/8/2026", confidentiality="partly_secret", secrecy_ground="JulkL 24.1 § 17 k")
    assert record(secret) is None
    assert record(partly).gaps == [(ANNOUNCED, "fi"), (ANNOUNCED, "sv")]


def test_the_dashboard_order_puts_untold_decisions_first(desk, cast):
    prepared = desk.matter("A/1/2026")
    decided_late = desk.matter("A/2/2026")
    decided_early = desk.matter("A/3/2026")
    told = desk.matter("A/4/2026")
    desk.publish(told, when=1)
    desk.publish(decided_late, when=1)
    desk.publish(decided_early, when=1)
    desk.stage(decided_early, "decided", when=3)
    desk.stage(decided_late, "decided", when=4)
    theirs = Matter.objects.create(organisation=cast.other_org, case_number="X/1", title={"fi": "Muu"})
    found, count = duty.dashboard_gaps(cast.org, today=at(5).date())
    assert [d.matter for d in found] == [decided_early, decided_late, prepared] and count == 3
    assert theirs not in [d.matter for d in found]


def test_the_record_of_200_matters_takes_a_fixed_number_of_queries(desk, cast, django_assert_num_queries):
    from kanava.matters.models import MatterEvent

    matters = Matter.objects.bulk_create([
        Matter(organisation=cast.org, case_number=f"B/{i}/2026", title={"fi": f"Asia {i}"},
               stage="decided" if i % 2 else "preparation") for i in range(200)])
    MatterEvent.objects.bulk_create([MatterEvent(matter=m, at=at(0), stage=m.stage) for m in matters])
    for matter in matters[:6]:
        desk.publish(matter, when=1)
    desk.process(matters[7], when=1)
    with django_assert_num_queries(4):
        found = duty.records(duty.covered(cast.org), cast.org)
    assert len(found) == 200
    assert sum(1 for d in found if d.step(DECISION).cells["fi"].state == DONE) == 3
