"""Each step of the Polis math on small matrices that can be checked by hand."""

import math

import numpy as np
import pytest

from kanava.opinionmath import clusters as cl
from kanava.opinionmath import pca as pc
from kanava.opinionmath import repness as rp
from kanava.opinionmath.model import OpinionModel, Vote, sort_votes

NAN = np.nan


def test_latest_vote_per_cell_counts_and_rows_follow_first_vote():
    model = OpinionModel()
    model.add_votes([
        ("b", 1, 1, 20), ("a", 1, -1, 10), ("a", 1, 1, 30),  # a changes its mind
        ("a", 2, 0, 5),
    ])
    model.update()
    assert model.pids == ["a", "b"]
    assert model.sids == [2, 1]
    assert model.raw.tolist() == [[0.0, 1.0], [NAN, 1.0]] or np.array_equal(
        model.raw, np.array([[0.0, 1.0], [NAN, 1.0]]), equal_nan=True)


def test_an_older_vote_arriving_late_does_not_overwrite():
    model = OpinionModel()
    model.add_votes([("a", 1, 1, 50)])
    model.update()
    model.add_votes([("a", 1, -1, 40)])
    model.update()
    assert model.raw[0, 0] == 1.0


def test_moderated_out_column_is_zeroed_for_everyone():
    model = OpinionModel()
    model.moderate(2)
    model.add_votes([("a", 1, 1, 1), ("a", 2, 1, 2), ("b", 1, -1, 3)])
    result = model.update()
    mu, cov = model._centred_cov([model._sid_index[2]])
    assert mu[1] == 0.0 and not cov[1].any() and not cov[:, 1].any()
    assert all(r["statement_id"] != 2 for rs in result.repness.values() for r in rs)


def test_column_mean_imputation():
    mat = np.array([[1.0, NAN], [-1.0, 1.0], [1.0, NAN]])
    out = pc.impute_column_means(mat)
    assert out.tolist() == [[1.0, 1.0], [-1.0, 1.0], [1.0, 1.0]]
    mat = np.array([[1.0, -1.0], [NAN, 1.0], [0.0, 1.0]])
    assert pc.impute_column_means(mat)[1, 0] == 0.5


def test_power_pca_matches_the_leading_eigenvectors():
    data = np.array([[1, 1, 0, -1], [1, 1, 1, -1], [-1, -1, 0, 1], [-1, 0, -1, 1], [0, 1, 1, 0]], float)
    center, comps = pc.power_pca(data, 2)
    assert np.allclose(center, data.mean(axis=0))
    _, _, vt = np.linalg.svd(data - center)
    for i in range(2):
        assert abs(abs(comps[i] @ vt[i]) - 1) < 1e-6


def test_power_pca_from_sufficient_statistics_equals_the_direct_one():
    rng = np.random.default_rng(1)
    votes = [(p, s, int(rng.integers(-1, 2)), p * 10 + s) for p in range(30) for s in range(8) if rng.random() < .7]
    model = OpinionModel()
    model.add_votes(votes)
    model.update()
    mu, cov = model._centred_cov([])
    imputed = pc.impute_column_means(model.raw)
    assert np.allclose(mu, imputed.mean(axis=0))
    centred = imputed - imputed.mean(axis=0)
    assert np.allclose(cov, centred.T @ centred)


def test_warm_start_keeps_the_sign_of_the_components():
    data = np.array([[1, 1], [-1, -1], [1, 0.5], [-1, -0.8]], float)
    _, comps = pc.power_pca(data, 2)
    _, again = pc.power_pca(data, 2, start_vectors=-comps)
    assert np.allclose(again[0], -comps[0], atol=1e-6)


def test_sparsity_aware_projection_scales_by_statements_per_vote():
    center = np.zeros(2)
    comps = np.eye(2)
    rating = np.array([[1.0, NAN], [1.0, -1.0]])
    proj = pc.sparsity_aware_project(rating, center, comps)
    assert proj[0].tolist() == pytest.approx([math.sqrt(2), 0.0])
    assert proj[1].tolist() == pytest.approx([1.0, -1.0])


def test_in_conv_needs_min_7_votes_or_all_statements_and_greedy_fills_to_15():
    votes = [(p, s, 1, p) for p in range(20) for s in range(3 if p < 16 else 1)]
    model = OpinionModel()
    model.add_votes(votes)
    result = model.update()
    # 3 statements: all 3 needed; 16 have 3 votes
    assert set(result.in_conv) == set(range(16))
    model = OpinionModel()
    model.add_votes([(p, s, 1, p) for p in range(20) for s in range(10 if p < 5 else (6 if p < 12 else 2))])
    result = model.update()
    # 5 have >= 7 votes, greedy adds the 7 with 6 votes and 3 of those with 2
    assert len(result.in_conv) == 15 and set(range(12)) <= set(result.in_conv)


def test_in_conv_only_grows():
    model = OpinionModel()
    model.add_votes([(p, s, 1, p) for p in range(3) for s in range(7)])
    model.update()
    model.add_votes([(9, s, -1, 100 + s) for s in range(20)])
    result = model.update()
    assert {0, 1, 2, 9} <= set(result.in_conv)


def test_kmeans_cold_start_uses_first_distinct_points_in_data_order():
    ids, centers = cl.init_clusters(np.array([[0, 0], [0, 0], [5, 5], [1, 0]], float), 2)
    assert ids == [0, 1] and centers.tolist() == [[0, 0], [5, 5]]


