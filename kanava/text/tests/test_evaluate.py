"""Evaluation metrics and the guard against testing on training data."""

import pytest
from sklearn.metrics import f1_score, precision_recall_fscore_support

from kanava.text.evaluate import OverlapError, evaluate, metrics, overlapping, polis_rows, read_labelled

GOLD = ["a", "a", "a", "b", "b", "c"]
PREDICTED = ["a", "a", "b", "b", "c", "c"]


def test_metrics_match_a_hand_computed_example():
    # a: TP 2, FP 0, FN 1 -> P 1, R 2/3, F1 0.8
    # b: TP 1, FP 1, FN 1 -> P 0.5, R 0.5, F1 0.5
    # c: TP 1, FP 1, FN 0 -> P 0.5, R 1, F1 2/3
    # macro-F1 (0.8 + 0.5 + 0.6667) / 3 = 0.6556; accuracy 4/6
    report = metrics(GOLD, PREDICTED)
    assert report["per_class"]["a"] == {"precision": 1.0, "recall": 0.6667, "f1": 0.8, "support": 3}
    assert report["per_class"]["b"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert report["per_class"]["c"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "support": 1}
    assert report["macro_f1"] == 0.6556
    assert report["accuracy"] == 0.6667


def test_metrics_agree_with_scikit_learn():
    report = metrics(GOLD, PREDICTED)
    assert report["macro_f1"] == round(f1_score(GOLD, PREDICTED, average="macro"), 4)
    precision, recall, f1, support = precision_recall_fscore_support(GOLD, PREDICTED, labels=["a", "b", "c"])
    assert [report["per_class"][k]["recall"] for k in "abc"] == [round(float(r), 4) for r in recall]


def test_a_label_only_predicted_counts_with_zero_support():
    report = metrics(["a", "a"], ["a", "z"])
    assert report["per_class"]["z"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    assert report["macro_f1"] == round((2 / 3 + 0) / 2, 4)


def test_empty_input_gives_zeros():
    assert metrics([], []) == {"per_class": {}, "macro_f1": 0.0, "accuracy": 0.0}


def test_overlap_ignores_case_and_whitespace():
    train = [("a", "Uimahalli  suljetaan"), ("b", "Kiitos")]
    test = [("a", "uimahalli suljetaan "), ("b", "Tack")]
    assert overlapping(train, test) == ["uimahalli suljetaan "]


def test_evaluation_refuses_test_texts_seen_in_training():
    train = [("a", "hyvä"), ("b", "huono"), ("a", "kiva")]
    with pytest.raises(OverlapError, match="1 test text"):
        evaluate(train, [("a", "HYVÄ")])


def test_evaluation_reports_counts_and_metrics():
    train = [("ok", "kiitos hyvä palvelu"), ("bad", "huono palvelu"), ("ok", "tosi hyvä"), ("bad", "todella huono")]
    report = evaluate(train, [("ok", "hyvä"), ("bad", "huono")])
    assert report["n_train"] == 4 and report["n_test"] == 2
    assert 0.0 <= report["macro_f1"] <= 1.0
    assert report["train_labels"] == {"bad": 2, "ok": 2}


def test_labelled_files_skip_blank_lines_and_keep_hash_texts(tmp_path):
    path = tmp_path / "data.tsv"
    path.write_text("a\tfirst\n\n  \nb\t#hashtag text\tafter a tab\n", encoding="utf-8")
    assert read_labelled(path) == [("a", "first"), ("b", "#hashtag text\tafter a tab")]


def test_a_line_without_a_tab_is_reported(tmp_path):
    path = tmp_path / "data.tsv"
    path.write_text("a\tfine\nno tab here\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        read_labelled(path)


def test_polis_comments_become_labelled_rows(tmp_path):
    path = tmp_path / "comments.csv"
    path.write_text(
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
        '1,x,1,1,0,0,1,"Fine comment,\nwith a line break"\n'
        "2,x,2,2,0,0,-1,Rejected one\n"
        "3,x,3,3,0,0,0,Not moderated\n",
        encoding="utf-8",
    )
    assert polis_rows(path) == [("accepted", "Fine comment, with a line break"), ("rejected", "Rejected one")]
