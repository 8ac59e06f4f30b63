"""Requirements (fs.requirements): values by hand, the ranking rule, spec errors, JSON and report."""

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import archmodels
from archmodels.errors import SpecError
from fs.cli import main
from fs.evaluate import NodeProfile, score_case
from fs.requirements import check, node_peak_flop_per_s
from fs.runner import evaluate_case
from fs.study import Requirement, load_study

DATA = Path(__file__).parents[1] / "data" / "study"
EXAMPLE = DATA / "study-fugakunext.toml"

REQUIREMENTS = '''
[[requirement]]
quantity = "memory_bandwidth"
at_least = "800 PB/s"
[[requirement]]
quantity = "speedup"
workload = "stencil-7pt"
at_least = 5
[[requirement]]
quantity = "checkpoint_time"
at_most = "60 s"
source = "rfp"

[sources.rfp]
title = "a call for proposals"
url = "https://example.org/rfp"
'''


def _variant(tmp_path, extra, edit=lambda t: t):
    shutil.copytree(DATA, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "variant.toml"
    path.write_text(edit(EXAMPLE.read_text()) + extra)
    return path


@pytest.fixture(scope="module")
def builtin():
    return load_study("fugakunext")


def test_builtin_values_by_hand(builtin):
    """fugakunext-like: 4 GPUs (20 TB/s HBM, 6.5 PFLOP/s BF16 matrix) + 2 MONAKA-X (844.8 GB/s,
    64 TFLOP/s BF16) per node; every system total is nodes x the node's figure."""
    df = evaluate_case(builtin, {}).set_index("candidate")
    row = df.loc["fugakunext-like"]
    quantities = [r.quantity for r in builtin.requirements]
    value = {q: row[f"requirement:{i}:value"] for i, q in enumerate(quantities)}
    n = row["nodes"]
    assert value["memory_bandwidth"] == pytest.approx(n * (4 * 20e12 + 2 * 844.8e9), rel=1e-12)
    assert value["bf16_peak"] == pytest.approx(n * (4 * 6.5e15 + 2 * 64e12), rel=1e-12)
    # MONAKA-X has no FP8 or FP16: it runs FP8 work in BF16 (archmodels' precision fallback)
    assert value["fp8_peak"] == pytest.approx(n * (4 * 26e15 + 2 * 64e12), rel=1e-12)
    assert value["speedup"] == row["performance"]
    assert value["checkpoint_time"] == row["checkpoint_s"]
    i = quantities.index("checkpoint_time")
    assert row[f"requirement:{i}:factor"] == pytest.approx(60.0 / row["checkpoint_s"])
    assert row[f"requirement:{i}:met"] == (row["checkpoint_s"] <= 60.0)
    # Fugaku has no BF16: its A64FX runs BF16 work in FP16 (archmodels' precision fallback)
    fugaku = df.loc["fugaku-rebuilt"]
    assert fugaku[f"requirement:{quantities.index('bf16_peak')}:value"] == pytest.approx(fugaku["nodes"] * 13.5168e12)


def test_node_peak_counts_matrix_units_and_falls_back():
    m = archmodels.load_machine("dgx-h100")
    # 8 H100 at 67 TFLOP/s FP64 (tensor cores) + 2 Xeon at 3.58 TFLOP/s
    assert node_peak_flop_per_s(m, "fp64") == pytest.approx(8 * 67e12 + 2 * 3.58e12)
    # the Xeon runs FP8 work in FP64 (its only format)
    assert node_peak_flop_per_s(m, "fp8") == pytest.approx(8 * 1978.9e12 + 2 * 3.58e12)


def test_per_workload_speedup_is_the_portfolio_term(tmp_path):
    from fs.evaluate import node_profiles

    study = load_study(_variant(tmp_path, REQUIREMENTS))
    df = evaluate_case(study, {}).set_index("candidate")
    reference, profiles, _ = node_profiles(study)
    k = study.workloads.index("stencil-7pt")
    for p in profiles:
        row = df.loc[p.label]
        ratio = row["nodes"] / reference.machine_nodes * reference.time_per_unit_s[k] / p.time_per_unit_s[k]
        assert row["requirement:1:value"] == pytest.approx(ratio, rel=1e-12)


def test_check_factors():
    assert check("at_least", 800.0, 200.0) == (False, 0.25)
    assert check("at_least", 800.0, 800.0) == (True, 1.0)
    assert check("at_most", 60.0, 120.0) == (False, 0.5)
    assert check("at_most", 60.0, 30.0) == (True, 2.0)
    met, factor = check("at_least", 5.0, float("nan"))
    assert not met and np.isnan(factor)


def _profile(label, t, pmax, cost, nodes=1):
    return NodeProfile(label=label, machine=label, machine_nodes=nodes, hypothetical=False,
                       time_per_unit_s=tuple(float(x) for x in t), busy_power_w=0.8 * pmax, idle_power_w=0.3 * pmax,
                       max_power_w=pmax, memory_bytes=32 * 2**30, capital_per_node_jpy=cost,
                       embodied_per_node_g=1e5, productivity=0.8, commercial_reach=0.5,
                       memory_bandwidth_bytes_per_s=1e12)


def test_candidates_that_meet_rank_above_those_that_miss(tmp_path):
    study = load_study(EXAMPLE)
    n = len(study.workloads)
    ref = _profile("fugaku", [1.0] * n, 188.0, 6e5, nodes=158976)
    # "fast" scores best but its nodes have a tenth of the memory bandwidth of "slow"'s
    cands = [_profile("fugaku", [1.0] * n, 188.0, 6e5), _profile("cand-cpu-3dsram-cpo", [0.1] * n, 2400.0, 5e6),
             dataclasses.replace(_profile("dgx-h100", [0.01] * n, 2400.0, 5e6), memory_bandwidth_bytes_per_s=1e11)]
    plain = score_case(study, ref, cands).set_index("candidate")
    assert plain.loc["dgx-h100", "rank"] == 1.0
    # 14,492 nodes (the power budget) of 1 TB/s pass 2 PB/s; dgx-h100's as many of 0.1 TB/s miss
    req = Requirement("memory_bandwidth", "at_least", 2e15, "2 PB/s")
    screened = score_case(dataclasses.replace(study, requirements=(req,)), ref, cands).set_index("candidate")
    assert screened["meets_requirements"].to_dict() == {"fugaku": True, "cand-cpu-3dsram-cpo": True, "dgx-h100": False}
    assert screened.loc["dgx-h100", "nodes"] == 14_492
    assert screened.loc["dgx-h100", "requirement:0:factor"] == pytest.approx(14_492 * 1e11 / 2e15)
    # the two that meet keep their order by score, above the one that misses
    others = plain.drop("dgx-h100")["score"].sort_values(ascending=False).index
    assert screened["rank"].to_dict() == {others[0]: 1.0, others[1]: 2.0, "dgx-h100": 3.0}
    # scores do not change: screening is before, not inside, the score
    assert screened["score"].to_dict() == plain["score"].to_dict()
    # an infeasible candidate still gets no rank, whatever its requirements
    over = dataclasses.replace(study, requirements=(req,), candidates=(
        dataclasses.replace(study.candidates[0], nodes=300_000), *study.candidates[1:]))
    flagged = score_case(over, ref, cands).set_index("candidate")
    assert np.isnan(flagged.loc["fugaku", "rank"]) and flagged.loc["fugaku", "meets_requirements"]
    assert flagged["rank"].dropna().to_dict() == {"cand-cpu-3dsram-cpo": 1.0, "dgx-h100": 2.0}


@pytest.mark.parametrize("extra, field, words", [
    ('\n[[requirement]]\nquantity = "flops"\nat_least = 1\n', "requirement[0].quantity", "unknown quantity 'flops'"),
    ('\n[[requirement]]\nquantity = "power"\nat_least = "1 MW"\nat_most = "40 MW"\n', "requirement[0]", "exactly one"),
    ('\n[[requirement]]\nquantity = "power"\n', "requirement[0]", "exactly one"),
    ('\n[[requirement]]\nquantity = "power"\nworkload = "md"\nat_most = "40 MW"\n', "requirement[0]",
     "only speedup, capability_speedup, time_to_solution name a workload"),
    ('\n[[requirement]]\nquantity = "time_to_solution"\nat_most = "10 s"\n', "requirement[0]", "names its workload"),
])
def test_spec_errors_name_the_field(tmp_path, extra, field, words):
    from fs import spec

    with pytest.raises(SpecError) as info:
        spec.read_spec(_variant(tmp_path, extra))
    assert [p for p, _ in info.value.problems] == [field] and words in str(info.value)


@pytest.mark.parametrize("extra, field, words", [
    ('\n[[requirement]]\nquantity = "power"\nat_most = "40 MW"\n[[requirement]]\nquantity = "memory_bandwidth"\n'
     'at_least = "800 PB"\n', "requirement[1].at_least", "800 PB"),
    ('\n[[requirement]]\nquantity = "checkpoint_time"\nat_most = "-1 s"\n', "requirement[0].at_most", "positive"),
    ('\n[[requirement]]\nquantity = "speedup"\nworkload = "nbody"\nat_least = 5\n', "requirement[0].workload",
     "not in the portfolio"),
    ('\n[[requirement]]\nquantity = "speedup"\nat_least = 5\nsource = "nope"\n', "requirement[0].source", "'nope'"),
])
def test_load_errors_name_the_field_and_the_cli_exits_2(tmp_path, capsys, extra, field, words):
    path = _variant(tmp_path, extra)
    with pytest.raises(SpecError) as info:
        load_study(path)
    assert [p for p, _ in info.value.problems] == [field] and words in str(info.value)
    status = main(["study", "run", str(path), "--out", str(tmp_path / "o"), "--json"])
    err = capsys.readouterr().err
    assert status == 2 and field in err and "Traceback" not in err


def test_requirements_reach_json_table_and_report(tmp_path, capsys):
    path = _variant(tmp_path, REQUIREMENTS)
    status = main(["study", "run", str(path), "--out", str(tmp_path / "run"), "--samples", "0",
                   "--sweep-points", "0", "--no-ops", "--json"])
    out = capsys.readouterr().out
    assert status == 0
    result = json.loads(out)
    assert [r["quantity"] for r in result["requirements"]] == ["memory_bandwidth", "speedup", "checkpoint_time"]
    assert result["requirements"][0]["required"] == 800e15 and result["requirements"][1]["workload"] == "stencil-7pt"
    ranks = []
    for c in result["candidates"]:
        assert [set(q) for q in c["requirements"]] == [
            {"quantity", "workload", "bound", "required", "value", "met", "factor"}] * 3
        assert c["meets_requirements"] == all(q["met"] for q in c["requirements"])
        for q in c["requirements"]:
            assert q["met"] == (q["factor"] >= 1)
        ranks.append((c["rank"], c["meets_requirements"]))
    # ranking order: whoever meets every requirement comes first
    met = [m for r, m in ranks if r is not None]
    assert met == sorted(met, reverse=True)
    report = (tmp_path / "run" / "report.md").read_text()
    first_page = report.split("## Settings")[0]
    assert "## Requirements" in first_page and "memory_bandwidth >= 800 PB/s" in first_page
    assert "checkpoint_time <= 60 s [rfp]" in first_page and ("missed (×" in first_page or "met (×" in first_page)
    assert "a call for proposals" in report  # the study's own source is cited in the provenance
    status = main(["study", "report", str(tmp_path / "run")])
    table = capsys.readouterr().out
    assert status == 0 and "meets req." in table