def test_kmeans_two_blobs_and_weights():
    pts = np.array([[0, 0], [0, 1], [10, 10], [10, 11]], float)
    out = cl.kmeans(list("abcd"), pts, 2)
    assert sorted(sorted(c.members) for c in out) == [["a", "b"], ["c", "d"]]
    out = cl.kmeans(list("abcd"), pts, 2, weights=np.array([3.0, 1.0, 1.0, 1.0]))
    first = next(c for c in out if "a" in c.members)
    assert first.center.tolist() == pytest.approx([0, 0.25])


def test_kmeans_drops_empty_clusters():
    pts = np.array([[0, 0], [0, 0.001], [0.002, 0]], float)
    out = cl.kmeans(list("abc"), pts, 3)
    assert sum(len(c.members) for c in out) == 3


def test_clean_start_splits_off_the_most_distant_point():
    last = [cl.Cluster(7, ["a", "b", "c"], np.zeros(2))]
    pts = np.array([[0, 0], [1, 0], [9, 0]], float)
    ids, centers = cl.clean_start_clusters(list("abc"), pts, last, 2, None)
    assert ids == [7, 8]
    assert centers.tolist() == [[0.5, 0.0], [9.0, 0.0]]


def test_same_clustering_uses_sorted_centers_and_tolerance():
    a = np.array([[0, 0], [1, 1]], float)
    assert cl.same_clustering(a, a[::-1] + 0.005)
    assert not cl.same_clustering(a, a + 0.02)


def test_silhouette_by_hand():
    pts = np.array([[0, 0], [0, 2], [10, 0]], float)
    clusters = [cl.Cluster(0, ["a", "b"]), cl.Cluster(1, ["c"])]
    # a: a=2, b=10 -> 0.8; b: a=2, b=sqrt(104) -> 1-2/sqrt(104); c: singleton -> 0
    expected = (0.8 + (1 - 2 / math.sqrt(104)) + 0) / 3
    assert cl.silhouette(list("abc"), pts, clusters) == pytest.approx(expected)


def test_max_k_and_the_k_smoother():
    assert [cl.max_k(n) for n in (2, 12, 24, 36, 100)] == [2, 3, 4, 5, 5]
    state = None
    seen = []
    for k in [2, 3, 3, 3, 3, 2]:
        state = cl.smooth_k(state, k)
        seen.append(state["smoothed_k"])
    assert seen == [2, 2, 2, 2, 3, 3]


def test_prop_tests_by_hand():
    assert rp.prop_test(3, 3) == pytest.approx(2 * 2 * (4 / 4 - 0.5))
    # (s+1)/(n+1) with n=5, s=1 -> 2/6
    assert rp.prop_test(1, 5) == pytest.approx(2 * math.sqrt(6) * (2 / 6 - 0.5))
    p1, p2, ph = 5 / 6, 2 / 6, 7 / 12
    z = (p1 - p2) / math.sqrt(ph * (1 - ph) * (1 / 6 + 1 / 6))
    assert rp.two_prop_test(4, 1, 5, 5) == pytest.approx(z)
    assert rp.two_prop_test(3, 3, 3, 3) == 0.0


def test_repness_and_consensus_on_two_blocs():
    # statements: 0 splits the blocs, 1 everyone agrees, 2 everyone disagrees
    rating = np.array([[1, 1, -1]] * 6 + [[-1, 1, -1]] * 6, float)
    groups = [np.arange(6), np.arange(6, 12)]
    stats = rp.conv_repness(rating, groups)
    assert stats[0]["na"][0] == 6 and stats[0]["pa"][0] == pytest.approx(7 / 8)
    assert stats[0]["ra"][0] == pytest.approx((7 / 8) / (1 / 8))
    reps = rp.select_rep_comments([10, 11, 12], stats)
    assert reps[0][0]["statement_id"] == 10 and reps[0][0]["repful_for"] == "agree"
    assert reps[1][0]["statement_id"] == 10 and reps[1][0]["repful_for"] == "disagree" or \
        reps[1][0]["best_agree"]
    cons = rp.select_consensus([10, 11, 12], rating)
    assert [c["statement_id"] for c in cons["agree"]] == [11]
    assert [c["statement_id"] for c in cons["disagree"]] == [12]
    assert cons["agree"][0]["p_success"] == pytest.approx(13 / 14)


def test_group_informed_consensus_by_hand():
    # group A: 3 agree of 4 seen; group B: 1 agree of 2 seen
    assert rp.group_informed_consensus([(3, 1, 4), (1, 1, 2)]) == pytest.approx((4 / 6) * (2 / 4))


def test_sort_votes_is_canonical():
    votes = [Vote(2, 1, 1, 5), Vote(1, 2, 1, 5), Vote(1, 1, 1, 5), Vote("x", 1, 0, 1)]
    assert sort_votes(votes) == [votes[3], votes[2], votes[1], votes[0]]


def test_a_point_on_its_own_center_is_at_distance_zero():
    # the |p|^2 - 2pc + |c|^2 shortcut leaves rounding noise here, which once made
    # clean-start split a lone member off its own cluster forever
    pts = np.array([[0.1 + 0.2, 0.7], [1e8 + 0.3, -0.1]])
    _, d2 = cl._nearest(pts, pts.copy())
    assert d2[0, 0] == 0.0 and d2[1, 1] == 0.0
