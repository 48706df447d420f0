"""Fixtures for crisis communication: a bilingual water playbook with pre-approved templates."""

import pytest
from django.apps import apps
from django.core.cache import cache

if not apps.is_installed("kanava.crisis"):
    # Until the app is in INSTALLED_APPS its models cannot load: collect nothing here.
    collect_ignore_glob = ["test_*.py"]

WATER = {
    "first": {"title": {"fi": "Keitä vesi: {place}", "sv": "Koka vattnet: {place}"},
              "body": {"fi": "Vedessä on bakteereja alueella {place} {time}. Seuraava tiedote klo {next_update}.",
                       "sv": "Vattnet innehåller bakterier i området {place} {time}. Nästa meddelande kl. "
                             "{next_update}."},
              "instruction": {"fi": "Keitä juomavesi. {instructions}", "sv": "Koka dricksvattnet. {instructions}"}},
    "update": {"title": {"fi": "Keittokehotus jatkuu", "sv": "Kokningsrekommendationen fortsätter"},
               "body": {"fi": "Tilanne jatkuu: {place}.", "sv": "Situationen fortsätter: {place}."}},
    "all_clear": {"title": {"fi": "Vesi on juomakelpoista", "sv": "Vattnet är drickbart"},
                  "body": {"fi": "Keittokehotus on päättynyt: {place}.", "sv": "Kokningsrekommendationen har upphört: "
                                                                              "{place}."}},
}
POLYGON = "60.47,26.93 60.47,26.96 60.455,26.96 60.455,26.93 60.47,26.93"
PLACES = {"place": "Keskusta", "time": "klo 8.00", "instructions": "Vesipiste torilla."}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def lead(cast, actor_of):
    return actor_of(cast.lead)


def make_playbook(actor, organisation, approve=True, **extra):
    from kanava.crisis import actions

    data = actions.PlaybookData(
        scenario="drinking_water", name={"fi": "Talousvesi", "sv": "Hushållsvatten"}, cap_category="Health",
        areas=[actions.AreaData({"fi": "Keskusta", "sv": "Centrum"}, POLYGON, "KUNTA", "999")], **extra)
    playbook = actions.save_playbook(actor, organisation, data)
    for kind, texts in WATER.items():
        template = actions.save_template(actor, playbook, kind, **texts)
        if approve:
            actions.approve_template(actor, template)
    return playbook


@pytest.fixture
def playbook(cast, lead):
    return make_playbook(lead, cast.org)


@pytest.fixture
def site(cast, playbook):
    """The playbook goes to a website channel, in real incidents and drills."""
    from kanava.testing.personas import make_channel

    website = make_channel(cast.org, "website", "Verkkosivut")
    playbook.channel_order = ["website"]
    playbook.save()
    playbook.exercise_channels.set([website])
    return website
