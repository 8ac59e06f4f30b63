"""Roofline plots (Williams, Waterman, Patterson, CACM 2009) of machines, with workload points.

One panel per machine (small multiples on shared axes, so heights compare across panels); in a
panel, one colour per processor type, the outermost memory's roof solid and the inner levels
dashed. Points (predicted or measured kernels) keep one colour and marker per label across every
panel and are named once, in a legend under the panels.

I/O lives here, not in the models: the ceilings come from :func:`archmodels.machine_roofline` and
the predicted points from :func:`archmodels.predict`.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from archmodels.errors import InputError
from archmodels.roofline import attainable_flop_per_s

#: Colours of the processor types inside one panel (dark, so the coloured points stand out).
PROCESSOR_COLOURS = ("#1b3a6b", "#9c4a00", "#4d6b3c", "#6b3d7a")
#: Markers cycled with the colours of the points, so that 20 labels stay distinct.
POINT_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h")


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


def predicted_points(machine, workloads) -> list[dict]:
    """Predicted points of workloads on one node of a machine.

    Each point is ``{"label", "machine", "processor", "precision", "intensity_flop_per_byte",
    "flop_per_s", "bound"}``: the FLOP rate the model predicts and the arithmetic intensity against
    the outermost memory level of the processor it runs on [FLOP/B]. Workloads without FLOPs
    (graph traversal) or that cannot run on the machine have no point.
    """
    import archmodels

    m = archmodels.load_machine(machine)
    out = []
    for w in workloads:
        try:
            p = archmodels.predict(m, w, nodes=1)
        except InputError:
            continue
        outer = p.levels[-1] if p.levels else None
        if outer is None or outer.bytes <= 0 or p.flop_per_s <= 0:
            continue
        out.append({"label": p.workload, "machine": m.name, "processor": p.processor, "precision": p.precision,
                    "intensity_flop_per_byte": p.flop_per_s * p.time_s / outer.bytes,
                    "flop_per_s": p.flop_per_s, "bound": p.bound})
    return out


def ceilings_for_points(machine, points: list[dict], precision: str = "fp64") -> list[dict]:
    """Roofline entries of a machine at ``precision`` plus, for points run at another precision, the
    ceiling of the processor they ran on at theirs (so a bf16 point is not drawn above an fp64 roof)."""
    from archmodels.prediction import machine_roofline

    entries = machine_roofline(machine, precision)
    have = {(e["processor"], e["precision"]) for e in entries}
    for prec in sorted({p["precision"] for p in points} - {precision}):
        for e in machine_roofline(machine, prec):
            used = any(p["processor"] == e["processor"] and p["precision"] == prec for p in points)
            if used and (e["processor"], e["precision"]) not in have:
                entries.append(e)
                have.add((e["processor"], e["precision"]))
    return entries


def _grid(n: int) -> tuple[int, int]:
    cols = 1 if n == 1 else 2 if n <= 4 else 3 if n <= 9 else 4 if n <= 16 else 5
    return math.ceil(n / cols), cols


def _extent(rooflines: list[dict], points: list[dict]) -> tuple[float, float, float, float]:
    ridges = [lv["ridge_flop_per_byte"] for r in rooflines for lv in r["levels"] if lv["ridge_flop_per_byte"] > 0]
    ridges += [r.get("peak_matrix_flop_per_s", r["peak_flop_per_s"]) / r["levels"][-1]["bandwidth_bytes_per_s"]
               for r in rooflines]
    xs = ridges + [p["intensity_flop_per_byte"] for p in points]
    x0 = 10 ** math.floor(math.log10(min(xs) / 30))
    x1 = 10 ** math.ceil(math.log10(max(xs) * 10))
    tops = [r.get("peak_matrix_flop_per_s", r["peak_flop_per_s"]) for r in rooflines]
    lows = [float(attainable_flop_per_s(x0, r["peak_flop_per_s"], r["levels"][-1]["bandwidth_bytes_per_s"]))
            for r in rooflines] + [p["flop_per_s"] for p in points]
    y0 = 10 ** math.floor(math.log10(max(min(lows), max(tops) * 1e-7)))
    y1 = 10 ** math.ceil(math.log10(max(tops + [p["flop_per_s"] for p in points]) * 1.5))
    return x0, x1, y0, y1


def plot_rooflines(rooflines: list[dict], points: list[dict] | None = None, title: str | None = None,
                   notes: list[str] | None = None):
    """Figure of roofline ceilings, one panel per machine, with points.

    Parameters
    ----------
    rooflines : list of dict
        Entries of :func:`archmodels.machine_roofline` (per-node figures). The first entry of a
        processor is drawn in full (outermost memory solid up to the matrix peak where there is
        one, inner levels dashed, the vector peak dotted); a later entry of the same processor at
        another precision (see :func:`ceilings_for_points`) adds its peak, dash-dotted.
    points : list of dict, optional
        ``{"label", "intensity_flop_per_byte" [FLOP/B], "flop_per_s" [FLOP/s]}``; with a
        ``"machine"`` key a point goes on that machine's panel only, without one on every panel.
    title : str, optional
    notes : list of str, optional
        Lines printed under the legend (what is not drawn and why).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    points = list(points or [])
    machines = list(dict.fromkeys(r["machine"] for r in rooflines))
    if not machines:
        raise InputError("nothing to plot: no roofline entries")
    rows, cols = _grid(len(machines))
    fig = Figure(figsize=(3.4 * cols + 0.6, 2.9 * rows + 1.4), layout="constrained")
    axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False)
    x0, x1, y0, y1 = _extent(rooflines, points)
    intensity = np.logspace(math.log10(x0), math.log10(x1), 300)
    labels = list(dict.fromkeys(p["label"] for p in points))
    palette = [_point_colour(i) for i in range(len(labels))]
    style = {lab: (palette[i], POINT_MARKERS[i % len(POINT_MARKERS)]) for i, lab in enumerate(labels)}
    for ax, machine in zip(axes.ravel(), machines):
        colours: dict[str, str] = {}
        for r in (r for r in rooflines if r["machine"] == machine):
            proc = r["processor"]
            outer = r["levels"][-1]
            if proc in colours:  # another precision of a processor already drawn: its peak only
                y = attainable_flop_per_s(intensity, r.get("peak_matrix_flop_per_s", r["peak_flop_per_s"]),
                                          outer["bandwidth_bytes_per_s"])
                ax.loglog(intensity, y, color=colours[proc], lw=1.0, ls="-.")
                ax.annotate(f"{r['precision']}", (x1, y[-1]), xytext=(-2, 2), textcoords="offset points",
                            ha="right", va="bottom", fontsize=7, color=colours[proc])
                continue
            colours[proc] = PROCESSOR_COLOURS[len(colours) % len(PROCESSOR_COLOURS)]
            peak = r.get("peak_matrix_flop_per_s", r["peak_flop_per_s"])
            y = attainable_flop_per_s(intensity, peak, outer["bandwidth_bytes_per_s"])
            ax.loglog(intensity, y, color=colours[proc], lw=1.8)
            if "peak_matrix_flop_per_s" in r and r["peak_matrix_flop_per_s"] > r["peak_flop_per_s"]:
                ax.axhline(r["peak_flop_per_s"], color=colours[proc], lw=0.8, ls=":")
            for level in r["levels"][:-1]:
                ax.loglog(intensity, attainable_flop_per_s(intensity, peak, level["bandwidth_bytes_per_s"]),
                          color=colours[proc], lw=0.7, ls="--")
            ax.annotate(f"{proc} {outer['name']} ({r['precision']})", (x1, y[-1]), xytext=(-2, -2),
                        textcoords="offset points", ha="right", va="top", fontsize=7, color=colours[proc])
        for p in points:
            if p.get("machine", machine) != machine:
                continue
            colour, marker = style[p["label"]]
            ax.loglog([p["intensity_flop_per_byte"]], [p["flop_per_s"]], marker=marker, ls="none", ms=6,
                      color=colour, mec="k", mew=0.5, zorder=3)
        ax.set_title(machine, fontsize=10)
        ax.grid(True, which="major", lw=0.3, alpha=0.6)
        ax.tick_params(labelsize=8)
    for ax in axes.ravel()[len(machines):]:
        ax.set_axis_off()
    ax0 = axes[0, 0]
    ax0.set_xlim(x0, x1)
    ax0.set_ylim(y0, y1)
    for i, ax in enumerate(axes.ravel()[:len(machines)]):
        if i + cols >= len(machines):  # nothing below this panel: it carries the x axis
            ax.xaxis.set_tick_params(labelbottom=True)
            ax.set_xlabel("FLOP per byte of outermost memory [FLOP/B]", fontsize=8)
    for ax in axes[:, 0]:
        ax.set_ylabel("FLOP/s per node", fontsize=8)
    handles = [Line2D([], [], ls="none", marker=style[lab][1], color=style[lab][0], mec="k", mew=0.5, ms=7,
                      label=lab) for lab in labels]
    handles += [Line2D([], [], color="0.25", lw=1.8, label="outermost memory roof"),
                Line2D([], [], color="0.25", lw=0.7, ls="--", label="inner memory levels"),
                Line2D([], [], color="0.25", lw=0.8, ls=":", label="vector peak (below matrix units)")]
    if any(r["precision"] != rooflines[0]["precision"] for r in rooflines):
        handles.append(Line2D([], [], color="0.25", lw=1.0, ls="-.", label="peak at the workload's precision"))
    fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 6 if cols > 2 else 3),
               fontsize=9, frameon=False, title="\n".join(notes) if notes else None, title_fontsize=8)
    fig.suptitle(title or "Roofline per node", fontsize=12)
    return fig


def _point_colour(i: int):
    """The i-th colour of a 20-colour qualitative palette (tab10, then tab10's darker twins)."""
    from matplotlib import colormaps

    tab20 = colormaps["tab20"]
    return tab20((2 * i) % 20 + (i // 10) % 2)
