"""Monotone where physics says so (issue 4): on the 3D-SRAM candidate node, predicted single-node time
never rises as the stacked SRAM grows (16 MiB ... 16 GiB) or as HBM bandwidth grows, for every
workload of the portfolio; and the SRAM helps at least one memory-bound workload by 10% or more."""

import copy
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archmodels import load_machine, predict
from archmodels.machine import machine_from_spec
from archmodels.spec import read_toml, validate_machine_dict
from archmodels.workload import workload_names

MIB = 2**20
CAPACITIES_MIB = [2**k for k in range(4, 15)]          # 16 MiB ... 16 GiB
HBM_TB_S = [0.5, 1, 2, 4, 6.4, 8, 12, 16, 32, 64]
PORTFOLIO = workload_names()
MEMORY_BOUND = ["stencil-7pt", "spmv", "hpcg", "llm-decode"]
REL = 1e-12   # float noise allowed when two sizes give the same traffic


#: byte-for-byte copy of the example spec machine-candidate-3d.toml (tests/data/specs/PROVENANCE.md)
SPEC = Path(__file__).resolve().parents[1] / "data" / "specs" / "machine-candidate-3d.toml"


@pytest.fixture(scope="module")
def spec_path():
    return SPEC


@lru_cache(maxsize=None)
def _raw(path: str) -> dict:
    return read_toml(path)


def candidate(path, sram_bytes=None, hbm_bytes_per_s=None):
    """The shared candidate spec with the SRAM-3D capacity or the HBM bandwidth replaced (others kept)."""
    raw = copy.deepcopy(_raw(str(path)))
    sram, hbm = raw["node"]["processors"][0]["memory"]
    assert (sram["name"], hbm["name"]) == ("SRAM-3D", "HBM3e")
    if sram_bytes is not None:
        sram["capacity"] = f"{sram_bytes:.17g} B"
    if hbm_bytes_per_s is not None:
        hbm["bandwidth"] = f"{hbm_bytes_per_s:.17g} B/s"
    return machine_from_spec(validate_machine_dict(raw, str(path)))


def single_node_times(machines, workload):
    return [predict(m, workload, nodes=1).time_s for m in machines]


def assert_non_increasing(times, what):
    for i, (a, b) in enumerate(zip(times, times[1:])):
        assert b <= a * (1 + REL), f"{what}: time rises from {a:.6g} s to {b:.6g} s at step {i + 1}"


@pytest.fixture(scope="module")
def sram_sweep(spec_path):
    return [candidate(spec_path, sram_bytes=c * MIB) for c in CAPACITIES_MIB]


@pytest.mark.parametrize("workload", PORTFOLIO)
def test_time_never_rises_as_stacked_sram_grows(sram_sweep, workload):
    assert_non_increasing(single_node_times(sram_sweep, workload),
                          f"{workload}, SRAM-3D {CAPACITIES_MIB[0]} MiB -> {CAPACITIES_MIB[-1]} MiB")


@pytest.mark.parametrize("workload", PORTFOLIO)
def test_time_never_rises_as_hbm_bandwidth_grows(spec_path, workload):
    machines = [candidate(spec_path, hbm_bytes_per_s=b * 1e12) for b in HBM_TB_S]
    assert_non_increasing(single_node_times(machines, workload), f"{workload}, HBM {HBM_TB_S} TB/s")


@settings(max_examples=60, deadline=None)
@given(workload=st.sampled_from(PORTFOLIO),
       log2_small=st.floats(min_value=24.0, max_value=34.0), grow=st.floats(min_value=0.0, max_value=10.0),
       hbm_tb_s=st.floats(min_value=0.5, max_value=64.0), hbm_grow=st.floats(min_value=1.0, max_value=8.0))
def test_monotone_between_any_two_designs(workload, log2_small, grow, hbm_tb_s, hbm_grow):
    path = SPEC
    small = 2.0**log2_small
    large = min(2.0**34, small * 2.0**grow)
    base = candidate(path, sram_bytes=small, hbm_bytes_per_s=hbm_tb_s * 1e12)
    more_sram = candidate(path, sram_bytes=large, hbm_bytes_per_s=hbm_tb_s * 1e12)
    more_hbm = candidate(path, sram_bytes=small, hbm_bytes_per_s=hbm_tb_s * hbm_grow * 1e12)
    t0 = predict(base, workload, nodes=1).time_s
    assert predict(more_sram, workload, nodes=1).time_s <= t0 * (1 + REL)
    assert predict(more_hbm, workload, nodes=1).time_s <= t0 * (1 + REL)


def test_sram_built_from_dies_is_monotone_too(tmp_path, spec_path):
    # bandwidth grows with the number of 64 MiB dies (archmodels.memtech), through the variant format
    machines = []
    for c in CAPACITIES_MIB:
        v = tmp_path / f"sram-{c}.toml"
        v.write_text(f'base = "{spec_path}"\nname = "sram-{c}"\ntitle = "candidate, {c} MiB"\nsource = "knob"\n'
                     f'[[change]]\nset = "node.processors[cpu-3d].memory[SRAM-3D].technology"\nvalue = "sram-3d"\n'
                     f'capacity = "{c} MiB"\n[sources.knob]\ntitle = "study knob"\n', encoding="utf-8")
        machines.append(load_machine(v))
    assert machines[0].node.processors[0].memory[0].capacity_bytes == 16 * MIB
    for workload in PORTFOLIO:
        assert_non_increasing(single_node_times(machines, workload), f"{workload}, SRAM-3D from dies")


def test_stacked_sram_helps_a_memory_bound_workload_by_ten_percent(sram_sweep):
    gains = {}
    for workload in MEMORY_BOUND:
        t_small, t_large = (predict(m, workload, nodes=1).time_s for m in (sram_sweep[0], sram_sweep[-1]))
        gains[workload] = 1.0 - t_large / t_small
    assert max(gains.values()) >= 0.10, gains
    # where the working set reaches the SRAM, the SRAM becomes the bound
    assert predict(sram_sweep[0], "spmv", nodes=1).bound == "memory:HBM3e"
    assert predict(sram_sweep[-1], "spmv", nodes=1).bound == "memory:SRAM-3D"
