"""Staff create, edit, publish and archive processes of any registered kind; other organisations see 404."""

import pytest
from django.urls import URLPattern, reverse

from kanava.core.models import AuditEvent
from kanava.participation import urls_staff
from kanava.participation.manifest import Level
from kanava.participation.models import Process
from kanava.participation.tests.framework_fixtures import make_process, test_kind  # noqa: F401
from kanava.testing.personas import login


def url(name, org, **kwargs):
    return reverse(f"participation_staff:{name}", kwargs={"org": org.slug, **kwargs})


def form_data(**extra):
    data = {
        "kind": "frameworktest", "slug": "uusi-puisto", "topic": "", "matter_reference": "KH 1/2026",
        "matter_url": "https://example.fi/asia/1", "languages": ["fi", "sv"], "settings": "",
        "title_fi": "Uusi puisto", "title_sv": "Ny park", "summary_fi": "Kerro", "summary_sv": "",
        "body_fi": "Teksti", "body_sv": "", "image_alt_fi": "", "image_alt_sv": "", "contact_fi": "", "contact_sv": "",
        "level_take_part": str(int(Level.NONE)), "level_sign": str(int(Level.SMS)),
        "phases-TOTAL_FORMS": "2", "phases-INITIAL_FORMS": "0", "phases-MIN_NUM_FORMS": "0",
        "phases-MAX_NUM_FORMS": "12",
        "phases-0-kind": "input", "phases-0-starts_at": "2026-12-01T09:00", "phases-0-ends_at": "2026-12-20T16:00",
        "phases-1-kind": "results", "phases-1-starts_at": "2026-12-21T09:00", "phases-1-ends_at": "",
    }
    data.update(extra)
    return data


def test_the_lead_creates_a_process_of_a_registered_kind_with_phases_and_levels(client, cast, test_kind):
    login(client, cast.lead)
    choose = client.get(url("new", cast.org))
    assert choose.status_code == 200 and "?kind=frameworktest" in choose.content.decode()
    assert client.get(url("new", cast.org) + "?kind=frameworktest").status_code == 200
    answer = client.post(url("new", cast.org) + "?kind=frameworktest", form_data())
    assert answer.status_code == 302
    process = Process.objects.get(organisation=cast.org, slug="uusi-puisto")
    assert process.state == "draft" and process.kind == "frameworktest"
    assert process.title == {"fi": "Uusi puisto", "sv": "Ny park"} and process.summary == {"fi": "Kerro"}
    assert process.level_for("sign") == Level.SMS
    assert [p.kind for p in process.phases.all()] == ["input", "results"]
    assert process.phases.last().ends_at is None
    assert AuditEvent.objects.filter(action="participation.process_created", object_id=str(process.pk)).exists()


def test_adding_a_phase_row_works_without_javascript_and_keeps_what_was_typed(client, cast, test_kind):
    login(client, cast.lead)
    page = client.post(url("new", cast.org) + "?kind=frameworktest", form_data(add_phase="1"))
    html = page.content.decode()
    assert page.status_code == 200 and not Process.objects.exists()
    assert 'name="phases-2-kind"' in html and 'value="Uusi puisto"' in html


@pytest.mark.parametrize("extra, problem", [
    ({"phases-1-starts_at": "2026-12-10T09:00"}, "overlap"),
    ({"phases-0-ends_at": "2026-11-01T09:00"}, "end"),
    ({"settings": "{not json"}, "JSON"),
    ({"settings": "[1, 2]"}, "JSON"),
    ({"level_sign": str(int(Level.NONE))}, ""),  # not among the action's allowed levels
    ({"title_fi": "x" * 201}, ""),
    ({"matter_url": "javascript:alert(1)"}, ""),
])
def test_bad_input_is_refused_with_an_error_and_nothing_is_saved(client, cast, test_kind, extra, problem):
    login(client, cast.lead)
    with_english = client.post("/en" + url("new", cast.org)[3:] + "?kind=frameworktest", form_data(**extra))
    assert with_english.status_code == 400
    assert problem in with_english.content.decode()
    assert not Process.objects.exists()


def test_a_slug_already_taken_is_refused(client, cast, test_kind):
    make_process(cast.org, slug="uusi-puisto")
    login(client, cast.lead)
    assert client.post(url("new", cast.org) + "?kind=frameworktest", form_data()).status_code == 400
    assert Process.objects.count() == 1


