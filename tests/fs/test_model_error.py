"""The model's own error as an uncertainty (fs.model_error): its spreads against `fsw validate`'s
out-of-sample rows, how a case applies it, switches and overrides."""

import json
import math
import statistics

import pytest

import archmodels
from archmodels.validation_suite import suite_machines
from fs.cli import main
from fs.model_error import SOURCE, dominant_type, model_error_table, spread
from fs.runner import evaluate_case
from fs.study import load_study

STUDY = '''
schema = "fs-workbench/study/1"
name = "model-error-test"
reference = "fugaku"
seed = 11
project_candidates = "none"   # fugaku-rebuilt is the reference's own machine (fs.projected_candidates)

[constraints]
power = "40 MW"

[[candidates]]
machine = "fugaku"
label = "fugaku-rebuilt"
[[candidates]]
machine = "mi300a-node"

[[portfolio]]
workload = "stencil-7pt"
weight = 0.5
[[portfolio]]
workload = "dgemm"
weight = 0.5

[metrics]
performance = 0.5
performance_per_watt = 0.5

[lifetime]
years = 6
pue = 1.15
'''

CLASS = {"hpl": "compute", "hpcg": "memory", "hpl_power": "power"}


def _study(tmp_path, extra=""):
    path = tmp_path / "s.toml"
    path.write_text(STUDY + extra)
    return load_study(path)


@pytest.fixture(scope="module")
def validate_rows(tmp_path_factory):
    """``fsw validate --suite out-of-sample --json``'s rows, through the CLI."""
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["validate", "--suite", "out-of-sample", "--json"]) == 0
    return json.loads(buf.getvalue())["rows"]


def test_spreads_are_the_sd_of_the_out_of_sample_log_errors(validate_rows):
    machines = suite_machines()

    def ptype(system):  # the processor with the largest peak per node
        m = archmodels.load_machine(str(machines[system]))
        return max(m.node.processors, key=lambda p: p.count * max(
            [*p.peak_flop_per_s.values(), *p.peak_matrix_flop_per_s.values()])).type

    groups = {}
    for r in validate_rows:
        if r["metric"] in CLASS:
            groups.setdefault((CLASS[r["metric"]], ptype(r["system"])), []).append(math.log(r["model"] / r["published"]))
    assert {t for _, t in groups} == {"cpu", "gpu"} and all(len(v) >= 3 for v in groups.values())
    table = model_error_table()
    for key, errors in groups.items():
        assert table[key]["sd"] == pytest.approx(statistics.stdev(errors), rel=1e-12)
        assert table[key]["n"] == len(errors) and not table[key]["pooled"]
    # the built-in study carries them per machine: fugakunext-like is GPU-dominated, Fugaku a CPU
    study = load_study("fugakunext")
    by_target = {u.target: u for u in study.uncertainties if u.source == SOURCE}
    for machine, t in (("fugakunext-like", "gpu"), ("fugaku", "cpu")):
        for cls in ("compute", "memory", "power"):
            dist = by_target[f"model:{machine}:{cls}"].distribution
            assert dist["kind"] == "lognormal" and dist["mean"] == 1.0
            assert dist["sd"] == pytest.approx(statistics.stdev(groups[(cls, t)]), rel=1e-12)


def test_dominant_type_and_a_type_without_rows():
    assert dominant_type(archmodels.load_machine("fugaku")) == "cpu"
    assert dominant_type(archmodels.load_machine("gh200-node")) == "gpu"      # Hopper outweighs Grace
    assert dominant_type(archmodels.load_machine("mn-core-2")) == "accelerator"
    assert spread("memory", "accelerator") is model_error_table()[("memory", "*")]  # pooled over types


def test_a_case_divides_the_time_of_each_workload_of_the_class_and_scales_power(tmp_path):
    s = _study(tmp_path)
    base = evaluate_case(s, {}).set_index("candidate")
    faster = evaluate_case(s, {"model:mi300a-node:compute": 1.5, "model:mi300a-node:power": 0.8}).set_index("candidate")
    row, new = base.loc["mi300a-node"], faster.loc["mi300a-node"]
    classes = {w: ("compute" if row[f"bound:{w}"] in ("compute", "power") else "memory")
               for w in ("stencil-7pt", "dgemm")}
    assert set(classes.values()) == {"compute", "memory"}  # stencil is memory-bound, dgemm is not
    for w, cls in classes.items():
        ratio = new[f"speedup:{w}"] / row[f"speedup:{w}"]
        assert ratio == pytest.approx(1.5 if cls == "compute" else 1.0, rel=1e-9)
        t = new[f"capability_time_s:{w}"] / row[f"capability_time_s:{w}"]
        assert t == pytest.approx(1 / 1.5 if cls == "compute" else 1.0, rel=1e-9)
    assert new["average_power_w"] < row["average_power_w"]
    assert faster.loc["fugaku-rebuilt", "performance"] == base.loc["fugaku-rebuilt", "performance"]


def test_the_reference_shares_its_machines_error(tmp_path):
    s = _study(tmp_path)
    base = evaluate_case(s, {}).set_index("candidate")
    moved = evaluate_case(s, {"model:fugaku:memory": 0.5}).set_index("candidate")
    # fugaku-rebuilt is the reference's machine: its speedup over the reference does not move ...
    assert moved.loc["fugaku-rebuilt", "performance"] == pytest.approx(base.loc["fugaku-rebuilt", "performance"])
    # ... while every other candidate's memory-bound speedup doubles against a slower reference
    assert moved.loc["mi300a-node", "speedup:stencil-7pt"] == pytest.approx(2 * base.loc["mi300a-node", "speedup:stencil-7pt"])


def test_switch_and_a_studys_own_model_uncertainty(tmp_path):
    on = _study(tmp_path)
    assert sorted(u.target for u in on.uncertainties if u.source == SOURCE) == sorted(
        f"model:{m}:{c}" for m in ("fugaku", "mi300a-node") for c in ("compute", "memory", "power"))
    off = _study(tmp_path, "\n[uncertainty_defaults]\nmodel_error = false\n")
    assert not [u for u in off.uncertainties if u.source == SOURCE]
    assert [u for u in off.uncertainties if u.source == "ecosystems.toml"]  # the table's spreads stay
    own = _study(tmp_path, '\n[[uncertainty]]\ntarget = "model:gpu:memory"\n'
                           'distribution = { kind = "lognormal", mean = 1.0, sd = 0.5 }\n')
    targets = [u.target for u in own.uncertainties]
    assert "model:mi300a-node:memory" not in targets and "model:fugaku:memory" in targets
    assert "model:mi300a-node:compute" in targets
