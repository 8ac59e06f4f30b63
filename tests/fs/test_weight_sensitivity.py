"""Weight sensitivity of a scorecard (fs.weight_sensitivity): P(first) under random weights and the
least weight change that changes the winner, against hand-computed and brute-force answers."""

import itertools
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import beta

from fs.pipeline import report as rebuild_report
from fs.pipeline import run as run_pipeline
from fs.report import weight_sentence, weight_table
from fs.weight_sensitivity import contenders, smallest_change, weight_sensitivity

DATA = Path(__file__).parents[1] / "data" / "study"
WEIGHTS = {"performance": 0.6, "cost": 0.4}


def _card(scores, feasible=None, meets=None):
    """A scorecard of candidates a, b, c, ... with normalised scores on the axes of WEIGHTS."""
    n = len(scores)
    df = pd.DataFrame({"candidate": [chr(ord("a") + i) for i in range(n)],
                       "feasible": feasible if feasible is not None else [True] * n,
                       "meets_requirements": meets if meets is not None else [True] * n})
    for k, axis in enumerate(WEIGHTS):
        df[f"score_{axis}"] = [s[k] for s in scores]
    return df


# a: 0.6 + 0.2 = 0.8 wins; b: 0.3 + 0.4 = 0.7 ties a at w = (0.5, 0.5), L1 0.2 away; c is dominated by a
CARD = _card([(1.0, 0.5), (0.5, 1.0), (0.4, 0.4)])


def test_hand_computed_three_candidates():
    ws = weight_sensitivity(CARD, WEIGHTS, seed=7)
    assert ws["stated"] == {"a": 1.0, "b": 0.0, "c": 0.0}
    sc = ws["smallest_change"]
    assert sc["rival"] == "b" and sc["norm"] == "L1"
    assert sc["distance"] == pytest.approx(0.2, abs=1e-9)
    assert sc["weights"] == pytest.approx({"performance": 0.5, "cost": 0.5}, abs=1e-9)
    assert ws["per_rival"]["c"] is None
    # a wins while w_performance > 0.5: uniform gives 1/2, Dirichlet(12, 8) gives Beta(12, 8)'s tail
    uni, dirichlet = ws["uniform"]["p_first"], ws["dirichlet"]["p_first"]
    assert uni["a"] == pytest.approx(0.5, abs=0.015)
    assert dirichlet["a"] == pytest.approx(beta.sf(0.5, 12, 8), abs=0.015)
    assert ws["dirichlet"]["concentration"] == 20.0 and ws["dirichlet"]["samples"] == 10_000


def test_probabilities_sum_to_one_and_a_dominated_candidate_never_wins():
    ws = weight_sensitivity(CARD, WEIGHTS, seed=1, samples=5000)
    for kind in ("dirichlet", "uniform"):
        p = ws[kind]["p_first"]
        assert sum(p.values()) == pytest.approx(1.0)
        assert p["c"] == 0.0


def test_seeds_are_reproducible_and_matter():
    a = weight_sensitivity(CARD, WEIGHTS, seed=3)
    assert a == weight_sensitivity(CARD, WEIGHTS, seed=3)
    assert a["dirichlet"]["p_first"] != weight_sensitivity(CARD, WEIGHTS, seed=4)["dirichlet"]["p_first"]
    assert a["dirichlet"]["seed"] == 3 and a["uniform"]["seed"] == 4


def test_the_order_of_the_weights_does_not_matter():
    weights = {"performance": 0.5, "cost": 0.3, "carbon": 0.2}
    card = CARD.assign(score_carbon=[0.1, 0.9, 1.0])
    flipped = dict(reversed(list(weights.items())))
    assert weight_sensitivity(card, weights, seed=5) == weight_sensitivity(card, flipped, seed=5)


def test_an_axis_weighted_zero_stays_zero_under_dirichlet():
    weights = {"performance": 0.6, "cost": 0.4, "carbon": 0.0}
    card = CARD.assign(score_carbon=[0.1, 0.1, 1.0])   # c would win on carbon alone
    ws = weight_sensitivity(card, weights, seed=0)
    assert ws["dirichlet"]["p_first"]["c"] == 0.0
    assert ws["uniform"]["p_first"]["c"] > 0.0


