"""Objects for the isolation test (kanava/core/tests/test_isolation_everywhere.py).

``objects(cast, actor_of)`` makes a playbook of ``cast.org`` with a pre-approved
first message, an incident opened from it and a drill waiting for its second approver, a rumour linked to the incident; ``ID_ARGUMENTS`` names them for
every staff URL that takes an id (the template kind is named too, so that our
own lead's pages answer 200).
"""

from kanava.crisis.urls_staff import app_name, urlpatterns

ID_ARGUMENTS = {
    f"{app_name}:{pattern.name}": {
        name: key for name, key in (("pk", "crisis_playbook"), ("incident_pk", "crisis_incident"),
                                    ("template_kind", "crisis_template_kind"),
                                    ("pending_pk", "crisis_pending"), ("claim_pk", "crisis_claim"))
        if f":{name}>" in str(pattern.pattern)}
    for pattern in urlpatterns if "<" in str(pattern.pattern)
}


def objects(cast, actor_of) -> dict:
    from kanava.crisis import actions

    lead = actor_of(cast.lead)
    playbook = actions.save_playbook(lead, cast.org, actions.PlaybookData(
        scenario="drinking_water", name={"fi": "Vesi", "sv": "Vatten"}))
    template = actions.save_template(lead, playbook, "first", title={"fi": "Keitä vesi", "sv": "Koka vattnet"},
                                     body={"fi": "Alueella {place}.", "sv": "I området {place}."})
    actions.approve_template(lead, template)
    incident = actions.open_incident(lead, playbook, {"place": "Keskusta"}, exercise=True)
    from kanava.crisis import activation

    playbook.two_person_rule = True
    playbook.save(update_fields=["two_person_rule"])
    pending = activation.activate(lead, playbook, {"place": "Keskusta"}, exercise=True)  # waits for a second person
    from kanava.inbox import claims

    claim = claims.do_save_claim(lead, cast.org, statement={"fi": "Huhu", "sv": "Rykte"}, answer={}, verdict="false")
    incident.claims.add(claim)
    return {"crisis_playbook": playbook.pk, "crisis_incident": incident.pk, "crisis_template_kind": "first",
            "crisis_pending": pending.pk, "crisis_claim": claim.pk}
