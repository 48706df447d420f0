"""The text benchmark runs end to end (its figures are not asserted)."""

import os

from kanava.bench.text_bench import main, make_claims, make_items


def test_the_benchmark_reports_its_figures_and_leaves_the_cpu_affinity_alone(capsys):
    before = os.sched_getaffinity(0)
    figures = main(["--items", "120", "--claims", "20", "--batch", "40", "--single", "5"])
    assert os.sched_getaffinity(0) == before
    assert figures["text_items_per_second"] > 0
    assert "items/s in batches" in capsys.readouterr().out


def test_benchmark_items_are_all_different_and_claims_have_two_languages():
    claims = make_claims(200)
    items = make_items(500, claims)
    assert len(claims) == 200 and len({key for key, _ in claims}) == 100
    assert len(set(items)) == 500
