"""The resident process list and process page: open first, filters, the shell around the kind, caching."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kanava.participation import actions
from kanava.participation.manifest import Level
from kanava.participation.models import Outcome, Process
from kanava.participation.tests.framework_fixtures import (  # noqa: F401
    make_participant, make_process, sign_in, test_kind,
)

LIST = "/fi/participate/"


def test_the_list_shows_open_processes_first_then_closed_ones_with_their_results(client, cast, test_kind):
    closed = make_process(cast.org, slug="vanha", open_now=False)
    Outcome.objects.create(process=closed, text={"fi": "Teimme näin."}, published_at=timezone.now())
    make_process(cast.org, slug="uusi")
    make_process(cast.org, slug="luonnos", state="draft")
    make_process(cast.other_org, slug="toisen")

    page = client.get(LIST)
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("Prosessi uusi") < html.index("Prosessi vanha")
    assert "Prosessi luonnos" not in html and "Prosessi toisen" not in html
    assert reverse("participation:outcome", args=["vanha"]) in html
    assert reverse("participation:results", args=["vanha"]) in html
    assert "Merkinnät" in html  # the kind's headline counts with its label


def test_the_list_filters_by_kind_and_topic_with_a_plain_form(client, cast, test_kind):
    make_process(cast.org, slug="tiehanke", topic=cast.topic)
    make_process(cast.org, slug="puisto")
    page = client.get(LIST, {"topic": cast.topic.slug, "kind": "frameworktest"})
    assert "Prosessi tiehanke" in page.content.decode() and "Prosessi puisto" not in page.content.decode()
    assert b'method="get"' in page.content
    assert client.get(LIST, {"kind": "no-such-kind"}).status_code == 200  # a bad filter is ignored, not an error


def test_the_list_takes_the_same_number_of_queries_for_three_or_thirty_processes(client, cast, test_kind):
    def queries():
        actions.bump_list_version(cast.org.pk)  # a fresh render, not the cached page
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    for n in range(3):
        make_process(cast.org, slug=f"p{n}")
    queries()  # the first request also learns the host's organisation
    few = queries()
    for n in range(3, 20):
        make_process(cast.org, slug=f"p{n}", topic=cast.topic)
    assert queries() == few
    assert few <= 8


def test_the_list_is_served_from_the_cache_until_an_action_changes_a_process(client, cast, test_kind, actor_of):
    process = make_process(cast.org)
    assert client.get(LIST).status_code == 200
    Process.objects.filter(pk=process.pk).update(title={"fi": "Vaihdettu hiljaa"})
    assert "Vaihdettu hiljaa" not in client.get(LIST).content.decode()  # cached
    actions.do_update_process(actor_of(cast.lead), process, title={"fi": "Uusi nimi"})
    assert "Uusi nimi" in client.get(LIST).content.decode()


def test_a_reader_with_a_session_gets_a_fresh_private_page(client, cast, test_kind):
    make_process(cast.org)
    sign_in(client, make_participant(cast.org))
    page = client.get(LIST)
    assert "private" in page["Cache-Control"]


def test_the_process_page_shows_the_shell_around_the_kinds_content(client, cast, test_kind):
    process = make_process(cast.org, topic=cast.topic, matter_reference="KH 2026/45",
                           matter_url="https://example.fi/asia/45", contact={"fi": "Liisa, 040 123"},
                           identity_levels={"sign": int(Level.SMS)})
    html = client.get(reverse("participation:process", args=[process.slug])).content.decode()
    assert '<h1 class="process-header__title">Prosessi puistosuunnitelma</h1>' in html
    assert "<strong>Tärkeä</strong>" in html and "<script>alert" not in html  # Markdown, sanitised
    assert 'class="test-kind"' in html and "sisältö" in html  # the kind's main()
    assert 'aria-current="step"' in html and "<ol class=\"process-timeline\">" in html
    assert "KH 2026/45" in html and "https://example.fi/asia/45" in html and "Tiet" in html
    assert "Liisa, 040 123" in html
    assert str(Level.SMS.label) in html  # the level chosen for "sign", not its default
    assert reverse("participation:follow", args=[process.slug]) in html


def test_drafts_and_other_organisations_processes_are_not_found(client, cast, test_kind):
    make_process(cast.org, slug="luonnos", state="draft")
    make_process(cast.other_org, slug="toisen")
    assert client.get(reverse("participation:process", args=["luonnos"])).status_code == 404
    assert client.get(reverse("participation:process", args=["toisen"])).status_code == 404


def test_the_process_page_changes_when_the_process_version_is_bumped(client, cast, test_kind, actor_of):
    process = make_process(cast.org)
    url = reverse("participation:process", args=[process.slug])
    assert client.get(url).status_code == 200
    actions.do_update_process(actor_of(cast.lead), process, summary={"fi": "Uusi tiivistelmä"})
    assert "Uusi tiivistelmä" in client.get(url).content.decode()


def test_the_page_is_in_swedish_with_a_language_switcher_that_stays_on_the_process(client, cast, test_kind):
    process = make_process(cast.org)
    html = client.get(f"/sv/participate/{process.slug}/").content.decode()
    assert "Process puistosuunnitelma" in html
    assert f"/fi/participate/{process.slug}/" in html


def test_closed_processes_are_past_their_last_input_phase(client, cast, test_kind):
    process = make_process(cast.org, open_now=False)
    Process.objects.filter(pk=process.pk).update(published_at=timezone.now() - timedelta(days=30))
    html = client.get(LIST).content.decode()
    assert html.index('id="closed-heading"') < html.index("Prosessi puistosuunnitelma")
