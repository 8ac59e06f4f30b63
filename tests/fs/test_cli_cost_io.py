"""`fsw cost` and `fsw io` as a user runs them: JSON keys, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

FSW = [sys.executable, "-m", "fs"]


def fsw(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*FSW, *args], capture_output=True, text=True, timeout=120)


def test_cost_json_contract():
    r = fsw("cost", "frontier", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    for key in ("capital_jpy", "capital_usd", "processors_jpy", "memory_jpy", "network_jpy", "integration_jpy",
                "storage_jpy", "nre_jpy", "facility_jpy", "jpy_per_usd", "price_year", "procurement_factor", "nodes"):
        assert key in out
    assert 350e6 < out["capital_usd"] < 800e6
    half = json.loads(fsw("cost", "frontier", "--nodes", "4802", "--json").stdout)
    assert half["nodes"] == 4802 and half["processors_jpy"] < out["processors_jpy"]


def test_cost_validate_rows():
    r = fsw("cost", "--validate", "--json")
    assert r.returncode == 0, r.stderr
    rows = {row["system"]: row for row in json.loads(r.stdout)}
    assert {"fugaku", "frontier", "el-capitan", "aurora", "lumi", "alps", "jupiter-booster"} <= set(rows)
    assert rows["lumi"]["in_sample"] and not rows["fugaku"]["in_sample"]


def test_io_json_contract():
    r = fsw("io", "dgx-b200", "--job-nodes", "1", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["feasible"] and out["checkpoint_tier"] == "internal NVMe"
    for key in ("checkpoint_s", "restart_s", "drain_s", "waste", "job_mtbf_s", "interval_s", "tiers"):
        assert key in out
    assert "write_bandwidth_bytes_per_s" in out["tiers"][0]


def test_bad_input_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    text = (subprocess.run([sys.executable, "-c", "import archmodels.loaders as l;"
                            "print(l.resolve_machine_path('frontier').read_text())"], capture_output=True,
                           text=True).stdout)
    bad.write_text(text.replace('scope = "system"', 'scope = "node"'))
    for args in (("io", str(bad), "--job-nodes", "4"), ("cost", str(bad))):
        r = fsw(*args)
        assert r.returncode == 2
        assert "storage.tiers[1].scope" in r.stderr and "Traceback" not in r.stderr
    r = fsw("io", "fugaku", "--job-nodes", "0")
    assert r.returncode == 2 and "--job-nodes" in r.stderr and len(r.stderr.strip().splitlines()) == 1
