"""Capability (fs.capability): strong scaling to the optimum, the reference against itself, and
time-to-solution and capability-speedup requirements."""

import dataclasses

import numpy as np
import pytest

import archmodels
from archmodels.problem_size import default_units_per_node
from fs.capability import capability_columns, job_sizes, time_to_solution
from fs.evaluate import node_profiles, score_case
from fs.study import Requirement, load_study


@pytest.fixture(scope="module")
def builtin():
    return load_study("fugakunext")


@pytest.fixture(scope="module")
def nominal(builtin):
    reference, profiles, _ = node_profiles(builtin)
    return reference, profiles


def test_job_sizes():
    assert job_sizes(1) == [1]
    assert job_sizes(8) == [1, 2, 4, 8]
    assert job_sizes(100) == [1, 2, 4, 8, 16, 32, 64, 100]


def test_time_falls_with_nodes_until_the_optimum():
    """HPCG's 1/64 of a Fugaku node's problem: the time falls to 64 nodes, then the network's
    allreduce latency makes more nodes slower; the job kept is the optimum, not the 4096 allowed."""
    m = archmodels.load_machine("fugaku")
    wl = archmodels.load_workload("hpcg")
    units = default_units_per_node(m, wl) / 64
    cap = time_to_solution(m, wl, units, 4096)
    times = {n: archmodels.predict(m.with_nodes(4096), wl, nodes=n, units_per_node=units / n).time_s
             for n in job_sizes(4096)}
    counts = sorted(times)
    before = [times[n] for n in counts if n <= cap.nodes]
    assert 1 < cap.nodes < 4096
    assert all(a > b for a, b in zip(before, before[1:]))
    assert cap.time_s == pytest.approx(min(times.values()))
    assert times[4096] > cap.time_s
    assert cap.parallel_efficiency == pytest.approx(times[1] / (cap.time_s * cap.nodes))


def test_problem_that_fits_no_job_takes_forever():
    m = archmodels.load_machine("fugaku")
    wl = archmodels.load_workload("hpcg")
    cap = time_to_solution(m, wl, default_units_per_node(m, wl) * 64, 8)
    assert cap.time_s == np.inf and cap.nodes == 0


def test_reference_against_itself_is_one(builtin, nominal):
    reference, _ = nominal
    cols = capability_columns(builtin, reference.spec, reference.machine_nodes, reference.spec,
                              reference.machine_nodes)
    assert cols["capability_speedup"] == pytest.approx(1.0)
    for w in builtin.workloads:
        assert cols[f"capability_speedup:{w}"] == pytest.approx(1.0)
        assert 0 < cols[f"capability_time_s:{w}"] < np.inf
        assert 1 <= cols[f"capability_nodes:{w}"] <= reference.machine_nodes


def test_scorecard_columns(builtin, nominal):
    """The portfolio's capability speedup is the weighted geometric mean of the per-workload ratios."""
    reference, profiles = nominal
    df = score_case(builtin, reference, profiles)
    w = np.asarray(builtin.workload_weights) / sum(builtin.workload_weights)
    for _, row in df.iterrows():
        ratios = np.array([row[f"capability_speedup:{x}"] for x in builtin.workloads])
        assert row["capability_speedup"] == pytest.approx(np.exp(np.log(ratios) @ w))
        assert all(row[f"capability_nodes:{x}"] <= row["nodes"] for x in builtin.workloads)


def _with(study, *requirements):
    return dataclasses.replace(study, requirements=tuple(requirements))


@pytest.mark.parametrize("quantity", ["time_to_solution", "capability_speedup"])
def test_requirement_met_and_missed(builtin, nominal, quantity):
    """A bound just beyond a candidate's own value is missed, one just inside it is met."""
    reference, profiles = nominal
    column = "capability_time_s:fft3d" if quantity == "time_to_solution" else "capability_speedup"
    workload = "fft3d" if quantity == "time_to_solution" else None
    bound = "at_most" if quantity == "time_to_solution" else "at_least"
    row = score_case(builtin, reference, profiles).set_index("candidate").loc["fugakunext-like"]
    value = row[column]
    tighter, looser = (0.9, 1.1) if bound == "at_most" else (1.1, 0.9)
    study = _with(builtin, Requirement(quantity, bound, value * tighter, "x", workload),
                  Requirement(quantity, bound, value * looser, "x", workload))
    out = score_case(study, reference, profiles).set_index("candidate").loc["fugakunext-like"]
    assert out["requirement:0:value"] == pytest.approx(value)
    assert not out["requirement:0:met"] and out["requirement:0:factor"] == pytest.approx(0.9 if bound == "at_most" else 1 / 1.1)
    assert out["requirement:1:met"]
    assert not out["meets_requirements"]


def test_spec_requires_the_workload_of_a_time_to_solution():
    from pydantic import ValidationError

    from fs.spec import RequirementSpec

    with pytest.raises(ValidationError, match="names its workload"):
        RequirementSpec(quantity="time_to_solution", at_most="10 s")
    assert RequirementSpec(quantity="time_to_solution", workload="fft3d", at_most="10 s").bound == "at_most"
    assert RequirementSpec(quantity="capability_speedup", at_least=2).workload is None


def test_json_beside_the_throughput_speedup(builtin, nominal):
    from fs.pipeline import candidates_json
    from fs.runner import summarise

    reference, profiles = nominal
    rows = score_case(builtin, reference, profiles).assign(case="nominal")
    out = {c["name"]: c for c in candidates_json(summarise(rows))}
    row = rows.set_index("candidate").loc["fugakunext-like"]
    cap = out["fugakunext-like"]["capability"]
    assert cap["speedup"] == pytest.approx(row["capability_speedup"])
    assert set(cap["workloads"]) == set(builtin.workloads)
    assert cap["workloads"]["fft3d"]["time_s"] == pytest.approx(row["capability_time_s:fft3d"])
