"""Candidates projected to the study's delivery year (fs.projected_candidates): the rule, the labels,
the roadmap bands as default uncertainties, the switches and their errors."""

import json
import math

import numpy as np
import pytest

import archmodels
from archmodels.errors import SpecError
from archmodels.power import processor_energy_per_flop_j
from archmodels.roadmap import ratio
from archmodels.transforms import scale_parts
from fs import uncertainty as U
from fs.cli import main
from fs.projected_candidates import SOURCE
from fs.report_page_one import candidate_flag
from fs.runner import evaluate_case
from fs.study import load_study

# A 2023 product (dgx-h100) and a 2030 hypothetical (fugakunext-like) against Fugaku as built.
STUDY = '''
schema = "fs-workbench/study/1"
name = "year-test"
reference = "fugaku"
seed = 11
{top}
[constraints]
power = "40 MW"

[[candidates]]
machine = "dgx-h100"
{dgx}
[[candidates]]
machine = "fugakunext-like"

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
{lifetime}
[assumptions]
productivity = {{ gpu = 0.5, cpu = 0.5 }}
commercial_reach = {{ gpu = 0.5, cpu = 0.5 }}
'''


def _study(tmp_path, top="", dgx="", lifetime="", extra="", name="s.toml"):
    path = tmp_path / name
    path.write_text(STUDY.format(top=top, dgx=dgx, lifetime=lifetime) + extra)
    return path


def _gpu_eps(machine, precision="fp64"):
    gpu = next(p for p in machine.node.processors if p.type == "gpu")
    return processor_energy_per_flop_j(machine.node, gpu, precision)


def test_a_2023_product_is_projected_to_the_studys_year_beside_a_2030_hypothetical(tmp_path):
    s = load_study(_study(tmp_path))
    assert s.start_year == 2030 and s.project_candidates == "iso-power"
    dgx, nxt = s.candidates
    h100 = archmodels.load_machine("dgx-h100")
    assert dgx.machine.name == "dgx-h100-2030" and dgx.machine.year == 2030 and dgx.machine.hypothetical
    assert dict(dgx.projection)["from_year"] == 2023 and dgx.projection["rule"] == "iso-power"
    assert dgx.projection_label == "projected 2023→2030, iso-power"
    # the 2030 hypothetical is the catalog's machine, untouched; so is the reference (Fugaku as built)
    assert nxt.machine is archmodels.load_machine("fugakunext-like") and nxt.projection is None
    assert s.reference.machine is archmodels.load_machine("fugaku") and s.reference.projection is None
    # lower energy per FLOP by the roadmap's logic_energy ratio, in every precision
    r = ratio("logic_energy", 2023, 2030)
    assert r < 0.5
    for prec in ("fp64", "bf16", "fp8"):
        assert _gpu_eps(dgx.machine, prec) == pytest.approx(r * _gpu_eps(h100, prec), rel=1e-12)
    row = evaluate_case(s, {}).set_index("candidate")
    assert list(row["year"]) == [2030.0, 2030.0]
    assert row.loc["dgx-h100-2030", "projection"] == "projected 2023→2030, iso-power"
    assert row.loc["fugakunext-like", "projection"] == ""
    assert candidate_flag(row.loc["dgx-h100-2030"]) == "projected 2023→2030, iso-power (2030)"
    assert candidate_flag(row.loc["fugakunext-like"]) == "hypothetical (2030)"
    none = evaluate_case(load_study(_study(tmp_path, top='project_candidates = "none"', name="n.toml")), {})
    none = none.set_index("candidate")
    # iso-power: the same node power at 1/r the peak, so more work per joule than the 2023 node
    assert (row.loc["dgx-h100-2030", "performance_per_watt"]
            > 1.5 * none.loc["dgx-h100", "performance_per_watt"])
    assert row.loc["dgx-h100-2030", "performance"] > none.loc["dgx-h100", "performance"]


def test_none_reproduces_the_unprojected_scores_exactly(tmp_path):
    none = load_study(_study(tmp_path, top='project_candidates = "none"', name="n.toml"))
    off = load_study(_study(tmp_path, dgx="project = false", name="f.toml"))
    h100 = archmodels.load_machine("dgx-h100")
    assert none.candidates[0].machine is h100 and off.candidates[0].machine is h100
    assert none.candidates[0].projection is None and none.candidates[0].label == "dgx-h100"
    a, b = evaluate_case(none, {}), evaluate_case(off, {})
    cols = [c for c in a.columns if c in b.columns]
    assert list(a["candidate"]) == ["dgx-h100", "fugakunext-like"]
    assert a[cols].equals(b[cols])
    # and the projected study differs from them (the test above is not vacuous)
    on = evaluate_case(load_study(_study(tmp_path, name="o.toml")), {})
    assert not np.allclose(on["score"], a["score"])


