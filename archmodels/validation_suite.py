"""Fit sets, the out-of-sample suite and leave-one-out refits: how the model does on systems it has
not seen.

- **Fit sets.** Every fitted constant in ``archmodels/data/*.toml`` lists the published figures it
  was fitted on in a ``fit_set = ["system:metric", ...]`` key next to its value (a bare ``"system"``
  in ``cost.toml`` means that system's ``capital`` figure). :func:`fitted_figures` collects them;
  :func:`archmodels.validation.validate` labels those rows ``in_sample``.
- **Out-of-sample suite.** ``archmodels/data/validation/machines/*.toml`` are TOP500/HPCG/Green500
  systems that are in no fit set and not in the catalog, each written from its hardware description
  only (node count of the HPL run, processors and their datasheet peaks and TDPs, memory, network;
  no ``power_max``, nothing derived from Rmax). Their published results are in
  ``archmodels/data/validation/out_of_sample_results.toml``, which the machine files never read.
  No constant may be tuned to them: they are a test set.
- **Summary.** :func:`error_summary` gives, per metric, the median |error| and the share of rows
  within ±15%, ±20% and ±30% (``error = model / published − 1``).
- **Leave one out.** :func:`leave_one_out_hpl_fraction` refits a constant that is a plain mean of
  per-system ratios (the HPL fraction of peak per processor type) without system X and predicts X;
  :func:`leave_one_out_hpcg` does the same for HPCG's stream share κ (:func:`fit_hpcg_stream_share`).
"""

from __future__ import annotations

import statistics
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from archmodels.errors import InputError

DATA = Path(__file__).parent / "data"
SUITE = DATA / "validation"
SUITE_MACHINES = SUITE / "machines"
SUITE_RESULTS = SUITE / "out_of_sample_results.toml"
SUITES = ("default", "out-of-sample")
BANDS = (0.15, 0.20, 0.30)
_BARE_METRIC = {"cost.toml": "capital"}   # cost.toml's procurement fit_set names systems only


@dataclass(frozen=True)
class FitSet:
    """One fitted constant: the data file, its key path, and the figures it was fitted on."""

    file: str
    key: str
    figures: tuple[tuple[str, str], ...]


def _walk(node, path: tuple[str, ...], file: str, out: list[FitSet]) -> None:
    if isinstance(node, dict):
        if "fit_set" in node:
            figs = []
            for entry in node["fit_set"]:
                system, _, metric = str(entry).partition(":")
                figs.append((system, metric or _BARE_METRIC.get(file, "")))
            out.append(FitSet(file, ".".join(path), tuple(figs)))
        for key, value in node.items():
            if key != "sources":
                _walk(value, path + (key,), file, out)


@lru_cache(maxsize=1)
def fit_sets() -> tuple[FitSet, ...]:
    """Every ``fit_set`` recorded in ``archmodels/data/*.toml``, in file order."""
    out: list[FitSet] = []
    for path in sorted(DATA.glob("*.toml")):
        with path.open("rb") as fh:
            _walk(tomllib.load(fh), (), path.name, out)
    return tuple(out)


def fitted_figures() -> dict[tuple[str, str], tuple[str, ...]]:
    """(system, metric) -> the constants (``file:key``) fitted on that published figure."""
    out: dict[tuple[str, str], list[str]] = {}
    for fs in fit_sets():
        for fig in fs.figures:
            out.setdefault(fig, []).append(f"{fs.file}:{fs.key}")
    return {k: tuple(v) for k, v in out.items()}


def suite_machines() -> dict[str, Path]:
    """Name -> spec file of every machine of the out-of-sample suite."""
    return {p.stem: p for p in sorted(SUITE_MACHINES.glob("*.toml"))}


@lru_cache(maxsize=1)
def suite_results() -> tuple[tuple[dict, ...], dict]:
    """(figures, sources) of ``out_of_sample_results.toml``."""
    with SUITE_RESULTS.open("rb") as fh:
        raw = tomllib.load(fh)
    return tuple(raw["figure"]), raw.get("sources", {})


