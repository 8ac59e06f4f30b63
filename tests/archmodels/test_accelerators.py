"""MN-Core-like accelerators: balance, the portfolio against a GPU and a CPU node, MN-3's Green500 run."""

import pytest

from archmodels import load_machine, predict
from archmodels.accelerators import (MN3_GREEN500, bytes_per_flop, efficiency_by_class, green500_check,
                                     matrix_engine_view, portfolio_comparison, wins_and_losses)
from archmodels.errors import InputError
from archmodels.workload import WORKLOAD_CLASSES, workload_names

MEMORY_BOUND = ["stream-triad", "hpcg", "spmv", "stencil-7pt", "llm-decode", "graph-bfs"]


@pytest.fixture(scope="module")
def comparison():
    return portfolio_comparison()


@pytest.fixture(scope="module")
def verdicts(comparison):
    return wins_and_losses(comparison).set_index(["accelerator", "reference", "workload"])


def test_matrix_engine_view_is_the_catalog_balance():
    v = matrix_engine_view("mn-3", "fp64")
    proc = load_machine("mn-3").node.processor("MN-Core")
    assert v.processor == "MN-Core" and v.processor_type == "accelerator" and v.count == 4
    assert v.dram_bytes_per_flop == pytest.approx(proc.outer_memory.bandwidth_bytes_per_s / proc.peak_for("fp64", True))
    assert v.peak_flop_per_w == pytest.approx(32.8e12 / 600.0)
    assert v.on_chip_software_managed
    assert not matrix_engine_view("a64fx").on_chip_software_managed
    assert not matrix_engine_view("dgx-h100").on_chip_software_managed   # its L2 is a cache
    assert bytes_per_flop(1e12, 4e12) == 0.25


@pytest.mark.parametrize("precision", ["fp64", "fp16"])
def test_mn_core_has_the_least_dram_bandwidth_per_flop(precision):
    # the design point: most silicon in arithmetic, little DRAM bandwidth behind it
    mn = [matrix_engine_view(m, precision).dram_bytes_per_flop for m in ("mn-3", "mn-core-2")]
    others = [matrix_engine_view(m, precision).dram_bytes_per_flop for m in ("dgx-h100", "a64fx")]
    assert max(mn) < min(others)


def test_efficiency_by_class_covers_every_class():
    df = efficiency_by_class()
    assert len(df) == 3 * len(WORKLOAD_CLASSES)
    assert ((df["compute"] > 0) & (df["compute"] <= 1) & (df["memory"] > 0) & (df["memory"] <= 1)).all()


def test_comparison_solves_the_same_problem_on_every_node(comparison):
    assert set(comparison["workload"]) == set(workload_names())
    for wl, group in comparison.groupby("workload"):
        assert group["units_per_node"].nunique() == 1
        defaults = [predict(m, wl, nodes=1).units_per_node for m in group["machine"]]
        assert group["units_per_node"].iloc[0] == min(defaults)
    row = comparison.set_index(["workload", "machine"]).loc[("hpcg", "mn-3")]
    p = predict("mn-3", "hpcg", nodes=1, units_per_node=row["units_per_node"])
    assert row["time_s"] == pytest.approx(p.time_s) and row["energy_j"] == pytest.approx(p.energy_j)


def test_ratios_are_accelerator_over_reference(comparison, verdicts):
    by = comparison.set_index(["workload", "machine"])
    v = verdicts.loc[("mn-3", "dgx-h100", "hpl")]
    assert v["time_ratio"] == pytest.approx(by.loc[("hpl", "mn-3"), "time_s"] / by.loc[("hpl", "dgx-h100"), "time_s"])
    assert v["faster"] == (v["time_ratio"] < 1) and v["less_energy"] == (v["energy_ratio"] < 1)


@pytest.mark.parametrize("workload", MEMORY_BOUND)
def test_mn_core_loses_bandwidth_bound_work_to_the_gpu_node(verdicts, workload):
    for acc in ("mn-3", "mn-core-2"):
        v = verdicts.loc[(acc, "dgx-h100", workload)]
        assert v["accelerator_bound"].startswith("memory:")
        assert not v["faster"] and not v["less_energy"]


def test_mn_3_wins_dense_matrix_work_against_the_cpu_node(verdicts):
    for wl in ("hpl", "dgemm", "llm-train"):
        v = verdicts.loc[("mn-3", "a64fx", wl)]
        assert v["faster"] and v["less_energy"], wl
    # and spends more energy than the CPU node wherever DRAM bandwidth decides
    for wl in MEMORY_BOUND:
        assert not verdicts.loc[("mn-3", "a64fx", wl)]["less_energy"], wl


def test_mn_core_trains_on_less_energy_than_the_gpu_node(verdicts):
    for acc in ("mn-3", "mn-core-2"):
        v = verdicts.loc[(acc, "dgx-h100", "llm-train")]
        assert v["less_energy"] and not v["faster"]


def test_green500_run_is_reproduced_within_the_issue_bound():
    checks = {c["metric"]: c for c in green500_check()}
    assert MN3_GREEN500["rmax_flop_per_s"] / MN3_GREEN500["power_w"] == pytest.approx(39.379e9)
    assert load_machine("mn-3").nodes == MN3_GREEN500["nodes"] == 32
    g = checks["gflops_per_w"]
    assert g["published"] == pytest.approx(39.38e9, rel=1e-3)
    assert abs(g["error"]) <= 0.20, g
    # the ratio is the rate over the power: its error follows from theirs
    assert 1 + g["error"] == pytest.approx((1 + checks["hpl"]["error"]) / (1 + checks["hpl_power"]["error"]))


def test_comparison_needs_two_machines():
    with pytest.raises(InputError, match="two"):
        portfolio_comparison(["mn-3"])
