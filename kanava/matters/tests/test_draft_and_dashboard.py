"""The lead's dashboard lists the gaps; one button drafts a message from the matter in both languages."""

import datetime as dt

from django.urls import reverse

from kanava.core.models import AuditEvent
from kanava.matters.models import Matter
from kanava.publishing.models import Message
from kanava.testing.personas import login


def dashboard(client, org):
    return client.get(reverse("publishing:dashboard", kwargs={"org": org.slug})).content.decode()


def draft_url(org, matter):
    return reverse("matters:draft", kwargs={"org": org.slug, "pk": matter.pk})


def test_the_dashboard_shows_the_gaps_and_the_button_drafts_both_languages(client, cast, desk):
    matter = desk.matter("TEK/77/2026", stage="decided", deciding_body="Tekninen lautakunta",
                         meeting_date=dt.date(2026, 3, 1), agenda_url="https://kunta.example/esityslista",
                         minutes_url="https://kunta.example/poytakirja",
                         title={"fi": "Kirkkotien peruskorjaus", "sv": "Grundrenovering av Kyrkvägen"},
                         summary={"fi": "Katu uusitaan kesällä.", "sv": "Gatan förnyas i sommar."})
    hearing = desk.process(matter, when=0)
    told = desk.matter("KH/1/2026", title={"fi": "Kerrottu asia", "sv": "Berättat ärende"})
    desk.publish(told, when=1)
    login(client, cast.lead)
    page = dashboard(client, cast.org)
    assert "Duty to inform" in page and "Kirkkotien peruskorjaus" in page and "Kerrottu asia" not in page
    assert draft_url(cast.org, matter) in page
    answer = client.post(draft_url(cast.org, matter))
    message = Message.objects.get(matters=matter)
    assert answer.status_code == 302
    assert answer["Location"] == reverse("publishing:message_edit", kwargs={"org": cast.org.slug, "pk": message.pk})
    versions = {v.language: v for v in message.versions.all()}
    assert set(versions) == {"fi", "sv"} and message.state == "draft" and message.author == cast.lead
    assert versions["fi"].title == "Kirkkotien peruskorjaus" and versions["sv"].title == "Grundrenovering av Kyrkvägen"
    fi, sv = versions["fi"].body, versions["sv"].body
    assert "Katu uusitaan kesällä." in fi and "Gatan förnyas i sommar." in sv
    for body in (fi, sv):
        assert "Tekninen lautakunta" in body and "1.3.2026" in body and "TEK/77/2026" in body
        assert "https://kunta.example/esityslista" in body and "https://kunta.example/poytakirja" in body
        assert f"/participate/{hearing.slug}/" in body
    assert "/sv/participate/" in sv and "/fi/participate/" in fi
    assert AuditEvent.objects.filter(action="matters.message_drafted", object_id=str(matter.pk)).exists()
    assert AuditEvent.objects.filter(action="message.created", object_id=str(message.pk)).exists()
    editor = client.get(answer["Location"])
    assert editor.status_code == 200 and "Kirkkotien peruskorjaus" in editor.content.decode()


def test_the_same_button_on_the_matter_page(client, cast, desk):
    matter = desk.matter("KH/2/2026")
    login(client, cast.editor)
    page = client.get(reverse("matters:detail", kwargs={"org": cast.org.slug, "pk": matter.pk})).content.decode()
    assert "Duty to inform" in page and draft_url(cast.org, matter) in page and "Missing" in page
    assert client.post(draft_url(cast.org, matter)).status_code == 302
    assert Message.objects.filter(matters=matter, author=cast.editor).count() == 1


def test_a_moderator_who_cannot_draft_sees_no_panel_and_may_not_draft(client, cast, desk):
    matter = desk.matter("KH/3/2026", title={"fi": "Moderaattorille näkymätön"})
    login(client, cast.moderator)
    assert "Moderaattorille näkymätön" not in dashboard(client, cast.org)
    assert client.post(draft_url(cast.org, matter)).status_code == 403
    assert not Message.objects.exists()


def test_another_organisations_matter_is_neither_listed_nor_drafted(client, cast, actor_of):
    from kanava.matters import actions

    theirs = actions.create_matter(actor_of(cast.outsider), cast.other_org, case_number="X/1/2026",
                                   title={"fi": "Toisen kunnan asia"})
    login(client, cast.lead)
    assert "Toisen kunnan asia" not in dashboard(client, cast.org)
    assert client.post(draft_url(cast.org, theirs)).status_code == 404
    assert client.get(reverse("matters:detail", kwargs={"org": cast.org.slug, "pk": theirs.pk})).status_code == 404
    assert not Message.objects.exists()


def test_a_secret_matter_is_not_drafted_and_a_partly_secret_one_gives_only_its_title(client, cast, desk):
    secret = desk.matter("KH/4/2026", confidentiality="secret", secrecy_ground="JulkL 24.1 § 32 k",
                         title={"fi": "Salainen henkilöstöasia"}, summary={"fi": "Salainen sisältö"})
    partly = desk.matter("KH/5/2026", confidentiality="partly_secret", secrecy_ground="JulkL 24.1 § 17 k",
                         title={"fi": "Kiinteistön myynti", "sv": "Fastighetsförsäljning"},
                         summary={"fi": "Kauppahinta 1,2 M€", "sv": "Köpesumma 1,2 M€"})
    login(client, cast.lead)
    answer = client.post(draft_url(cast.org, secret), follow=True)
    assert "no message is drafted" in answer.content.decode() and not Message.objects.exists()
    client.post(draft_url(cast.org, partly))
    message = Message.objects.get(matters=partly)
    versions = {v.language: (v.title, v.body) for v in message.versions.all()}
    assert versions == {"fi": ("Kiinteistön myynti", ""), "sv": ("Fastighetsförsäljning", "")}


def test_the_dashboard_panel_costs_a_fixed_number_of_queries(client, cast, desk, django_assert_max_num_queries):
    login(client, cast.lead)
    desk.publish(desk.matter("C/0/2026"), when=1)
    desk.matter("C/00/2026")
    client.get(reverse("publishing:dashboard", kwargs={"org": cast.org.slug}))
    with django_assert_max_num_queries(40) as few:
        dashboard(client, cast.org)
    for i in range(1, 15):
        matter = desk.matter(f"C/{i}/2026")
        if i % 3 == 0:
            desk.publish(matter, when=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = dashboard(client, cast.org)
    assert page.count("Draft a message from this matter") == 10
    assert Matter.objects.filter(organisation=cast.org).count() == 16
