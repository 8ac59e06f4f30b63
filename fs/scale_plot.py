"""Figure of ``fsw scale``: strong or weak scaling curves (the data: :func:`archmodels.scaling.scaling`)."""

from __future__ import annotations


def plot_scaling(df, changes: list[dict] | None = None, title: str | None = None):
    """Time, and parallel efficiency beside the network's share of the time, against node count.

    Parameters
    ----------
    df : pandas.DataFrame
        Rows of :func:`archmodels.scaling.scaling` for one or more workloads (``workload, mode,
        nodes, time_s, parallel_efficiency, network_fraction``).
    changes : list of dict, optional
        :func:`archmodels.scaling.bound_changes` of a single workload, marked as vertical lines.

    Returns
    -------
    matplotlib.figure.Figure
        Left: time [s] on log-log axes with the ideal line from the baseline (strong: T1·N1/N;
        weak: flat). Right: parallel efficiency [-] (solid) and network share of the time [-]
        (dashed), one colour per workload.
    """
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    mode = df["mode"].iloc[0]
    fig = Figure(figsize=(11, 4.3), layout="constrained")
    a1, a2 = fig.subplots(1, 2, sharex=True)
    for i, (wl, g) in enumerate(df.groupby("workload", sort=False)):
        colour = colormaps["tab20"]((2 * i) % 20 + (i // 10) % 2)
        n, t = g["nodes"].to_numpy(dtype=float), g["time_s"].to_numpy(dtype=float)
        a1.loglog(n, t, "o-", color=colour, ms=4, label=wl)
        ideal = t[0] * n[0] / n if mode == "strong" else t[0] + 0 * n
        a1.loglog(n, ideal, ":", color=colour, lw=1)
        a2.semilogx(n, g["parallel_efficiency"], "o-", color=colour, ms=4, label=wl)
        a2.semilogx(n, g["network_fraction"], "--", color=colour, lw=1)
    for c in changes or []:
        for ax in (a1, a2):
            ax.axvline(c["nodes"], color="0.4", lw=0.8)
        a2.annotate(f"{c['from']} → {c['to']}", (c["nodes"], 0.98), xycoords=("data", "axes fraction"), rotation=90,
                    fontsize=7, ha="right", va="top", color="0.3")
    a1.set_xscale("log", base=2)
    a1.set_xlabel("nodes")
    a2.set_xlabel("nodes")
    a1.set_ylabel("time [s]")
    a2.set_ylabel("parallel efficiency (solid), network share (dashed) [-]")
    a2.set_ylim(0, max(1.05, 1.05 * float(df["parallel_efficiency"].max())))  # superlinear points stay in view
    a1.set_title("time (dotted: ideal from the smallest count)", fontsize=10)
    a2.set_title("efficiency and network share", fontsize=10)
    for ax in (a1, a2):
        ax.grid(True, which="major", lw=0.3, alpha=0.6)
    a1.legend(fontsize=8, ncol=2 if df["workload"].nunique() > 6 else 1)
    fig.suptitle(title or f"{mode} scaling on {df['machine'].iloc[0]}", fontsize=12)
    return fig
