"""Agreement with the groups Polis itself stored, on five real conversations.

The data (CC BY 4.0, The Computational Democracy Project; see
LICENSE-AND-ATTRIBUTION.md next to it) is in tests/data/polis (or the shared data folder).
"""

from pathlib import Path

import pytest

from kanava.opinionmath.evaluate import ari, conversations
from kanava.opinionmath.polisfmt import read_export, write_export
from kanava.opinionmath.replay import replay

HERE = Path(__file__).resolve()
# the fixture copy next to the tests (with its attribution file), else the shared data folder
DATA = next((p for p in (HERE.parent / "data" / "polis", HERE.parents[3].parent / "shared" / "data" / "polis")
             if p.exists()), HERE.parent / "data" / "polis")
pytestmark = pytest.mark.skipif(not DATA.exists(), reason="shared Polis data not present")

FAST = ["15-per-hour-seattle", "brexit-consensus", "canadian-electoral-reform"]
SLOW = ["scoop-hivemind.biodiversity", "vtaiwan.uberx"]


def check(name):
    export = read_export(DATA / name)
    result = replay(export.votes, export.moderated_out)
    assert len(result.groups) == int(export.summary["groups"])
    assert ari(export.groups, result.participants) >= 0.8


@pytest.mark.parametrize("name", FAST)
def test_replay_reproduces_polis_groups(name):
    check(name)


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW)
def test_replay_reproduces_polis_groups_large(name):
    check(name)


def test_reader_reads_all_five_exports():
    names = [p.name for p in conversations(DATA)]
    assert set(FAST + SLOW) <= set(names)
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
