"""Validation against published figures: the model recomputes TOP500 Rmax, HPL power, Green500
GFLOPS/W, HPCG and device DGEMM rates for catalog systems and reports its error.

The published values and their sources live in ``archmodels/data/published.toml``; the model never
reads them while predicting. ``error = model / published - 1``. Figures whose error is known to be
large and why (e.g. Aurora's HPL, far below what its hardware description implies) are reported all
the same: the tests pin the bounds system by system.

Each row says whether it is ``in_sample``: a figure some constant in ``archmodels/data/*.toml`` was
fitted on (its ``fit_set``, see :mod:`archmodels.validation_suite`), or an HPL power (or GFLOPS/W)
of a machine whose spec gives ``power_max`` — the HPL power per node read back, an input, not a
prediction. Systems of a fit set that the catalog does not hold (Summit, Leonardo) are in
``archmodels/data/validation/fit_systems/``. The out-of-sample suite is
:func:`archmodels.validation_suite.out_of_sample`.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from archmodels.loaders import load_machine
from archmodels.prediction import predict
from archmodels.quantities import parse_quantity

PUBLISHED = Path(__file__).parent / "data" / "published.toml"
FIT_SYSTEMS = Path(__file__).parent / "data" / "validation" / "fit_systems"
_KIND = {"hpl": "flop_per_s", "hpcg": "flop_per_s", "dgemm": "flop_per_s",
         "hpl_power": "power_w", "gflops_per_w": "flop_per_j", "stream_bandwidth": "bytes_per_s"}


@dataclass(frozen=True)
class Check:
    """One published figure recomputed: ``model`` and ``published`` in SI units (FLOP/s, W, FLOP/J)."""

    system: str
    metric: str
    model: float
    published: float
    error: float
    list: str
    source: str
    source_title: str
    source_url: str | None
    in_sample: bool | None = None
    """True for a figure a fitted constant was fitted on, or an input read back (None: not recorded)."""
    in_sample_reason: str = ""
    """Why: the constants (``file:key``) fitted on it, ``input: node power_max``, or the suite."""

    def as_dict(self) -> dict:
        return asdict(self)


@lru_cache(maxsize=1)
def published_figures() -> tuple[dict, dict]:
    """(figures, sources) of ``published.toml``."""
    with PUBLISHED.open("rb") as fh:
        raw = tomllib.load(fh)
    return tuple(raw["figure"]), raw.get("sources", {})


def machine_ref(system: str) -> str:
    """A catalog name, a fit-set system outside the catalog (its file) or a spec path, as given."""
    path = FIT_SYSTEMS / f"{system}.toml"
    return str(path) if path.is_file() else system


def model_value(system: str, metric: str) -> float:
    """The model's value of a published metric for a catalog machine or a spec file (SI units)."""
    m = load_machine(machine_ref(system))
    if metric == "hpl":
        return predict(m, "hpl").flop_per_s
    if metric == "hpl_power":
        return predict(m, "hpl").power_w
    if metric == "gflops_per_w":
        return predict(m, "hpl").flop_per_j
    if metric == "hpcg":
        return predict(m, "hpcg").flop_per_s
    if metric == "dgemm":
        p = predict(m, "dgemm", nodes=1)
        return p.flop_per_s / m.node.processor(p.processor).count
    if metric == "stream_bandwidth":
        p = predict(m, "stream-triad", nodes=1)
        return p.bandwidth_bytes_per_s / m.node.processor(p.processor).count
    raise KeyError(metric)


def validate(systems: list[str] | None = None, metrics: list[str] | None = None) -> list[Check]:
    """Recompute every published figure (optionally only some systems or metrics).

    System figures come from ``published.toml``; network figures (NCCL bus bandwidth, Tofu-D
    injection) from :func:`archmodels.network_validation.network_validation`; capital cost against contract
    figures (metric ``capital``, in JPY at the default exchange rates) from
    :func:`archmodels.cost.cost_validation`.
    """
    from archmodels.validation_suite import fitted_figures

    figures, sources = published_figures()
    fitted = fitted_figures()
    out = []
    for fig in figures:
        if systems and fig["system"] not in systems:
            continue
        if metrics and fig["metric"] not in metrics:
            continue
        if fig["metric"] not in _KIND:  # e.g. rpeak: a list convention, not a model output
            continue
        published = parse_quantity(fig["value"], _KIND[fig["metric"]])
        model = model_value(fig["system"], fig["metric"])
        src = sources.get(fig["source"], {})
        reason = in_sample_reason(fig["system"], fig["metric"], fitted)
        out.append(Check(fig["system"], fig["metric"], model, published, model / published - 1.0,
                         fig.get("list", ""), fig["source"], src.get("title", ""), src.get("url"),
                         bool(reason), reason))
    from archmodels.network_validation import network_validation

    for row in network_validation():
        if (systems and row["system"] not in systems) or (metrics and row["metric"] not in metrics):
            continue
        reason = in_sample_reason(row["system"], row["metric"], fitted, power_echo=False)
        out.append(Check(row["system"], row["metric"], row["model"], row["published"], row["error"],
                         row["case"], row["case"], row["source"], None, bool(reason), reason))
    if not metrics or "capital" in metrics:
        from archmodels.cost import cost_validation, default_exchange

        ex = default_exchange()
        for c in cost_validation(systems):
            out.append(Check(c.system, "capital", ex.to_jpy(c.model, c.currency), ex.to_jpy(c.published, c.currency),
                             c.error, f"contract ({c.compare}, {c.currency})", c.source, c.source_title, c.source_url,
                             c.in_sample, in_sample_reason(c.system, "capital", fitted, power_echo=False)))
    return out


def in_sample_reason(system: str, metric: str, fitted: dict, power_echo: bool = True) -> str:
    """Why a published figure is in-sample ("" when it is not).

    ``fitted`` is :func:`archmodels.validation_suite.fitted_figures`. GFLOPS/W is Rmax over HPL
    power, so it is in-sample when either is. With ``power_echo``, an HPL power (or GFLOPS/W) of a
    machine whose spec gives ``power_max`` is an input read back.
    """
    parts = list(fitted.get((system, metric), ()))
    if metric == "gflops_per_w":
        parts += [c for m in ("hpl", "hpl_power") for c in fitted.get((system, m), ()) if c not in parts]
    if power_echo and metric in {"hpl_power", "gflops_per_w"}:
        if load_machine(machine_ref(system)).node.power_max_w:
            parts.append("input: node power_max (the HPL power per node)")
    return "; ".join(dict.fromkeys(parts))
