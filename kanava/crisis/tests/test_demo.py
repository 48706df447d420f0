"""The demo: nine scenario playbooks with pre-approved bilingual templates, one stale; seeding twice adds nothing."""

from kanava.crisis import actions, cap, demo
from kanava.crisis.models import Playbook, PlaybookTemplate


def test_seed_makes_nine_playbooks_once_and_the_water_drill_validates(cast):
    first = demo.seed(cast.org)
    again = demo.seed(cast.org)
    assert [p.pk for p in first] == [p.pk for p in again]
    assert Playbook.objects.filter(organisation=cast.org).count() == 9
    assert sorted(p.scenario for p in first) == sorted(Playbook.Scenario.values)
    assert PlaybookTemplate.objects.filter(playbook__organisation=cast.org, pre_approved=True).count() == 27
    assert [p.scenario for p in actions.stale_playbooks(cast.org)] == ["storm"]
    water = Playbook.objects.get(organisation=cast.org, scenario="drinking_water")
    from kanava.core.audit import Actor

    incident = actions.open_incident(Actor(person=cast.lead), water,
                                     {"place": "Keskusta", "time": "tänään", "instructions": "Vesipiste torilla."},
                                     exercise=True)
    assert "2 minuuttia" in incident.events.get(kind="message").instruction["fi"]
    assert cap.validate(incident.cap_alerts.get().xml) == []
