"""The resident notice board and the staff pages."""

import pytest
from django.utils import timezone

from kanava.notices import actions
from kanava.notices.models import Notice, NoticeLog
from kanava.notices.tests.conftest import APPLICANT, PERMIT, ago, draft
from kanava.testing.personas import login

pytestmark = pytest.mark.django_db


# -- resident pages ------------------------------------------------------------------------

def test_the_board_shows_a_current_notice_with_its_dates_in_finnish_and_swedish(client, make_published):
    notice = make_published(ago(days=2))
    finnish = client.get("/fi/notices/")
    assert finnish.status_code == 200
    html = finnish.content.decode()
    assert PERMIT["title"]["fi"] in html and f'href="/fi/notices/{notice.pk}/"' in html
    assert f'datetime="{notice.deemed_received_on:%Y-%m-%d}"' in html
    assert f'datetime="{timezone.localtime(notice.period_ends_at, notice.organisation.tz).isoformat()}"' in html
    assert APPLICANT not in html  # personal data only on the notice's own page
    swedish = client.get("/sv/notices/").content.decode()
    assert PERMIT["title"]["sv"] in swedish and PERMIT["title"]["fi"] not in swedish
    assert 'lang="sv"' in swedish


def test_a_notice_page_shows_its_personal_data_until_it_is_removed(client, make_published):
    notice = make_published(ago(days=2))
    response = client.get(f"/sv/notices/{notice.pk}/")
    html = response.content.decode()
    assert response.status_code == 200 and APPLICANT in html and "Sökande" in html
    assert PERMIT["body"]["sv"] in html
    assert '<meta name="robots" content="noindex, noarchive">' in html
    assert response.headers["Cache-Control"].startswith("max-age=0")


def test_after_its_removal_time_the_page_stays_without_the_personal_data(client, make_published):
    notice = make_published(ago(days=20), period_days=40)  # removal at the end of the 40 days...
    Notice.objects.filter(pk=notice.pk).update(remove_personal_data_at=ago(seconds=1))  # ...moved just past
    html = client.get(f"/fi/notices/{notice.pk}/").content.decode()
    assert APPLICANT not in html and PERMIT["title"]["fi"] in html  # hidden even before the sweep blanks it
    assert "noindex" not in html


def test_a_notice_whose_period_ended_is_gone_from_the_board_and_its_page(client, make_published):
    notice = make_published(ago(days=14, seconds=1))
    assert PERMIT["title"]["fi"] not in client.get("/fi/notices/").content.decode()
    response = client.get(f"/fi/notices/{notice.pk}/")
    assert response.status_code == 410 and APPLICANT not in response.content.decode()
    actions.process_due()
    assert client.get(f"/fi/notices/{notice.pk}/").status_code == 410


def test_a_draft_or_another_organisations_notice_is_not_found(client, cast, lead, make_published):
    mine = draft(lead, cast.org)
    theirs = make_published(ago(days=1), organisation=cast.other_org,
                            texts={"title": {"fi": "Toisen kunnan kuulutus"}, "body": {"fi": "Teksti."}}, fields=())
    assert client.get(f"/fi/notices/{mine.pk}/").status_code == 404
    assert client.get(f"/fi/notices/{theirs.pk}/").status_code == 404
    assert "Toisen kunnan kuulutus" not in client.get("/fi/notices/").content.decode()


def test_the_board_counts_its_queries(client, make_published, django_assert_max_num_queries):
    for days in range(1, 6):
        make_published(ago(days=days))
    with django_assert_max_num_queries(6):
        assert client.get("/fi/notices/").status_code == 200


# -- staff pages ---------------------------------------------------------------------------

def form_data(**overrides):
    data = {"kind": "decision", "period_days": "14", "appeal_days": "30", "removal_basis": "period",
            "title_fi": PERMIT["title"]["fi"], "title_sv": PERMIT["title"]["sv"],
            "body_fi": PERMIT["body"]["fi"], "body_sv": PERMIT["body"]["sv"],
            "field_0_label_fi": "Hakija", "field_0_label_sv": "Sökande", "field_0_value": APPLICANT}
    data.update(overrides)
    return data


