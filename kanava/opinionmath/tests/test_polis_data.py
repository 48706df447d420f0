"""Agreement with the groups Polis itself stored, on five real conversations.

The data (CC BY 4.0, The Computational Democracy Project; see
LICENSE-AND-ATTRIBUTION.md next to it) is in tests/data/polis (or the shared data folder).
"""

from pathlib import Path

import pytest

from kanava.opinionmath.evaluate import ari, conversations
from kanava.opinionmath.polisfmt import read_export, write_export
from kanava.opinionmath.replay import moderation_times, replay

HERE = Path(__file__).resolve()
# the fixture copy next to the tests (with its attribution file), else the shared data folder
DATA = next((p for p in (HERE.parent / "data" / "polis", HERE.parents[3].parent / "shared" / "data" / "polis")
             if p.exists()), HERE.parent / "data" / "polis")
pytestmark = pytest.mark.skipif(not DATA.exists(), reason="shared Polis data not present")

# Replayed at Polis's own cadence, these reproduce Polis's groups (ARI >= 0.8).
FAST = ["brexit-consensus", "canadian-electoral-reform"]
SLOW = ["scoop-hivemind.biodiversity", "vtaiwan.uberx"]
SEATTLE = "15-per-hour-seattle"  # see test_seattle_groups_come_from_a_history_the_export_does_not_hold


def replayed(name):
    export = read_export(DATA / name)
    return export, replay(export.votes, moderation_times(export.votes, export.moderated_out))


def check(name):
    export, result = replayed(name)
    assert len(result.groups) == int(export.summary["groups"])
    assert ari(export.groups, result.participants) >= 0.8


@pytest.mark.parametrize("name", FAST)
def test_replay_reproduces_polis_groups(name):
    check(name)


@pytest.mark.slow
@pytest.mark.heavy
@pytest.mark.parametrize("name", SLOW)
def test_replay_reproduces_polis_groups_large(name):
    check(name)


def test_seattle_groups_come_from_a_history_the_export_does_not_hold():
    """Polis's in-conv set only grows, and while fewer than 15 people have 7 votes it tops up with the
    most active. Six such early participants, who never reached 7 votes, are in every replay's in-conv
    set, yet the export gives them no group: Polis recomputed this conversation at a moment the export
    does not record, so no replay of the export can follow its path exactly. The replay still finds
    Polis's two groups and beats a one-shot computation (red-dwarf reaches 0.46 here)."""
    export, result = replayed(SEATTLE)
    grouped = {p for p, g in export.groups.items() if g is not None}
    extra = set(result.in_conv) - grouped
    assert grouped <= set(result.in_conv)
    assert len(extra) == 6
    voted = {}
    for v in export.votes:
        voted.setdefault(v[0], set()).add(v[1])
    assert all(len(voted[p]) < 7 for p in extra)
    assert len(result.groups) == int(export.summary["groups"]) == 2
    assert ari(export.groups, result.participants) >= 0.5


def test_reader_reads_all_five_exports():
    names = [p.name for p in conversations(DATA)]
    assert set(FAST + SLOW + [SEATTLE]) <= set(names)
    export = read_export(DATA / "brexit-consensus")
    assert len(export.comments) == 50 and export.summary["groups"] == "2"
    assert len(export.votes) == 5312
    assert sum(g is not None for g in export.groups.values()) == 197


def test_write_export_round_trips(tmp_path):
    export = read_export(DATA / "15-per-hour-seattle")
    write_export(tmp_path, export.comments, export.votes, export.groups, export.summary)
    again = read_export(tmp_path)
    assert again.comments == export.comments
    assert again.votes == export.votes
    assert again.groups == export.groups
    assert again.summary == export.summary
    for name in ("comments.csv", "votes.csv", "participants-votes.csv"):
        ours = (tmp_path / name).read_text(encoding="utf-8").splitlines()[0]
        theirs = (DATA / "15-per-hour-seattle" / name).read_text(encoding="utf-8").splitlines()[0]
        assert ours == theirs
