"""Figures of a study report as PNG bytes: rooflines, scorecard, radar, Pareto front, tornado, ranks.

Each figure is drawn with matplotlib's object-oriented API (no pyplot) from the run's rows,
summary, tornado table, sweep and ``run.json`` metadata (:func:`fs.provenance.run_metadata`).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from fs.runner import in_rank_order
from fs.spec import AXES

AXIS_TITLES = {
    "performance": "Performance", "performance_per_watt": "Perf/W", "io": "I/O", "cost": "Cost",
    "operability": "Operability", "productivity": "Productivity", "commercial_reach": "Reach", "carbon": "Carbon",
}


FIGURES = (
    ("rooflines", "Rooflines"), ("scorecard", "Scorecard"), ("radar", "Radar chart"), ("pareto", "Pareto front"),
    ("tornado", "Sensitivity (tornado)"), ("ranks", "Rank probabilities"),
)
"""(name, title) of each report figure, in the order the report shows them."""


def report_figures(meta: dict, rows: pd.DataFrame, summary: pd.DataFrame, tornado: pd.DataFrame,
                   sweep: pd.DataFrame | None) -> dict[str, bytes]:
    """PNG bytes of every figure of :data:`FIGURES`, by name.

    Parameters
    ----------
    meta : dict
        The run's ``run.json`` (:func:`fs.provenance.run_metadata`).
    rows, summary, tornado : pandas.DataFrame
        The run's result rows, their :func:`fs.runner.summarise` and :func:`fs.runner.tornado`.
    sweep : pandas.DataFrame or None
        Design-sweep points with their Pareto flag, when the run swept.
    """
    return {
        "rooflines": _fig_rooflines(meta), "scorecard": _fig_scorecard(summary), "radar": _fig_radar(summary),
        "pareto": _fig_pareto(sweep, summary), "tornado": _fig_tornado(tornado, summary), "ranks": _fig_ranks(rows, summary),
    }


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def _fig_rooflines(meta: dict) -> bytes:
    from fs.roofline_plot import plot_rooflines

    entries, points = [], []
    for label, roof in meta["rooflines"].items():
        entries += [{**c, "machine": label} for c in roof["ceilings"]]
        points += [{"label": p["workload"], "machine": label, "intensity_flop_per_byte": p["flop_per_byte"],
                    "flop_per_s": p["flop_per_s"]} for p in roof["points"]]
    return _png(plot_rooflines(entries, points, title="Rooflines (one node) with the portfolio's predicted points"))


def _fig_scorecard(summary: pd.DataFrame) -> bytes:
    from matplotlib.figure import Figure

    summary = in_rank_order(summary)
    m = summary[[f"score_{a}" for a in AXES]].to_numpy()
    fig = Figure(figsize=(9, 0.6 * len(summary) + 1.6), layout="constrained")
    ax = fig.subplots()
    ax.imshow(m, vmin=0, vmax=1, cmap="viridis", aspect="auto")
    ax.set_xticks(range(len(AXES)), [AXIS_TITLES[a] for a in AXES], rotation=30, ha="right")
    ax.set_yticks(range(len(summary)), summary["candidate"])
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            ax.text(j, i, f"{m[i, j]:.2f}", ha="center", va="center", color="w" if m[i, j] < 0.6 else "k", fontsize=8)
    ax.set_title("Scorecard: each axis as a fraction of the best feasible candidate")
    return _png(fig)


def _fig_radar(summary: pd.DataFrame) -> bytes:
    from matplotlib.figure import Figure

    angles = np.linspace(0, 2 * np.pi, len(AXES), endpoint=False)
    fig = Figure(figsize=(6.5, 5.5), layout="constrained")
    ax = fig.add_subplot(projection="polar")
    for _, row in summary.iterrows():
        v = np.array([row[f"score_{a}"] for a in AXES])
        ax.plot(np.r_[angles, angles[0]], np.r_[v, v[0]], label=row["candidate"])
        ax.fill(np.r_[angles, angles[0]], np.r_[v, v[0]], alpha=0.08)
    ax.set_xticks(angles, [AXIS_TITLES[a] for a in AXES], fontsize=8)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper right", bbox_to_anchor=(1.35, 1.1), fontsize=7)
    ax.set_title("Radar of axis scores")
    return _png(fig)


def _fig_pareto(sweep: pd.DataFrame | None, summary: pd.DataFrame) -> bytes:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 5), layout="constrained")
    ax = fig.subplots()
    if sweep is not None and len(sweep):
        feas = sweep[sweep["feasible"]]
        show = feas.sample(min(len(feas), 20000), random_state=0) if len(feas) > 20000 else feas
        sc = ax.scatter(show["cost_jpy"] / 1e9, show["performance"], c=show["carbon_g"] / 1e12, s=3, alpha=0.3, cmap="magma")
        front = feas[feas["pareto"]]
        ax.scatter(front["cost_jpy"] / 1e9, front["performance"], s=12, facecolors="none", edgecolors="tab:blue",
                   label=f"Pareto front ({len(front)} of {len(sweep)} points)")
        fig.colorbar(sc, ax=ax, label="carbon [Mt CO2e]")
    ax.scatter(summary["total_cost_jpy"] / 1e9, summary["performance"], marker="*", s=120, c="tab:red", label="study candidates")
    for _, r in summary.iterrows():
        ax.annotate(r["candidate"], (r["total_cost_jpy"] / 1e9, r["performance"]), fontsize=7, xytext=(4, 2), textcoords="offset points")
    ax.set_xlabel("capital + lifetime energy [1e9 JPY]")
    ax.set_ylabel("portfolio speedup over the reference")
    ax.set_title("Design space: performance against cost (front over performance, power, cost, carbon)")
    ax.legend(fontsize=7)
    return _png(fig)


#: Uncertainties per candidate the tornado figure shows: the largest swings (the table lists all).
TORNADO_BARS = 12


def _fig_tornado(tor: pd.DataFrame, summary: pd.DataFrame) -> bytes:
    from matplotlib.ticker import MaxNLocator

    from matplotlib.figure import Figure

    cands = list(in_rank_order(summary)["candidate"])
    cols = min(len(cands), 2)
    nrows = (len(cands) + cols - 1) // cols
    shown = min(tor["parameter"].nunique(), TORNADO_BARS)
    height = 0.35 * max(shown, 1) + 1.2
    fig = Figure(figsize=(13, height * nrows + 0.8), layout="constrained")
    axes = fig.subplots(nrows, cols, squeeze=False, sharex=True)
    for ax in axes.ravel()[len(cands):]:
        ax.axis("off")
    for ax, cand in zip(axes.ravel(), cands):
        t = tor[tor["candidate"] == cand].sort_values("swing").tail(TORNADO_BARS)
        y = np.arange(len(t))
        ax.barh(y, t["low"], color="tab:blue", label="5 % quantile")
        ax.barh(y, t["high"], color="tab:orange", label="95 % quantile")
        ax.set_yticks(y, t["parameter"], fontsize=7)
        ax.axvline(0, color="k", lw=0.6)
        ax.set_title(cand, fontsize=9)
        ax.set_xlabel("score change", fontsize=8)
    axes[0][0].legend(fontsize=6)
    axes[0][0].xaxis.set_major_locator(MaxNLocator(6))
    total = tor["parameter"].nunique()
    fig.suptitle("One-at-a-time sensitivity (tornado)" + (f": the {TORNADO_BARS} largest swings of {total} "
                                                          "uncertainties per candidate" if total > TORNADO_BARS else ""))
    return _png(fig)


def _fig_ranks(rows: pd.DataFrame, summary: pd.DataFrame) -> bytes:
    """Share of Monte Carlo samples in which each candidate takes each rank, and its score spread."""
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    order = list(in_rank_order(summary)["candidate"])
    fig = Figure(figsize=(11, 4.2), layout="constrained")
    a1, a2 = fig.subplots(1, 2)
    mc = rows[rows["case"] == "monte-carlo"]
    if len(mc):
        ranks = mc.assign(rank=mc["rank"].fillna(0).astype(int))
        share = pd.crosstab(ranks["candidate"], ranks["rank"], normalize="index").reindex(order).fillna(0.0)
    else:
        share = pd.crosstab(summary["candidate"], summary["rank"].fillna(0).astype(int)).reindex(order).fillna(0.0)
    left = np.zeros(len(order))
    cmap = colormaps["viridis"]
    ranked = [k for k in share.columns if k > 0]
    for k in share.columns:
        width = share[k].to_numpy()
        colour = "0.7" if k == 0 else cmap(0.9 * (k - 1) / max(len(ranked) - 1, 1))
        a1.barh(range(len(order)), width, left=left, color=colour, edgecolor="w", lw=0.5,
                label="not ranked" if k == 0 else f"rank {k}")
        for i, (w, x) in enumerate(zip(width, left)):
            if w >= 0.08:
                a1.text(x + w / 2, i, f"{100 * w:.0f} %", ha="center", va="center", fontsize=7,
                        color="w" if k > 0 and (k - 1) < 0.6 * len(ranked) else "k")
        left += width
    a1.set_yticks(range(len(order)), order, fontsize=8)
    a1.invert_yaxis()
    a1.set_xlim(0, 1)
    a1.set_xlabel("share of Monte Carlo samples")
    a1.set_title("Rank distribution", fontsize=10)
    a1.legend(fontsize=7, ncol=min(len(share.columns), 4), loc="upper center", bbox_to_anchor=(0.5, -0.15), frameon=False)
    data = [mc.loc[mc["candidate"] == c, "score"].to_numpy() for c in order]
    if any(len(d) for d in data):
        a2.boxplot(data, tick_labels=order, orientation="horizontal")
        a2.invert_yaxis()
    else:
        a2.barh(order, in_rank_order(summary)["score"])
    a2.set_xlabel("score")
    a2.set_title("Score distribution", fontsize=10)
    a2.tick_params(axis="y", labelsize=8)
    fig.suptitle(f"Monte Carlo over {mc['sample'].nunique() if len(mc) else 0} samples")
    return _png(fig)