def test_the_lead_edits_publishes_and_archives_a_process(client, cast, test_kind):
    process = make_process(cast.org, state="draft")
    login(client, cast.lead)
    edit = client.get(url("edit", cast.org, pk=process.pk))
    assert edit.status_code == 200 and 'value="Prosessi puistosuunnitelma"' in edit.content.decode()
    phases = list(process.phases.all())
    data = form_data(slug=process.slug, **{
        "phases-INITIAL_FORMS": "2", "phases-TOTAL_FORMS": "2",
        "phases-0-pk": str(phases[0].pk), "phases-1-pk": str(phases[1].pk), "phases-1-DELETE": "on"})
    assert client.post(url("edit", cast.org, pk=process.pk), data).status_code == 302
    process.refresh_from_db()
    assert process.title["fi"] == "Uusi puisto" and process.phases.count() == 1
    assert process.phases.get().pk == phases[0].pk

    assert client.post(url("publish", cast.org, pk=process.pk)).status_code == 302
    process.refresh_from_db()
    assert process.state == "published" and process.published_at is not None
    assert client.get(reverse("participation:process", args=[process.slug])).status_code == 200
    assert client.post(url("archive", cast.org, pk=process.pk)).status_code == 302
    process.refresh_from_db()
    assert process.state == "archived"


def test_a_process_without_phases_is_not_published(client, cast, test_kind):
    process = Process.objects.create(organisation=cast.org, kind="frameworktest", slug="tyhja", title={"fi": "T"})
    login(client, cast.lead)
    client.post(url("publish", cast.org, pk=process.pk))
    process.refresh_from_db()
    assert process.state == "draft"


def test_the_list_and_detail_show_processes_to_anyone_who_may_view(client, cast, test_kind):
    process = make_process(cast.org)
    login(client, cast.editor)
    page = client.get(url("list", cast.org))
    assert page.status_code == 200 and "Prosessi puistosuunnitelma" in page.content.decode()
    detail = client.get(url("detail", cast.org, pk=process.pk))
    assert detail.status_code == 200
    assert url("export_csv", cast.org, pk=process.pk) in detail.content.decode()
    assert client.get(url("new", cast.org)).status_code == 403
    assert client.post(url("publish", cast.org, pk=process.pk)).status_code == 403


def test_every_staff_page_is_404_for_another_organisations_lead(client, cast, test_kind):
    process = make_process(cast.org)
    login(client, cast.outsider)
    leaks = []
    for pattern in urls_staff.urlpatterns:
        assert isinstance(pattern, URLPattern)
        kwargs = {"org": cast.org.slug}
        if "<int:pk>" in str(pattern.pattern):
            kwargs["pk"] = process.pk
        address = reverse(f"participation_staff:{pattern.name}", kwargs=kwargs)
        for method in (client.get, client.post):
            if method(address).status_code not in (404, 405):
                leaks.append(f"{method.__name__} {address}")
        if "pk" in kwargs:  # their own organisation's address with our process's id
            other = reverse(f"participation_staff:{pattern.name}", kwargs={**kwargs, "org": cast.other_org.slug})
            for method in (client.get, client.post):
                if method(other).status_code not in (404, 405):
                    leaks.append(f"{method.__name__} {other}")
    assert not leaks


def test_the_isolation_mapping_covers_every_page_with_a_process_id():
    names = {f"participation_staff:{p.name}" for p in urls_staff.urlpatterns if "<int:pk>" in str(p.pattern)}
    assert set(urls_staff.ID_ARGUMENTS) == names


def test_kind_settings_are_checked_by_the_kinds_settings_form(client, cast, test_kind, monkeypatch):
    from django import forms

    class SettingsForm(forms.Form):
        cap = forms.IntegerField(min_value=1)

    monkeypatch.setitem(test_kind.extra, "settings_form", SettingsForm)
    login(client, cast.lead)
    refused = client.post("/en" + url("new", cast.org)[3:] + "?kind=frameworktest",
                          form_data(settings='{"cap": 0}'))
    assert refused.status_code == 400 and "cap" in refused.content.decode()
    assert client.post(url("new", cast.org) + "?kind=frameworktest", form_data(settings='{"cap": 5}')).status_code == 302
    assert Process.objects.get().settings == {"cap": 5}
