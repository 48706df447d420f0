"""The message list, the dashboard and the calendar."""

from datetime import datetime, timedelta

from django.utils import timezone

from kanava.publishing import actions
from kanava.publishing.models import Message
from kanava.publishing.views_calendar import parse_month


def test_the_list_filters_by_state_language_author_and_title(cast, as_person, url, draft, actor_of):
    draft()
    english = draft(versions={"en": {"title": "Road works", "body": "Closed."}}, author=cast.lead)
    draft(versions={"fi": {"title": "Kirjasto suljettu", "body": "Kiinni."}})
    client = as_person(cast.lead)

    def titles(**query):
        page = client.get(url("message_list"), query).content.decode()
        return {t for t in ("Vesikatko Kirkkotiellä", "Road works", "Kirjasto suljettu") if t in page}

    assert titles() == {"Vesikatko Kirkkotiellä", "Road works", "Kirjasto suljettu"}
    assert titles(q="kirkko") == {"Vesikatko Kirkkotiellä"}
    assert titles(language="en") == {"Road works"}
    assert titles(author=cast.lead.pk) == {"Road works"}
    assert titles(state="published") == set()
    Message.objects.filter(pk=english.pk).update(state="in_review")
    assert titles(state="in_review") == {"Road works"}


def test_the_list_of_30_messages_takes_a_bounded_number_of_queries(
        cast, as_person, url, draft, django_assert_max_num_queries):
    for number in range(30):
        draft(versions={"fi": {"title": f"Tiedote {number}", "body": "Teksti."},
                        "sv": {"title": f"Meddelande {number}", "body": "Text."}})
    client = as_person(cast.lead)
    with django_assert_max_num_queries(12):
        response = client.get(url("message_list"))
    page = response.content.decode()
    assert "30 messages" in page and "Page 1 of 2" in page and "Tiedote 29" in page


def test_the_dashboard_shows_my_drafts_and_what_is_scheduled(cast, as_person, url, draft, approved, actor_of):
    draft(versions={"fi": {"title": "Oma luonnos", "body": "x"}, "sv": {"title": "Mitt utkast", "body": "x"}})
    message = approved()
    when = timezone.now() + timedelta(days=3)
    actions.do_schedule(actor_of(cast.lead), message, when)
    page = as_person(cast.editor).get(url("dashboard")).content.decode()
    assert "Oma luonnos" in page
    scheduled = page[page.index('id="scheduled-title"'):]
    assert "Vesikatko Kirkkotiellä" in scheduled


def test_the_calendar_places_messages_on_the_local_day(cast, as_person, url, approved, actor_of):
    cast.org.time_zone = "Europe/Helsinki"
    cast.org.save()
    message = approved()
    year = timezone.now().year + 1
    # 23:30 in Helsinki on 14 March is 21:30 UTC: the message belongs to the 14th.
    when = datetime(year, 3, 14, 23, 30, tzinfo=cast.org.tz)
    actions.do_schedule(actor_of(cast.lead), message, when)
    client = as_person(cast.lead)
    page = client.get(url("calendar"), {"month": f"{year}-03"}).content.decode()

    assert "<caption" in page and f"March {year}" in page
    assert f'href="?month={year}-02"' in page and f'href="?month={year}-04"' in page
    cell = page[page.index('<span class="calendar__date">14<'):]
    cell = cell[:cell.index("</td>")]
    assert "Vesikatko Kirkkotiellä" in cell and f'datetime="{year}-03-14T23:30:00+02:00"' in cell
    assert "Vesikatko" not in client.get(url("calendar"), {"month": f"{year}-04"}).content.decode()


def test_a_month_that_is_not_a_month_falls_back_to_this_one():
    today = datetime(2025, 6, 17).date()
    assert parse_month("2025-13", today) == today.replace(day=1)
    assert parse_month("<script>", today) == today.replace(day=1)
    assert parse_month("2024-02", today) == datetime(2024, 2, 1).date()
