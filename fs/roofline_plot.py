"""Roofline plots (Williams, Waterman, Patterson, CACM 2009) of machines, with optional points.

I/O lives here, not in the models: the ceilings come from :func:`archmodels.machine_roofline`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from archmodels.atomic import atomic_path
from archmodels.errors import InputError
from archmodels.roofline import attainable_flop_per_s


def save_figure_atomically(fig, path: str | Path) -> Path:
    """Save a matplotlib figure to ``path`` atomically (.png, .svg or .pdf)."""
    path = Path(path)
    if path.suffix.lower() not in {".png", ".svg", ".pdf"}:
        raise InputError(f"plot file must end in .png, .svg or .pdf, got {str(path)!r}", location="--plot")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, bbox_inches="tight", dpi=120)
    return path


def bench_points(path: str | Path) -> list[dict]:
    """Measured application kernels from the JSON that ``fsw bench --json`` printed, as plot points.

    Raises
    ------
    InputError
        The file is missing, not JSON, or has no ``apps`` list of kernels with ``flop`` and ``bytes``.
    """
    import json

    path = Path(path)
    try:
        data = json.loads(path.read_text())
        kernels = [k for k in data["apps"] if k["flop"] > 0 and k["bytes"] > 0]
    except FileNotFoundError:
        raise InputError("file not found", file=str(path)) from None
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise InputError(f"expected the JSON of `fsw bench --json` with an `apps` list ({err})",
                         file=str(path)) from None
    return [{"label": f"{k['kernel']} (measured)", "intensity_flop_per_byte": k["flop"] / k["bytes"],
             "flop_per_s": k["flop_per_s"]} for k in kernels]


def plot_rooflines(rooflines: list[dict], points: list[dict] | None = None, title: str | None = None):
    """Figure of roofline ceilings (outermost memory level and peak per processor type).

    Parameters
    ----------
    rooflines : list of dict
        Entries of :func:`archmodels.machine_roofline` (per node figures).
    points : list of dict, optional
        Measured or predicted kernels: ``{"label", "intensity_flop_per_byte", "flop_per_s"}``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.5))
    intensity = np.logspace(-3, 4, 200)
    for i, r in enumerate(rooflines):
        color = plt.cm.tab20(i % 20)
        peak = r.get("peak_matrix_flop_per_s", r["peak_flop_per_s"])
        outer = r["levels"][-1]
        y = attainable_flop_per_s(intensity, peak, outer["bandwidth_bytes_per_s"])
        ax.loglog(intensity, y, color=color, lw=1.6,
                  label=f"{r['machine']} / {r['processor']} ({r['precision']})")
        if "peak_matrix_flop_per_s" in r:
            ax.axhline(r["peak_flop_per_s"], color=color, lw=0.8, ls=":")
        for level in r["levels"][:-1]:
            y = attainable_flop_per_s(intensity, peak, level["bandwidth_bytes_per_s"])
            ax.loglog(intensity, y, color=color, lw=0.6, ls="--")
    for p in points or []:
        ax.loglog([p["intensity_flop_per_byte"]], [p["flop_per_s"]], "o", ms=5)
        ax.annotate(p["label"], (p["intensity_flop_per_byte"], p["flop_per_s"]), fontsize=7,
                    xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel("arithmetic intensity [FLOP/B]")
    ax.set_ylabel("attainable rate per node [FLOP/s]")
    ax.set_title(title or "Roofline per node (solid: outermost memory; dashed: inner levels; dotted: vector peak)",
                 fontsize=9)
    ax.grid(True, which="both", lw=0.3, alpha=0.5)
    ax.legend(fontsize=6, ncol=1 if len(rooflines) < 20 else 2, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig
