"""Design-space sweeps: the vectorised evaluator reproduces archmodels.predict; LHS strata; Pareto front."""

import numpy as np
import pandas as pd
import pytest

import archmodels
from fs.evaluate import JOB_NODES
from fs.study import load_study
from fs.sweep import GIB, DesignEvaluator, grid, latin_hypercube, pareto_front, variant_machine


@pytest.fixture(scope="module")
def evaluator():
    return DesignEvaluator(load_study("fugakunext"))


def test_vectorised_rates_and_power_match_predict_on_variant_machines(evaluator):
    designs = pd.concat([
        grid([0.0, 64 * 2**20, 4 * GIB], memory=("hbm3", "lpddr5x"), links=("electrical",), power_cap_w=(1400.0,)),
        latin_hypercube(6, seed=3),
    ], ignore_index=True)
    ev = evaluator
    g = ev._codes(designs["memory"], ev.memory, "memory")
    lk = ev._codes(designs["link"], ev.links, "link")
    t_unit, p_node, step, ok = ev.node_rates(designs["sram_bytes"].to_numpy(), g, designs["power_cap_w"].to_numpy())
    assert ok.all()
    for k, row in designs.iterrows():
        m = variant_machine(ev.template, row.sram_bytes, row.memory, row.link, row.power_cap_w)
        for i, (w, table) in enumerate(zip(ev.study.workloads, ev.tables)):
            p = archmodels.predict(m, w, nodes=JOB_NODES)
            assert JOB_NODES / p.units_per_s == pytest.approx(t_unit[k, i], rel=1e-9)
            net_w = 8.0 * table.net_bytes[g[k]] * ev.link_e[lk[k]] / step[k, i] + ev.link_static[lk[k]]
            assert p.power_w / JOB_NODES == pytest.approx(p_node[k, i] + net_w, rel=1e-9)


def test_more_sram_never_slows_a_design(evaluator):
    ev = evaluator
    sizes = np.array([0.0, 2**20, 64 * 2**20, GIB, 16 * GIB])
    g = np.zeros(sizes.size, dtype=int)
    t, _, _, _ = ev.node_rates(sizes, g, np.full(sizes.size, 2400.0))
    assert np.all(np.diff(t, axis=0) <= 1e-15)
    assert (t[0] / t[-1]).max() > 1.1  # stacked SRAM helps at least one workload by 10 %


def test_latin_hypercube_has_one_point_per_stratum():
    d = latin_hypercube(50, seed=7, ranges={"sram_bytes": (0.0, 50.0), "power_cap_w": (1000.0, 2000.0)})
    assert sorted(np.floor(d["sram_bytes"]).astype(int)) == list(range(50))
    assert sorted(np.floor((d["power_cap_w"] - 1000.0) / 20.0).astype(int)) == list(range(50))
    pd.testing.assert_frame_equal(d, latin_hypercube(50, seed=7, ranges={"sram_bytes": (0.0, 50.0), "power_cap_w": (1000.0, 2000.0)}))


def _brute_force_front(v):
    n = len(v)
    keep = np.ones(n, dtype=bool)
    for i in range(n):
        for j in range(n):
            if i != j and np.all(v[j] >= v[i]) and np.any(v[j] > v[i]):
                keep[i] = False
                break
    return keep


def test_pareto_front_matches_brute_force():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"performance": rng.random(600), "power_w": rng.random(600), "cost_jpy": rng.random(600),
                       "carbon_g": rng.integers(0, 5, 600).astype(float), "feasible": rng.random(600) > 0.1})
    mask = pareto_front(df, block=64)
    v = df[["performance", "power_w", "cost_jpy", "carbon_g"]].to_numpy() * np.array([1, -1, -1, -1])
    feas = df["feasible"].to_numpy()
    expect = np.zeros(len(df), dtype=bool)
    expect[feas] = _brute_force_front(v[feas])
    np.testing.assert_array_equal(mask, expect)


def test_node_cost_and_carbon_match_archmodels_on_variant_machines(evaluator):
    from archmodels.carbon import node_embodied_carbon_g
    from archmodels.cost import node_capital_cost_jpy

    ev = evaluator
    d = pd.concat([latin_hypercube(5, seed=11), grid([0.0], memory=("hbm4",), links=("electrical",))], ignore_index=True)
    g = ev._codes(d["memory"], ev.memory, "memory")
    lk = ev._codes(d["link"], ev.links, "link")
    cap, emb = ev.node_capital_and_embodied(d["sram_bytes"].to_numpy(), g, lk)
    for k, row in d.iterrows():
        m = variant_machine(ev.template, row.sram_bytes, row.memory, row.link, row.power_cap_w)
        assert cap[k] == pytest.approx(node_capital_cost_jpy(m), rel=1e-9)
        assert emb[k] == pytest.approx(node_embodied_carbon_g(m), rel=1e-9)


def test_evaluate_sizes_designs_within_budgets(evaluator):
    d = latin_hypercube(2000, seed=2)
    out = evaluator.evaluate(d)
    st = evaluator.study
    assert len(out) == 2000 and out["feasible"].all()
    assert (out["power_w"] <= st.power_budget_w * (1 + 1e-9)).all()
    assert (out["capital_cost_jpy"] <= st.capital_budget_jpy * (1 + 1e-9)).all()
    assert (out["performance"] > 0).all() and (out["carbon_g"] > 0).all()