def out_of_sample(systems: list[str] | None = None, metrics: list[str] | None = None) -> list:
    """Predict every published figure of the out-of-sample suite (optionally some systems or metrics).

    Returns :class:`archmodels.validation.Check` rows with ``in_sample = False``.

    Raises
    ------
    archmodels.errors.InputError
        A system asked for that the suite does not hold.
    """
    from archmodels.validation import Check, model_value
    from archmodels.quantities import parse_quantity
    from archmodels.validation import _KIND

    machines = suite_machines()
    unknown = sorted(set(systems or ()) - set(machines))
    if unknown:
        raise InputError(f"not in the out-of-sample suite: {', '.join(unknown)} "
                         f"(it holds {', '.join(machines)})", location="--system")
    figures, sources = suite_results()
    out = []
    for fig in figures:
        if (systems and fig["system"] not in systems) or (metrics and fig["metric"] not in metrics):
            continue
        if fig["metric"] not in _KIND:      # rpeak: a list convention, not a model output
            continue
        published = parse_quantity(fig["value"], _KIND[fig["metric"]])
        model = model_value(str(machines[fig["system"]]), fig["metric"])
        src = sources.get(fig["source"], {})
        out.append(Check(fig["system"], fig["metric"], model, published, model / published - 1.0,
                         fig.get("list", ""), fig["source"], src.get("title", ""), src.get("url"),
                         in_sample=False, in_sample_reason="out-of-sample suite"))
    return out


def error_summary(checks: list, group: str = "") -> list[dict]:
    """Per metric: ``n``, ``median_abs_error`` and ``within_15/20/30`` (shares of rows, 0-1).

    ``group`` is copied into each row (``in_sample``, ``out_of_sample``, ``out-of-sample suite``).
    """
    by_metric: dict[str, list[float]] = {}
    for c in checks:
        by_metric.setdefault(c.metric, []).append(abs(c.error))
    rows = []
    for metric in sorted(by_metric):
        errs = by_metric[metric]
        row = {"group": group, "metric": metric, "n": len(errs),
               "median_abs_error": statistics.median(errs)}
        for band in BANDS:
            row[f"within_{round(band * 100)}"] = sum(e <= band for e in errs) / len(errs)
        rows.append(row)
    return rows


# ---------------------------------------------------------------- leave one out

def leave_one_out_hpl_fraction() -> list[dict]:
    """Refit the HPL fraction of peak (``efficiency.toml [hpl] <type>.compute``) without system X,
    then predict X's Rmax, for every system of that constant's fit set.

    Where the model's HPL is compute-bound, the rate is linear in the fraction η: the prediction at
    η' is ``R(η) · η' / η``, and system i implies ``η_i = η · Rmax_i / R_i(η)``. The refit without X
    is the mean of the η_i of the other compute-bound systems of the fit set. Systems whose HPL the
    model bounds by power (GH200, MI250X: the energy floor sets their rate) do not depend on η and
    are not refitted (``linear = False``, nothing reported for them). The Rmax figures are those of
    ``archmodels/data/published.toml``.

    Returns one dict per left-out system: ``constant, system, fitted, refit, n_fit, model_in,
    model_out, published, error_in, error_out``.
    """
    from archmodels.loaders import load_machine
    from archmodels.prediction import predict
    from archmodels.quantities import parse_quantity
    from archmodels.technology import efficiency
    from archmodels.validation import machine_ref, published_figures

    figures, _ = published_figures()
    rmax = {f["system"]: parse_quantity(f["value"], "flop_per_s") for f in figures if f["metric"] == "hpl"}
    out = []
    for fs in fit_sets():
        if fs.file != "efficiency.toml" or not fs.key.startswith("hpl."):
            continue
        ptype = fs.key.split(".")[1]
        fitted = efficiency(ptype, "hpl").compute
        implied = {}
        for system, metric in fs.figures:
            if metric != "hpl" or system not in rmax:
                continue
            m = load_machine(machine_ref(system))
            p = predict(m, "hpl")
            proc = next(x for x in m.node.processors if x.name == p.processor)
            if p.bound == "compute" and proc.type == ptype:
                implied[system] = (p.flop_per_s, fitted * rmax[system] / p.flop_per_s)
        for system, (model_in, _) in implied.items():
            others = [eta for s, (_, eta) in implied.items() if s != system]
            if not others:
                continue
            refit = statistics.fmean(others)
            model_out = model_in * refit / fitted
            out.append({"constant": f"{fs.file}:{fs.key}.compute", "system": system, "fitted": fitted,
                        "refit": refit, "n_fit": len(others), "model_in": model_in, "model_out": model_out,
                        "published": rmax[system], "error_in": model_in / rmax[system] - 1.0,
                        "error_out": model_out / rmax[system] - 1.0})
    return out


