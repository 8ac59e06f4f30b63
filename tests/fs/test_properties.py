"""Properties of the scorecard and the Pareto front (hypothesis)."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from fs.evaluate import add_scores
from fs.metrics import DIRECTION, portfolio_speedup
from fs.spec import AXES
from fs.sweep import pareto_front

positive = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 6).flatmap(lambda n: st.tuples(
    st.lists(st.lists(positive, min_size=n, max_size=n), min_size=len(AXES), max_size=len(AXES)),
    st.lists(st.booleans(), min_size=n, max_size=n))))
def test_scores_lie_in_unit_interval_and_the_best_feasible_scores_one(data):
    values, feasible = data
    if not any(feasible):
        feasible[0] = True
    df = pd.DataFrame({a: v for a, v in zip(AXES, values)} | {"feasible": feasible})
    w = {a: 1.0 / len(AXES) for a in AXES}
    out = add_scores(df, w)
    f = out[out["feasible"]]
    for a in AXES:
        assert f[f"score_{a}"].between(0, 1 + 1e-12).all()
        assert np.isclose(f[f"score_{a}"].max(), 1.0)
        best = f[a].idxmax() if DIRECTION[a] > 0 else f[a].idxmin()
        assert np.isclose(f.loc[best, f"score_{a}"], 1.0)
    assert out.loc[~out["feasible"], "rank"].isna().all()
    assert sorted(f["rank"].unique())[0] == 1


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(0, 6), st.integers(0, 6)), min_size=1, max_size=80))
def test_pareto_front_is_exactly_the_non_dominated_set(points):
    v = np.array(points, dtype=float)
    df = pd.DataFrame({"performance": v[:, 0], "power_w": v[:, 1], "cost_jpy": v[:, 2], "carbon_g": v[:, 3]})
    mask = pareto_front(df, block=8)
    s = v * np.array([1, -1, -1, -1])
    for i in range(len(v)):
        dominated = any(np.all(s[j] >= s[i]) and np.any(s[j] > s[i]) for j in range(len(v)) if j != i)
        if dominated:
            assert not mask[i]
    # duplicates of a front point are kept once; every non-dominated distinct point is on the front
    front = {tuple(x) for x in v[mask]}
    assert len(front) == mask.sum()
    for i in range(len(v)):
        if not any(np.all(s[j] >= s[i]) and np.any(s[j] > s[i]) for j in range(len(v))):
            assert tuple(v[i]) in front


@settings(max_examples=60, deadline=None)
@given(st.lists(positive, min_size=3, max_size=3), st.floats(1.01, 10.0))
def test_speedup_never_falls_when_a_workload_gets_faster(times, factor):
    w = [0.5, 0.3, 0.2]
    base = portfolio_speedup(times, [1.0, 1.0, 1.0], 10, 10, w)
    for k in range(3):
        faster = list(times)
        faster[k] /= factor
        assert portfolio_speedup(faster, [1.0, 1.0, 1.0], 10, 10, w) > base
