"""Residents' public text: identity codes and phone numbers are masked before they are stored, the
moderator's page says what was masked (never the value), the writer is told, and exports carry no more."""

import datetime
import html

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kanava.core.audit import Actor
from kanava.core.models import AuditEvent
from kanava.participation import hetu
from kanava.participation.kinds.hearing import actions as hearing
from kanava.participation.kinds.hearing.models import Comment
from kanava.participation.kinds.hearing.tests.support import make_hearing, sections
from kanava.participation.kinds.ideas.models import Idea
from kanava.participation.kinds.ideas.tests.support import make_process, make_resident, sign_in
from kanava.participation.kinds.opinions.models import Statement
from kanava.participation.kinds.opinions.tests.test_vote import make_conversation, write_url
from kanava.privacy import residents
from kanava.testing.personas import login

pytestmark = pytest.mark.django_db

CODE = hetu.make(datetime.date(1985, 3, 14), 123)  # a valid Finnish identity code
PHONE = "040 123 4567"
TEXT = f"Koulun piha on liian pieni. Soittakaa minulle {PHONE}, hetuni on {CODE}."
MASKED = "Koulun piha on liian pieni. Soittakaa minulle [removed], hetuni on [removed]."
NOTE = "Personal data was masked before it was published: Phone number, Finnish personal identity code."
TOLD = "Personal data was removed from the text before it was published"


@pytest.fixture(autouse=True)
def _english_and_fresh_limits(settings):
    settings.LOCALE_PATHS = []  # the English texts, whatever the page's language
    cache.clear()  # rate limits and cached pages
    yield
    cache.clear()


def page_of(response) -> str:
    return html.unescape(response.content.decode())


def assert_nothing_stored_anywhere(*texts):
    for text in texts:
        assert CODE not in text and PHONE not in text


def test_masking_keeps_the_rest_of_the_text_and_names_the_kinds_once():
    masked = residents.mask_fields("fi", text=TEXT + f" Uudestaan: {PHONE}.", title="Piha")
    assert masked.texts == {"text": MASKED + " Uudestaan: [removed].", "title": "Piha"}
    assert (masked.kinds, masked.fields) == (["phone", "fi_identity_code"], ["text"])
    assert not residents.mask_fields("fi", text="Ei mitään henkilökohtaista, klo 14.30 5.12.2026.")


# -- hearing ---------------------------------------------------------------------------

