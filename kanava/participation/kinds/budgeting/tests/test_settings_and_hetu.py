"""Typed process settings and the personal identity code."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from kanava.participation import hetu
from kanava.participation.kinds.budgeting.conf import BudgetSettings


def test_settings_default_the_cap_to_the_budget_of_the_area_or_the_total():
    conf = BudgetSettings.parse({"total_budget": "300000", "areas": [
        {"slug": "north", "name": {"fi": "Pohjoinen"}, "budget": 100000}, {"slug": "south", "name": {}}]})
    assert conf.cap_for("north") == 100000 and conf.cap_for("south") == 300000 and conf.cap_for("") == 300000
    assert conf.minimum_age == 12
    assert BudgetSettings.parse(conf.to_dict()) == conf
    assert BudgetSettings.parse({"total_budget": 1000, "ballot_cap": 500}).cap_for("") == 500
    assert BudgetSettings.parse({"method": "approval", "max_choices": 3}).cap_for("") is None


@pytest.mark.parametrize("bad, field", [
    ({"total_budget": "paljon"}, "total_budget"), ({"total_budget": -1}, "total_budget"),
    ({"method": "ranked"}, "method"), ({"minimum_age": 200}, "minimum_age"),
    ({"municipality_code": "Helsinki"}, "municipality_code"), ({"max_choices": 0}, "max_choices"),
    ({"areas": [{"slug": "A B"}]}, "areas"), ({"areas": [{"slug": "a"}, {"slug": "a"}]}, "areas"),
])
def test_settings_name_what_is_wrong(bad, field):
    with pytest.raises(ValidationError) as raised:
        BudgetSettings.parse(bad)
    assert field in raised.value.message_dict


def test_the_framework_reads_a_settings_error_as_a_value_error_with_a_sentence():
    from kanava.participation.kinds.budgeting.conf import SettingsError

    with pytest.raises(ValueError) as raised:
        BudgetSettings.parse({"method": "ranked", "areas": ["x"]})
    assert isinstance(raised.value, SettingsError) and "method:" in str(raised.value) and "areas:" in str(raised.value)
    with pytest.raises(SettingsError):
        BudgetSettings.parse(["not", "an", "object"])


def test_a_valid_identity_code_gives_the_birth_date():
    assert hetu.birth_date("131052-308T") == datetime.date(1952, 10, 13)  # the example code of the DVV
    assert hetu.birth_date("010594Y9032") == datetime.date(1994, 5, 1)  # the 2023 century signs
    assert hetu.birth_date(hetu.make(datetime.date(2011, 2, 3), 5)) == datetime.date(2011, 2, 3)


@pytest.mark.parametrize("code", ["131052-308U", "131052-308", "321052-308T", "131052-001T", "131052*308T", ""])
def test_an_invalid_identity_code_is_refused(code):
    assert not hetu.is_valid(code)


def test_the_lead_sets_the_rules_until_the_first_ballot(client, cast, process, proposals, resident):
    from django.urls import reverse

    from kanava.core.audit import Actor
    from kanava.participation.kinds.budgeting import actions
    from kanava.participation.manifest import Level
    from kanava.testing.personas import login

    login(client, cast.lead)
    url = reverse("budgeting_staff:settings", kwargs={"org": cast.org.slug, "pk": process.pk})
    assert client.get(url).status_code == 200
    form = {"total_budget": "250000", "method": "budget", "ballot_cap": "", "max_choices": "", "minimum_age": "15",
            "municipality_code": "091", "areas": "keskusta | Keskusta | Centrum | 150000\nkyla | Kylä | Byn |"}
    assert client.post(url, {**form, "municipality_code": "Helsinki"}).status_code == 200
    assert client.post(url, form).status_code == 302
    process.refresh_from_db()
    conf = BudgetSettings.of(process)
    assert conf.total_budget == 250000 and conf.minimum_age == 15 and conf.cap_for("keskusta") == 150000
    assert conf.area("kyla").name == {"fi": "Kylä", "sv": "Byn"} and conf.cap_for("kyla") == 250000
    process.settings = {**process.settings, "areas": []}
    process.save()
    actions.do_cast_ballot(Actor.system(), process, resident, Level.STRONG, area="", proposal_ids=[proposals[0].pk])
    response = client.post(url, {**form, "areas": "", "total_budget": "300000"})
    assert response.status_code == 200
    process.refresh_from_db()
    assert BudgetSettings.of(process).total_budget == 250000 and BudgetSettings.of(process).areas == ()
