"""``manage.py inbox_classify_eval`` on real labelled data: Polis comments with
their moderators' decisions (CC BY 4.0, see kanava/text/data/polis/ATTRIBUTION.md),
trained on some conversations and tested on a different one."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kanava.text.evaluate import read_labelled, write_labelled

ROOT = Path(__file__).resolve().parents[3]
POLIS = ROOT / "kanava" / "text" / "data" / "polis"
TRAIN_CONVERSATIONS = ["scoop-hivemind.biodiversity", "15-per-hour-seattle", "brexit-consensus"]
TEST_CONVERSATION = "canadian-electoral-reform"

pytestmark = pytest.mark.slow


def run_eval(train: Path, test: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "inbox_classify_eval", "--train", str(train), "--test", str(test)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )


@pytest.fixture
def polis_files(tmp_path):
    train = [row for name in TRAIN_CONVERSATIONS for row in read_labelled(POLIS / f"{name}.tsv")]
    test = read_labelled(POLIS / f"{TEST_CONVERSATION}.tsv")
    write_labelled(tmp_path / "train.tsv", train)
    write_labelled(tmp_path / "test.tsv", test)
    return tmp_path / "train.tsv", tmp_path / "test.tsv", len(train), len(test)


def test_it_scores_a_conversation_it_never_saw(polis_files):
    train, test, n_train, n_test = polis_files
    done = run_eval(train, test)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["n_train"], report["n_test"]) == (n_train, n_test)
    assert 0.0 <= report["macro_f1"] <= 1.0
    assert 0.0 <= report["accuracy"] <= 1.0
    assert set(report["per_class"]) == {"accepted", "rejected"}
    for figures in report["per_class"].values():
        assert set(figures) == {"precision", "recall", "f1", "support"}
    assert sum(f["support"] for f in report["per_class"].values()) == n_test


def test_it_refuses_test_texts_that_are_in_the_training_data(polis_files, tmp_path):
    train, test, _, _ = polis_files
    leaky = tmp_path / "leaky.tsv"
    rows = read_labelled(test)
    write_labelled(leaky, read_labelled(train)[:50] + [(label, text.upper()) for label, text in rows[:3]])
    done = run_eval(leaky, test)
    assert done.returncode != 0
    assert "Refused" in done.stderr and "3 test text(s) also appear in the training data" in done.stderr
    assert done.stdout == ""


def test_it_explains_a_malformed_file(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("accepted\tfine\nno tab on this line\n", encoding="utf-8")
    done = run_eval(bad, bad)
    assert done.returncode != 0
    assert "line 2: expected label<TAB>text" in done.stderr
