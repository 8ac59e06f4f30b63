"""Strong and weak scaling: consistency with predict, the definitions, where the bound moves, the CLI."""

import json
import subprocess
import sys

import pytest

from archmodels import predict
from archmodels.errors import InputError
from archmodels.scaling import COLUMNS, bound_changes, scaling

NODES = [1, 2, 4, 16, 64, 256, 1024, 4096]


def test_strong_scaling_rows_are_predict_calls_on_a_fixed_total():
    df = scaling("fugaku", "stencil-7pt", [4, 1, 16, 4], "strong")
    assert list(df.columns) == list(COLUMNS)
    assert list(df["nodes"]) == [1, 4, 16]  # sorted, de-duplicated
    total = predict("fugaku", "stencil-7pt", nodes=1).units_per_node
    assert df["total_units"].tolist() == pytest.approx([total] * 3)
    for r in df.itertuples():
        p = predict("fugaku", "stencil-7pt", nodes=r.nodes, units_per_node=total / r.nodes)
        assert r.time_s == pytest.approx(p.time_s)
        assert r.node_time_s + r.network_time_s == pytest.approx(r.time_s)
        assert r.speedup == pytest.approx(df["time_s"].iloc[0] / r.time_s)
        assert r.parallel_efficiency == pytest.approx(r.speedup / r.nodes)
    assert df["speedup"].iloc[0] == 1.0


def test_strong_scaling_ends_network_bound():
    df = scaling("fugaku", "stencil-7pt", NODES, "strong")
    assert df["bound"].iloc[0] == "memory:HBM2"
    assert df["bound"].iloc[-1] == "network"
    changes = bound_changes(df)
    assert changes[-1]["to"] == "network"
    assert df["network_fraction"].iloc[-1] > 0.5
    assert df["parallel_efficiency"].iloc[-1] < 0.5


def test_strong_scaling_moves_the_memory_bound_into_stacked_sram():
    # 512^3 x 2 points on a processor pair: the two grids (2 GiB per processor) overflow its 1 GiB of SRAM;
    # shrinking the share per node brings them into the SRAM before the network takes over
    df = scaling("cand-cpu-3dsram-cpo", "stencil-7pt", NODES, "strong")
    bounds = list(df["bound"])
    assert bounds[0] == "memory:HBM3e"
    assert "memory:SRAM-3D" in bounds
    assert bounds[-1] == "network"
    assert bounds.index("memory:SRAM-3D") < bounds.index("network")


def test_weak_scaling_keeps_the_problem_per_node_and_never_exceeds_ideal():
    df = scaling("fugaku", "hpcg", NODES, "weak")
    assert df["units_per_node"].nunique() == 1
    assert df["total_units"].tolist() == pytest.approx((df["units_per_node"] * df["nodes"]).tolist())
    assert (df["parallel_efficiency"] <= 1.0 + 1e-12).all()
    assert df["speedup"].tolist() == pytest.approx((df["nodes"] * df["parallel_efficiency"]).tolist())
    # the node time is the same on every row: only the network term grows
    assert df["node_time_s"].tolist() == pytest.approx([df["node_time_s"].iloc[0]] * len(df))
    assert df["network_time_s"].is_monotonic_increasing


def test_explicit_total_and_baseline_above_one():
    df = scaling("dgx-h100", "llm-train", [8, 2, 32], "strong", total_units=2**20)
    assert df["nodes"].iloc[0] == 2
    assert df["units_per_node"].tolist() == pytest.approx([2**19, 2**17, 2**15])
    assert df["parallel_efficiency"].iloc[0] == 1.0
    assert df["parallel_efficiency"].iloc[2] == pytest.approx(df["speedup"].iloc[2] * 2 / 32)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"nodes": [0, 4]}, "positive integers"),
    ({"nodes": []}, "at least one"),
    ({"nodes": [1, 2], "mode": "diagonal"}, "strong"),
    ({"nodes": [1, 2], "mode": "weak", "total_units": 10.0}, "strong scaling only"),
    ({"nodes": [1, 2], "total_units": -1.0}, "positive"),
    ({"nodes": [1, 2], "total_units": 1e15}, "2 nodes|1 nodes"),   # does not fit a node's memory
])
def test_bad_requests_are_input_errors(kwargs, match):
    kwargs.setdefault("mode", "strong")
    with pytest.raises(InputError, match=match):
        scaling("fugaku", "stencil-7pt", **kwargs)


def fsw(*args):
    return subprocess.run([sys.executable, "-m", "fs", *args], capture_output=True, text=True, timeout=120)


def test_cli_json_and_table():
    r = fsw("scale", "--machine", "fugaku", "--workload", "stencil-7pt", "--nodes", "1,4,64,4096", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert [row["nodes"] for row in out["rows"]] == [1, 4, 64, 4096]
    assert {"time_s", "speedup", "parallel_efficiency", "bound", "power_w", "energy_j"} <= set(out["rows"][0])
    assert out["bound_changes"][-1]["to"] == "network"
    r = fsw("scale", "-m", "fugaku", "-w", "hpcg", "--weak", "-n", "1,8")
    assert r.returncode == 0, r.stderr
    assert "weak scaling of hpcg on fugaku" in r.stdout


def test_cli_bad_input_exits_2_without_traceback():
    r = fsw("scale", "-m", "fugaku", "-w", "hpcg", "-n", "1,two")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "--nodes" in r.stderr


def test_portfolio_summary_agrees_with_each_scaling_table():
    from archmodels.scaling import portfolio_scaling
    from archmodels.workload import workload_names

    nodes = [1, 16, 256, 4096]
    summary = portfolio_scaling("fugaku", nodes, "strong").set_index("workload")
    assert list(summary.index) == workload_names()
    for wl in ("stencil-7pt", "hpcg", "dgemm"):
        df = scaling("fugaku", wl, nodes, "strong")
        row = summary.loc[wl]
        assert row["first_bound"] == df["bound"].iloc[0] and row["last_bound"] == df["bound"].iloc[-1]
        assert row["efficiency_at_last"] == pytest.approx(df["parallel_efficiency"].iloc[-1])
        network = df.loc[df["bound"] == "network", "nodes"]
        if len(network):
            assert row["network_bound_from_nodes"] == network.iloc[0]
        else:
            assert row["network_bound_from_nodes"] != row["network_bound_from_nodes"]  # NaN
        assert row["bound_changes"] == bound_changes(df)


def test_cli_portfolio_summary():
    r = fsw("scale", "-m", "fugaku", "-w", "all", "-n", "1,16,4096", "--json")
    assert r.returncode == 0, r.stderr
    rows = {row["workload"]: row for row in json.loads(r.stdout)}
    assert rows["stencil-7pt"]["last_bound"] == "network"
    assert rows["dgemm"]["network_bound_from_nodes"] is None