HPCG_FIT_KEY = "hpcg.gpu"
"""The fit-set entry of HPCG's stream share in ``efficiency.toml`` (``hpcg.cpu`` carries the same list)."""


def hpcg_fit_set() -> tuple[str, ...]:
    """Systems whose published HPCG the HPCG stream share κ was fitted on (``efficiency.toml``)."""
    for fs in fit_sets():
        if fs.file == "efficiency.toml" and fs.key == HPCG_FIT_KEY:
            return tuple(system for system, metric in fs.figures if metric == "hpcg")
    return ()


def _hpcg_run(system: str, share: float):
    """(prediction, processor type) of HPCG on a system with the HPCG memory efficiency of every
    processor type set to ``share`` times its ``[stream]`` fraction."""
    from archmodels.loaders import load_machine
    from archmodels.prediction import predict
    from archmodels.technology import default_technology
    from archmodels.validation import machine_ref

    tech = default_technology()
    change = {("hpcg", t): {"memory": share * tech.efficiency(t, "stream").memory} for t in ("cpu", "gpu", "accelerator")}
    m = load_machine(machine_ref(system))
    p = predict(m, "hpcg", technology=tech.replaced(efficiency=change))
    return p, m.node.processor(p.processor).type


def hpcg_implied_stream_share(system: str, published_flop_per_s: float) -> float:
    """The stream share κ at which the model reproduces a published HPCG [-] (bisection on κ in
    (0, 1/η_stream]: the prediction rises with κ; the upper end is the level's full bandwidth)."""
    lo, hi = 0.0, 1.0 / 0.80
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if _hpcg_run(system, mid)[0].flop_per_s < published_flop_per_s:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def fit_hpcg_stream_share(systems: tuple[str, ...] | None = None) -> float:
    """Fit κ, the share of STREAM bandwidth HPCG's kernels sustain: the median over ``systems``
    (default :func:`hpcg_fit_set`) of the κ that reproduces each published HPCG [-].

    ``efficiency.toml [hpcg] <type>.memory = κ · [stream] <type>.memory``: one constant for every
    processor type, the kernels' loss to STREAM (dependencies of the Gauss-Seidel sweeps, colouring,
    short coarse grids) being the same physics on a CPU and a GPU.
    """
    from archmodels.quantities import parse_quantity
    from archmodels.validation import published_figures

    figures, _ = published_figures()
    hpcg = {f["system"]: parse_quantity(f["value"], "flop_per_s") for f in figures if f["metric"] == "hpcg"}
    names = hpcg_fit_set() if systems is None else systems
    return statistics.median(hpcg_implied_stream_share(s, hpcg[s]) for s in names)


