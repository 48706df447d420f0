"""Every staff URL of moderation is 404 for another organisation's lead, found by enumerating the URL patterns.

The same check as kanava/core/tests/test_isolation_everywhere.py, with a world
that holds a rule, a moderated item, its decision and an appeal.
"""

import pytest

from kanava.core.tests.test_isolation_everywhere import ID_ARGUMENTS, fill, staff_patterns
from kanava.inbox import moderation
from kanava.inbox.models import Source
from kanava.inbox.tests.moderation_support import (  # noqa: F401 (fixtures)
    REASON,
    english,
    fresh_site_cache_fixture,
    make_rule,
    received,
)
from kanava.testing.personas import login


@pytest.fixture
def world(cast, actor_of):
    rule = make_rule(actor_of(cast.lead), cast.org)
    item = received(cast.org, source=Source.WEB, handle="")
    decision = moderation.do_moderate(actor_of(cast.moderator), item, "hide", rule, REASON)
    appeal = moderation.do_appeal(moderation.Actor.system("resident"), decision, "Miksi?", "")
    return {"rule": rule.pk, "moderated_item": item.pk, "decision": decision.pk, "appeal": appeal.pk}


def moderation_patterns():
    found = [(name, route) for name, route in staff_patterns() if name.startswith("moderation:")]
    assert len(found) >= 10
    return found


def test_every_moderation_url_with_an_id_is_mapped_to_an_object():
    for name, route in moderation_patterns():
        if "<int:" in route.replace("<slug:org>", ""):
            assert name in ID_ARGUMENTS, name


def test_every_moderation_url_is_404_for_another_organisations_lead(client, cast, world):
    login(client, cast.outsider)
    leaks = []
    for name, route in moderation_patterns():
        for slug in (cast.org.slug, cast.other_org.slug):
            url = fill(name, route, slug, world)
            if slug == cast.other_org.slug and "<int:" not in route:
                continue  # their own pages without our ids are theirs to see
            for method in (client.get, client.post):
                status = method(url).status_code
                if status not in (404, 405):
                    leaks.append(f"{method.__name__.upper()} {url} ({name}) -> {status}")
    assert not leaks, "\n".join(leaks)
    assert moderation.Rule.objects.get(pk=world["rule"]).active, "nothing was changed"


def test_the_same_urls_exist_for_our_own_lead(client, cast, world):
    login(client, cast.lead)
    missing = [f"{name} {url}" for name, route in moderation_patterns()
               if (url := fill(name, route, cast.org.slug, world)) and client.get(url).status_code == 404]
    assert not missing, "\n".join(missing)
