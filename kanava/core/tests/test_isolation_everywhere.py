"""Another organisation's people get 404 for every staff URL of ours.

The URL patterns are enumerated, not listed by hand: a new staff page is
covered automatically, and a new object id in a URL fails this test until
it is mapped to an object below.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from kanava.audience.models import Subscriber
from kanava.core.models import Alert, Membership
from kanava.publishing import actions, outbox
from kanava.publishing.models import Delivery
from kanava.testing.personas import login, make_channel

VERSIONS = {"fi": {"title": "Uutinen", "body": "Teksti."}, "sv": {"title": "Nyhet", "body": "Text."}}


def staff_patterns():
    """(url name, route) of every pattern that takes an organisation slug."""
    found = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern) and "<slug:org>" in prefix + str(pattern.pattern):
                found.append((f"{namespace}{pattern.name}", prefix + str(pattern.pattern)))

    walk(get_resolver().url_patterns, "", "")
    return found


@pytest.fixture
def world(cast, actor_of, settings, tmp_path):
    """One of every kind of object the staff pages address, all ours."""
    settings.MEDIA_ROOT = tmp_path
    channels = [make_channel(cast.org, "website")]
    from kanava.channels.registry import manifests

    if "print" in manifests():
        channels.append(make_channel(cast.org, "print"))
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=VERSIONS, channels=channels)
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    actions.do_publish(actor_of(cast.lead), message)
    outbox.drain()
    ids = {
        "message": message.pk,
        "variant": message.variants.first().pk,
        "delivery": Delivery.objects.filter(message=message).first().pk,
        "alert": Alert.objects.create(organisation=cast.org, text="Huomio").pk,
        "membership": Membership.objects.get(organisation=cast.org, person=cast.voice).pk,
        "subscriber": Subscriber.objects.create(organisation=cast.org, kind="email", address="a@example.fi",
                                                state="confirmed").pk,
        "channel": channels[0].pk,
        "social_channel": make_channel(cast.org, "mastodon", "Mastodon").pk,
    }
    if "press" in manifests():
        from kanava.channels.press.models import PressContact

        ids["press_contact"] = PressContact.objects.create(organisation=cast.org, newsroom="Sanomat",
                                                           email="news@example.fi", language="fi").pk
    if "print" in manifests():
        from kanava.channels.print.models import Bulletin

        ids["bulletin"] = Bulletin.objects.get(message=message).pk
    ids.update(inbox_objects(cast, actor_of))
    from kanava.participation import isolation

    ids.update(isolation.objects(cast, actor_of))
    from kanava.matters import isolation as matters
    from kanava.notices import isolation as notices

    ids.update(matters.objects(cast, actor_of))
    ids.update(notices.objects(cast, actor_of))
    from kanava.crisis import isolation as crisis

    ids.update(crisis.objects(cast, actor_of))
    return ids


def inbox_objects(cast, actor_of) -> dict:
    """A conversation with an incoming item and our answer, a rule, a decision, an appeal, a claim, an FAQ entry."""
    from kanava.channels.base import Incoming
    from kanava.core.audit import Actor
    from kanava.inbox import moderation
    from kanava.inbox.analysis import Analysis
    from kanava.inbox.intake import take_in
    from kanava.inbox.models import Claim, KnowledgeEntry
    from kanava.inbox.replies import do_record_answer

    item = take_in(cast.org, "web", Incoming(external_id="w-1", text="Idiootti"),
                   analysis=Analysis(language="fi", kind="attack"))
    question = take_in(cast.org, "phone", Incoming(external_id="", text="Milloin tie aurataan?"),
                       analysis=Analysis(language="fi", kind="question"))
    answer = do_record_answer(actor_of(cast.lead), question.conversation, "Huomenna aamulla.", "phone")
    rule = moderation.do_save_rule(actor_of(cast.lead), cast.org, number=1, title={"fi": "Sääntö", "sv": "Regel"},
                                   text={"fi": "Teksti.", "sv": "Text."})
    decision = moderation.do_moderate(actor_of(cast.moderator), item, "hide", rule, "Nimittelyä.")
    appeal = moderation.do_appeal(Actor.system("resident"), decision, "Miksi?", "")
    return {
        "conversation": question.conversation_id, "item": question.pk, "answer": answer.pk,
        "rule": rule.pk, "moderated_item": item.pk, "decision": decision.pk, "appeal": appeal.pk,
        "claim": Claim.objects.create(organisation=cast.org, slug="vaite", statement={"fi": "Väite"}).pk,
        "faq_entry": KnowledgeEntry.objects.create(organisation=cast.org, language="fi", question="K?",
                                                   answer="V.").pk,
    }


# URL name -> which object each id argument names.
ID_ARGUMENTS = {
    "publishing:alert_resolve": {"pk": "alert"},
    "privacy:confirm": {"pk": "message"},
    "publishing:delivery_retry": {"pk": "delivery"},
    "publishing:delivery_resolve": {"pk": "delivery"},
    "publishing:variant_edit": {"pk": "message", "variant_pk": "variant"},
    "publishing:variant_reset": {"pk": "message", "variant_pk": "variant"},
    "core:remove_role": {"membership_id": "membership"},
    "core:voice_title": {"membership_id": "membership"},
    "audience_staff:unsubscribe": {"pk": "subscriber"},
    "channels:edit": {"pk": "channel"},
    "channels:connect": {"pk": "social_channel"},
    "channels:disconnect": {"pk": "social_channel"},
    "channel_press_urls:deactivate": {"pk": "press_contact"},
    "channel_press_urls:reactivate": {"pk": "press_contact"},
    "channel_print_urls:standard": {"pk": "bulletin"},
    "channel_print_urls:large": {"pk": "bulletin"},
    "channel_print_urls:preview": {"message_id": "message"},
    "inbox:conversation": {"pk": "conversation"},
    "inbox:check": {"pk": "conversation"},
    "inbox:reply": {"pk": "conversation"},
    "inbox:answer_state": {"pk": "conversation"},
    "inbox:details": {"pk": "conversation"},
    "inbox:note": {"pk": "conversation"},
    "inbox:correct": {"pk": "conversation"},
    "moderation:rule_edit": {"pk": "rule"},
    "moderation:rule_retire": {"pk": "rule"},
    "moderation:rule_reinstate": {"pk": "rule"},
    "moderation:item": {"pk": "moderated_item"},
    "moderation:retry": {"pk": "decision"},
    "moderation:appeal": {"pk": "appeal"},
    "claims:detail": {"pk": "claim"},
    "claims:edit": {"pk": "claim"},
    "claims:publish": {"pk": "claim"},
    "claims:unpublish": {"pk": "claim"},
    "claims:match": {"pk": "claim"},
    "claims:faq_edit": {"pk": "faq_entry"},
    "claims:faq_delete": {"pk": "faq_entry"},
    "participation_staff:detail": {"pk": "process"},
}
OTHER_ARGUMENTS = {"kind": "website"}


def fill(name: str, route: str, slug: str, ids: dict) -> str:
    import re

    def value(match):
        converter, argument = match.group(1), match.group(2)
        if argument == "org":
            return slug
        if argument in OTHER_ARGUMENTS:
            return OTHER_ARGUMENTS[argument]
        from kanava.participation import isolation

        from kanava.matters.isolation import ID_ARGUMENTS as MATTERS
        from kanava.notices.isolation import ID_ARGUMENTS as NOTICES

        from kanava.crisis.isolation import ID_ARGUMENTS as CRISIS

        mapping = {**ID_ARGUMENTS, **isolation.id_arguments(), **MATTERS, **NOTICES, **CRISIS}.get(name, {})
        if argument in mapping:
            return str(ids[mapping[argument]])
        namespace = name.split(":")[0]
        if argument == "pk" and namespace.endswith("_staff") and f"process_{namespace[:-6]}" in ids:
            return str(ids[f"process_{namespace[:-6]}"])  # a process kind's staff pages
        if argument == "pk" and name.startswith("publishing:message"):
            return str(ids["message"])
        raise AssertionError(f"{name}: map the URL argument <{converter}:{argument}> to one of our objects")

    return "/" + re.sub(r"<(\w+):(\w+)>", value, route.replace("^", "").replace("$", ""))


def test_every_staff_url_is_404_for_another_organisations_lead(client, cast, world):
    patterns = staff_patterns()
    assert len(patterns) > 30
    login(client, cast.outsider)
    leaks = []
    for name, route in patterns:
        for slug in (cast.org.slug, cast.other_org.slug):
            url = fill(name, route, slug, world)
            if slug == cast.other_org.slug and not any(k in route for k in ("<int:",)):
                continue  # their own pages without our ids are theirs to see
            for method in (client.get, client.post):
                status = method(url).status_code
                if status not in (404, 405):  # 405: wrong method, decided before any lookup
                    leaks.append(f"{method.__name__.upper()} {url} ({name}) -> {status}")
    assert not leaks, "\n".join(leaks)


def test_the_same_urls_exist_for_our_own_lead(client, cast, world):
    login(client, cast.lead)
    missing = [f"{name} {url}" for name, route in staff_patterns()
               if (url := fill(name, route, cast.org.slug, world)) and client.get(url).status_code == 404]
    assert not missing, "\n".join(missing)
