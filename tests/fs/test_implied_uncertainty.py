"""Default spreads on hypothetical candidates' assumptions (fs.implied_uncertainty), the machine/part
selector, the [uncertainty_defaults] switches and their errors."""

import numpy as np
import pytest

import archmodels
from archmodels.errors import SpecError
from archmodels.transforms import scale_parts, split_selector
from fs import uncertainty as U
from fs.cli import main
from fs.implied_uncertainty import SOURCE, assumed_values, implied_uncertainties, is_assumption
from fs.model_error import SOURCE as MODEL_SOURCE
from fs.runner import evaluate_case
from fs.spec import locate_study
from fs.study import Candidate, defaults, load_study

# Two candidates against Fugaku, every stated score overridden by type so that no ecosystem default
# applies: the only uncertainties are the defaults the switches add.
STUDY = '''
schema = "fs-workbench/study/1"
name = "defaults-test"
reference = "fugaku"
seed = 7
project_candidates = "none"   # mi300a-node stays the shipping 2023 machine (fs.projected_candidates)

[constraints]
power = "40 MW"

[[candidates]]
machine = "fugakunext-like"
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

[assumptions]
productivity = { gpu = 0.5, cpu = 0.5 }
commercial_reach = { gpu = 0.5, cpu = 0.5 }
'''


def _study(tmp_path, extra="", name="s.toml"):
    path = tmp_path / name
    path.write_text(STUDY + extra)
    return path


def _by_source(study, source):
    return [u for u in study.uncertainties if u.source == source]


def test_every_scalable_assumption_of_a_hypothetical_candidate_gets_the_stated_spread(tmp_path):
    s = load_study(_study(tmp_path, "\n[uncertainty_defaults]\nmodel_error = false\n"))
    implied = {u.target: u for u in _by_source(s, SOURCE)}
    stated = dict(defaults()["uncertainty_defaults"]["assumption"])
    assert stated == {"kind": "triangular", "low": 0.8, "mode": 1.0, "high": 1.2}
    assert all(dict(u.distribution) == stated for u in implied.values())
    m = archmodels.load_machine("fugakunext-like")
    # the GPU's peaks, TDP and HBM4 bandwidth are assumptions of the machine file; so is the node power
    for target in ("processor:fugakunext-like/GPU-2030:peak", "processor:fugakunext-like/GPU-2030:tdp",
                   "memory:fugakunext-like/GPU-2030/HBM4:bandwidth", "node:fugakunext-like:power",
                   "network:fugakunext-like/*:energy_per_bit"):
        assert target in implied
    assert is_assumption(m, "node.processors[0].memory[1].bandwidth")
    # every implied target scales only assumption-labelled values, and each changes the machine
    for target, _, paths in assumed_values(m):
        assert paths and all(is_assumption(m, p) for p in paths)
        if target.split(":")[0] in ("memory", "network", "processor"):
            assert scale_parts(m, {target: 1.1})[1] == {target}
    # the in-node link bandwidth and the CPU clock are assumptions no multiplier scales: no target
    assert not any("links" in p or p.endswith(".clock") for _, _, paths in assumed_values(m) for p in paths)
    # mi300a-node is a shipping machine: nothing implied for it, nor for the reference
    assert all(":fugakunext-like" in t or t.split(":")[1].startswith("fugakunext-like/") for t in implied)


def test_a_shipping_machine_gets_no_spread_whatever_its_sources_say():
    dgx = archmodels.load_machine("dgx-h100")
    assert not dgx.hypothetical
    assert assumed_values(dgx)  # its H100 L2 bandwidth and network latency are assumptions ...
    stated = defaults()["uncertainty_defaults"]["assumption"]
    assert implied_uncertainties([Candidate("dgx-h100", dgx, None, "dgx-h100")], (), stated) == []  # ... untested


def test_the_hypothetical_candidates_score_interval_is_no_longer_degenerate(tmp_path):
    on = load_study(_study(tmp_path, "\n[uncertainty_defaults]\nmodel_error = false\n", "on.toml"))
    off = load_study(_study(tmp_path, "\n[uncertainty_defaults]\nmodel_error = false\nassumptions = false\n",
                            "off.toml"))
    assert off.uncertainties == () and len(on.uncertainties) > 10

    def samples(study):
        frames = [evaluate_case(study, U.sample_multipliers(study.uncertainties, study.seed, i)).set_index("candidate")
                  for i in range(8)]
        return {(c, col): np.array([f.loc[c, col] for f in frames])
                for c in ("fugakunext-like", "mi300a-node") for col in ("score", "performance")}

    before, after = samples(off), samples(on)
    assert np.ptp(before[("fugakunext-like", "score")]) == 0 and np.ptp(before[("fugakunext-like", "performance")]) == 0
    assert np.ptp(after[("fugakunext-like", "score")]) > 0.01 and np.ptp(after[("fugakunext-like", "performance")]) > 0.01
    # the shipping candidate's own figures do not move (its score does: it is relative to the best)
    assert np.ptp(after[("mi300a-node", "performance")]) == 0