def test_a_hearing_comment_is_stored_masked_and_the_moderator_sees_the_note(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    url = f"/fi/participate/{process.slug}/hearing/sections/{section.pk}/"
    response = client.post(url, {"text": TEXT, "display_name": "Maija"}, HTTP_SEC_FETCH_SITE="same-origin")

    comment = Comment.objects.get()
    assert comment.text == MASKED and comment.display_name == "Maija"
    event = AuditEvent.objects.get(action="privacy.masked")
    assert (event.object_id, event.data) == (str(comment.pk), {"kinds": ["phone", "fi_identity_code"],
                                                                "fields": ["text"]})
    told = page_of(client.get(response["Location"]))
    assert TOLD in told and MASKED in told
    assert_nothing_stored_anywhere(told, str(AuditEvent.objects.values_list("data", "object_repr")))

    staff = Client()
    login(staff, cast.moderator)
    kwargs = {"org": cast.org.slug, "pk": process.pk}
    detail = page_of(staff.get(reverse("hearing_staff:comment", kwargs={**kwargs, "comment": comment.pk})))
    assert NOTE in detail and MASKED in detail
    assert NOTE in page_of(staff.get(reverse("hearing_staff:overview", kwargs=kwargs)))


def test_a_comment_without_personal_data_has_no_note(client, cast):
    process = make_hearing(cast.org)
    comment, _created = hearing.do_add_comment(Actor.system("test"), sections(process)[0], text="Lisää penkkejä.",
                                               language="fi")
    assert comment.masked_kinds == [] and not AuditEvent.objects.filter(action="privacy.masked").exists()
    login(client, cast.moderator)
    page = page_of(client.get(reverse("hearing_staff:comment", kwargs={
        "org": cast.org.slug, "pk": process.pk, "comment": comment.pk})))
    assert "Lisää penkkejä." in page and "Personal data was masked" not in page


def test_a_comment_recorded_by_staff_from_paper_is_masked_too(cast):
    process = make_hearing(cast.org)
    comment, _created = hearing.do_add_comment(
        Actor(person=cast.lead), sections(process)[0], text=f"Ring mig på {PHONE}.", language="sv",
        source=Comment.Source.PAPER, recorded_by=cast.lead)
    assert comment.text == "Ring mig på [removed]." and comment.masked_kinds == ["phone"]


# -- ideas -----------------------------------------------------------------------------

def test_an_idea_is_stored_masked_and_the_moderator_sees_the_note(client, cast):
    process = make_process(cast.org)
    sign_in(client, make_resident(cast.org))
    response = client.post(f"/fi/participate/{process.slug}/ideas/new/", {
        "title": f"Soita {PHONE}", "text": TEXT, "author_name": "Aino", "submission_key": "a" * 32, "website": ""})

    idea = Idea.objects.get()
    assert (idea.title, idea.text, idea.author_name) == ("Soita [removed]", MASKED, "Aino")
    event = AuditEvent.objects.get(action="privacy.masked")
    assert event.data == {"kinds": ["phone", "fi_identity_code"], "fields": ["title", "text"]}
    proposed = AuditEvent.objects.get(action="ideas.proposed")
    assert proposed.object_repr == "Soita [removed]"  # the audit log does not keep the number either
    told = page_of(client.get(response["Location"]))
    assert TOLD in told and MASKED in told

    staff = Client()
    login(staff, cast.lead)
    kwargs = {"org": cast.org.slug, "pk": process.pk}
    assert NOTE in page_of(staff.get(reverse("ideas_staff:detail", kwargs={**kwargs, "idea": idea.pk})))
    assert NOTE in page_of(staff.get(reverse("ideas_staff:list", kwargs=kwargs)))


# -- opinion maps ----------------------------------------------------------------------

def test_a_statement_is_stored_masked_and_the_moderation_queue_shows_the_note(cast):
    process = make_conversation(cast.org)  # premoderated
    resident = Client()
    with translation.override("fi"):
        text = f"Soittakaa {PHONE}, hetu {CODE}."
        response = resident.post(write_url(process), {"text": text})
        again = resident.post(write_url(process), {"text": text})  # a double submit is still one statement

    statement = Statement.objects.get(process=process, seed=False)
    assert statement.text == {"fi": "Soittakaa [removed], hetu [removed]."}
    assert response.status_code == again.status_code == 302
    assert AuditEvent.objects.get(action="privacy.masked").object_id == str(statement.pk)
    assert TOLD in page_of(resident.get(response["Location"]))

    staff = Client()
    login(staff, cast.moderator)
    kwargs = {"org": cast.org.slug, "pk": process.pk}
    queue = page_of(staff.get(reverse("opinions_staff:moderation", kwargs=kwargs)))
    assert NOTE in queue and "Soittakaa [removed], hetu [removed]." in queue
    assert_nothing_stored_anywhere(queue)
    assert NOTE in page_of(staff.get(reverse("opinions_staff:statement", kwargs={**kwargs,
                                                                               "statement": statement.pk})))


def test_the_note_is_only_for_the_organisations_own_objects(cast):
    process = make_hearing(cast.org)
    comment, _created = hearing.do_add_comment(Actor.system("test"), sections(process)[0], text=TEXT, language="fi")
    assert residents.annotate([comment], cast.org)[0].masked_labels
    assert residents.annotate([comment], cast.other_org)[0].masked_labels == []


# -- exports -----------------------------------------------------------------------------

def test_the_public_results_pdf_masks_text_stored_before_masking_existed(client, cast):
    import io

    import pypdf

    from kanava.participation.exports import mask_html_text

    process = make_hearing(cast.org, open_=False)
    section = sections(process)[0]
    # Written straight into the table, as a comment stored before the guard was there would be.
    Comment.objects.create(process=process, section=section, text=f"Vanha kommentti, soita {PHONE}.", language="fi")
    response = client.get(reverse("participation:results_pdf", args=[process.slug]))

    assert response.status_code == 200
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert "Vanha kommentti, soita [removed]." in " ".join(text.split())
    assert "123 4567" not in text
    # Only the text is masked: tags, attributes and styles are left as they are.
    style = "<style>a { color: #040123; }</style>"
    assert (mask_html_text(f'<p title="{PHONE}">Soita {PHONE} &amp; kysy.</p>{style}', "fi")
            == f'<p title="{PHONE}">Soita [removed] &amp; kysy.</p>{style}')


# -- participatory budgeting -----------------------------------------------------------

def test_a_budget_proposal_is_stored_masked_and_the_event_names_the_kinds(cast):
    from kanava.participation.kinds.budgeting import actions as budgeting
    from kanava.participation.kinds.budgeting.tests.conftest import make_process as make_budget
    from kanava.participation.manifest import PhaseKind

    process = make_budget(cast.org, phase=PhaseKind.INPUT)
    proposal = budgeting.do_propose(Actor(person=cast.lead), process, None, title=f"Penkki {PHONE}",
                                    text=TEXT, language="fi", author_name="Maija")
    assert proposal.title == "Penkki [removed]" and proposal.text == {"fi": MASKED}
    assert_nothing_stored_anywhere(proposal.title, proposal.text["fi"])
    event = AuditEvent.objects.get(action=residents.MASKED_ACTION)
    assert event.data["kinds"] == ["phone", "fi_identity_code"] and set(event.data["fields"]) == {"title", "text"}
