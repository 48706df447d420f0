"""Representative statements, consensus and group-informed consensus
(math/repness.clj, math/stats.clj, conversation.clj ``:group-aware-consensus``).

Votes here use Kanava's sign (+1 agree, -1 disagree, 0 pass, NaN not voted).
"""

from __future__ import annotations

import numpy as np

Z_90 = 1.2816


def prop_test(succ, n):
    """Polis ``prop-test``: one-proportion z against 1/2 with a +1 pseudo-count."""
    succ = np.asarray(succ, dtype=float) + 1
    n = np.asarray(n, dtype=float) + 1
    return 2 * np.sqrt(n) * (succ / n - 0.5)


def two_prop_test(succ_in, succ_out, pop_in, pop_out):
    """Polis ``two-prop-test`` with +1 pseudo-counts; 0 where the pooled proportion is 1."""
    s1, s2, n1, n2 = (np.asarray(x, dtype=float) + 1 for x in (succ_in, succ_out, pop_in, pop_out))
    p1, p2 = s1 / n1, s2 / n2
    pooled = (s1 + s2) / (n1 + n2)
    denom = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (p1 - p2) / denom
    return np.where(pooled == 1, 0.0, z)


def vote_counts(votes: np.ndarray):
    """(agree, disagree, seen) counts per column of a (participants x statements) block."""
    return (
        (votes > 0).sum(axis=0).astype(float),
        (votes < 0).sum(axis=0).astype(float),
        (~np.isnan(votes)).sum(axis=0).astype(float),
    )


def comment_stats(na, nd, ns):
    return {
        "na": na, "nd": nd, "ns": ns,
        "pa": (1 + na) / (2 + ns), "pd": (1 + nd) / (2 + ns),
        "pat": prop_test(na, ns), "pdt": prop_test(nd, ns),
    }


def conv_repness(rating: np.ndarray, group_rows: list[np.ndarray]):
    """Per group, per statement stats (arrays over statements), Polis ``conv-repness``."""
    counts = [vote_counts(rating[rows]) for rows in group_rows]
    total = [sum(c[i] for c in counts) for i in range(3)]
    out = []
    for na, nd, ns in counts:
        st = comment_stats(na, nd, ns)
        ra_, rd_, rs_ = total[0] - na, total[1] - nd, total[2] - ns
        st["ra"] = st["pa"] / ((1 + ra_) / (2 + rs_))
        st["rd"] = st["pd"] / ((1 + rd_) / (2 + rs_))
        st["rat"] = two_prop_test(na, ra_, ns, rs_)
        st["rdt"] = two_prop_test(nd, rd_, ns, rs_)
        out.append(st)
    return out


def _at(st, j):
    return {k: float(v[j]) for k, v in st.items()}


def finalize(sid, s):
    agree = s["rat"] > s["rdt"]
    key = ("na", "pa", "pat", "ra", "rat") if agree else ("nd", "pd", "pdt", "rd", "rdt")
    return {
        "statement_id": sid,
        "repful_for": "agree" if agree else "disagree",
        "n_success": int(s[key[0]]),
        "n_trials": int(s["ns"]),
        "p_success": s[key[1]],
        "p_test": s[key[2]],
        "repness": s[key[3]],
        "repness_test": float(np.float32(s[key[4]])),
        "best_agree": False,
    }


def _passes(s):
    return (s["rat"] > Z_90 and s["pat"] > Z_90) or (s["rdt"] > Z_90 and s["pdt"] > Z_90)


def _beats_best_agree(s, best):
    if s["na"] == 0 and s["nd"] == 0:
        return False
    if best is not None and best["ra"] > 1.0:
        return s["ra"] * s["rat"] * s["pa"] * s["pat"] > best["ra"] * best["rat"] * best["pa"] * best["pat"]
    if best is not None:
        return s["pa"] * s["pat"] > best["pa"] * best["pat"]
    return s["pat"] > Z_90 or (s["ra"] > 1.0 and s["pa"] > 0.5)


def _metric(r):
    return r["repness"] * r["repness_test"] * r["p_success"] * r["p_test"]


def select_rep_comments(statement_ids, stats, mod_out=()):
    """Polis ``select-rep-comments``: up to 5 per group, best agree first, agrees before disagrees."""
    mod_out = set(mod_out)
    result = []
    for st in stats:
        best = None
        best_agree = None
        sufficient = []
        for j, sid in enumerate(statement_ids):
            if sid in mod_out:
                continue
            s = _at(st, j)
            if _passes(s):
                sufficient.append(finalize(sid, s))
            if not sufficient and (best is None or max(s["rat"], s["rdt"]) > best["repness_test"]):
                best = finalize(sid, s)
            if _beats_best_agree(s, best_agree):
                best_agree = dict(s, tid=sid)
        ba = None
        if best_agree is not None:
            ba = finalize(best_agree["tid"], best_agree)
            ba["n_agree"] = int(best_agree["na"])
            ba["best_agree"] = True
        if not sufficient:
            result.append([ba] if ba else ([best] if best else []))
            continue
        rest = [r for r in sufficient if ba is None or r["statement_id"] != ba["statement_id"]]
        rest.sort(key=lambda r: -_metric(r))  # stable, like Clojure sort-by
        chosen = ([ba] if ba else []) + rest
        chosen = chosen[:5]
        result.append([r for r in chosen if r["repful_for"] == "agree"]
                      + [r for r in chosen if r["repful_for"] == "disagree"])
    return result


def select_consensus(statement_ids, rating: np.ndarray, mod_out=()):
    """Polis ``consensus-stats`` + ``select-consensus-comments`` over all participants."""
    na, nd, ns = vote_counts(rating)
    st = comment_stats(na, nd, ns)
    mod_out = set(mod_out)
    keep = [j for j, sid in enumerate(statement_ids) if sid not in mod_out]
    out = {}
    for side, (n, p, t) in (("agree", ("na", "pa", "pat")), ("disagree", ("nd", "pd", "pdt"))):
        rows = [j for j in keep if st[p][j] > 0.5 and st[t][j] > Z_90]
        rows.sort(key=lambda j: -(st[p][j] * st[t][j]))
        out[side] = [
            {"statement_id": statement_ids[j], "n_success": int(st[n][j]), "n_trials": int(ns[j]),
             "p_success": float(st[p][j]), "p_test": float(st[t][j])}
            for j in rows[:5]
        ]
    return out


def group_informed_consensus(group_counts):
    """Product over groups of (agree + 1) / (seen + 2); ``group_counts`` is [(na, nd, ns), ...]."""
    prob = None
    for na, _nd, ns in group_counts:
        p = (na + 1.0) / (ns + 2.0)
        prob = p if prob is None else prob * p
    return prob