def test_the_reference_is_never_projected_and_a_candidates_own_year_wins(tmp_path):
    path = _study(tmp_path, dgx="year = 2027\nlabel = \"h100-27\"",
                  extra='\n[[candidates]]\nmachine = "dgx-h100"\nlabel = "h100-30"\n')
    text = path.read_text().replace('reference = "fugaku"', 'reference = "dgx-h100"')
    path.write_text(text)
    s = load_study(path)
    assert s.reference.machine is archmodels.load_machine("dgx-h100") and s.reference.projection is None
    by = {c.label: c for c in s.candidates}
    assert by["h100-27"].machine.year == 2027 and by["h100-27"].projection_label == "projected 2023→2027, iso-power"
    assert by["h100-30"].machine.year == 2030
    r27, r30 = ratio("logic_energy", 2023, 2027), ratio("logic_energy", 2023, 2030)
    h100 = archmodels.load_machine("dgx-h100")
    assert _gpu_eps(by["h100-27"].machine) == pytest.approx(r27 * _gpu_eps(h100), rel=1e-12)
    assert _gpu_eps(by["h100-30"].machine) == pytest.approx(r30 * _gpu_eps(h100), rel=1e-12)
    # a delivery year at the machine's own year projects nothing
    same = load_study(_study(tmp_path, dgx="year = 2023", name="same.toml"))
    assert same.candidates[0].machine is h100


def test_iso_performance_keeps_the_peaks_and_lowers_the_tdp(tmp_path):
    s = load_study(_study(tmp_path, top='project_candidates = "iso-performance"'))
    h100, proj = archmodels.load_machine("dgx-h100"), s.candidates[0].machine
    r = ratio("logic_energy", 2023, 2030)
    for old, new in zip(h100.node.processors, proj.node.processors):
        assert new.peak_flop_per_s == old.peak_flop_per_s
    gpu0, gpu1 = (next(p for p in m.node.processors if p.type == "gpu") for m in (h100, proj))
    from archmodels.power import node_power

    assert node_power(proj.node).tdp_w[gpu1.name] == pytest.approx(r * node_power(h100.node).tdp_w[gpu0.name])
    assert s.candidates[0].projection_label == "projected 2023→2030, iso-performance"
    targets = {u.target for u in s.uncertainties if u.source == SOURCE}
    assert "processor:dgx-h100-2030/H100-SXM5:tdp" in targets
    assert "processor:dgx-h100-2030/H100-SXM5:peak" not in targets


def test_the_roadmap_bands_become_default_uncertainties_and_move_the_projected_candidate(tmp_path):
    s = load_study(_study(tmp_path, extra="\n[uncertainty_defaults]\nmodel_error = false\nassumptions = false\n"))
    proj = {u.target: dict(u.distribution) for u in s.uncertainties if u.source == SOURCE}
    r, lo, hi = s.candidates[0].projection["ratios"]["logic_energy"]
    eps = proj["processor:dgx-h100-2030/H100-SXM5:energy_per_flop"]
    assert eps == {"kind": "triangular", "low": pytest.approx(lo / r), "mode": 1.0, "high": pytest.approx(hi / r)}
    peak = proj["processor:dgx-h100-2030/H100-SXM5:peak"]
    assert peak["low"] == pytest.approx(r / hi) and peak["high"] == pytest.approx(r / lo)
    # only the projected machine: not the 2030 hypothetical, not the reference
    assert all(t.split(":")[1].startswith("dgx-h100-2030") for t in proj)
    # the energy-floor target scales the projected processor's own floor, and nothing in a catalog machine
    m = s.candidates[0].machine
    scaled, hit = scale_parts(m, {"processor:dgx-h100-2030/H100-SXM5:energy_per_flop": 1.5})
    assert hit == {"processor:dgx-h100-2030/H100-SXM5:energy_per_flop"}
    assert _gpu_eps(scaled) == pytest.approx(1.5 * _gpu_eps(m))
    assert scale_parts(archmodels.load_machine("dgx-h100"), {"processor:*:energy_per_flop": 1.5})[1] == set()
    frames = [evaluate_case(s, U.sample_multipliers(s.uncertainties, s.seed, i)).set_index("candidate") for i in range(6)]
    perf = np.array([f.loc["dgx-h100-2030", "performance_per_watt"] for f in frames])
    other = np.array([f.loc["fugakunext-like", "performance_per_watt"] for f in frames])
    assert np.ptp(perf) > 0.01 * perf.mean() and np.ptp(other) == 0


