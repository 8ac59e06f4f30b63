import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from fs.cli import main
from ops.swf import write_swf
from ops.synthetic import generate_trace
from ops_traces import trace_path
from easy_oracle import easy_start_times, read_jobs

KEYS = {"jobs", "dropped_jobs", "dropped", "nodes", "nodes_source", "procs", "procs_per_node", "mean_wait_s", "mean_bounded_slowdown", "utilization", "makespan_s",
        "energy_j", "carbon_g", "carbon_marginal_g", "cost_jpy", "simulation_wall_s", "tariff", "peak_demand_w", "node_switch_ons",
        "switching_energy_j", "cost", "battery"}


def run_cli(args, capsys):
    status = main(args)
    out, err = capsys.readouterr()
    return status, out, err


def test_simulate_json_has_exactly_the_keys(capsys):
    status, out, err = run_cli(["ops", "simulate", "--trace", str(trace_path("lublin_256.swf")), "--json"], capsys)
    assert status == 0, err
    summary = json.loads(out)
    assert set(summary) == KEYS
    assert summary["jobs"] == 10000 and summary["dropped_jobs"] == 0
    assert summary["carbon_g"] is None and summary["carbon_marginal_g"] is None and summary["cost_jpy"] is None  # no grid
    assert 0 < summary["utilization"] <= 1


def test_jobs_out_matches_independent_oracle_on_held_out_synthetic(tmp_path, capsys):
    df = generate_trace(3000, 96, load=0.9, seed=2024)
    trace = write_swf(df, tmp_path / "held_out.swf", {"MaxProcs": "96"})
    out = tmp_path / "jobs.csv"
    status, _, _ = run_cli(["ops", "simulate", "--trace", str(trace), "--jobs-out", str(out), "--json"], capsys)
    assert status == 0
    jobs = pd.read_csv(out)
    assert {"id", "submit_s", "start_s", "end_s", "procs", "wait_s"} <= set(jobs.columns)
    size, raw = read_jobs(trace)
    expected = easy_start_times(raw, size)
    want = {raw[p]["id"]: t for p, t in expected.items()}
    got = dict(zip(jobs["id"], jobs["start_s"]))
    assert got == want
    np.testing.assert_allclose(jobs["wait_s"], jobs["start_s"] - jobs["submit_s"])


def test_nodes_overrides_header_and_drops_big_jobs(tmp_path, capsys):
    status, out, _ = run_cli(["ops", "simulate", "--trace", str(trace_path("cqsim_test.swf")), "--nodes", "60", "--json"], capsys)
    assert status == 0
    summary = json.loads(out)
    assert summary["dropped_jobs"] == 2  # 80 and 90 processors do not fit on 60
    assert summary["jobs"] == 7


def test_bad_lines_reported_and_strict_exits_2(capsys):
    from ops_traces import DATA

    messy = str(DATA / "messy.swf")
    status, out, err = run_cli(["ops", "simulate", "--trace", messy, "--json"], capsys)
    assert status == 0
    assert "line 7" in err and "line 8" in err and "line 11" in err
    assert "line 12" in err  # a requested time of inf
    assert json.loads(out)["jobs"] == 5
    status, out, err = run_cli(["ops", "simulate", "--trace", messy, "--strict", "--json"], capsys)
    assert status == 2 and out == ""
    assert "line 7" in err and "Traceback" not in err