def test_an_editor_writes_a_draft_and_a_lead_publishes_it(client, cast):
    login(client, cast.editor)
    response = client.post("/fi/staff/pikkula/notices/new/", form_data())
    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/fi/staff/pikkula/notices/{notice.pk}/"
    assert notice.personal_fields.get().value == APPLICANT and notice.created_by == cast.editor
    assert client.post(f"/fi/staff/pikkula/notices/{notice.pk}/publish/").status_code == 403
    login(client, cast.lead)
    client.post(f"/fi/staff/pikkula/notices/{notice.pk}/publish/")
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PUBLISHED and notice.published_by == cast.lead
    page = client.get(f"/en/staff/pikkula/notices/{notice.pk}/").content.decode()
    log = NoticeLog.objects.get(notice=notice)
    assert "Proof log" in page and log.digest in page and "Deemed received on" in page


def test_the_form_keeps_what_was_typed_when_it_is_refused(client, cast):
    login(client, cast.editor)
    response = client.post("/fi/staff/pikkula/notices/new/",
                           form_data(title_fi="", period_days="0", field_1_value="Kiinteistö 091-1-2-3"))
    html = response.content.decode()
    assert response.status_code == 400 and not Notice.objects.exists()
    assert "error-summary" in html
    assert PERMIT["title"]["sv"] in html and APPLICANT in html and "Kiinteistö 091-1-2-3" in html


def test_a_published_notice_cannot_be_edited(client, cast, make_published):
    notice = make_published(ago(days=1))
    login(client, cast.editor)
    response = client.post(f"/fi/staff/pikkula/notices/{notice.pk}/edit/", form_data(title_fi="Muutettu"))
    assert response.status_code == 302
    assert Notice.objects.get(pk=notice.pk).title["fi"] == PERMIT["title"]["fi"]


def test_staff_lists_are_per_tab_and_per_organisation(client, cast, lead, make_published):
    current = make_published(ago(days=1))
    ended = make_published(ago(days=30), texts={"title": {"fi": "Vanha kuulutus", "sv": "Gammal kungörelse"},
                                                "body": {"fi": "Teksti.", "sv": "Text."}})
    draft(lead, cast.org, texts={"title": {"fi": "Luonnos", "sv": "Utkast"}, "body": {"fi": "T", "sv": "T"}})
    login(client, cast.editor)
    assert PERMIT["title"]["fi"] in client.get("/fi/staff/pikkula/notices/").content.decode()
    assert "Vanha kuulutus" not in client.get("/fi/staff/pikkula/notices/").content.decode()
    assert "Vanha kuulutus" in client.get("/fi/staff/pikkula/notices/?tab=ended").content.decode()
    assert "Luonnos" in client.get("/fi/staff/pikkula/notices/?tab=drafts").content.decode()
    login(client, cast.outsider)
    assert client.get("/fi/staff/pikkula/notices/").status_code == 404
    assert client.get(f"/fi/staff/toinen/notices/{current.pk}/").status_code == 404
    assert client.get(f"/fi/staff/toinen/notices/{ended.pk}/").status_code == 404
    assert client.post(f"/fi/staff/toinen/notices/{current.pk}/publish/").status_code == 404


def test_the_form_links_the_notice_to_a_matter_of_the_organisation(client, cast):
    from kanava.core.audit import Actor
    from kanava.matters import actions as matters

    matter = matters.create_matter(Actor(person=cast.lead), cast.org, case_number="PIK/12/2026",
                                   title={"fi": "Maa-aineslupa", "sv": "Marktäktstillstånd"})
    login(client, cast.editor)
    response = client.post("/fi/staff/pikkula/notices/new/", form_data(matter=str(matter.pk)))
    notice = Notice.objects.get()
    assert response.status_code == 302 and notice.matter == matter
    client.post(f"/fi/staff/pikkula/notices/{notice.pk}/edit/", form_data(matter=""))
    notice.refresh_from_db()
    assert notice.matter is None


def test_personal_data_in_the_text_stops_publishing_until_it_is_moved_to_its_field(client, cast):
    login(client, cast.editor)
    body = PERMIT["body"]["fi"] + " Hakija 131052-308T, puh. 040 123 4567."
    client.post("/fi/staff/pikkula/notices/new/", form_data(body_fi=body))
    notice = Notice.objects.get()
    login(client, cast.lead)
    client.post(f"/en/staff/pikkula/notices/{notice.pk}/publish/")
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT
    problems = actions.missing_for_publishing(notice)
    assert any("13•••••••8T" in p and "personal data fields" in p for p in problems)
    assert not any("131052-308T" in p for p in problems) and len(problems) == 2
