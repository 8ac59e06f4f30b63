"""Figure of ``fsw ops simulate``: queue length, facility power and carbon over time.

The data are a :class:`ops.simulate.SimulationResult` per policy (``jobs`` and ``timeseries``).
"""

from __future__ import annotations

import numpy as np


def queued_jobs(jobs, times_s) -> np.ndarray:
    """Jobs submitted and not yet started at each time [-]: #(submit ≤ t) − #(start ≤ t)."""
    submit = np.sort(jobs["submit_s"].to_numpy(dtype=float))
    start = np.sort(jobs["start_s"].to_numpy(dtype=float))
    t = np.asarray(times_s, dtype=float)
    return np.searchsorted(submit, t, side="right") - np.searchsorted(start, t, side="right")


def plot_operations(results: dict, title: str | None = None):
    """Stacked panels on one time axis: queued jobs, facility power [MW], carbon rate [t CO2/h]
    (with a grid) beside the grid's carbon intensity [g/kWh], one colour per policy.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    has_carbon = all("carbon_g" in r.timeseries for r in results.values())
    fig = Figure(figsize=(11, 7.5 if has_carbon else 5.5), layout="constrained")
    axes = fig.subplots(3 if has_carbon else 2, 1, sharex=True)
    for name, r in results.items():
        ts = r.timeseries
        days = (ts["time_s"].to_numpy(dtype=float) - float(ts["time_s"].iloc[0])) / 86400.0
        axes[0].step(days, queued_jobs(r.jobs, ts["time_s"]), where="post", lw=1, label=name)
        axes[1].step(days, ts["facility_energy_j"] / ts["duration_s"] / 1e6, where="post", lw=1, label=name)
        if has_carbon:
            axes[2].step(days, ts["carbon_g"] / ts["duration_s"] * 3600 / 1e6, where="post", lw=1, label=name)
    if has_carbon:
        first = next(iter(results.values())).timeseries
        twin = axes[2].twinx()
        days = (first["time_s"].to_numpy(dtype=float) - float(first["time_s"].iloc[0])) / 86400.0
        twin.step(days, first["carbon_intensity_g_per_kwh"], where="post", color="0.6", lw=0.8, ls=":")
        twin.set_ylabel("grid intensity [g CO2/kWh] (dotted)", fontsize=9, color="0.4")
        axes[2].set_ylabel("carbon [t CO2/h]")
    axes[0].set_ylabel("queued jobs")
    axes[1].set_ylabel("facility power [MW]")
    axes[-1].set_xlabel("days since the first submit")
    axes[0].legend(fontsize=9)
    for ax in axes:
        ax.grid(True, lw=0.3, alpha=0.6)
    fig.suptitle(title or "Operations over time", fontsize=12)
    return fig