def test_only_the_first_group_contends():
    # b scores best but misses a requirement; d is infeasible: neither can rank first
    card = _card([(1.0, 0.5), (1.0, 1.0), (0.5, 1.0), (1.0, 1.0)], feasible=[True, True, True, False],
                 meets=[True, False, True, True])
    assert list(contenders(card)["candidate"]) == ["a", "c"]
    assert list(contenders(card.assign(rank=[2, 4, 1, None]))["candidate"]) == ["c", "a"]
    ws = weight_sensitivity(card, WEIGHTS, seed=0)
    assert set(ws["stated"]) == {"a", "c"} and ws["smallest_change"]["rival"] == "c"
    # with nobody meeting the requirements, the feasible ones contend
    assert list(contenders(card.assign(meets_requirements=False))["candidate"]) == ["a", "b", "c"]


def test_a_winner_no_rival_can_reach_is_said_so():
    ws = weight_sensitivity(_card([(1.0, 1.0), (0.5, 0.9)]), WEIGHTS, seed=0)
    assert ws["smallest_change"]["rival"] is None and ws["per_rival"] == {"b": None}
    assert ws["uniform"]["p_first"] == {"a": 1.0, "b": 0.0}
    assert "No weights on the simplex" in weight_sentence(ws)


def test_no_feasible_candidate_gives_no_winner():
    ws = weight_sensitivity(CARD.assign(feasible=False), WEIGHTS, seed=0)
    assert ws["stated"] == {} and ws["dirichlet"]["p_first"] == {} and ws["smallest_change"]["rival"] is None
    assert "No feasible candidate" in weight_sentence(ws) and weight_table(ws) == [weight_table(ws)[0]]


def test_lp_matches_brute_force_on_a_simplex_grid():
    rng = np.random.default_rng(11)
    scores = rng.uniform(0.2, 1.0, size=(4, 3))
    stated = np.array([0.5, 0.3, 0.2])
    winner = int(np.argmax(scores @ stated))
    distance, nearest = smallest_change(scores, stated, winner)
    n = 200
    grid = np.array([(i, j, n - i - j) for i, j in itertools.product(range(n + 1), repeat=2) if i + j <= n]) / n
    l1 = np.abs(grid - stated).sum(axis=1)
    for j in range(len(scores)):
        if j == winner:
            continue
        reach = grid @ (scores[j] - scores[winner]) >= 0
        if not reach.any():
            assert not np.isfinite(distance[j])
            continue
        brute = l1[reach].min()
        assert distance[j] <= brute + 1e-9            # the LP is the exact minimum
        assert brute <= distance[j] + 3 * 2 / n       # within the grid's resolution
        w = nearest[j]
        assert w.sum() == pytest.approx(1.0) and (w >= 0).all()
        assert w @ scores[j] >= w @ scores[winner] - 1e-9


@pytest.mark.slow
def test_pipeline_json_run_json_and_report_carry_it(tmp_path):
    study_dir = tmp_path / "spec"
    shutil.copytree(DATA, study_dir)
    out = tmp_path / "run"
    result = run_pipeline(study_dir / "study-fugakunext.toml", out, samples=4, sweep_points=0)
    ws = result["weight_sensitivity"]
    assert {"dirichlet", "uniform", "smallest_change", "stated"} <= set(ws)
    assert ws["dirichlet"]["seed"] == result["seed"]
    assert sum(ws["uniform"]["p_first"].values()) == pytest.approx(1.0)
    winner = next(c["name"] for c in result["candidates"] if c["rank"] == 1)
    assert ws["stated"][winner] == 1.0
    assert json.loads((out / "run.json").read_text())["weight_sensitivity"] == ws
    assert rebuild_report(out)["weight_sensitivity"] == ws   # `fsw study report --json`, from run.json's weights
    md = (out / "report.md").read_text()
    p = ws["dirichlet"]["p_first"][winner]
    assert f"| {winner} | 100.0 % | {100 * p:.1f} % |" in md   # the report's draws are the JSON's
    assert "## Weight sensitivity" in md and f"The winner changes to {ws['smallest_change']['rival']}" in md
    assert "Weight sensitivity" in (out / "report.html").read_text()
