"""fs.design_space and fs.optimise: design points are real machines, the search is seeded, resumable,
identical serially and on Dask, and every Pareto design's machine file reproduces its objectives."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pymoo")

STUDY = Path(__file__).resolve().parents[2] / "fs" / "studies" / "fugakunext.toml"

SPACE = """
[design_space]
requirements = "report"
[[design_space.node]]
base = "mi300a-node"
devices = [2, 8]
memory = ["hbm4", "hbm5"]
stacks = [4, 12]
link = ["electrical", "co-packaged-optics"]
power_cap = [0.6, 1.2]
[[design_space.node]]
base = "cand-cpu-3dsram-cpo"
cores = [0.5, 2.0]
sram = ["0 B", "4 GiB"]
link = ["pluggable-optics", "co-packaged-optics"]
"""


def _study(tmp_path, space=SPACE):
    from fs.study import load_study

    text = STUDY.read_text()
    start, end = text.index("[design_space]"), text.index("[sources.fugakunext-rfp]")
    path = tmp_path / "study.toml"
    path.write_text(text[:start] + text[end:] + space)   # the built-in space swapped for a small one
    return load_study(path)


def test_each_knob_moves_the_machine_it_names(tmp_path):
    from archmodels.memtech import memory_technology
    from fs.design_space import design_spec, load_design_space, machine_of

    space = load_design_space(_study(tmp_path))
    assert space.year == 2030 and [f.kind for f in space.families] == ["gpu", "cpu"]
    gpu = space.families[0]
    a = machine_of(design_spec(gpu, {"devices": 2, "memory": "hbm4", "stacks": 4}, "a"))
    b = machine_of(design_spec(gpu, {"devices": 6, "memory": "hbm5", "stacks": 10}, "b"))
    pa, pb = a.node.processors[0], b.node.processors[0]
    assert (pa.count, pb.count) == (2, 6)
    assert pb.memory[-1].bandwidth_bytes_per_s == pytest.approx(10 * memory_technology("hbm5").bandwidth_per_unit_bytes_per_s)
    assert pa.memory[-1].capacity_bytes == pytest.approx(4 * memory_technology("hbm4").capacity_per_unit_bytes)
    assert b.node.power_max_w - a.node.power_max_w == pytest.approx(4 * pa.tdp_w)  # four more devices' TDP
    cpu = space.families[1]
    no = machine_of(design_spec(cpu, {"sram": 0.0}, "c"))
    big = machine_of(design_spec(cpu, {"sram": 2.0 * 2**30, "cores": 2.0}, "d"))
    assert not any(lv.technology == "sram-3d" for lv in no.node.processors[0].memory)
    assert [lv.capacity_bytes for lv in big.node.processors[0].memory if lv.technology == "sram-3d"] == [2.0 * 2**30]
    base = machine_of(design_spec(cpu, {}, "e")).node.processors[0]
    assert big.node.processors[0].peak_flop_per_s["fp64"] == pytest.approx(2 * base.peak_flop_per_s["fp64"])


def test_copper_cannot_span_a_large_machine_room(tmp_path):
    from fs.design_space import design_spec, load_design_space, with_network

    fam = load_design_space(_study(tmp_path)).families[0]
    raw = design_spec(fam, {"link": "electrical"}, "x")
    assert with_network(raw, "electrical", 20_000)[1] > 0   # ~45 m of cable, copper reaches 2 m
    assert with_network(raw, "co-packaged-optics", 20_000)[1] <= 0


def test_bad_design_space_names_the_field(tmp_path):
    from archmodels.errors import InputError
    from fs.design_space import load_design_space

    with pytest.raises(InputError, match="unknown knob 'gpus'") as err:
        load_design_space(_study(tmp_path, '\n[design_space]\n[[design_space.node]]\nbase = "mi300a-node"\ngpus = [1, 4]\n'))
    assert "design_space.node[0].gpus" in str(err.value.location)
    with pytest.raises(InputError, match="link"):
        load_design_space(_study(tmp_path, '\n[design_space]\n[[design_space.node]]\nbase = "mi300a-node"\nlink = ["copper"]\n'))


def _run(study, out, executor=None, **kw):
    from fs.optimise import run_optimise

    return run_optimise(study, out, generations=2, population=6, seed=7, chunk=4, executor=executor, **kw)


@pytest.fixture(scope="module")
def serial_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("opt")
    study = _study(tmp)
    return study, _run(study, tmp / "serial"), tmp


def test_pareto_machine_files_reproduce_their_objectives(serial_run):
    import archmodels
    from fs.evaluate import JOB_NODES
    from fs.optimise import OBJECTIVES, evaluate_machines

    study, result, _ = serial_run
    assert result["pareto"], "no feasible design in the tiny run"
    for p in result["pareto"]:
        m = archmodels.load_machine(p["machine_file"])
        row = evaluate_machines(study, [m], ["again"]).iloc[0]
        for col, _ in OBJECTIVES:
            assert row[col] == pytest.approx(p["objectives"][col], rel=1e-9, abs=0)
        assert row["power_w"] <= study.power_budget_w * (1 + 1e-9)
        assert row["capital_cost_jpy"] <= study.capital_budget_jpy * (1 + 1e-9)
    best = result["pareto"][0]
    r = subprocess.run([sys.executable, "-m", "fs", "predict", "-m", best["machine_file"], "-w", "stencil-7pt",
                        "--nodes", str(JOB_NODES), "--json"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    p = archmodels.predict(archmodels.load_machine(best["machine_file"]), archmodels.load_workload("stencil-7pt"),
                           nodes=JOB_NODES)
    assert (got[0] if isinstance(got, list) else got)["units_per_s"] == pytest.approx(float(p.units_per_s), rel=1e-9)


def test_best_vs_random_is_the_ratio_of_the_best_feasible_speedups(serial_run):
    _, result, tmp = serial_run
    designs = pd.read_parquet(tmp / "serial" / "designs.parquet")
    rnd = pd.read_parquet(tmp / "serial" / "random.parquet")
    assert len(rnd) == len(designs) == result["evaluations"] == 12
    b = result["best_vs_random"]["performance"]
    assert b["optimiser"] == designs.loc[designs.feasible, "performance"].max()
    assert b["random"] == rnd.loc[rnd.feasible, "performance"].max()
    assert b["ratio"] == pytest.approx(b["optimiser"] / b["random"])
    front = designs[designs.pareto]
    assert set(front["design"]) == {p["design"] for p in result["pareto"]}
    assert (tmp / "serial" / "best.toml").read_text() == Path(result["pareto"][0]["machine_file"]).read_text()
    for name in ("pareto", "marginal_values"):
        assert Path(result["figures"][name]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = (tmp / "serial" / "report.md").read_text()
    assert f"| {result['pareto'][0]['design']} | {result['pareto'][0]['family']} |" in report
    assert "![Pareto projections](pareto.png)" in report
    mv = pd.read_csv(tmp / "serial" / "marginal_values.csv")
    assert list(mv["change"]) == [r["change"] for r in result["marginal_values"]]


def test_dask_run_gives_the_same_designs(serial_run):
    distributed = pytest.importorskip("distributed")
    from fs.executors import DaskExecutor

    study, result, tmp = serial_run
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cl, \
            distributed.Client(cl) as client:
        dask_result = _run(study, tmp / "dask", DaskExecutor(client), random_baseline=False)
    a = pd.read_parquet(tmp / "serial" / "designs.parquet")
    b = pd.read_parquet(tmp / "dask" / "designs.parquet")
    pd.testing.assert_frame_equal(a, b)
    assert [p["objectives"] for p in dask_result["pareto"]] == [p["objectives"] for p in result["pareto"]]


def test_an_interrupted_run_resumes_to_the_same_designs(serial_run):
    study, _, tmp = serial_run

    class Stop(Exception):
        pass

    def stop_after_first(done, total):
        if done == 1:
            raise Stop

    with pytest.raises(Stop):
        _run(study, tmp / "resumed", progress=stop_after_first, random_baseline=False)
    assert (tmp / "resumed" / "optimise-state.pkl").is_file()
    assert not (tmp / "resumed" / "designs.parquet").exists()
    _run(study, tmp / "resumed", random_baseline=False)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp / "serial" / "designs.parquet"),
                                  pd.read_parquet(tmp / "resumed" / "designs.parquet"))


def test_another_seed_searches_other_designs(serial_run):
    study, _, tmp = serial_run
    from fs.optimise import run_optimise

    run_optimise(study, tmp / "seed8", generations=1, population=6, seed=8, random_baseline=False)
    a = pd.read_parquet(tmp / "serial" / "designs.parquet")
    b = pd.read_parquet(tmp / "seed8" / "designs.parquet")
    assert not np.array_equal(a["performance"].to_numpy()[:6], b["performance"].to_numpy())


def test_cli_writes_the_pareto_table_and_the_best_machine(tmp_path):
    study = _study(tmp_path)
    r = subprocess.run([sys.executable, "-m", "fs", "study", "optimise", study.file, "--out", str(tmp_path / "o"),
                        "--generations", "1", "--population", "4", "--seed", "3", "--sobol-samples", "4",
                        "--json"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout)
    assert {"pareto", "best_vs_random"} <= set(out)
    if out["pareto"]:
        assert out["sobol"]["samples"] == 4 * (2 * len(out["sobol"]["factors"]) + 2)
    table = pd.read_csv(tmp_path / "o" / "pareto.csv")
    assert len(table) == len(out["pareto"]) and "machine_file" in table and "performance" in table
    if out["pareto"]:
        assert Path(out["best_machine_file"]).is_file()
        assert all(math.isfinite(p["objectives"]["cost"]) for p in out["pareto"])


def test_marginal_values_move_one_knob_and_enforce_reach(tmp_path):
    from fs.design_space import load_design_space
    from fs.technology_value import marginal_values

    study = _study(tmp_path)
    space = load_design_space(study)
    values = {"devices": 4, "memory": "hbm5", "stacks": 8, "link": "co-packaged-optics", "power_cap": 1.0}
    mv = {r["change"]: r for r in marginal_values(study, space, space.families[0], values)}
    assert "pluggable-optics" in mv and "co-packaged-optics" not in mv   # already in CPO: no move
    assert not mv["copper"]["feasible"]          # thousands of nodes: copper cannot reach
    assert mv["devices+1"]["nodes"] < mv["hbm_stack+1"]["nodes"] or mv["devices+1"]["delta_performance"] != 0
    for r in mv.values():
        assert r["speedup_per_mw"] == pytest.approx(r["performance"] / (r["performance"] / r["speedup_per_mw"]))
        assert math.isfinite(r["delta_speedup_per_billion_jpy"])


def test_sobol_indices_attribute_carbon_to_the_grid_not_the_speedup(tmp_path):
    from fs.design_space import load_design_space
    from fs.optimise import evaluate_points
    from fs.technology_value import sobol_indices

    study = _study(tmp_path)
    space = load_design_space(study)
    values = {"devices": 4, "memory": "hbm5", "stacks": 8, "link": "co-packaged-optics"}
    design = evaluate_points(study, space, [(space.families[0], values)]).iloc[0]
    s = sobol_indices(study, design["machine_toml"], samples=4, seed=1)
    assert {"grid:*:carbon_intensity", "cost:*:capital", "network:co-packaged-optics:energy_per_bit",
            "roadmap:logic_energy"} <= set(s["factors"])
    assert "memory:hbm3e:energy_per_bit" not in s["factors"]   # the design has no HBM3e: left out
    assert s["samples"] == 4 * (2 * len(s["factors"]) + 2)
    perf = s["indices"]["performance"]
    assert perf["grid:*:carbon_intensity"]["ST"] == pytest.approx(0.0, abs=1e-12)
    assert s["indices"]["carbon"]["grid:*:carbon_intensity"]["ST"] > 0.05


def test_report_section_shows_the_search(serial_run):
    from fs.report import _markdown
    from fs.report_optimise import optimise_section

    _, result, tmp = serial_run
    assert optimise_section(tmp / "nothing-here") is None
    section = optimise_section(tmp / "serial")
    md = _markdown("t", [section])
    assert "## Design search" in md
    best = result["best_vs_random"]["performance"]
    assert f"| performance | {best['optimiser']:.4g} | {best['random']:.4g} | {best['ratio']:.3f} |" in md
    assert all(f"| {m['change']} |" in md for m in result["marginal_values"])