def test_console_script_strict_exit_status_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.swf"
    bad.write_text("; MaxProcs: 8\n1 0 -1 10 2 -1 -1 2 10 -1 1 -1 -1 -1 -1 -1 -1 -1\n2 x -1 10\n")
    proc = subprocess.run([sys.executable, "-m", "fs", "ops", "simulate", "--trace", str(bad), "--strict"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "line 3" in proc.stderr and "Traceback" not in proc.stderr


def test_grid_machine_and_outputs(tmp_path, capsys):
    jobs_out, ts_out = tmp_path / "j.parquet", tmp_path / "ts.csv"
    status, out, _ = run_cli(["ops", "simulate", "--trace", str(trace_path("lublin_256.swf")), "--machine", "fugaku",
                              "--grid", "tokyo-2025", "--jobs-out", str(jobs_out), "--timeseries-out", str(ts_out),
                              "--json"], capsys)
    assert status == 0
    summary = json.loads(out)
    assert summary["carbon_g"] > 0 and summary["cost_jpy"] > 0
    ts = pd.read_csv(ts_out)
    assert ts["carbon_g"].sum() == pytest.approx(summary["carbon_g"], rel=1e-9)
    assert ts["facility_energy_j"].sum() == pytest.approx(summary["energy_j"], rel=1e-9)
    assert len(pd.read_parquet(jobs_out)) == summary["jobs"]


def test_unknown_policy_and_grid_exit_2(capsys):
    status, _, err = run_cli(["ops", "simulate", "--trace", str(trace_path("cqsim_test.swf")), "--policy", "magic"], capsys)
    assert status == 2 and "magic" in err
    status, _, err = run_cli(["ops", "simulate", "--trace", str(trace_path("cqsim_test.swf")), "--grid", "mars"], capsys)
    assert status == 2 and "mars" in err


def test_generate_then_simulate(tmp_path, capsys):
    out = tmp_path / "g.swf"
    status, _, _ = run_cli(["ops", "generate", "--out", str(out), "--jobs", "500", "--procs", "64", "--seed", "4"], capsys)
    assert status == 0
    status, res, _ = run_cli(["ops", "simulate", "--trace", str(out), "--json"], capsys)
    assert json.loads(res)["jobs"] == 500


def test_compare_reports_savings_against_easy(tmp_path, capsys):
    status, out, _ = run_cli(["ops", "compare", "--trace", str(trace_path("cqsim_test.swf")),
                              "--policies", "carbon-delay,fcfs", "--json"], capsys)
    assert status == 0
    rows = json.loads(out)
    assert [r["policy"] for r in rows] == ["easy", "carbon-delay", "fcfs"]
    assert {r["nodes_source"] for r in rows} == {"header"} and all("dropped_jobs" in r for r in rows)
    assert rows[0]["carbon_saving_g"] == 0


def test_trace_without_valid_jobs_and_unknown_machine(tmp_path, capsys):
    empty = tmp_path / "empty.swf"
    empty.write_text("; MaxProcs: 8\n1 0 -1 0 2 -1 -1 2 10 -1 1 -1 -1 -1 -1 -1 -1 -1\n")
    status, out, _ = run_cli(["ops", "simulate", "--trace", str(empty), "--json"], capsys)
    assert status == 0
    summary = json.loads(out)
    assert summary["jobs"] == 0 and summary["dropped_jobs"] == 1
    status, _, err = run_cli(["ops", "simulate", "--trace", str(trace_path("cqsim_test.swf")),
                              "--machine", "no-such-machine"], capsys)
    assert status == 2 and "Traceback" not in err


def test_huge_generate_request_is_refused(tmp_path, capsys):
    status, _, err = run_cli(["ops", "generate", "--out", str(tmp_path / "x.swf"), "--jobs", "900000000"], capsys)
    assert status == 2 and "GiB" in err


def test_sweep_command_serial_and_on_local_dask_workers(tmp_path, capsys):
    args = ["ops", "sweep", "--trace", str(trace_path("cqsim_test.swf")), "--trace", str(trace_path("lublin_256.swf")),
            "--policies", "easy,carbon-delay", "--max-delay-s", "3600,21600", "--grid", "tokyo-2025"]
    status, out, _ = run_cli(args + ["--out", str(tmp_path / "s.csv")], capsys)
    assert status == 0
    serial = pd.read_csv(tmp_path / "s.csv")
    assert len(serial) == 8
    status, out, _ = run_cli(args + ["--workers", "2", "--out", str(tmp_path / "d.csv")], capsys)
    assert status == 0
    pd.testing.assert_frame_equal(serial, pd.read_csv(tmp_path / "d.csv"))


def test_grid_start_moves_the_trace_in_the_year(capsys):
    base = ["ops", "simulate", "--trace", str(trace_path("cqsim_test.swf")), "--grid", "tokyo-2025", "--json"]
    _, april, _ = run_cli(base, capsys)
    _, august, _ = run_cli(base + ["--grid-start", "2025-08-01 12:00"], capsys)
    assert json.loads(april)["energy_j"] == json.loads(august)["energy_j"]
    assert json.loads(april)["carbon_g"] != json.loads(august)["carbon_g"]
    status, _, err = run_cli(base + ["--grid-start", "2031-01-01"], capsys)
    assert status == 2 and "outside the grid series" in err


def test_federate_command(tmp_path, capsys):
    out = tmp_path / "fed.csv"
    status, res, _ = run_cli(["ops", "federate", "--trace", str(trace_path("lublin_256.swf")), "--site", "a:256:1.2",
                              "--site", "b:128:1.1:6:10", "--routing", "least-loaded", "--jobs-out", str(out), "--json"],
                             capsys)
    assert status == 0
    summary = json.loads(res)
    assert summary["jobs"] == 10000 and summary["moved_jobs"] > 0
    assert summary["nodes"] == 256 + 128
    assert summary["nodes_source"] == "option" and summary["dropped"]["wider_than_machine"] == 0
    assert [s["site"] for s in summary["sites"]] == ["a", "b"]
    jobs = pd.read_csv(out)
    assert set(jobs["site"]) == {"a", "b"} and (jobs.loc[jobs.site == "b", "procs"] <= 128).all()
    status, _, err = run_cli(["ops", "federate", "--trace", str(trace_path("cqsim_test.swf")), "--site", "a"], capsys)
    assert status == 2 and "NAME:NODES" in err


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


JOB = "{id} 0 -1 100 {procs} -1 -1 {procs} {req} -1 1 -1 -1 -1 -1 -1 -1 -1\n"


def test_json_states_nodes_their_source_and_dropped_reasons(tmp_path, capsys):
    lines = "".join(JOB.format(id=i, procs=p, req=200) for i, p in enumerate([4, 8, 2], start=1))
    lines += "4 0 -1 0 2 -1 -1 2 10 -1 1 -1 -1 -1 -1 -1 -1 -1\n"  # run time 0
    headed = _write(tmp_path, "h.swf", "; MaxNodes: 2\n; MaxProcs: 8\n" + lines)
    status, out, err = run_cli(["ops", "simulate", "--trace", headed, "--json"], capsys)
    assert status == 0, err
    s = json.loads(out)
    # MaxNodes wins for nodes; the scheduler counts MaxProcs processors, 4 per node
    assert (s["nodes"], s["nodes_source"], s["procs"], s["procs_per_node"]) == (2, "header", 8, 4.0)
    assert s["dropped"] == {"run_time_not_positive": 1, "procs_not_positive": 0, "wider_than_machine": 0,
                            "bad_line": 0}
    assert "1 run time not positive" in err
    status, _, err = run_cli(["ops", "simulate", "--trace", headed, "--strict"], capsys)
    assert status == 2 and "dropped jobs" in err and "Traceback" not in err
    status, out, _ = run_cli(["ops", "simulate", "--trace", headed, "--nodes", "3", "--json"], capsys)
    s = json.loads(out)
    assert (s["nodes"], s["nodes_source"], s["procs"]) == (3, "option", 12)


def test_guessed_size_warns_and_is_an_error_under_strict(tmp_path, capsys):
    bare = _write(tmp_path, "bare.swf", "".join(JOB.format(id=i, procs=p, req=-1) for i, p in enumerate([4, 6], 1)))
    status, out, err = run_cli(["ops", "simulate", "--trace", bare, "--json"], capsys)
    assert status == 0
    s = json.loads(out)
    assert (s["nodes"], s["nodes_source"]) == (6, "guessed")
    assert "size guessed" in err and "no job has a requested time" in err
    status, _, err = run_cli(["ops", "simulate", "--trace", bare, "--strict"], capsys)
    assert status == 2 and "size guessed" in err and "Traceback" not in err


def test_power_is_charged_per_node_not_per_processor(tmp_path, capsys):
    lines = "".join(JOB.format(id=i, procs=4, req=100) for i in (1, 2))
    per_proc = _write(tmp_path, "p.swf", "; MaxProcs: 8\n" + lines)
    per_node = _write(tmp_path, "n.swf", "; MaxNodes: 2\n; MaxProcs: 8\n" + lines)
    runs = []
    for path, extra in ((per_proc, []), (per_node, []), (per_proc, ["--procs-per-node", "4"])):
        status, out, err = run_cli(["ops", "simulate", "--trace", path, "--json", *extra], capsys)
        assert status == 0, err
        runs.append(json.loads(out))
    # 8 processors as 8 nodes draw 4x the energy of the same 8 processors on 2 nodes
    assert runs[0]["energy_j"] == pytest.approx(4 * runs[1]["energy_j"], rel=1e-12)
    assert runs[2]["energy_j"] == pytest.approx(runs[1]["energy_j"], rel=1e-12)
    assert runs[2]["nodes"] == 2 and runs[0]["nodes"] == 8
    assert runs[0]["mean_wait_s"] == runs[1]["mean_wait_s"]


def test_bad_trace_and_huge_span_exit_2_with_one_line(tmp_path, capsys):
    import gzip

    trunc = tmp_path / "t.swf.gz"
    trunc.write_bytes(gzip.compress(("1 0 -1 100 2 -1 -1 2 200 -1 1 -1 -1 -1 -1 -1 -1 -1\n" * 200).encode())[:-40])
    status, _, err = run_cli(["ops", "simulate", "--trace", str(trunc)], capsys)
    assert status == 2 and "truncated" in err and "Traceback" not in err
    # 3,000 years of trace on a 30-min grid would need 53 M slots: refused, not allocated
    span = _write(tmp_path, "span.swf", "; MaxProcs: 8\n" + JOB.format(id=1, procs=2, req=200)
                  + "2 9e10 -1 100 2 -1 -1 2 200 -1 1 -1 -1 -1 -1 -1 -1 -1\n")
    status, _, err = run_cli(["ops", "simulate", "--trace", span, "--grid", "tokyo-2025"], capsys)
    assert status == 2 and "slots" in err and "Traceback" not in err


def test_queue_aware_and_dvfs_policies_on_the_command_line(capsys):
    trace = str(trace_path("cqsim_test.swf"))
    status, out, err = run_cli(["ops", "simulate", "--trace", trace, "--grid", "tokyo-2025", "--policy",
                                "carbon-queue-delay", "--max-delay-s", "3600", "--json"], capsys)
    assert status == 0, err
    procs = json.loads(out)["procs"]
    full_w = procs * 188.0  # every Fugaku node at its nominal maximum power
    status, out, err = run_cli(["ops", "simulate", "--trace", trace, "--machine", "fugaku", "--policy", "dvfs-cap",
                                "--power-cap-w", str(0.8 * full_w), "--json"], capsys)
    assert status == 0, err
    status, out, err = run_cli(["ops", "compare", "--trace", trace, "--machine", "fugaku", "--policies",
                                "carbon-queue-delay,dvfs-cap", "--power-cap-w", str(0.8 * full_w), "--json"], capsys)
    assert status == 0, err
    rows = {r["policy"]: r for r in json.loads(out)}
    assert set(rows) == {"easy", "carbon-queue-delay", "dvfs-cap"}
    assert rows["dvfs-cap"]["energy_saving_j"] > 0 and rows["dvfs-cap"]["peak_demand_w"] <= 1.2 * 0.8 * full_w
    status, _, err = run_cli(["ops", "simulate", "--trace", trace, "--machine", "fugaku", "--policy", "dvfs-cap"], capsys)
    assert status == 2 and "--power-cap-w" in err
    status, _, err = run_cli(["ops", "simulate", "--trace", trace, "--machine", "fugaku", "--policy", "dvfs-cap",
                              "--power-cap-w", "-5"], capsys)
    assert status == 2 and "cap_w" in err


def test_federation_sites_take_a_grid_each(capsys):
    status, out, err = run_cli(["ops", "federate", "--trace", "cqsim_test", "--site", "tokyo:100:1.2",
                                "--site", "kobe:100:1.1:0:100:kansai-2025", "--routing", "round-robin", "--json"], capsys)
    assert status == 0, err
    sites = {s["site"]: s for s in json.loads(out)["sites"]}
    assert set(sites) == {"tokyo", "kobe"}
    kobe = sites["kobe"]
    # the Kansai grid's carbon is flat: every joule at 365.52 g/kWh (ops.grid.KANSAI_2024_MIX)
    assert kobe["carbon_g"] == pytest.approx(kobe["energy_j"] / 3.6e6 * 365.5229, rel=1e-6)
    status, _, err = run_cli(["ops", "federate", "--trace", "cqsim_test", "--site", "kobe:100:1.1:0:100:kansia"], capsys)
    assert status == 2 and "unknown grid 'kansia'" in err and "Traceback" not in err
