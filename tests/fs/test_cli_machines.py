"""The `fsw` model commands, run as a user runs them: a real process, exit codes, stdout/stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

FSW = [sys.executable, "-m", "fs"]


def fsw(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*FSW, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_help_lists_the_commands():
    r = fsw("--help")
    assert r.returncode == 0
    for cmd in ("machines", "roofline", "predict", "compare", "validate"):
        assert cmd in r.stdout


@pytest.mark.parametrize("group", [(), ("machines",), ("ops",), ("quantum",), ("study",), ("workloads",)])
def test_a_bare_group_prints_its_help_as_help(group):
    """`fsw` or `fsw GROUP` alone: the group's help, several lines on stdout, exit 0 (not a one-line error)."""
    r = fsw(*group)
    assert r.returncode == 0 and r.stderr == ""
    assert r.stdout.startswith(f"Usage: fsw{' ' if group else ''}{' '.join(group)} ") and "Commands:" in r.stdout
    assert len(r.stdout.splitlines()) > 5


@pytest.mark.parametrize("command, unit", [
    (("ops", "simulate"), "Battery capacity [kWh]"),
    (("ops", "simulate"), "longest delay [s]"),
    (("ops", "compare"), "off after this long [s]"),
    (("ops", "generate"), "Machine size [processors]"),
])
def test_help_keeps_the_units_in_brackets(command, unit):
    r = fsw(*command, "--help")
    assert r.returncode == 0, r.stderr
    assert unit in " ".join(r.stdout.split())  # help wraps lines; the unit must survive markup