def test_the_switches_turn_the_defaults_off_and_leave_the_ecosystem_table_alone(tmp_path):
    both = load_study("fugakunext")
    path = tmp_path / "f.toml"
    path.write_text(locate_study("fugakunext").read_text() + "\n[uncertainty_defaults]\nassumptions = false\nmodel_error = false\n")
    none = load_study(path)
    assert _by_source(both, SOURCE) and _by_source(both, MODEL_SOURCE)
    assert not _by_source(none, SOURCE) and not _by_source(none, MODEL_SOURCE)
    assert [u.target for u in _by_source(none, "ecosystems.toml")] == [u.target for u in _by_source(both, "ecosystems.toml")]
    assert [u.target for u in none.uncertainties if u.source is None] == [
        u.target for u in both.uncertainties if u.source is None]
    # order: the study's own, the ecosystem table's, the implied, the model's
    order = [u.source for u in both.uncertainties]
    ranks = [{None: 0, "ecosystems.toml": 1, SOURCE: 2, MODEL_SOURCE: 3}[s] for s in order]
    assert ranks == sorted(ranks)


def test_a_studys_own_uncertainty_replaces_the_default(tmp_path):
    own = '''
[uncertainty_defaults]
model_error = false
[[uncertainty]]
target = "processor:fugakunext-like/GPU-2030:peak"
distribution = { kind = "uniform", low = 0.5, high = 1.5 }
[[uncertainty]]
target = "memory:hbm4:bandwidth"
distribution = { kind = "uniform", low = 0.9, high = 1.1 }
'''
    s = load_study(_study(tmp_path, own))
    targets = [u.target for u in s.uncertainties]
    assert targets.count("processor:fugakunext-like/GPU-2030:peak") == 1
    peak = next(u for u in s.uncertainties if u.target == "processor:fugakunext-like/GPU-2030:peak")
    assert peak.source is None and dict(peak.distribution)["low"] == 0.5
    # a technology-wide selector covers the machine's HBM4 level too; its TDP keeps the default
    assert "memory:fugakunext-like/GPU-2030/HBM4:bandwidth" not in targets
    assert "processor:fugakunext-like/GPU-2030:tdp" in targets


def test_machine_part_selectors_scale_one_machines_part():
    nxt, mi = archmodels.load_machine("fugakunext-like"), archmodels.load_machine("mi300a-node")
    target = "processor:fugakunext-like/gpu:peak"
    scaled, hit = scale_parts(nxt, {target: 2.0})
    assert hit == {target}
    gpu, cpu = scaled.node.processors
    assert gpu.peak_flop_per_s["fp64"] == 2 * nxt.node.processors[0].peak_flop_per_s["fp64"]
    assert cpu.peak_flop_per_s == nxt.node.processors[1].peak_flop_per_s
    assert scale_parts(mi, {target: 2.0}) == (mi, set())  # another machine's GPU is not picked
    level = "memory:fugakunext-like/MONAKA-X/SRAM-3D:bandwidth"
    scaled, hit = scale_parts(nxt, {level: 0.5})
    assert hit == {level} and scaled.node.processors[1].memory[0].bandwidth_bytes_per_s == 4e12
    assert scaled.node.processors[0].memory == nxt.node.processors[0].memory
    assert split_selector("network", "fugakunext-like/*") == ("fugakunext-like", "*", "*")
    with pytest.raises(ValueError, match="machine/part"):
        split_selector("processor", "a/b/c")


@pytest.mark.parametrize("extra, field, words", [
    ("\n[uncertainty_defaults]\nassumptions = \"yes\"\n", "uncertainty_defaults.assumptions", "boolean"),
    ("\n[uncertainty_defaults]\nmodel_error = 1\n", "uncertainty_defaults.model_error", "boolean"),
    ("\n[uncertainty_defaults]\nassumption = false\n", "uncertainty_defaults.assumption", ""),
    ('\n[[uncertainty]]\ntarget = "processor:a/b/c:peak"\ndistribution = { kind = "uniform", low = 0.9, high = 1.1 }\n',
     "uncertainty[0].target", "machine/part"),
    ('\n[[uncertainty]]\ntarget = "processor:no-such-machine/GPU-2030:peak"\n'
     'distribution = { kind = "uniform", low = 0.9, high = 1.1 }\n', "uncertainty[0].target", "picks nothing"),
])
def test_bad_switches_and_selectors_name_the_field_and_the_cli_exits_2(tmp_path, capsys, extra, field, words):
    path = _study(tmp_path, extra)
    with pytest.raises(SpecError) as info:
        load_study(path)
    assert [p for p, _ in info.value.problems] == [field] and words in str(info.value)
    status = main(["study", "run", str(path), "--out", str(tmp_path / "o"), "--json"])
    err = capsys.readouterr().err
    assert status == 2 and field in err and "Traceback" not in err
