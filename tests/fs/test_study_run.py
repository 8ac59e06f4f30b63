"""Running a study: rows, serial/process/Dask identity, resumption, CLI JSON and exit codes."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from fs.cli import main
from fs.executors import DaskExecutor, ProcessExecutor
from fs.runner import run_study, summarise, tornado

DATA = Path(__file__).parents[1] / "data" / "study"


def _datasheeted(folder: Path) -> Path:
    """A copy of the example study and its machines in ``folder``, its candidates as datasheeted
    (``project_candidates = "none"``, fs.projected_candidates): these tests are about the run, and
    count the example's shipping candidates and their uncertainties."""
    shutil.copytree(DATA, folder, dirs_exist_ok=True)
    path = folder / "study-fugakunext.toml"
    path.write_text(path.read_text().replace("seed = 20261129", 'seed = 20261129\nproject_candidates = "none"', 1))
    return path


@pytest.fixture(scope="module")
def serial_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    return run_study(_datasheeted(tmp_path_factory.mktemp("spec")), out, samples=12, chunk_size=4)


def test_rows_hold_every_case_with_its_seed(serial_run):
    rows = serial_run.rows
    n_cand = 3
    assert (rows["case"] == "nominal").sum() == n_cand
    from fs.model_error import SOURCE as MODEL

    every = serial_run.study.uncertainties
    stated = [u for u in every if u.source is None]
    table = [u for u in every if u.source == "ecosystems.toml"]
    model = [u for u in every if u.source == MODEL]
    # no candidate of this study is flagged hypothetical: no implied spreads; three machines x three classes
    assert len(stated) == 3 and table and len(model) == 9 and len(stated) + len(table) + len(model) == len(every)
    assert (rows["case"] == "tornado").sum() == n_cand * 2 * len(every)
    mc = rows[rows["case"] == "monte-carlo"]
    assert len(mc) == n_cand * 12 and sorted(mc["sample"].unique()) == list(range(12))
    assert (rows["seed"] == 20261129).all()
    assert mc.groupby("sample")["sample_seed"].nunique().eq(1).all() and mc["sample_seed"].nunique() == 12
    # multipliers differ between samples and stay in their ranges
    m = mc["mult:memory:hbm3e:energy_per_bit"]
    assert m.between(0.8, 2.0).all() and m.nunique() == 12
    assert serial_run.chunks.computed == (0, 1, 2, 3) and serial_run.chunks.reused == ()


def test_monte_carlo_changes_only_candidates_with_the_technology(serial_run):
    mc = serial_run.rows[serial_run.rows["case"] == "monte-carlo"]
    per = mc.groupby("candidate")["performance"].nunique()
    # Fugaku (HBM2, Tofu) has none of the uncertain technologies; the 3D-SRAM candidate has all three
    assert per["fugaku"] == 1 and per["cand-cpu-3dsram-cpo"] > 1


def test_summary_probabilities_and_tornado(serial_run):
    s = summarise(serial_run.rows)
    assert s["p_rank_first"].sum() == pytest.approx(1.0)
    assert (s["score_p05"] <= s["score_p95"]).all()
    t = tornado(serial_run.rows)
    assert set(t["parameter"]) == {"memory:hbm3e:energy_per_bit", "memory:sram-3d:bandwidth",
                                   "network:co-packaged-optics:energy_per_bit",
                                   *(u.target for u in serial_run.study.uncertainties if u.kind in ("ecosystem", "model"))}
    assert set(t["source"]) == {""}  # no sources given
    cand = t[t["candidate"] == "cand-cpu-3dsram-cpo"].set_index("parameter")
    # less SRAM bandwidth can only hurt the SRAM candidate's score
    assert cand.loc["memory:sram-3d:bandwidth", "low"] < 0


def test_no_probability_of_ranking_first_without_samples(serial_run):
    from fs.pipeline import candidates_json
    from fs.report import _verdict, scorecard_table
    from fs.runner import in_rank_order

    s = summarise(serial_run.rows[serial_run.rows["case"] != "monte-carlo"])
    assert s["p_rank_first"].isna().all()
    assert all(c["p_rank_first"] is None for c in candidates_json(s))
    table = scorecard_table(s)
    col = table[0].index("P(first)")
    assert {row[col] for row in table[1:]} == {"no uncertainty sampled"}
    assert "no uncertainty sampled" in _verdict(in_rank_order(s), [], 0) and "%" not in _verdict(in_rank_order(s), [], 0)