def test_the_switch_and_a_studys_own_uncertainty_replace_the_defaults(tmp_path):
    off = load_study(_study(tmp_path, extra="\n[uncertainty_defaults]\nprojections = false\n", name="off.toml"))
    assert not [u for u in off.uncertainties if u.source == SOURCE]
    assert off.candidates[0].projection is not None  # the projection itself stays
    own = '''
[[uncertainty]]
target = "processor:dgx-h100-2030/H100-SXM5:peak"
distribution = { kind = "uniform", low = 0.5, high = 1.5 }
'''
    s = load_study(_study(tmp_path, extra=own, name="own.toml"))
    peaks = [u for u in s.uncertainties if u.target == "processor:dgx-h100-2030/H100-SXM5:peak"]
    assert len(peaks) == 1 and peaks[0].source is None and peaks[0].distribution["low"] == 0.5
    assert any(u.target == "processor:dgx-h100-2030/H100-SXM5:energy_per_flop" and u.source == SOURCE
               for u in s.uncertainties)


def test_a_small_run_labels_the_projected_candidate_in_json_and_report(tmp_path, capsys):
    path = _study(tmp_path)
    out = tmp_path / "out"
    status = main(["study", "run", str(path), "--out", str(out), "--json", "--samples", "0", "--sweep-points", "0",
                   "--no-ops"])
    assert status == 0
    result = json.loads(capsys.readouterr().out)
    by = {c["name"]: c for c in result["candidates"]}
    assert by["dgx-h100-2030"]["projection"] == "projected 2023→2030, iso-power" and by["dgx-h100-2030"]["year"] == 2030
    assert by["fugakunext-like"]["projection"] is None and by["fugakunext-like"]["year"] == 2030
    run = json.loads((out / "run.json").read_text())
    assert run["study"]["project_candidates"] == "iso-power"
    assert run["study"]["projections"]["dgx-h100-2030"]["from_machine"] == "dgx-h100"
    report = (out / "report.md").read_text()
    assert "projected 2023→2030, iso-power" in report


@pytest.mark.parametrize("top, dgx, field, words", [
    ('project_candidates = "iso-area"', "", "project_candidates", "iso-power"),
    ("", "year = 2021", "candidates[0].year", "before"),
    ("", "year = 2040", "candidates[0].year", "2034"),
    ("", 'project = "no"', "candidates[0].project", "boolean"),
])
def test_bad_values_name_the_field_and_the_cli_exits_2(tmp_path, capsys, top, dgx, field, words):
    path = _study(tmp_path, top=top, dgx=dgx)
    with pytest.raises(SpecError) as info:
        load_study(path)
    assert [p for p, _ in info.value.problems] == [field] and words in str(info.value)
    status = main(["study", "run", str(path), "--out", str(tmp_path / "o"), "--json"])
    err = capsys.readouterr().err
    assert status == 2 and field in err and "Traceback" not in err


def test_a_machine_without_a_year_is_refused_unless_it_is_not_projected(tmp_path):
    text = archmodels.loaders.resolve_machine_path("dgx-h100").read_text()
    lines = [ln for ln in text.splitlines() if not ln.startswith("year")]
    (tmp_path / "undated.toml").write_text("\n".join(lines) + "\n")
    path = _study(tmp_path)
    path.write_text(path.read_text().replace('machine = "dgx-h100"', 'machine = "undated.toml"'))
    with pytest.raises(SpecError) as info:
        load_study(path)
    assert [p for p, _ in info.value.problems] == ["candidates[0].machine"] and "no `year`" in str(info.value)
    path.write_text(path.read_text().replace('machine = "undated.toml"', 'machine = "undated.toml"\nproject = false'))
    assert load_study(path).candidates[0].machine.year is None
    assert math.isnan(evaluate_case(load_study(path), {})["year"].iloc[0])
