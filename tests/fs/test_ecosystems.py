"""Stated productivity and commercial reach per software ecosystem (fs.ecosystems)."""

import dataclasses
from pathlib import Path
from types import MappingProxyType, SimpleNamespace

import pytest

import archmodels
from archmodels.errors import SpecError
from archmodels.machine import MemoryLevel, Processor
from fs.ecosystems import DEFAULT_ECOSYSTEM, ecosystems, processor_ecosystem, stated_score
from fs.study import load_study

BUILTIN = Path(__file__).parents[2] / "fs" / "studies" / "fugakunext.toml"
CATALOG = Path(archmodels.__file__).parent / "catalog"


def _value(eco, axis):
    return ecosystems()["ecosystems"][eco][axis]["value"]


def _study(tmp_path, edit=lambda t: t):
    path = tmp_path / "study.toml"
    path.write_text(edit(BUILTIN.read_text()))
    return path


@pytest.fixture(scope="module")
def builtin():
    return load_study("fugakunext")


def _profiles(study, multipliers=None):
    from fs.evaluate import node_profiles

    ref, profiles, _ = node_profiles(study, multipliers)
    return {p.label: p for p in (ref, *profiles)}


def test_every_table_score_is_cited_or_a_judgement_with_its_spread():
    table = ecosystems()["ecosystems"]
    assert {"cuda", "rocm", "oneapi", "arm-sve", "arm-sve-fujitsu", "x86", "mn-core"} <= set(table)
    assert set(DEFAULT_ECOSYSTEM.values()) <= set(table)
    for name, eco in table.items():
        for axis in ("productivity", "commercial_reach"):
            s = eco[axis]
            assert 0 <= s["low"] <= s["value"] <= s["high"] <= 1, (name, axis)
            assert s.get("source") in ecosystems()["sources"] or (s["basis"] == "judgement" and s["reason"])


def test_catalog_processors_map_to_their_ecosystem():
    want = {("mi300a-node", "MI300A"): "rocm", ("frontier", "MI250X"): "rocm", ("dgx-h100", "H100-SXM5"): "cuda",
            ("gh200-node", "H100-GH200"): "cuda", ("gh200-node", "Grace"): "arm-sve", ("fugaku", "A64FX"): "arm-sve-fujitsu",
            ("aurora", "GPU-Max-1550"): "oneapi", ("mn-3", "MN-Core"): "mn-core", ("dgx-h100", "Xeon-8480C"): "x86"}
    for (machine, proc), eco in want.items():
        p = next(p for p in archmodels.load_machine(machine).node.processors if p.name == proc)
        assert processor_ecosystem(p) == eco, (machine, proc)
    # an unnamed part of a file without `ecosystem` falls back to its type's default
    p = next(p for p in archmodels.load_machine("mn-core-2").node.processors if p.type == "cpu")
    assert p.ecosystem is None and processor_ecosystem(p) == "x86"


def test_cuda_and_rocm_gpus_differ_by_the_table(builtin):
    prof = _profiles(builtin)
    # mi300a-node is one MI300A (rocm): its scores are rocm's
    assert prof["mi300a-node"].productivity == pytest.approx(_value("rocm", "productivity"))
    assert prof["mi300a-node"].commercial_reach == pytest.approx(_value("rocm", "commercial_reach"))
    m = archmodels.load_machine("mi300a-node")
    as_cuda = dataclasses.replace(m, node=dataclasses.replace(m.node, processors=tuple(
        dataclasses.replace(p, ecosystem="cuda") for p in m.node.processors)))
    wl = [archmodels.load_workload(w) for w in builtin.workloads]
    for axis in ("productivity", "commercial_reach"):
        cuda = stated_score(as_cuda, axis, {}, wl, builtin.workload_weights)
        rocm = stated_score(m, axis, {}, wl, builtin.workload_weights)
        assert cuda == pytest.approx(_value("cuda", axis)) and rocm == pytest.approx(_value("rocm", axis))
        assert cuda != rocm


def _processor(name, type_, peak, matrix=None):
    mem = (MemoryLevel("hbm", "hbm3", 64e9, 1e12, None, None, False),)
    return Processor(name, type_, 1, MappingProxyType(peak), MappingProxyType(matrix or {}), mem)


def test_the_portfolio_precision_weights_a_mixed_node():
    # hand-built: a CPU (fp64 10, bf16 20 TFLOP/s) and a GPU (fp64 50, bf16 matrix 1000 TFLOP/s)
    node = SimpleNamespace(node=SimpleNamespace(processors=(
        _processor("c", "cpu", {"fp64": 10e12, "bf16": 20e12}),
        _processor("g", "gpu", {"fp64": 50e12}, {"bf16": 1000e12}))), hypothetical=False)
    fp64 = SimpleNamespace(precision="fp64", matrix=False)
    bf16 = SimpleNamespace(precision="bf16", matrix=True)
    cpu, gpu = _value("x86", "productivity"), _value("cuda", "productivity")
    # an FP64 portfolio weighs the parts 10 : 50, not by their maximum peaks 20 : 1000
    got = stated_score(node, "productivity", {}, [fp64], [1.0])
    assert got == pytest.approx((10 * cpu + 50 * gpu) / 60)
    max_peak = (20 * cpu + 1000 * gpu) / 1020
    assert got > max_peak  # the CPU's larger FP64 share pulls the score toward its own
    # half FP64, half BF16 matrix: shares 0.5*10 + 0.5*20 = 15 and 0.5*50 + 0.5*1000 = 525
    got_mixed = stated_score(node, "productivity", {}, [fp64, bf16], [0.5, 0.5])
    assert got_mixed == pytest.approx((15 * cpu + 525 * gpu) / 540)
    assert max_peak < got_mixed < got


