"""The resident site's rules page, the public anonymised moderation log and its CSV, and the appeal page."""

import csv
import io

import pytest
from django.utils import translation
from django.utils.translation import gettext

from kanava.inbox import moderation
from kanava.inbox.models import Appeal, Source
from kanava.inbox.tests.moderation_support import (  # noqa: F401 (fixtures)
    HANDLE,
    REASON,
    RESIDENT,
    RULE_TEXT,
    RULE_TITLE,
    english,
    fresh_site_cache_fixture,
    make_rule,
    received,
    rule_fixture,
    smtp_fixture,
)

OTHER_HOST = "keskustelu.toinen.example"


@pytest.fixture
def decided(cast, actor_of, rule):
    """An abusive comment by a named resident, hidden by a named moderator."""
    item = received(cast.org, text="Senkin idiootti Virtanen, tiedän missä asut")
    return moderation.do_moderate(actor_of(cast.moderator), item, "hide", rule, REASON)


@pytest.fixture
def theirs(cast, actor_of, settings):
    """Another organisation with its own host, rule and decision."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, OTHER_HOST]
    cast.other_org.site_domain = OTHER_HOST
    cast.other_org.save()
    their_rule = make_rule(actor_of(cast.outsider), cast.other_org, number=7, title={"fi": "Toisen kunnan sääntö"},
                           text={"fi": "Vain toisessa kunnassa."})
    item = received(cast.other_org, text="Toisen kunnan roskaa", author="Toinen Asukas", handle="toinen")
    return moderation.do_moderate(actor_of(cast.outsider), item, "hide", their_rule, "Toisen kunnan syy.")


def text_of(response) -> str:
    return response.content.decode()


# -- rules -----------------------------------------------------------------------------------

def test_the_rules_are_published_in_the_pages_language(client, cast, actor_of, rule):
    retired = make_rule(actor_of(cast.lead), cast.org, number=2, title={"fi": "Vanha sääntö", "sv": "Gammal regel"},
                        text={"fi": "Ei enää voimassa.", "sv": "Gäller inte längre."})
    moderation.do_retire_rule(actor_of(cast.lead), retired)

    finnish = client.get("/fi/discussion-rules/")
    swedish = client.get("/sv/discussion-rules/")

    assert finnish.status_code == 200 and swedish.status_code == 200
    assert RULE_TITLE["fi"] in text_of(finnish) and RULE_TEXT["fi"] in text_of(finnish)
    assert RULE_TITLE["sv"] in text_of(swedish) and RULE_TITLE["fi"] not in text_of(swedish)
    assert "Vanha sääntö" not in text_of(finnish) and 'id="rule-1"' in text_of(finnish)
    assert "/fi/moderation-log/" in text_of(finnish)


def test_a_changed_rule_shows_at_once_although_the_page_is_cached(client, cast, actor_of, rule):
    assert RULE_TITLE["fi"] in text_of(client.get("/fi/discussion-rules/"))
    moderation.do_save_rule(actor_of(cast.lead), cast.org, number=1, rule=rule,
                            title={"fi": "Asiallisuus", "sv": "Saklighet"}, text=RULE_TEXT)
    assert "Asiallisuus" in text_of(client.get("/fi/discussion-rules/"))


# -- the public log --------------------------------------------------------------------------------

def test_the_public_log_shows_the_decision_and_no_names_handles_or_text(client, cast, decided):
    response = client.get("/fi/moderation-log/")

    page = text_of(response)
    assert response.status_code == 200
    assert REASON in page and RULE_TITLE["fi"] in page and "Facebook" in page
    assert "/fi/discussion-rules/#rule-1" in page
    for secret in (RESIDENT, HANDLE, "Senkin idiootti", "Virtanen", "tiedän missä asut", cast.moderator.display_name,
                   cast.moderator.email, decided.item.author_id):
        assert secret not in page, secret


def test_the_public_log_csv_has_every_decision_and_nothing_personal(client, cast, actor_of, decided, rule):
    appeal = moderation.do_appeal(moderation.Actor.system("resident"), decided, "Se oli vitsi.", "")
    moderation.do_decide_appeal(actor_of(cast.lead), appeal, "upheld", "Uhkaus ei ole vitsi, Matti.")
    moderation.do_moderate(actor_of(cast.lead), received(cast.org, source=Source.WEB, handle="a@example.fi"),
                           "hide", rule, "Mainostusta.")

    response = client.get("/fi/moderation-log.csv")

    assert response.streaming and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [row["action"] for row in rows] == ["hide", "hide"]
    assert rows[0]["rule_number"] == "1" and rows[0]["rule_title"] == RULE_TITLE["fi"]
    assert rows[0]["reason"] == REASON and rows[0]["source"] == "facebook" and rows[0]["appeal"] == "upheld"
    assert rows[1]["source"] == "web" and rows[1]["appeal"] == ""
    for secret in (RESIDENT, HANDLE, "Senkin idiootti", "tiedän missä asut", "Se oli vitsi", "Matti",
                   cast.moderator.display_name, cast.lead.display_name, "a@example.fi"):
        assert secret not in body, secret


def test_the_public_log_labels_in_swedish(client, cast, decided):
    page = text_of(client.get("/sv/moderation-log/"))
    assert RULE_TITLE["sv"] in page and 'lang="sv"' in page


def test_the_public_log_is_paginated(client, cast, actor_of, rule):
    for _ in range(51):
        moderation.do_moderate(actor_of(cast.moderator), received(cast.org), "report", rule, REASON)
    first, second = client.get("/fi/moderation-log/"), client.get("/fi/moderation-log/?page=2")
    assert text_of(first).count('class="public-log__entry"') == 50
    assert text_of(second).count('class="public-log__entry"') == 1
    assert client.get("/fi/moderation-log/?page=9").status_code == 404


def test_each_site_publishes_only_its_own_organisations_rules_and_log(client, cast, decided, theirs):
    ours_log, ours_rules = text_of(client.get("/fi/moderation-log/")), text_of(client.get("/fi/discussion-rules/"))
    their_log = text_of(client.get("/fi/moderation-log/", HTTP_HOST=OTHER_HOST))
    their_csv = b"".join(client.get("/fi/moderation-log.csv", HTTP_HOST=OTHER_HOST).streaming_content).decode()

    assert "Toisen kunnan" not in ours_log and "Toisen kunnan sääntö" not in ours_rules
    assert "Toisen kunnan syy." in their_log and REASON not in their_log
    assert "Toisen kunnan syy." in their_csv and REASON not in their_csv


# -- the appeal page -----------------------------------------------------------------------------

def test_a_wrong_appeal_token_is_404(client, decided):
    assert client.get("/fi/appeal/not-the-token/").status_code == 404
    assert client.post("/fi/appeal/not-the-token/", {"text": "Hei"}).status_code == 404
    assert client.get(f"/fi/appeal/{decided.appeal_token[:-1]}x/").status_code == 404


def test_an_appeal_link_does_not_work_on_another_organisations_site(client, decided, theirs):
    assert client.get(f"/fi/appeal/{decided.appeal_token}/", HTTP_HOST=OTHER_HOST).status_code == 404


def test_the_writer_sees_the_decision_and_their_own_text_and_appeals(client, cast, decided, smtp):
    path = f"/fi/appeal/{decided.appeal_token}/"
    page = client.get(path)

    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "Senkin idiootti Virtanen, tiedän missä asut" in text_of(page), "shown back to its author here only"
    assert REASON in text_of(page) and RULE_TITLE["fi"] in text_of(page)
    assert 'name="robots" content="noindex"' in text_of(page)

    empty = client.post(path, {"text": "  ", "contact": "matti@example.fi"})
    assert empty.status_code == 400 and 'value="matti@example.fi"' in text_of(empty)
    sent = client.post(path, {"text": "Kirjoitin <script>alert(1)</script> vain totuuden.",
                              "contact": "matti@example.fi"}, follow=True)

    appeal = Appeal.objects.get()
    assert (appeal.decision, appeal.status, appeal.contact) == (decided, "pending", "matti@example.fi")
    shown = text_of(sent)
    with translation.override("fi"):
        received = gettext("Your appeal has been received. A moderator looks at the decision again, and the answer "
                           "is shown on this page.")
    assert received in shown and "<script>alert(1)</script>" not in shown
    assert client.post(path, {"text": "Toinen valitus"}).status_code == 200
    assert Appeal.objects.count() == 1, "one appeal per decision; the page shows the first"


def test_the_writer_reads_the_answer_on_the_appeal_page(client, cast, actor_of, decided):
    appeal = moderation.do_appeal(moderation.Actor.system("resident"), decided, "Miksi?", "")
    moderation.do_decide_appeal(actor_of(cast.lead), appeal, "reversed", "Palautimme viestisi.")

    page = text_of(client.get(f"/en/appeal/{decided.appeal_token}/"))

    assert "Decision reversed" in page and "Palautimme viestisi." in page


def test_the_appeal_page_answers_only_get_and_post(client, decided):
    assert client.put(f"/fi/appeal/{decided.appeal_token}/").status_code == 405


# -- bad input ----------------------------------------------------------------------------------

def test_html_emoji_and_mixed_script_in_a_reason_are_shown_escaped(client, cast, actor_of, rule):
    reason = "<script>alert('x')</script> 🙈🙈 Кириллица ja suomi"
    moderation.do_moderate(actor_of(cast.moderator), received(cast.org), "hide", rule, reason)

    page = text_of(client.get("/fi/moderation-log/"))

    assert "<script>alert" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "🙈🙈 Кириллица ja suomi" in page


def test_a_huge_or_binary_appeal_is_handled_safely(client, cast, decided):
    path = f"/fi/appeal/{decided.appeal_token}/"

    huge = client.post(path, {"text": "a" * 1_000_000})
    with_nul = client.post(path, {"text": "nolla\x00tavu"})
    not_utf8 = client.post(path, b"text=rikki%FF%FEtavu&contact=", content_type="application/x-www-form-urlencoded")

    assert huge.status_code == 400 and with_nul.status_code == 400
    assert not_utf8.status_code == 302
    stored = Appeal.objects.get()
    assert stored.text.startswith("rikki") and stored.text.endswith("tavu") and "\x00" not in stored.text
