"""Fit sets, the out-of-sample suite and the leave-one-out refits (issue 13 items 1 and 6).

The out-of-sample errors are pinned one-sidedly: PINNED holds each row's error as it was when the
suite landed (model unchanged since), and a later change that makes any |error| worse by more than
TOLERANCE, or a suite median worse by more than MEDIAN_TOLERANCE, fails. Improvements pass; when a
model change improves them, lower the pins. Nothing was tuned to make these numbers good.
"""

import statistics
import tomllib

import pytest

from archmodels import predict
from archmodels.loaders import machine_names
from archmodels.validation import FIT_SYSTEMS, published_figures, validate
from archmodels.validation_suite import (SUITE_MACHINES, error_summary, fit_sets, fitted_figures,
                                         fit_hpcg_stream_share, hpcg_fit_set, hpcg_implied_stream_share,
                                         leave_one_out_hpcg, leave_one_out_hpl_fraction, leave_one_out_procurement,
                                         out_of_sample, suite_machines, suite_results, validation_report)

TOLERANCE = 0.03
# HPCG pins moved when HPCG became a kernel model (archmodels.hpcg_kernels, issue 13 item 4): every row
# improved except crossroads (+0.689 -> +1.196: the Xeon Max's HBM2e is taken at 0.645 x 0.80 of its
# 1.64 TB/s per socket, which the cores cannot draw; nothing in the model knows that).
MEDIAN_TOLERANCE = 0.02
# error = model / published - 1 of every out-of-sample row when the suite landed
PINNED = {
    "piz-daint": {"hpl": -0.015, "hpl_power": -0.213, "gflops_per_w": 0.251, "hpcg": -0.025},
    "tsubame3": {"hpl": 0.097, "hpl_power": -0.036, "gflops_per_w": 0.138, "hpcg": -0.02},
    "sierra": {"hpl": 0.111, "hpl_power": -0.145, "gflops_per_w": 0.299, "hpcg": -0.022},
    "marconi-100": {"hpl": 0.111, "hpl_power": -0.015, "gflops_per_w": 0.128, "hpcg": -0.176},
    "hpc5": {"hpl": 0.249, "hpl_power": 0.164, "gflops_per_w": 0.074, "hpcg": -0.12},
    "perlmutter": {"hpl": 0.319, "hpl_power": 0.111, "gflops_per_w": 0.187, "hpcg": -0.415},
    "selene": {"hpl": 0.074, "hpl_power": -0.217, "gflops_per_w": 0.371, "hpcg": -0.337},
    "juwels-booster": {"hpl": 0.291, "hpl_power": 0.01, "gflops_per_w": 0.278, "hpcg": -0.464},
    "polaris": {"hpl": 0.304},
    "marenostrum5-acc": {"hpl": 0.123, "hpl_power": -0.106, "gflops_per_w": 0.256, "hpcg": -0.246},
    "tsubame4": {"hpl": 0.064, "hpl_power": -0.009, "gflops_per_w": 0.074, "hpcg": 0.066},
    "eos": {"hpl": 0.204},
    "venado": {"hpl": 0.052, "hpl_power": 0.236, "gflops_per_w": -0.148},
    "helios-gpu": {"hpl": 0.01, "hpl_power": 0.208, "gflops_per_w": -0.164, "hpcg": -0.216},
    "setonix-gpu": {"hpl": -0.006, "hpl_power": 0.038, "gflops_per_w": -0.042, "hpcg": -0.077},
    "adastra": {"hpl": 0.031, "hpl_power": -0.055, "gflops_per_w": 0.091, "hpcg": -0.098},
    "supermuc-ng": {"hpl": 0.278, "hpcg": -0.126},
    "frontera": {"hpl": 0.351},
    "hawk": {"hpl": 0.067, "hpl_power": -0.308, "gflops_per_w": 0.542, "hpcg": -0.255},
    "cea-hf": {"hpl": 0.121, "hpl_power": -0.214, "gflops_per_w": 0.425, "hpcg": -0.153},
    "shaheen3-cpu": {"hpl": -0.225, "hpl_power": -0.317, "gflops_per_w": 0.135, "hpcg": -0.279},
    "crossroads": {"hpl": 0.097, "hpl_power": -0.277, "gflops_per_w": 0.517, "hpcg": 1.196},
    "cori": {"hpl": 0.631, "hpl_power": -0.451, "gflops_per_w": 1.968, "hpcg": -0.636},
}


@pytest.fixture(scope="module")
def oos():
    return {(c.system, c.metric): c for c in out_of_sample()}


# ---------------------------------------------------------------- the suite is a test set

def test_suite_systems_are_in_no_fit_set_and_not_in_the_catalog():
    suite = set(suite_machines())
    fitted_systems = {system for system, _ in fitted_figures()}
    assert not suite & fitted_systems
    assert not suite & set(machine_names())
    assert not suite & {p.stem for p in FIT_SYSTEMS.glob("*.toml")}
    assert not suite & {f["system"] for f in published_figures()[0]}


