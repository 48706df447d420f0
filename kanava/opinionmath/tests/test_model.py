"""The incremental model, its properties and its persistence."""

import json
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from kanava.opinionmath import OpinionModel, compute, replay


def two_blocs(n_per=20, n_statements=12, seed=0):
    """Two opinion blocs that agree/disagree in opposite ways, with some missing votes."""
    rng = random.Random(seed)
    votes, t = [], 0
    for p in range(2 * n_per):
        side = 1 if p < n_per else -1
        for s in range(n_statements):
            if rng.random() < 0.85:
                value = side if s % 2 == 0 else -side
                if rng.random() < 0.1:
                    value = 0
                t += 1
                votes.append((p, s, value, t))
    return votes


def groups_as_partition(result, among=None):
    by_group = {}
    for p, g in result.participants.items():
        if g is not None and (among is None or p in among):
            by_group.setdefault(g, set()).add(p)
    return sorted(sorted(m) for m in by_group.values())


def test_two_blocs_make_two_groups_with_representative_statements():
    result = compute(two_blocs())
    assert len(result.groups) == 2
    assert groups_as_partition(result) == [list(range(20)), list(range(20, 40))]
    assert sum(g.members for g in result.groups) == 40
    for reps in result.repness.values():
        assert reps and reps[0]["statement_id"] in range(12)
    assert set(result.group_informed_consensus) == set(range(12))
    some = result.group_votes[0]
    assert sum(c["seen"] for c in some.values()) == sum(1 for v in two_blocs() if v[1] == 0)


def test_to_json_is_plain_json():
    result = compute(two_blocs())
    data = json.loads(json.dumps(result.to_json()))
    assert set(data["participants"]) == {str(p) for p in range(40)}
    assert {"participants", "consensus", "repness", "seconds", "coordinates", "groups",
            "group_informed_consensus", "group_votes"} <= set(data)


def test_state_round_trips_through_bytes_and_continues_identically():
    votes = two_blocs(seed=3)
    first, second = votes[:300], votes[300:]
    a = OpinionModel()
    a.add_votes(first)
    a.update()
    b = OpinionModel.from_bytes(a.to_bytes())
    for m in (a, b):
        m.add_votes(second)
    ra, rb = a.update(), b.update()
    assert ra.participants == rb.participants
    assert ra.coordinates == rb.coordinates


def test_moderating_a_statement_removes_it_from_repness_and_consensus():
    model = OpinionModel()
    model.add_votes(two_blocs())
    model.update()
    model.moderate(0)
    result = model.update()
    listed = [r["statement_id"] for rs in result.repness.values() for r in rs]
    listed += [c["statement_id"] for side in result.consensus.values() for c in side]
    assert 0 not in listed


def test_replay_in_batches_ends_with_every_vote_counted():
    votes = two_blocs(seed=5)
    result = replay(votes, window_seconds=0.05)  # 50 ms windows: one batch per 50 votes
    assert result.n_votes == len(votes)
    assert len(result.groups) == 2


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False))
def test_vote_order_does_not_matter(rnd):
    votes = two_blocs(n_per=10, n_statements=8, seed=1)
    # timestamps collide on purpose: ties must be broken by ids, not input order
    votes = [(p, s, v, t // 7) for p, s, v, t in votes]
    shuffled = votes[:]
    rnd.shuffle(shuffled)
    a, b = compute(votes), compute(shuffled)
    assert a.participants == b.participants
    assert a.coordinates == b.coordinates
    assert a.repness == b.repness


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_an_extra_pass_vote_does_not_move_anyone_between_groups(data):
    """On clearly separated opinions, a pass vote (0) changes counts, not groups.

    In Polis a pass is a 0 in the vote matrix: it counts towards the 7 votes
    that bring a participant into the clustering and shifts that participant's
    map position a little. So the voter may join a group; nobody already
    grouped may move.
    """
    votes = two_blocs(n_per=12, n_statements=10, seed=2)
    voted = {(p, s) for p, s, _, _ in votes}
    free = [(p, s) for p in range(24) for s in range(10) if (p, s) not in voted]
    p, s = data.draw(st.sampled_from(free))
    before = compute(votes)
    after = compute(votes + [(p, s, 0, 10**6)])
    grouped = {q for q, g in before.participants.items() if g is not None}
    assert groups_as_partition(before) == groups_as_partition(after, among=grouped)
    if p not in grouped:
        return
    g, gb = after.participants[p], before.participants[p]
    assert after.group_votes[s][g]["pass"] == before.group_votes[s][gb]["pass"] + 1
    assert after.group_votes[s][g]["agree"] == before.group_votes[s][gb]["agree"]


def test_an_incremental_update_counts_the_new_vote_and_is_deterministic():
    votes = two_blocs(seed=7)
    results = []
    for _ in range(2):
        model = OpinionModel()
        model.add_votes(votes)
        first = model.update()
        model.add_votes([(0, 1, -1, 10**6)])
        results.append(model.update())
    assert results[0].n_votes == first.n_votes + (0 if any(v[:2] == (0, 1) for v in votes) else 1)
    assert results[0].to_json() | {"seconds": 0} == results[1].to_json() | {"seconds": 0}
    assert results[0].group_votes[1][results[0].participants[0]]["disagree"] >= 1


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 25), st.integers(0, 9), st.sampled_from([-1, 0, 1]),
                          st.integers(0, 5000)), min_size=1, max_size=300))
def test_any_vote_stream_replays_to_a_consistent_result(votes):
    result = replay(votes, window_seconds=0.5)
    assert result.n_participants == len({v[0] for v in votes})
    assert result.n_votes == len({(v[0], v[1]) for v in votes})
    grouped = [p for p, g in result.participants.items() if g is not None]
    assert sum(g.members for g in result.groups) == len(grouped)
    assert set(grouped) <= set(result.in_conv)
    json.dumps(result.to_json())


def test_a_moderation_takes_effect_from_the_first_update_after_it():
    votes = two_blocs()  # timestamps 1, 2, 3, ... ms
    seen = []

    class Spy(OpinionModel):
        def update(self, build_result=True):
            seen.append((self.pending[0][3], set(self.mod_out)))
            return super().update(build_result)

    moderated_at = votes[len(votes) // 2][3]
    result = replay(votes, moderated_out={4: moderated_at, 7: None}, window_seconds=0.05, model=Spy())
    assert seen and all(7 in out for _first, out in seen)  # undated: from the start
    assert all((4 in out) == (first > moderated_at) for first, out in seen)
    assert {4, 7} <= set(seen[-1][1]) and result.n_statements == 12


def test_moderation_times_date_a_statement_at_its_last_vote():
    from kanava.opinionmath import moderation_times

    votes = [(1, 4, 1, 10), (2, 4, -1, 30), (3, 4, 0, 20), (1, 5, 1, 40)]
    assert moderation_times(votes, [4, 6]) == {4: 30, 6: None}


def test_moderated_after_the_last_vote_is_still_out_of_the_final_result():
    votes = two_blocs()
    model = OpinionModel()
    replay(votes, moderated_out={3: votes[-1][3] + 1000}, window_seconds=0.05, model=model)
    assert 3 in model.mod_out
