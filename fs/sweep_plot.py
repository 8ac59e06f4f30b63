"""Figure of ``fsw study sweep``: the design points projected on each pair of objectives, the
Pareto front (over performance, power, cost and carbon together) highlighted."""

from __future__ import annotations

from itertools import combinations

#: Objective column, axis label and scale of the projections.
OBJECTIVES = (("performance", "speedup over the reference [-]", 1.0), ("power_w", "power [MW]", 1e-6),
              ("cost_jpy", "TCO [1e9 JPY]", 1e-9), ("carbon_g", "carbon [kt CO2e]", 1e-9))


def plot_pareto_projections(sweep, title: str | None = None, max_points: int = 20_000):
    """Six panels, one per pair of objectives: feasible points grey, Pareto points coloured by
    memory technology. A 4-objective front seen in 2-D includes points that look dominated there.

    Parameters
    ----------
    sweep : pandas.DataFrame
        ``sweep.parquet`` of :func:`fs.sweep.run_sweep` (objective columns, ``feasible``, ``pareto``, ``memory``).
    max_points : int
        Feasible points drawn at most (a seeded sample beyond it).
    """
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    feas = sweep[sweep["feasible"]]
    show = feas.sample(max_points, random_state=0) if len(feas) > max_points else feas
    front = feas[feas["pareto"]]
    fig = Figure(figsize=(12, 7.5), layout="constrained")
    axes = fig.subplots(2, 3)
    mems = sorted(front["memory"].unique())
    for ax, ((xc, xl, xs), (yc, yl, ys)) in zip(axes.ravel(), combinations(OBJECTIVES, 2)):
        ax.scatter(show[xc] * xs, show[yc] * ys, s=2, color="0.75", alpha=0.5, rasterized=True)
        for i, mem in enumerate(mems):
            f = front[front["memory"] == mem]
            ax.scatter(f[xc] * xs, f[yc] * ys, s=10, color=colormaps["tab10"](i % 10), label=mem)
        ax.set_xlabel(xl, fontsize=9)
        ax.set_ylabel(yl, fontsize=9)
        ax.grid(True, lw=0.3, alpha=0.6)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, [f"Pareto, {m}" for m in labels], loc="outside lower center", ncol=max(len(labels), 1),
               fontsize=9, frameon=False)
    fig.suptitle(title or f"Design sweep: {len(front)} Pareto points of {len(sweep)} ({len(feas)} feasible, grey)",
                 fontsize=12)
    return fig