def test_a_study_override_replaces_the_table_value(tmp_path):
    s = load_study(_study(tmp_path, lambda t: t + '\n[assumptions]\nproductivity = { rocm = 0.2, Grace = 0.4 }\n'))
    prof = _profiles(s)
    assert prof["mi300a-node"].productivity == pytest.approx(0.2)
    assert prof["mi300a-node"].commercial_reach == pytest.approx(_value("rocm", "commercial_reach"))
    targets = {u.target for u in s.uncertainties}
    # the table's spread is about the table's value: an overridden score carries none by default
    assert "ecosystem:rocm:productivity" not in targets and "ecosystem:rocm:commercial_reach" in targets
    # Grace's name override leaves arm-sve's table score to cpu-3d, whose spread stays; the
    # ecosystem's multiplier moves cpu-3d, not the overridden Grace
    assert "ecosystem:arm-sve:productivity" in targets
    halved = _profiles(s, {"ecosystem:arm-sve:productivity": 0.5})
    assert halved["gh200-node"].productivity == prof["gh200-node"].productivity
    assert halved["cand-cpu-3dsram-cpo"].productivity == pytest.approx(0.5 * prof["cand-cpu-3dsram-cpo"].productivity)


@pytest.mark.parametrize("edit, field", [
    (lambda t: t + '\n[assumptions]\nproductivity = { rocmm = 0.2 }\n', "assumptions.productivity.rocmm"),
    (lambda t: t + '\n[[uncertainty]]\ntarget = "ecosystem:nope:productivity"\n'
                   'distribution = { kind = "uniform", low = 0.9, high = 1.1 }\n', "uncertainty[5].target"),
    (lambda t: t + '\n[[uncertainty]]\ntarget = "ecosystem:oneapi:productivity"\n'
                   'distribution = { kind = "uniform", low = 0.9, high = 1.1 }\n', "uncertainty[5].target"),
    (lambda t: t.replace('machine = "mi300a-node"', 'machine = "bad-node.toml"'),
     "machine 'bad-node.toml' node.processors[0].ecosystem"),
])
def test_unknown_ecosystems_are_errors_naming_the_field(tmp_path, edit, field):
    bad = (CATALOG / "mi300a-node.toml").read_text().replace('ecosystem = "rocm"', 'ecosystem = "rocn"')
    (tmp_path / "bad-node.toml").write_text(bad)
    with pytest.raises(SpecError) as err:
        load_study(_study(tmp_path, edit))
    assert field in [f for f, _ in err.value.problems]


def test_the_ecosystem_uncertainty_moves_scores_across_samples(builtin):
    from fs.uncertainty import sample_multipliers

    rocm = ecosystems()["ecosystems"]["rocm"]["productivity"]
    values = [_profiles(builtin, sample_multipliers(builtin.uncertainties, builtin.seed, i))["mi300a-node"].productivity
              for i in range(6)]
    assert len(set(values)) == 6 and all(rocm["low"] <= v <= rocm["high"] for v in values)
    # the table's spreads are listed as uncertainty inputs with their source
    from fs.provenance import run_metadata
    from fs.report_page_one import uncertainty_table

    meta = run_metadata(builtin, samples=0, executor="serial", computed=0, reused=0, sweep_points=0)
    rows = uncertainty_table(meta["study"]["uncertainties"])
    assert ["ecosystem:rocm:productivity", "triangular"] == rows[[r[0] for r in rows].index(
        "ecosystem:rocm:productivity")][:2]
    assert {r[3] for r in rows if r[0].startswith("ecosystem:")} == {"ecosystems.toml"}


@pytest.mark.parametrize("edit, location", [
    (lambda t: t["rocm"]["productivity"].update(low=0.7), "rocm.productivity"),           # low above value
    (lambda t: t["rocm"]["productivity"].pop("basis"), "rocm.productivity"),             # neither cited nor judged
    (lambda t: t["rocm"]["productivity"].update(informed_by="nowhere"), "rocm.productivity.informed_by"),
])
def test_a_broken_table_is_an_error_naming_its_field(edit, location):
    import copy
    import tomllib

    from archmodels.errors import InputError
    from fs.ecosystems import checked_table

    table = tomllib.loads((Path(__file__).parents[2] / "fs" / "data" / "ecosystems.toml").read_text())
    broken = copy.deepcopy(table)
    edit(broken)
    with pytest.raises(InputError) as err:
        checked_table(broken)
    assert err.value.location == location and "ecosystems.toml" in str(err.value)
    assert checked_table(table)["ecosystems"]["rocm"]["productivity"]["value"] == 0.5