@pytest.mark.parametrize("name", sorted(p.stem for p in SUITE_MACHINES.glob("*.toml")))
def test_machine_file_is_a_hardware_description_only(name):
    path = SUITE_MACHINES / f"{name}.toml"
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    assert raw["name"] == name
    assert "power_max" not in raw.get("node", {}) and "power_idle" not in raw.get("node", {})
    text = path.read_text()
    assert "out_of_sample_results" not in text.replace("../out_of_sample_results.toml, never read here", "")
    for proc in raw["node"]["processors"]:
        assert "tdp" in proc, f"{name}: {proc['name']} has no TDP (its power would come from a default)"
        assert len(proc["memory"]) >= 2, f"{name}: {proc['name']} is described without its cache"
        assert not any(level.get("measured") for level in proc["memory"])
    predict(path, "hpl")  # loads and predicts


def test_every_source_has_a_title_and_assumptions_say_so():
    for path in SUITE_MACHINES.glob("*.toml"):
        with path.open("rb") as fh:
            sources = tomllib.load(fh)["sources"]
        for sid, src in sources.items():
            assert src["title"], (path.name, sid)
            assert sid.startswith("assumption") == src["title"].startswith("Assumption"), (path.name, sid)
            if not sid.startswith("assumption"):
                assert src.get("url", "").startswith("https://"), (path.name, sid)


def test_results_name_suite_machines_and_cite_a_list_edition():
    figures, sources = suite_results()
    machines = set(suite_machines())
    assert {f["system"] for f in figures} == machines
    for f in figures:
        assert f["source"] in sources and sources[f["source"]]["url"].startswith("https://www.top500.org/lists/")
    # one list edition per system (Rmax, power and HPCG of the same row)
    editions = {}
    for f in figures:
        editions.setdefault(f["system"], set()).add(f["source"])
    assert all(len(e) == 1 for e in editions.values())
    assert all(any(f["system"] == m and f["metric"] == "hpl" for f in figures) for m in machines)


def test_suite_spans_cpu_and_gpu_generations():
    kinds = set()
    for path in SUITE_MACHINES.glob("*.toml"):
        with path.open("rb") as fh:
            procs = tomllib.load(fh)["node"]["processors"]
        kinds |= {p["name"].split("-")[0] for p in procs if p["type"] == "gpu"}
        if all(p["type"] == "cpu" for p in procs):
            kinds.add("cpu-only")
    assert {"P100", "V100", "A100", "H100", "MI250X", "cpu-only"} <= kinds
    names = {p.stem for p in SUITE_MACHINES.glob("*.toml")}
    assert {"venado", "helios-gpu"} <= names            # GH200 (Grace + H100)
    assert {"crossroads", "cori"} <= names              # HBM / MCDRAM CPUs
    assert len(suite_machines()) >= 15


# ---------------------------------------------------------------- pinned errors

@pytest.mark.parametrize("system, metric", sorted((s, m) for s, ms in PINNED.items() for m in ms))
def test_out_of_sample_error_no_worse_than_pinned(oos, system, metric):
    c = oos[(system, metric)]
    assert abs(c.error) <= abs(PINNED[system][metric]) + TOLERANCE, c


def test_every_out_of_sample_row_is_pinned(oos):
    assert set(oos) == {(s, m) for s, ms in PINNED.items() for m in ms}


@pytest.mark.parametrize("metric", ["hpl", "hpl_power", "hpcg"])
def test_out_of_sample_median_no_worse_than_pinned(oos, metric):
    pinned = statistics.median(abs(ms[metric]) for ms in PINNED.values() if metric in ms)
    row = next(r for r in error_summary(list(oos.values())) if r["metric"] == metric)
    assert row["median_abs_error"] <= pinned + MEDIAN_TOLERANCE


def test_error_summary_counts_bands():
    class C:  # noqa: D401 - a stand-in row
        def __init__(self, e):
            self.metric, self.error = "hpl", e

    row = error_summary([C(0.1), C(-0.18), C(0.25), C(-0.5)])[0]
    assert row["n"] == 4 and row["median_abs_error"] == pytest.approx(0.215)
    assert (row["within_15"], row["within_20"], row["within_30"]) == (0.25, 0.5, 0.75)


# ---------------------------------------------------------------- fit sets and in_sample labels

def test_fit_sets_name_published_figures():
    figures = {(f["system"], f["metric"]) for f in published_figures()[0]}
    keys = {fs.key for fs in fit_sets()}
    assert {"hpl.cpu", "hpl.gpu", "hpcg.cpu", "hpcg.gpu", "dense.cpu", "energy_per_flop_fp64.gpu",
            "procurement"} <= keys
    for fs in fit_sets():
        for system, metric in fs.figures:
            if metric in {"hpl", "hpl_power", "hpcg", "gflops_per_w", "dgemm"}:
                assert (system, metric) in figures, (fs, system, metric)


