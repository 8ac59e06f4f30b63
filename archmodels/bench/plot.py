"""Figures of a suite run: bandwidth and latency against working set, with the detected plateaus."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def plot_suite(result, path: str | os.PathLike) -> Path:
    """Write a two-panel figure (bandwidth and latency against working set) atomically.

    Parameters
    ----------
    result : archmodels.bench.suite.SuiteResult
    path : path-like
        .png, .svg or .pdf.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    fig, (ax_bw, ax_lat) = plt.subplots(1, 2, figsize=(12, 4.5))
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
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    os.close(fd)
    try:
        fig.savefig(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        plt.close(fig)
    return path
