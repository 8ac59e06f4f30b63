"""Plot of predicted time against stacked-SRAM capacity (the data: :func:`archmodels.variants.capacity_sweep`)."""

from __future__ import annotations


def plot_sram_curves(df, title: str | None = None):
    """Relative time per workload against the capacity of one memory level, bounds marked.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`archmodels.variants.capacity_sweep` (``workload, capacity_bytes,
        relative_time, bound``).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Log2 capacity axis in MiB; one line per workload; a filled marker where the varied level
        itself is the bound (the working set lives there), an open one elsewhere.
    """
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.subplots()
    for i, (wl, g) in enumerate(df.groupby("workload", sort=False)):
        color = colormaps["tab10"](i % 10)
        mib = g["capacity_bytes"] / 2**20
        ax.plot(mib, g["relative_time"], color=color, lw=1.5, label=wl, drawstyle="steps-post")
        level_bound = g["bound"].str.contains("SRAM", case=False)
        ax.plot(mib[level_bound], g["relative_time"][level_bound], "o", color=color, ms=5)
        ax.plot(mib[~level_bound], g["relative_time"][~level_bound], "o", mfc="none", color=color, ms=5)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("stacked SRAM per processor [MiB]")
    ax.set_ylabel("predicted time / time at the smallest capacity [-]")
    ax.set_ylim(bottom=0)
    ax.set_title(title or "Time against stacked-SRAM capacity (filled: SRAM-bound, open: other bound)", fontsize=9)
    ax.grid(True, which="both", lw=0.3, alpha=0.5)
    ax.legend(fontsize=8)
    return fig