def test_in_sample_labels():
    rows = {(c.system, c.metric): c for c in validate()}
    assert rows[("fugaku", "hpl")].in_sample and "hpl.cpu" in rows[("fugaku", "hpl")].in_sample_reason
    assert rows[("summit", "hpl")].in_sample and rows[("leonardo-booster", "hpl")].in_sample
    # HPCG's stream share is fitted on the catalog's HPCG figures (efficiency.toml [hpcg])
    assert rows[("fugaku", "hpcg")].in_sample and "hpcg.cpu" in rows[("fugaku", "hpcg")].in_sample_reason
    assert rows[("summit", "hpcg")].in_sample and "hpcg.gpu" in rows[("summit", "hpcg")].in_sample_reason
    assert not rows[("aurora", "hpl")].in_sample
    # an HPL power read back from power_max is an input, whatever the fit sets say
    for (system, metric), c in rows.items():
        if metric == "hpl_power":
            assert c.in_sample and "power_max" in c.in_sample_reason
    assert rows[("lumi", "capital")].in_sample and not rows[("fugaku", "capital")].in_sample


def test_report_groups_apart():
    rep = validation_report()
    groups = {(r["group"], r["metric"]) for r in rep["summary"]}
    # every catalog HPCG figure is in the fit set of HPCG's stream share; Aurora's HPL is in no fit set
    assert ("in_sample", "hpcg") in groups and ("out_of_sample", "hpl") in groups
    n_in = sum(r["n"] for r in rep["summary"] if r["group"] == "in_sample")
    assert n_in == sum(1 for r in rep["rows"] if r["in_sample"])


# ---------------------------------------------------------------- leave one out

def test_leave_one_out_hpl_fraction_refits_without_the_system():
    rows = {r["system"]: r for r in leave_one_out_hpl_fraction()}
    assert set(rows) == {"summit", "leonardo-booster"}   # the compute-bound systems of the GPU fit set
    # without Summit, the fraction is Leonardo's own: 0.78 x Rmax / model
    leo = predict(str(FIT_SYSTEMS / "leonardo-booster.toml"), "hpl").flop_per_s
    assert rows["summit"]["refit"] == pytest.approx(0.78 * 238.7e15 / leo)
    assert rows["summit"]["n_fit"] == 1
    summit = predict(str(FIT_SYSTEMS / "summit.toml"), "hpl").flop_per_s
    assert rows["summit"]["model_out"] == pytest.approx(summit * rows["summit"]["refit"] / 0.78)
    # a system left out is predicted worse than when it was in the fit
    assert all(abs(r["error_out"]) > abs(r["error_in"]) for r in rows.values())


def test_leave_one_out_procurement():
    from archmodels.cost import fit_procurement_factor

    rows = {r["system"]: r for r in leave_one_out_procurement()}
    assert set(rows) == {"lumi", "alps"}
    assert rows["lumi"]["refit"] == pytest.approx(fit_procurement_factor(("alps",)))
    assert rows["alps"]["refit"] == pytest.approx(fit_procurement_factor(("lumi",)))


# ---------------------------------------------------------------- HPCG's stream share


def test_hpcg_fit_set_is_the_catalog_s_hpcg_figures():
    figures = {f["system"] for f in published_figures()[0] if f["metric"] == "hpcg"}
    assert set(hpcg_fit_set()) == figures
    assert not set(hpcg_fit_set()) & set(suite_machines())      # never the test set


def test_stored_hpcg_efficiency_is_the_fit():
    from archmodels.technology import efficiency

    kappa = fit_hpcg_stream_share()
    for ptype in ("cpu", "gpu", "accelerator"):
        assert efficiency(ptype, "hpcg").memory == pytest.approx(kappa * efficiency(ptype, "stream").memory, abs=1e-3)


def test_implied_stream_share_reproduces_the_figure():
    from archmodels.validation_suite import _hpcg_run

    kappa = hpcg_implied_stream_share("summit", 2925.75e12)
    assert _hpcg_run("summit", kappa)[0].flop_per_s == pytest.approx(2925.75e12, rel=1e-6)


def test_leave_one_out_hpcg_refits_without_the_system():
    rows = {r["system"]: r for r in leave_one_out_hpcg()}
    assert set(rows) == set(hpcg_fit_set())
    implied = {s: hpcg_implied_stream_share(s, rows[s]["published"]) for s in rows}
    for system, r in rows.items():
        assert r["refit"] == pytest.approx(statistics.median(v for s, v in implied.items() if s != system))
        assert r["n_fit"] == len(rows) - 1
    assert "leave_one_out" in validation_report() and any(
        "hpcg" in r["constant"] for r in validation_report()["leave_one_out"])