def test_predict_json_contract():
    r = fsw("predict", "--machine", "fugaku", "--workload", "stream-triad", "--nodes", "1", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    for key in ("machine", "workload", "nodes", "precision", "time_s", "flop_per_s", "bound", "power_w",
                "energy_j", "bandwidth_bytes_per_s"):
        assert key in out
    assert out["nodes"] == 1 and out["bound"] == "memory:HBM2"


def test_predict_defaults_to_the_whole_system(shared_specs):
    r = fsw("predict", "--machine", str(shared_specs / "machine-fugaku.toml"), "--workload", "hpl", "--json")
    out = json.loads(r.stdout)
    assert out["nodes"] == 158976
    assert out["flop_per_s"] == pytest.approx(442.01e15, rel=0.15)


def test_roofline_json_contract():
    r = fsw("roofline", "fugaku", "dgx-h100", "--json")
    assert r.returncode == 0, r.stderr
    entries = json.loads(r.stdout)
    assert {(e["machine"], e["processor"]) for e in entries} >= {("fugaku", "A64FX"), ("dgx-h100", "H100-SXM5")}
    for e in entries:
        assert {"machine", "processor", "precision", "peak_flop_per_s", "levels"} <= set(e)
        for level in e["levels"]:
            assert {"name", "capacity_bytes", "bandwidth_bytes_per_s", "ridge_flop_per_byte"} <= set(level)
    assert any("peak_matrix_flop_per_s" in e for e in entries)


def test_roofline_plot_written(tmp_path):
    out = tmp_path / "roof.png"
    r = fsw("roofline", "fugaku", "mi300a-node", "--plot", str(out))
    assert r.returncode == 0, r.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_csv_json_and_plot(tmp_path):
    csv, png = tmp_path / "c.csv", tmp_path / "c.png"
    r = fsw("compare", "fugaku", "dgx-h100", "-w", "hpcg", "-w", "dgemm", "--csv", str(csv), "--plot", str(png),
            "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert len(rows) == 4 and all(row["feasible"] for row in rows)
    assert csv.read_text().splitlines()[0].startswith("machine,workload")
    assert png.stat().st_size > 1000


def test_machines_list_and_show():
    r = fsw("machines", "list", "--json")
    names = {m["name"] for m in json.loads(r.stdout)}
    assert {"fugaku", "frontier", "el-capitan", "aurora", "jupiter-booster", "mn-3"} <= names
    r = fsw("machines", "show", "fugaku", "--json")
    info = json.loads(r.stdout)
    assert info["sources"] and all(q["source"] for q in info["quantities"])


def test_validate_command_json():
    r = fsw("validate", "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    rows = report["rows"]
    assert report["suite"] == "default"
    assert len({row["system"] for row in rows}) >= 6
    assert {"system", "metric", "model", "published", "error", "source", "in_sample"} <= set(rows[0])
    assert all(isinstance(row["in_sample"], bool) for row in rows)
    assert {r["group"] for r in report["summary"]} == {"in_sample", "out_of_sample"}
    assert report["leave_one_out"]


def test_validate_out_of_sample_suite_json():
    r = fsw("validate", "--suite", "out-of-sample", "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["suite"] == "out-of-sample" and not any(row["in_sample"] for row in report["rows"])
    metrics = {s["metric"]: s for s in report["summary"]}
    assert {"hpl", "hpl_power", "hpcg"} <= set(metrics)
    assert all({"median_abs_error", "within_15", "within_20", "within_30", "n"} <= set(s) for s in metrics.values())
    r = fsw("validate", "--suite", "nope")
    assert r.returncode == 2 and "--suite" in r.stderr and "Traceback" not in r.stderr


BAD = {
    "unknown key": ('cores = 48', 'cores = 48\ncolour = "red"', "node.processors[0].colour"),
    "zero quantity": ('clock = "2.2 GHz"', 'clock = "0 GHz"', "node.processors[0].clock"),
    "wrong dimension": ('bandwidth = "1024 GB/s"', 'bandwidth = "1024 GB"', "memory[2].bandwidth"),
    "missing field": ('nodes = 158976', '', "system.nodes"),
    "undefined source": ('source = "ajima-2018" }', 'source = "nowhere" }', "network.injection_bandwidth.source"),
    "invalid TOML": ('nodes = 158976', 'nodes = = 158976', "invalid TOML"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_specs_exit_2_naming_file_and_field(tmp_path, shared_specs, case):
    old, new, fragment = BAD[case]
    text = (shared_specs / "machine-fugaku.toml").read_text()
    assert old in text
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace(old, new, 1))
    for args in (["predict", "--machine", str(bad), "--workload", "hpcg"], ["machines", "validate", str(bad)]):
        r = fsw(*args)
        assert r.returncode == 2, (case, args, r.stdout, r.stderr)
        assert "Traceback" not in r.stderr
        assert str(bad) in r.stderr and fragment in r.stderr


def test_validate_reports_every_problem(tmp_path, shared_specs):
    text = (shared_specs / "machine-fugaku.toml").read_text()
    bad = tmp_path / "two.toml"
    bad.write_text(text.replace('clock = "2.2 GHz"', 'clock = "0 GHz"').replace('cores = 48', 'cores = 48\nfoo = 1'))
    good = shared_specs / "machine-dgx-h100.toml"
    r = fsw("machines", "validate", str(good), str(bad), "--json")
    assert r.returncode == 2
    results = json.loads(r.stdout)
    assert results[0]["ok"] and not results[1]["ok"]
    assert len(results[1]["problems"]) == 2


def test_unknown_machine_is_a_clean_error():
    r = fsw("predict", "--machine", "nope", "--workload", "hpl")
    assert r.returncode == 2 and "unknown machine 'nope'" in r.stderr and "Traceback" not in r.stderr


def test_roofline_with_measured_points(tmp_path):
    # the shape `fsw bench --json` prints: an `apps` list with flop, bytes and flop_per_s per kernel
    bench = tmp_path / "bench.json"
    bench.write_text(json.dumps({"apps": [
        {"kernel": "stream-triad", "flop": 2e8, "bytes": 2.4e9, "flop_per_s": 2e9},
        {"kernel": "dgemm", "flop": 6.75e9, "bytes": 5.4e7, "flop_per_s": 1.1e11}]}))
    out = tmp_path / "host.png"
    r = fsw("roofline", "a64fx", "--plot", str(out), "--points", str(bench))
    assert r.returncode == 0, r.stderr
    assert out.stat().st_size > 1000
    bad = tmp_path / "bad.json"
    bad.write_text('{"kernels": []}')
    r = fsw("roofline", "a64fx", "--plot", str(out), "--points", str(bad))
    assert r.returncode == 2 and "apps" in r.stderr and "Traceback" not in r.stderr


def test_compare_states_the_problem_and_runs_the_same_one_by_default():
    r = fsw("compare", "fugaku", "dgx-h100", "-w", "hpcg", "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    for row in rows:
        assert {"problem", "units_per_node", "total_units", "unit", "footprint_bytes_per_node", "time_s",
                "flop_per_s", "units_per_s", "bandwidth_bytes_per_s"} <= set(row)
    assert {row["problem"] for row in rows} == {"same"}
    from archmodels import load_workload

    # Fugaku's 25% of HBM2 over hpcg.toml's bytes per fine-grid nonzero (archmodels.hpcg_kernels)
    footprint = load_workload("hpcg").footprint_per_unit
    assert rows[0]["units_per_node"] == rows[1]["units_per_node"] == pytest.approx(0.25 * 32 * 2**30 / footprint)
    assert rows[0]["unit"] == "fine-grid nonzero"
    r = fsw("compare", "fugaku", "dgx-h100", "-w", "hpcg", "--problem", "per-machine", "--json")
    own = json.loads(r.stdout)
    assert {row["problem"] for row in own} == {"per-machine"}
    assert own[1]["units_per_node"] > 10 * own[0]["units_per_node"]  # 640 GB of HBM3 against 32 GiB
    r = fsw("compare", "fugaku", "dgx-h100", "-w", "hpcg", "--size", "1e8", "--json")
    assert [row["units_per_node"] for row in json.loads(r.stdout)] == [1e8, 1e8]


def test_compare_table_states_mode_size_and_rates():
    r = fsw("compare", "fugaku", "a64fx", "-w", "stream-triad")
    assert r.returncode == 0, r.stderr
    assert "same problem on every machine" in r.stdout
    assert "1.34e8 element" in r.stdout            # 2^27 elements per A64FX (stream-triad.toml)
    assert "element/s" in r.stdout and "B/s" in r.stdout
    r = fsw("compare", "fugaku", "-w", "stream-triad", "--problem", "per-machine")
    assert "each machine's own problem" in r.stdout


@pytest.mark.parametrize("args", [["compare", "fugaku", "--problem", "weak"],
                                  ["compare", "fugaku", "--problem", "per-machine", "--size", "1e9"],
                                  ["compare", "fugaku", "--size", "-1"],
                                  ["predict", "-m", "fugaku", "-w", "hpcg", "--size", "0"]])
def test_problem_options_refuse_bad_values(args):
    r = fsw(*args)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and ("--problem" in r.stderr or "--size" in r.stderr)


def test_predict_states_the_problem_and_takes_a_size():
    r = fsw("predict", "-m", "fugaku", "-w", "hpcg", "--nodes", "4", "--json")
    out = json.loads(r.stdout)
    # hpcg.toml: 16.89 B per fine-grid nonzero (archmodels.hpcg_kernels.footprint_per_nnz)
    assert out["problem"] == "per-machine" and out["units_per_node"] == pytest.approx(0.25 * 32 * 2**30 / 16.89)
    assert out["total_units"] == 4 * out["units_per_node"]
    assert out["footprint_bytes_per_node"] == pytest.approx(16.89 * out["units_per_node"])
    r = fsw("predict", "-m", "fugaku", "-w", "hpcg", "--nodes", "4", "--size", "1e8", "--json")
    given = json.loads(r.stdout)
    assert given["problem"] == "given" and given["units_per_node"] == 1e8 and given["total_units"] == 4e8
    r = fsw("predict", "-m", "fugaku", "-w", "hpcg", "--nodes", "1", "--size", "1e8")
    assert "problem per node" in r.stdout and "1e8 fine-grid nonzero" in r.stdout


def test_machines_project_writes_a_machine_predict_runs(tmp_path):
    """`fsw machines project` writes the projection; `fsw predict --machine FILE` runs on it and the
    energy per FLOP it reports (and the one the energy model charges) is lower than the datasheet year's."""
    out = tmp_path / "fugaku-2030.toml"
    r = fsw("machines", "project", "fugaku", "--year", "2030", "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["name"] == "fugaku-2030" and info["projection"]["to_year"] == 2030 and out.is_file()
    before, after = info["processors"][0]["energy_per_flop_fp64_j"]
    assert after < before
    bw0, bw1 = info["memory_bandwidth_bytes_per_s_per_node"]
    assert bw1 > bw0
    runs = []
    for machine in ("fugaku", str(out)):
        r = fsw("predict", "--machine", machine, "--workload", "hpl", "--nodes", "1", "--json")
        assert r.returncode == 0, r.stderr
        runs.append(json.loads(r.stdout))
    assert runs[1]["machine"] == "fugaku-2030"
    assert runs[1]["energy_j"] / (runs[1]["flop_per_s"] * runs[1]["time_s"]) < runs[0]["energy_j"] / (
        runs[0]["flop_per_s"] * runs[0]["time_s"])


@pytest.mark.parametrize("args, message", [
    (("fugaku", "--year", "2019"), "before machine fugaku's datasheet year 2020"),
    (("fugaku", "--year", "2099"), "the roadmap covers"),
    (("no-such-machine", "--year", "2030"), "unknown machine 'no-such-machine'"),
    (("fugaku", "--year", "2030", "--rule", "next-part"), "unknown projection rule"),
])
def test_machines_project_bad_input_is_one_line_exit_2(tmp_path, args, message):
    out = tmp_path / "x.toml"
    r = fsw("machines", "project", *args, "--out", str(out))
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not out.exists()
