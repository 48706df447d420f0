"""The monthly report of the duty to inform, as a page and as CSV."""

import datetime as dt

from django.urls import reverse

from kanava.matters import report
from kanava.notices.models import Notice
from kanava.testing.personas import login


def url(name, org):
    return reverse(f"matters:{name}", kwargs={"org": org.slug})


def test_the_month_counts_decisions_share_told_in_both_languages_and_days(client, cast, desk):
    # T0 is 2 March 2026: three matters decided in March, two told in both languages two days later.
    both = desk.matter("R/1/2026")
    desk.stage(both, "decided", when=1)
    desk.publish(both, when=3)
    late = desk.matter("R/2/2026")
    desk.stage(late, "decided", when=2)
    desk.publish(late, when=4)
    untold = desk.matter("R/3/2026")
    desk.stage(untold, "decided", when=5)
    april = desk.matter("R/4/2026")
    desk.stage(april, "decided", when=40)
    announced = desk.matter("R/5/2026")
    desk.publish(announced, when=6)
    found = report.month_report(cast.org, dt.date(2026, 3, 1))
    numbers = [row.matter.case_number for row in found.rows]
    assert sorted(numbers) == ["R/1/2026", "R/2/2026", "R/3/2026", "R/5/2026"]
    assert found.totals.decided == 3 and found.totals.communicated_fully == 2
    assert found.totals.share == 67 and found.totals.average_days == 2.0
    assert report.month_report(cast.org, dt.date(2026, 4, 1)).totals.decided == 1

    login(client, cast.editor)
    page = client.get("/en" + url("report", cast.org)[3:], {"month": "2026-03"}).content.decode()
    assert '<dd id="total-decided">3</dd>' in page and "67 % (2 of 3)" in page
    assert '<dd id="total-days">2.0</dd>' in page
    assert "R/3/2026" in page and "R/4/2026" not in page and "Missing" in page
    answer = client.get("/en" + url("report_csv", cast.org)[3:], {"month": "2026-03"})
    text = answer.content.decode("utf-8-sig")
    assert answer["Content-Type"].startswith("text/csv") and "2026-03" in answer["Content-Disposition"]
    lines = text.splitlines()
    assert lines[0].startswith("Case number;Title;Stage;Decided;")
    row = next(line for line in lines if line.startswith("R/1/2026;"))
    assert ";Decided;2026-03-03;Missed;Missed;Not applicable;Not applicable;2026-03-05;2026-03-05;2;" in row
    assert "Matters decided this month;3" in text


def test_the_csv_will_not_run_formulas_and_partial_languages_show_as_gaps(cast, desk):
    from .conftest import finnish_only_window

    matter = desk.matter("R/9/2026", title={"fi": "=HYPERLINK(\"x\")", "sv": "Ärende"})
    desk.stage(matter, "decided", when=1)
    with finnish_only_window(cast.org):
        desk.publish(matter, when=2, languages=("fi",))
    cast.org.refresh_from_db()
    found = report.month_report(cast.org, dt.date(2026, 3, 1))
    assert found.totals.decided == 1 and found.totals.communicated_fully == 0 and found.totals.share == 0
    from django.utils import translation

    with translation.override("en"):
        text = report.csv_text(found)
    assert "'=HYPERLINK" in text and "Decision communicated: Swedish" in text


def test_another_organisation_sees_nothing_of_ours(client, cast, desk):
    matter = desk.matter("R/7/2026")
    desk.stage(matter, "decided", when=1)
    login(client, cast.outsider)
    assert client.get(url("report", cast.org), {"month": "2026-03"}).status_code == 404
    assert client.get(url("report_csv", cast.org)).status_code == 404
    page = client.get(url("report", cast.other_org), {"month": "2026-03"}).content.decode()
    assert "R/7/2026" not in page


def test_a_bad_month_shows_this_month(client, cast):
    login(client, cast.editor)
    assert client.get(url("report", cast.org), {"month": "kesäkuu"}).status_code == 200


def test_a_notice_is_linked_to_a_matter_and_shown_on_its_page(client, cast, desk, actor_of):
    from kanava.matters import actions
    from kanava.notices.forms import NoticeForm

    matter = desk.matter("R/8/2026", title={"fi": "Kaavan hyväksyminen", "sv": "Planen godkänns"})
    notice = Notice.objects.create(organisation=cast.org, title={"fi": "Kuulutus kaavasta", "sv": "Kungörelse"})
    theirs = Notice.objects.create(organisation=cast.other_org, title={"fi": "Muu kuulutus"})
    login(client, cast.editor)
    link = reverse("matters:link", kwargs={"org": cast.org.slug, "pk": matter.pk})
    assert client.post(link, {"kind": "notice", "target": theirs.pk}).status_code == 404
    assert client.post(link, {"kind": "notice", "target": notice.pk}).status_code == 302
    notice.refresh_from_db()
    assert notice.matter == matter
    page = client.get(reverse("matters:detail", kwargs={"org": cast.org.slug, "pk": matter.pk})).content.decode()
    assert "Official notices" in page and "Kuulutus kaavasta" in page
    detail = client.get(reverse("notices:detail", kwargs={"org": cast.org.slug, "pk": notice.pk})).content.decode()
    assert "R/8/2026" in detail
    # The notice form offers our own matters only.
    form = NoticeForm(organisation=cast.org, notice=notice)
    assert list(form.fields["matter"].queryset) == [matter] and form.initial["matter"] == matter.pk
    other = actions.create_matter(actor_of(cast.outsider), cast.other_org, case_number="X/2", title={"fi": "X"})
    assert other not in NoticeForm(organisation=cast.org).fields["matter"].queryset
    client.post(link, {"kind": "notice", "target": notice.pk, "unlink": "1"})
    notice.refresh_from_db()
    assert notice.matter is None
    matter.delete()
    assert Notice.objects.filter(pk=notice.pk).exists()
