"""Figures of ``fsw study optimise``: the evaluated designs on each pair of objectives with the
Pareto set highlighted by node kind, and the marginal-value bars around the best design."""

from __future__ import annotations

from itertools import combinations

#: Objective column and axis label of the projections.
AXES = (("performance", "portfolio speedup over the reference [-]"),
        ("cost", "lifetime cost per node-hour of reference work [JPY]"),
        ("carbon", "carbon per node-hour of reference work [g CO2e]"))


def plot_pareto_projections(designs, title: str | None = None):
    """Three panels, one per pair of objectives: feasible designs grey, the Pareto set coloured by
    node kind (cpu, gpu, accelerator). A 3-objective front seen in 2-D includes points that look
    dominated there.

    Parameters
    ----------
    designs : pandas.DataFrame
        ``designs.parquet`` of :func:`fs.optimise.run_optimise` (objectives, ``feasible``, ``pareto``, ``kind``).
    """
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    feas = designs[designs["feasible"]]
    front = feas[feas["pareto"]]
    fig = Figure(figsize=(13, 4.6), layout="constrained")
    axes = fig.subplots(1, 3)
    kinds = sorted(front["kind"].unique())
    for ax, ((xc, xl), (yc, yl)) in zip(axes, combinations(AXES, 2)):
        ax.scatter(feas[xc], feas[yc], s=4, color="0.75", alpha=0.6, rasterized=True)
        for i, kind in enumerate(kinds):
            f = front[front["kind"] == kind]
            ax.scatter(f[xc], f[yc], s=14, color=colormaps["tab10"](i % 10), label=f"Pareto, {kind}")
        ax.set_xlabel(xl, fontsize=9)
        ax.set_ylabel(yl, fontsize=9)
        ax.grid(True, lw=0.3, alpha=0.6)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=max(len(labels), 1), fontsize=9, frameon=False)
    fig.suptitle(title or f"Design search: {len(front)} Pareto designs of {len(designs)} ({len(feas)} feasible, grey)",
                 fontsize=12)
    return fig


def plot_marginal_values(records, title: str | None = None):
    """Two bar panels: the change of speedup per MW and per billion yen of each one-knob move
    (:func:`fs.technology_value.marginal_values`); hatched bars are moves that leave the budgets or
    the links' reach."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 0.9 + 0.38 * max(len(records), 1)), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    names = [r["change"] for r in records]
    for ax, (col, label) in zip(axes, (("delta_speedup_per_mw", "Δ speedup per MW [1/MW]"),
                                       ("delta_speedup_per_billion_jpy", "Δ speedup per billion JPY"))):
        vals = [r[col] for r in records]
        bars = ax.barh(names, vals, color=["tab:green" if v >= 0 else "tab:red" for v in vals])
        for bar, r in zip(bars, records):
            if not r["feasible"]:
                bar.set_hatch("//")
                bar.set_alpha(0.5)
        ax.axvline(0.0, color="0.3", lw=0.6)
        ax.set_xlabel(label, fontsize=9)
        ax.grid(True, axis="x", lw=0.3, alpha=0.6)
    axes[0].invert_yaxis()
    fig.suptitle(title or "What each change buys around the best design (hatched: breaks a budget or the reach)",
                 fontsize=11)
    return fig