def test_summary_intervals_on_speedup_power_cost_and_checkpoint(serial_run):
    from fs.pipeline import candidates_json

    s = summarise(serial_run.rows).set_index("candidate")
    for col in ("performance", "power_w", "total_cost_jpy", "checkpoint_s"):
        assert (s[f"{col}_p05"] <= s[f"{col}_p95"]).all()
    # the SRAM candidate's speedup moves with its uncertain SRAM bandwidth; Fugaku has none of them
    assert s.loc["cand-cpu-3dsram-cpo", "performance_p05"] < s.loc["cand-cpu-3dsram-cpo", "performance_p95"]
    assert s.loc["fugaku", "performance_p05"] == s.loc["fugaku", "performance_p95"]
    c = {c["name"]: c for c in candidates_json(s.reset_index())}["cand-cpu-3dsram-cpo"]
    assert c["intervals"]["performance"] == [s.loc["cand-cpu-3dsram-cpo", "performance_p05"],
                                             s.loc["cand-cpu-3dsram-cpo", "performance_p95"]]


@pytest.mark.slow
def test_dask_cluster_gives_identical_rows(serial_run, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        rows = _rows_with(DaskExecutor(cluster.scheduler_address), serial_run.study.file, tmp_path)  # as --scheduler tcp://HOST:PORT does
    pd.testing.assert_frame_equal(rows, serial_run.rows)


def test_processes_give_identical_rows(serial_run, tmp_path):
    pd.testing.assert_frame_equal(_rows_with(ProcessExecutor(2), serial_run.study.file, tmp_path), serial_run.rows)


def _rows_with(executor, study, out_dir):
    """The rows of the 12-sample study run on ``executor``, which is closed afterwards."""
    try:
        return run_study(study, out_dir, samples=12, chunk_size=4, executor=executor).rows
    finally:
        executor.close()


def test_interrupted_run_resumes_recomputing_only_missing_chunks(serial_run, tmp_path):
    shutil.copytree(serial_run.out_dir, tmp_path, dirs_exist_ok=True)
    chunks = sorted((tmp_path / "chunks").glob("results-*.parquet"))
    chunks[2].unlink()  # as if killed before chunk 2 was written
    (tmp_path / "results.parquet").unlink()
    before = {p.name: p.stat().st_mtime_ns for p in chunks if p.exists()}
    res = run_study(serial_run.study.file, tmp_path, samples=12, chunk_size=4)
    assert res.chunks.computed == (2,)
    assert {p.name: p.stat().st_mtime_ns for p in chunks if p.name in before} == before
    pd.testing.assert_frame_equal(res.rows, serial_run.rows)


def test_changed_settings_do_not_reuse_stale_chunks(serial_run, tmp_path):
    shutil.copytree(serial_run.out_dir, tmp_path, dirs_exist_ok=True)
    res = run_study(serial_run.study.file, tmp_path, samples=8, chunk_size=4)
    assert res.chunks.computed == (0, 1, 2)
    assert res.rows["sample"].max() == 7


def _cli(args, capsys):
    status = main(args)
    out = capsys.readouterr()
    return status, out.out, out.err


@pytest.mark.slow
def test_cli_run_json(tmp_path, capsys):
    status, out, _ = _cli(["study", "run", str(_datasheeted(tmp_path / "spec")), "--out", str(tmp_path / "run"),
                           "--samples", "4", "--sweep-points", "300", "--json"], capsys)
    assert status == 0
    result = json.loads(out)
    names = {c["name"] for c in result["candidates"]}
    assert names == {"fugaku", "cand-cpu-3dsram-cpo", "dgx-h100"}
    for c in result["candidates"]:
        assert {"name", "nodes", "power_w", "capital_cost_jpy", "metrics", "score", "feasible", "p_rank_first"} <= set(c)
        assert set(c["metrics"]) == {"performance", "performance_per_watt", "io", "cost", "operability",
                                     "productivity", "commercial_reach", "carbon"}
        assert c["power_w"] <= 40e6 and c["capital_cost_jpy"] <= 110e9
    assert Path(result["report_html"]).is_file()   # what the report holds: tests/fs/test_report.py


def _bad_study(tmp_path, edit):
    shutil.copytree(DATA, tmp_path, dirs_exist_ok=True)
    text = (DATA / "study-fugakunext.toml").read_text()
    path = tmp_path / "bad.toml"
    path.write_text(edit(text))
    return path


@pytest.mark.parametrize("edit, field", [
    (lambda t: t.replace("carbon = 0.10", "carbon = 0.10\nspeed = 0.0"), "metrics.speed"),
    (lambda t: t.replace("performance = 0.25", "performance = 0.35"), "metrics"),
    (lambda t: t.replace('machine = "machine-dgx-h100.toml"', 'machine = "machine-missing.toml"'), "candidates[2].machine"),
    (lambda t: t.replace('power = "40 MW"', 'power = "-40 MW"'), "constraints.power"),
    # a selector that picks nothing in any candidate nor the reference, for a machine kind and the others
    (lambda t: t.replace('"memory:sram-3d:bandwidth"', '"memory:hbm9:bandwidth"'), "uncertainty[1].target"),
    (lambda t: t + '\n[[uncertainty]]\ntarget = "cost:tpu:capital"\n'
                   'distribution = { kind = "uniform", low = 0.9, high = 1.1 }\n', "uncertainty[3].target"),
    (lambda t: t + '\n[[uncertainty]]\ntarget = "grid:kansai-2025:price"\n'
                   'distribution = { kind = "uniform", low = 0.9, high = 1.1 }\n', "uncertainty[3].target"),
])
def test_cli_spec_errors_exit_2_naming_the_field(tmp_path, capsys, edit, field):
    path = _bad_study(tmp_path, edit)
    status, _, err = _cli(["study", "run", str(path), "--out", str(tmp_path / "o"), "--json"], capsys)
    assert status == 2
    assert field in err and "Traceback" not in err


def test_cli_list(capsys):
    status, out, _ = _cli(["study", "list", "--json"], capsys)
    assert status == 0 and "fugakunext" in [s["name"] for s in json.loads(out)]


def test_cli_grid_sweep_json(tmp_path, capsys):
    status, out, _ = _cli(["study", "sweep", "fugakunext", "--out", str(tmp_path), "--method", "grid", "--json"], capsys)
    assert status == 0
    r = json.loads(out)
    assert r["points"] == 6 * 4 * 2 * 5 and 0 < r["pareto_points"] <= r["points"]
    rows = pd.read_parquet(r["sweep_parquet"])
    assert rows["pareto"].sum() == r["pareto_points"]
    # nothing on the front is beaten on every objective by another feasible point
    best = rows[rows["pareto"]].iloc[0]
    feas = rows[rows["feasible"]]
    assert not ((feas["performance"] > best["performance"]) & (feas["power_w"] < best["power_w"])
                & (feas["cost_jpy"] < best["cost_jpy"]) & (feas["carbon_g"] < best["carbon_g"])).any()


def test_an_edited_machine_file_recomputes_a_resumed_run(tmp_path):
    """Resumption is keyed on every input file, not only the study's: a run into the same folder
    after a machine file changed recomputes its chunks instead of reusing rows of the old machine."""
    spec = tmp_path / "spec"
    shutil.copytree(DATA, spec)
    out = tmp_path / "run"
    first = run_study(spec / "study-fugakunext.toml", out, samples=4, chunk_size=4)
    assert run_study(spec / "study-fugakunext.toml", out, samples=4, chunk_size=4).chunks.reused == (0, 1)
    machine = spec / "machine-dgx-h100.toml"
    machine.write_text(machine.read_text() + "\n# an edit\n")
    again = run_study(spec / "study-fugakunext.toml", out, samples=4, chunk_size=4)
    assert again.chunks.reused == () and again.chunks.computed == first.chunks.computed
