"""Validation against published figures: the model recomputes TOP500 Rmax, HPL power, Green500
GFLOPS/W, HPCG and device DGEMM rates for catalog systems and reports its error.

The published values and their sources live in ``archmodels/data/published.toml``; the model never
reads them while predicting. ``error = model / published - 1``. Figures whose error is known to be
large and why (e.g. Aurora's HPL, far below what its hardware description implies) are reported all
the same: the tests pin the bounds system by system.
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
    """True for a figure a fitted constant was fitted on (None where no fit set is recorded yet)."""

    def as_dict(self) -> dict:
        return asdict(self)


@lru_cache(maxsize=1)
def published_figures() -> tuple[dict, dict]:
    """(figures, sources) of ``published.toml``."""
    with PUBLISHED.open("rb") as fh:
        raw = tomllib.load(fh)
    return tuple(raw["figure"]), raw.get("sources", {})


def model_value(system: str, metric: str) -> float:
    """The model's value of a published metric for a catalog machine (SI units)."""
    m = load_machine(system)
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
    injection) from :func:`archmodels.network.network_validation`; capital cost against contract
    figures (metric ``capital``, in JPY at the default exchange rates) from
    :func:`archmodels.cost.cost_validation`.
    """
    figures, sources = published_figures()
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
        out.append(Check(fig["system"], fig["metric"], model, published, model / published - 1.0,
                         fig.get("list", ""), fig["source"], src.get("title", ""), src.get("url")))
    from archmodels.network import network_validation

    for row in network_validation():
        if (systems and row["system"] not in systems) or (metrics and row["metric"] not in metrics):
            continue
        out.append(Check(row["system"], row["metric"], row["model"], row["published"], row["error"],
                         row["case"], row["case"], row["source"], None))
    if not metrics or "capital" in metrics:
        from archmodels.cost import cost_validation, default_exchange

        ex = default_exchange()
        for c in cost_validation(systems):
            out.append(Check(c.system, "capital", ex.to_jpy(c.model, c.currency), ex.to_jpy(c.published, c.currency),
                             c.error, f"contract ({c.compare}, {c.currency})", c.source, c.source_title, c.source_url,
                             c.in_sample))
    return out
