"""``opinions_import_polis DIR``: a conversation from a Polis export; the last line printed is its identifier."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kanava.core.models import Organisation
from kanava.participation.kinds.opinions.models import Statement, Vote
from kanava.participation.models import Process
from kanava.testing.personas import make_organisation

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[4] / "opinionmath" / "tests" / "data" / "polis"


def run(*args) -> list[str]:
    out = io.StringIO()
    call_command("opinions_import_polis", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip().splitlines()


def test_the_command_prints_the_conversations_id_as_the_last_line():
    organisation = make_organisation("ainoa")
    lines = run(str(DATA / "brexit-consensus"))
    process = Process.objects.get(pk=int(lines[-1]))
    assert lines[-1] == str(process.pk)
    assert process.organisation == organisation and process.kind == "opinions"
    assert process.state == Process.State.DRAFT and "--publish" in lines[-3]
    assert Statement.objects.filter(process=process).count() == 50
    assert Vote.objects.filter(process=process).exists()
    assert lines[-2].startswith("Opinion map: 2 groups of ")


def test_with_several_organisations_the_first_is_taken_unless_one_is_chosen_by_slug(cast):
    lines = run(str(DATA / "brexit-consensus"), "--no-map")
    first = Organisation.objects.order_by("pk").first()
    assert Process.objects.get(pk=int(lines[-1])).organisation == first
    assert any(line.startswith(f"Into {first.slug}, the first organisation") for line in lines)
    lines = run(str(DATA / "brexit-consensus"), "--organisation", cast.other_org.slug, "--slug", "brexit", "--no-map")
    process = Process.objects.get(pk=int(lines[-1]))
    assert process.organisation == cast.other_org and process.slug == "brexit"
    with pytest.raises(CommandError, match="No organisation"):
        run(str(DATA / "brexit-consensus"), "--organisation", "nobody", "--no-map")


def test_a_missing_folder_is_a_clear_error(tmp_path):
    make_organisation("ainoa")
    with pytest.raises(CommandError, match="No such folder"):
        run(str(tmp_path / "not-there"))
    with pytest.raises(CommandError, match="comments.csv"):
        run(str(tmp_path))
    assert not Process.objects.exists()


def test_without_any_organisation_the_command_says_so(tmp_path):
    assert not Organisation.objects.exists()
    with pytest.raises(CommandError, match="no organisation"):
        run(str(tmp_path))


def test_publish_puts_the_conversation_on_the_resident_site(client):
    make_organisation("ainoa")
    lines = run(str(DATA / "brexit-consensus"), "--no-map", "--publish")
    process = Process.objects.get(pk=int(lines[-1]))
    assert process.state == Process.State.PUBLISHED
    assert client.get(f"/en/participate/{process.slug}/").status_code == 200
