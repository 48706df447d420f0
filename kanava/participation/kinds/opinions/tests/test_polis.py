"""Polis's open-data export: the five shared conversations import with every statement, voter and vote,
and a conversation exported and imported again has the same votes.

The data is CC BY 4.0, The Computational Democracy Project (see kanava/opinionmath/tests/data/polis/LICENSE-AND-ATTRIBUTION.md).
"""

import csv
import io
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from kanava.core.models import AuditEvent
from kanava.participation.kinds.opinions import polis
from kanava.participation.kinds.opinions.models import MathState, Statement, Vote, Voter
from kanava.participation.models import Process
from kanava.testing.personas import login

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[4] / "opinionmath" / "tests" / "data" / "polis"
CONVERSATIONS = ["15-per-hour-seattle", "brexit-consensus", "canadian-electoral-reform",
                 "scoop-hivemind.biodiversity", "vtaiwan.uberx"]



def summary_of(folder: Path) -> dict:
    with open(folder / "summary.csv", newline="", encoding="utf-8") as f:
        return {row[0]: row[1] for row in csv.reader(f) if row}


def latest_votes(folder: Path) -> dict:
    """(participant, comment) -> the latest vote, read straight from votes.csv."""
    found = {}
    with open(folder / "votes.csv", newline="", encoding="utf-8") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: int(r["timestamp"]))
    for row in rows:
        found[(int(row["voter-id"]), int(row["comment-id"]))] = int(float(row["vote"]))
    return found


def stored_votes(process) -> dict:
    return {(voter, statement): value for voter, statement, value in Vote.objects.filter(process=process)
            .values_list("voter__number", "statement__number", "value")}


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_a_shared_conversation_imports_with_its_counts(cast, name):
    folder = DATA / name
    summary = summary_of(folder)
    process = polis.import_export(cast.org, folder)
    assert process.kind == "opinions" and process.state == Process.State.PUBLISHED
    assert process.display_title() == summary["topic"][:200]
    statements = Statement.objects.filter(process=process)
    with open(folder / "comments.csv", newline="", encoding="utf-8") as f:
        comments = list(csv.DictReader(f))
    assert statements.count() == len(comments)
    # Polis's summary counts the comments that have votes (two of biodiversity's have none).
    assert statements.filter(votes__isnull=False).distinct().count() == int(summary["comments"])
    assert Voter.objects.filter(process=process, vote_count__gt=0).count() == int(summary["voters"])
    assert process.participant_count == int(summary["voters"])
    expected = latest_votes(folder)
    assert stored_votes(process) == expected
    assert process.contribution_count == len(expected) + len(comments)
    rejected = {int(c["comment-id"]) for c in comments if c["moderated"] == "-1"}
    assert set(statements.filter(status=Statement.Status.REJECTED).values_list("number", flat=True)) == rejected
    one = comments[0]
    statement = statements.get(number=int(one["comment-id"]))
    assert statement.text == {"en": one["comment-body"]} and statement.author.number == int(one["author-id"])
    counted = {s.number: [0, 0, 0] for s in statements}
    for (_pid, sid), value in expected.items():
        counted[sid][{1: 0, -1: 1, 0: 2}[value]] += 1
    assert {s.number: [s.agree_count, s.disagree_count, s.pass_count] for s in statements} == counted
    assert AuditEvent.objects.filter(action="opinions.polis_imported", object_id=str(process.pk)).exists()


def test_export_and_import_again_gives_the_same_votes_and_groups(cast, tmp_path):
    folder = DATA / "15-per-hour-seattle"
    first = polis.import_export(cast.org, folder, slug="seattle")
    groups = {str(pid): (pid % 2 if pid % 5 else None) for pid in Voter.objects.filter(process=first)
              .values_list("number", flat=True)}
    MathState.objects.create(process=first, result={"participants": groups})
    polis.export_process(first, tmp_path / "out")
    assert {p.name for p in (tmp_path / "out").iterdir()} >= {"comments.csv", "votes.csv", "participants-votes.csv",
                                                             "summary.csv"}
    again = polis.import_export(cast.org, tmp_path / "out", slug="seattle")
    assert again.slug == "seattle-2" and again.display_title() == first.display_title()
    assert stored_votes(again) == stored_votes(first) == latest_votes(folder)
    assert (set(Statement.objects.filter(process=again).values_list("number", "status", "agree_count"))
            == set(Statement.objects.filter(process=first).values_list("number", "status", "agree_count")))
    with open(tmp_path / "out" / "participants-votes.csv", newline="", encoding="utf-8") as f:
        written = {row["participant"]: row["group-id"] for row in csv.DictReader(f)}
    assert written == {pid: "" if group is None else str(group) for pid, group in groups.items()}


def test_a_folder_that_is_not_an_export_is_refused(cast, tmp_path):
    with pytest.raises(polis.PolisFormatError):
        polis.import_export(cast.org, tmp_path)
    assert not Process.objects.filter(kind="opinions").exists()


def test_staff_download_the_conversation_in_polis_format(client, cast):
    process = polis.import_export(cast.org, DATA / "brexit-consensus")
    login(client, cast.lead)
    response = client.get(reverse("opinions_staff:polis_export", kwargs={"org": cast.org.slug, "pk": process.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == {"comments.csv", "votes.csv", "participants-votes.csv", "summary.csv"}
    votes = list(csv.DictReader(io.StringIO(archive.read("votes.csv").decode())))
    assert len(votes) == len(latest_votes(DATA / "brexit-consensus"))
    assert AuditEvent.objects.filter(action="opinions.polis_exported").exists()
    login(client, cast.outsider)
    assert client.get(reverse("opinions_staff:polis_export", kwargs={"org": cast.other_org.slug,
                                                                    "pk": process.pk})).status_code == 404


def test_a_moderated_out_statement_is_dated_at_its_last_vote(cast):
    """The export does not date moderation; Polis stops showing a statement once it is moderated out."""
    folder = DATA / "15-per-hour-seattle"
    process = polis.import_export(cast.org, folder)
    last = {}
    with open(folder / "votes.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            sid, ms = int(row["comment-id"]), int(row["timestamp"])
            last[sid] = max(ms, last.get(sid, ms))
    rejected = Statement.objects.filter(process=process, status=Statement.Status.REJECTED)
    assert rejected.count() == 23
    for statement in rejected:
        assert round(statement.moderated_at.timestamp() * 1000) == last[statement.number]
    assert not Statement.objects.filter(process=process, status=Statement.Status.ACCEPTED,
                                        moderated_at__isnull=False).exists()