def leave_one_out_hpcg() -> list[dict]:
    """Refit κ (:func:`fit_hpcg_stream_share`) without system X, then predict X's HPCG, for every
    system of κ's fit set. Returns dicts with the keys of :func:`leave_one_out_hpl_fraction`
    (``fitted`` and ``refit`` are κ)."""
    from archmodels.quantities import parse_quantity
    from archmodels.validation import published_figures

    figures, _ = published_figures()
    hpcg = {f["system"]: parse_quantity(f["value"], "flop_per_s") for f in figures if f["metric"] == "hpcg"}
    names = hpcg_fit_set()
    implied = {s: hpcg_implied_stream_share(s, hpcg[s]) for s in names}
    fitted = statistics.median(implied.values())
    out = []
    for system in names:
        refit = statistics.median(v for s, v in implied.items() if s != system)
        model_in = _hpcg_run(system, fitted)[0].flop_per_s
        model_out = _hpcg_run(system, refit)[0].flop_per_s
        out.append({"constant": "efficiency.toml:hpcg.memory (stream share)", "system": system, "fitted": fitted,
                    "refit": refit, "n_fit": len(names) - 1, "model_in": model_in, "model_out": model_out,
                    "published": hpcg[system], "error_in": model_in / hpcg[system] - 1.0,
                    "error_out": model_out / hpcg[system] - 1.0})
    return out


def leave_one_out_procurement() -> list[dict]:
    """Refit the procurement factor (``cost.toml [procurement]``, a median over its fit set) without
    system X, then predict X's contract figure (:func:`archmodels.cost.fit_procurement_factor`).

    Returns dicts with the keys of :func:`leave_one_out_hpl_fraction`.
    """
    from archmodels.cost import (_model_total_jpy, contract_figures, default_exchange, fit_procurement_factor,
                                 procurement_factor, procurement_fit_set, system_cost)
    from archmodels.loaders import load_machine

    ex = default_exchange()
    fit = procurement_fit_set()
    fitted = procurement_factor()
    out = []
    for fig in contract_figures():
        if fig["system"] not in fit or len(fit) < 2:
            continue
        others = tuple(s for s in fit if s != fig["system"])
        refit = fit_procurement_factor(others, ex)
        published = ex.to_jpy(fig["amount"], fig["currency"])
        m = load_machine(fig["system"])
        model_in = _model_total_jpy(system_cost(m, exchange=ex), fig["compare"])
        model_out = _model_total_jpy(system_cost(m, exchange=ex, factor=refit), fig["compare"])
        out.append({"constant": "cost.toml:procurement.factor", "system": fig["system"], "fitted": fitted,
                    "refit": refit, "n_fit": len(others), "model_in": model_in, "model_out": model_out,
                    "published": published, "error_in": model_in / published - 1.0,
                    "error_out": model_out / published - 1.0})
    return out


def validation_report(suite: str = "default", systems: list[str] | None = None,
                      metrics: list[str] | None = None) -> dict:
    """What ``fsw validate --json`` prints: ``suite``, ``rows`` (one per figure), ``summary``
    (:func:`error_summary` per group: ``in_sample`` and ``out_of_sample`` rows of the default suite
    apart, or the whole out-of-sample suite) and ``leave_one_out`` (default suite, unfiltered).

    Raises
    ------
    archmodels.errors.InputError
        An unknown suite, or a system the out-of-sample suite does not hold.
    """
    from archmodels.validation import validate

    if suite not in SUITES:
        raise InputError(f"suite must be one of {', '.join(SUITES)}, got {suite!r}", location="--suite")
    if suite == "out-of-sample":
        checks = out_of_sample(systems, metrics)
        summary = error_summary(checks, "out-of-sample suite")
        loo: list[dict] = []
    else:
        checks = validate(systems, metrics)
        summary = (error_summary([c for c in checks if c.in_sample], "in_sample")
                   + error_summary([c for c in checks if not c.in_sample], "out_of_sample"))
        loo = [] if systems or metrics else (leave_one_out_hpl_fraction() + leave_one_out_hpcg()
                                                  + leave_one_out_procurement())
    return {"suite": suite, "rows": [c.as_dict() for c in checks], "summary": summary, "leave_one_out": loo}
