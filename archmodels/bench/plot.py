"""Figures of a suite run: bandwidth and latency against working set with the detected plateaus, and
the host's roofline with the application kernels as points."""

from __future__ import annotations

import os
from pathlib import Path

from archmodels.atomic import atomic_path


def plot_suite(result, path: str | os.PathLike) -> Path:
    """Write a three-panel figure atomically: bandwidth and latency against working set, and the
    roofline (measured FP64 peak, each level's bandwidth) with the application kernels as points.

    Parameters
    ----------
    result : archmodels.bench.suite.SuiteResult
    path : path-like
        .png, .svg or .pdf.
    """
    from matplotlib.figure import Figure  # no pyplot: the caller's backend is left alone

    path = Path(path)
    fig = Figure(figsize=(18, 4.5))
    ax_bw, ax_lat, ax_roof = fig.subplots(1, 3)
    bw = result.bandwidth
    for (kernel, threads), grp in bw.groupby(["kernel", "threads"]):
        grp = grp.sort_values("working_set_bytes")
        ax_bw.plot(grp["working_set_bytes"], grp["bandwidth_bytes_per_s"] / 1e9, marker=".", label=f"{kernel}, {threads} thr")
    for level, p in zip(result.profile.memory, result.plateaus, strict=False):
        ax_bw.hlines(p.bandwidth_bytes_per_s / 1e9, p.first_bytes, p.last_bytes, colors="k", linestyles="--")
        ax_bw.annotate(level.name, (p.first_bytes, p.bandwidth_bytes_per_s / 1e9), textcoords="offset points", xytext=(0, 4))
    ax_bw.set(xscale="log", yscale="log", xlabel="working set [B]", ylabel="bandwidth (STREAM bytes) [GB/s]",
              title=f"{result.host.cpu_model}, fsw bench {result.version}")
    ax_bw.legend(fontsize="small")
    lat = result.latency
    if len(lat):
        ax_lat.plot(lat["working_set_bytes"], lat["latency_s"] * 1e9, marker="o")
    ax_lat.set(xscale="log", yscale="log", xlabel="working set [B]", ylabel="latency per load [ns]",
               title="pointer chase (random cyclic permutation)")
    import numpy as np

    peak = result.profile.peak_flop_per_s.get("fp64")
    if peak:
        ai = np.logspace(-2, 3, 200)
        for level in result.profile.memory:
            ax_roof.plot(ai, np.minimum(peak, ai * level.bandwidth_bytes_per_s) / 1e9, lw=1, label=level.name)
        for rec in result.apps.to_dict(orient="records"):
            intensity = rec["flop"] / rec["bytes"]
            ax_roof.scatter(intensity, rec["flop_per_s"] / 1e9, zorder=3)
            ax_roof.annotate(rec["kernel"], (intensity, rec["flop_per_s"] / 1e9), textcoords="offset points",
                             xytext=(4, 4), fontsize="small")
        ax_roof.legend(fontsize="small")
    ax_roof.set(xscale="log", yscale="log", xlabel="arithmetic intensity [FLOP/B]", ylabel="GFLOP/s",
                title="roofline (FP64) with measured kernels")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp)
    return path
