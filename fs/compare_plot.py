"""Figures of ``fsw compare``: rooflines with the workloads as points, and a speed-up heat map.

The heat map compares work rates (``units_per_s``: the workload's own unit per second), not
times. On the same problem (``fs.compare.compare``'s default, ``problem = "same"``) the rate ratio
is exactly the inverse time ratio; with ``problem = "per-machine"`` each machine runs a problem sized
to its own memory, where times do not compare across machines but rates still do.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

#: The reference of the speed-up heat map when it is among the machines compared.
DEFAULT_REFERENCE = "fugaku"


def speedup_matrix(df: pd.DataFrame, reference: str | None = None) -> tuple[pd.DataFrame, str]:
    """Machine × workload speed-up of the work rate over a reference machine.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`fs.compare.compare` (``machine, workload, feasible, units_per_s``).
    reference : str, optional
        Machine the rates are divided by; default :data:`DEFAULT_REFERENCE` when compared, else
        the first machine.

    Returns
    -------
    (pandas.DataFrame, str)
        Speed-ups [-] (NaN where infeasible on either machine), rows ordered by their geometric
        mean over the workloads, fastest first, columns in the input order; and the reference.
    """
    from archmodels.errors import InputError

    machines = list(dict.fromkeys(df["machine"]))
    if reference is None:
        reference = DEFAULT_REFERENCE if DEFAULT_REFERENCE in machines else machines[0]
    if reference not in machines:
        raise InputError(f"reference {reference!r} is not among the machines compared ({', '.join(machines)})")
    rate = df.assign(rate=df["units_per_s"].where(df["feasible"].astype(bool)))
    wide = rate.pivot_table(index="machine", columns="workload", values="rate", aggfunc="first", dropna=False)
    wide = wide.reindex(index=machines, columns=list(dict.fromkeys(df["workload"])))
    ratio = wide / wide.loc[reference]
    ratio = ratio.where(ratio > 0)
    order = np.exp(np.log(ratio).mean(axis=1, skipna=True)).sort_values(ascending=False, na_position="last").index
    return ratio.loc[order], reference


def plot_speedup_heatmap(ratio: pd.DataFrame, reference: str, title: str | None = None):
    """Heat map of :func:`speedup_matrix`: log colour scale centred on 1, each cell labelled.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.colors import LogNorm
    from matplotlib.figure import Figure

    values = ratio.to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    span = max(float(np.max(np.abs(np.log10(finite)))) if finite.size else 1.0, 0.3)
    norm = LogNorm(vmin=10 ** -span, vmax=10 ** span)
    n_rows, n_cols = values.shape
    fig = Figure(figsize=(1.0 + 0.72 * n_cols + 2.2, 1.6 + 0.36 * n_rows), layout="constrained")
    ax = fig.subplots()
    ax.set_facecolor("0.85")
    im = ax.imshow(np.ma.masked_invalid(values), cmap="RdBu", norm=norm, aspect="auto")
    ax.set_xticks(range(n_cols), list(ratio.columns), rotation=35, ha="right", fontsize=9)
    ax.set_yticks(range(n_rows), [f"{m} (reference)" if m == reference else m for m in ratio.index], fontsize=9)
    for i in range(n_rows):
        for j in range(n_cols):
            v = values[i, j]
            if not np.isfinite(v):
                ax.text(j, i, "–", ha="center", va="center", fontsize=8, color="0.3")
                continue
            text = f"{v:.2g}" if v < 10 else f"{v:.0f}"
            dark = abs(math.log10(v)) > 0.6 * span
            ax.text(j, i, text, ha="center", va="center", fontsize=7.5, color="w" if dark else "k")
    cbar = fig.colorbar(im, ax=ax, shrink=0.9, pad=0.01)
    cbar.set_label(f"work rate / rate on {reference} [-]", fontsize=9)
    ax.set_title(title or f"Speed-up over {reference} (work rate per node; rows by geometric mean; – cannot run)",
                 fontsize=10)
    return fig


def write_compare_figures(df: pd.DataFrame, path: str | Path, *, system: bool = False,
                          reference: str | None = None) -> list[Path]:
    """Write the rooflines with the workload points to ``path`` and the speed-up heat map beside it
    (``NAME-speedup.EXT``); returns both paths."""
    from fs.figure_file import companion_path, save_figure
    from fs.roofline_plot import ceilings_for_points, plot_rooflines, predicted_points

    machines = list(dict.fromkeys(df["machine"]))
    workloads = list(dict.fromkeys(df["workload"]))
    points, entries = [], []
    for m in machines:
        pts = predicted_points(m, workloads)
        points += pts
        entries += ceilings_for_points(m, pts)
    drawn = {p["label"] for p in points}
    missing = [w for w in workloads if w not in drawn]
    notes = [f"Not drawn: {', '.join(missing)} (no FLOPs, or cannot run on any of these machines)."] if missing else []
    notes.append("Points: the model's FLOP rate on one node, at the intensity against the outermost memory "
                 "of the processor the workload runs on.")
    roof = plot_rooflines(entries, points, title="Roofline per node, workloads as predicted points", notes=notes)
    ratio, ref = speedup_matrix(df, reference)
    scope = "whole system" if system else "one node each"
    modes = set(df["problem"]) if "problem" in df else {"per-machine"}
    sized = "same problem on every machine" if modes == {"same"} else "each machine's own problem size"
    heat = plot_speedup_heatmap(ratio, ref, title=f"Speed-up over {ref}: work rate, {scope}\n{sized}\n"
                                                  "(rows by geometric mean; – cannot run)")
    return [save_figure(roof, path), save_figure(heat, companion_path(path, "speedup"))]
