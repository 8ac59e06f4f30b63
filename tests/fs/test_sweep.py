"""Design-space sweeps: the vectorised evaluator reproduces archmodels.predict; LHS strata; Pareto front."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import archmodels
from archmodels.errors import InputError
from fs.evaluate import JOB_NODES
from fs.study import load_study
from fs.sweep import GIB, DesignEvaluator, grid, latin_hypercube, pareto_front, variant_machine


@pytest.fixture(scope="module")
def evaluator():
    return DesignEvaluator(load_study("fugakunext"))


def _measured_template():
    """fugaku-next-3d (L1, L2, SRAM-3D, HBM3E) with a measured L2: four levels, a measured one."""
    m = archmodels.load_machine("fugaku-next-3d")
    p = m.node.processors[0]
    levels = tuple(replace(lv, measured=True) if lv.name == "L2" else lv for lv in p.memory)
    return replace(m, node=replace(m.node, processors=(replace(p, memory=levels),)), name="fugaku-next-3d-measured")


#: Templates of every shape the sweep takes: [SRAM, main]; four levels with fp16 (precision
#: fallback); a measured level; no stacked SRAM (Fugaku: L1, L2, HBM2); a published TDP that the
#: cap replaces and an SRAM cache (El Capitan's MI300A with its Infinity Cache).
TEMPLATES = {"cand-cpu-3dsram-cpo": "cand-cpu-3dsram-cpo", "fugaku-next-3d": "fugaku-next-3d",
             "measured": _measured_template, "fugaku": "fugaku", "el-capitan": "el-capitan"}


@pytest.fixture(scope="module")
def evaluators():
    study = load_study("fugakunext")
    return {k: DesignEvaluator(study, v() if callable(v) else v) for k, v in TEMPLATES.items()}


def _design(ev, data):
    s = 0.0 if ev.where.sram is None else data.draw(st.sampled_from([0.0, 1.0]), label="has sram") * data.draw(
        st.floats(2**20, 16 * GIB), label="sram")
    return (s, data.draw(st.sampled_from(ev.memory), label="memory"), data.draw(st.sampled_from(ev.links), label="link"),
            data.draw(st.floats(1200.0, 3200.0), label="cap"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_sweep_arguments_and_results_equal_predict_on_the_equivalent_machine(evaluators, data):
    from archmodels.power import node_power
    from archmodels.prediction import processor_step_arguments

    ev = evaluators[data.draw(st.sampled_from(sorted(TEMPLATES)), label="template")]
    s, memory, link, cap = _design(ev, data)
    m = variant_machine(ev.template, s, memory, link, cap)
    g = np.array([ev.memory.index(memory)])
    lk = np.array([ev.links.index(link)])
    t_unit, p_node, ok = ev.node_rates(np.array([s]), g, np.array([cap]), lk)
    assert ok.all()
    proc = m.node.processors[0]
    power = node_power(m.node)
    for i, w in enumerate(ev.study.workloads):
        wl = archmodels.load_workload(w)
        args = ev.step_arguments(i, np.array([s]), int(g[0]), ev.node_power_terms(np.array([cap])))
        present = ev.levels_present(np.array([s]))
        prec = proc.precision_for(wl.precision, wl.matrix)
        expect = processor_step_arguments(proc, power, wl, prec, wl.units_for(proc.outer_memory.capacity_bytes),
                                          float(ev.node_power_terms(np.array([cap]))["cap_w"][0]), ev.technology)
        for key, value in expect.items():
            a = np.asarray(args[key], dtype=float)
            if np.ndim(value):  # a per-level list: the sweep's row, levels present only
                got = np.broadcast_to(a, present.shape)[0][present[0]]
            else:
                got = a.reshape(-1)[0]
            np.testing.assert_allclose(got, value, rtol=1e-12, atol=0, err_msg=f"{w}: {key}")
        p = archmodels.predict(m, wl, nodes=JOB_NODES)
        assert t_unit[0, i] == pytest.approx(JOB_NODES / p.units_per_s, rel=1e-12, abs=0), w
        assert p_node[0, i] == pytest.approx(p.power_w / JOB_NODES, rel=1e-12, abs=0), w


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_sweep_and_scorecard_score_the_same_machine_alike(evaluators, data):
    """The sweep's row of a design equals the scorecard's scoring of its machine: sizing, every
    axis, idle power, cost and carbon, and feasibility (given node counts make some infeasible)."""
    from fs.evaluate import node_profile
    from fs.scoring import CheckpointInputs, SystemInputs, score_systems

    ev = evaluators[data.draw(st.sampled_from(sorted(TEMPLATES)), label="template")]
    s, memory, link, cap = _design(ev, data)
    nodes = data.draw(st.sampled_from([np.nan, 1.0, 3000.0, 40000.0]), label="nodes")
    row = ev.evaluate(pd.DataFrame({"sram_bytes": [s], "memory": [memory], "link": [link], "power_cap_w": [cap],
                                    "nodes": [nodes]})).iloc[0]
    prof = node_profile(ev.study, "design", variant_machine(ev.template, s, memory, link, cap))
    one = np.array
    ref = score_systems(ev.study, ev.reference, SystemInputs(
        time_per_unit_s=one([prof.time_per_unit_s]), busy_power_w=one([prof.busy_power_w]),
        idle_power_w=one([prof.idle_power_w]), max_power_w=one([prof.max_power_w]), memory_bytes=one([prof.memory_bytes]),
        capital_per_node_jpy=one([prof.capital_per_node_jpy]), embodied_per_node_g=one([prof.embodied_per_node_g]),
        nodes=one([nodes]), checkpoint=CheckpointInputs.stack([prof.checkpoint]),
        storage_power_w=one([prof.storage_power_w]), storage_capital_jpy=one([prof.storage_capital_jpy])))
    assert bool(row["feasible"]) == bool(ref["feasible"][0])
    for col, key in (("nodes", "nodes"), ("performance", "performance"), ("performance_per_watt", "performance_per_watt"),
                     ("power_w", "power_w"), ("average_power_w", "average_power_w"),
                     ("capital_cost_jpy", "capital_cost_jpy"), ("cost_jpy", "total_cost_jpy"), ("carbon_g", "carbon_g"),
                     ("checkpoint_s", "checkpoint_s"), ("checkpoint_waste", "checkpoint_waste"),
                     ("operability", "operability")):
        assert row[col] == pytest.approx(ref[key][0], rel=1e-12, abs=0), col


def test_the_scorecard_and_the_sweep_call_one_scoring_function():
    import inspect

    import fs.evaluate
    import fs.sweep

    assert "score_systems(" in inspect.getsource(fs.evaluate.score_case)
    assert "score_systems(" in inspect.getsource(fs.sweep.DesignEvaluator.evaluate)


def test_more_sram_never_slows_a_design(evaluator):
    ev = evaluator
    sizes = np.array([0.0, 2**20, 64 * 2**20, GIB, 16 * GIB])
    g = np.zeros(sizes.size, dtype=int)
    t, _, _ = ev.node_rates(sizes, g, np.full(sizes.size, 2400.0))
    assert np.all(np.diff(t, axis=0) <= 1e-15)
    assert (t[0] / t[-1]).max() > 1.1  # stacked SRAM helps at least one workload by 10 %


def test_a_template_without_stacked_sram_refuses_an_sram_size(evaluators):
    ev = evaluators["fugaku"]
    with pytest.raises(InputError, match="no stacked-SRAM level"):
        variant_machine(ev.template, GIB, "hbm3", "pluggable-optics", 2000.0)


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


def test_evaluate_sizes_designs_within_budgets(evaluator):
    d = latin_hypercube(2000, seed=2)
    out = evaluator.evaluate(d)
    st = evaluator.study
    assert len(out) == 2000 and out["feasible"].all()
    assert (out["power_w"] <= st.power_budget_w * (1 + 1e-9)).all()
    assert (out["capital_cost_jpy"] <= st.capital_budget_jpy * (1 + 1e-9)).all()
    assert (out["performance"] > 0).all() and (out["carbon_g"] > 0).all()
