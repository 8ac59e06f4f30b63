"""Orchestration: one kernel (``fsw bench --kernel``) or the whole suite (``fsw bench``).

The suite sweeps the working set from 4 KiB to four times the last-level cache, finds the
bandwidth plateaus (one per memory level), measures the peak FLOP rate, the core clock and the load
latency, runs the application kernels, and turns it all into a
:class:`~archmodels.bench.profile.HostProfile`. The result is then checked
(:mod:`archmodels.bench.plausibility`) against the CPU's ceiling (:mod:`archmodels.bench.ceiling`),
physics and the OS's cache sizes. Results are tidy DataFrames, one row per measurement.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import socket
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from archmodels.bench import apps, bandwidth, latency, peak, plausibility
from archmodels.bench.ceiling import Ceiling, flop_per_cycle_per_core, host_ceiling
from archmodels.bench.host import HostInfo, host_info, memory_bytes, usable_threads
from archmodels.bench.profile import HostProfile, MemoryLevelProfile, guess_dram_technology
from archmodels.errors import InputError

BANDWIDTH_KERNELS = tuple(bandwidth.KERNELS)
APP_KERNELS = {"spmv": apps.run_spmv, "stencil": apps.run_stencil, "dgemm": apps.run_dgemm, "fft": apps.run_fft3d}
KERNEL_NAMES = BANDWIDTH_KERNELS + ("peak", "latency") + tuple(APP_KERNELS)
PRECISIONS = {"fp64": np.float64, "fp32": np.float32}

#: Default --size per kernel: elements per array, FMA iterations (auto), working-set bytes, grid
#: edge or matrix order.
DEFAULT_SIZES = {
    **{k: 1 << 25 for k in BANDWIDTH_KERNELS},
    "peak": 0,
    "latency": 1 << 30,
    "spmv": 64,
    "stencil": 256,
    "dgemm": 2000,
    "fft": 128,
}
#: Smallest working set of the sweep [B] and the fallback last-level cache when sysfs has none.
SWEEP_MIN_BYTES = 4096
FALLBACK_LLC_BYTES = 32 * 2**20


#: CPU share below which a run is reported as measured on a busy host (other jobs held the cores).
LOW_CPU_SHARE = 0.8


#: Extra peak runs when a kernel reads above the peak on an idle host, before it counts as refused.
PEAK_REMEASUREMENTS = 2
#: The plausibility checks that say the peak itself was under-measured.
PEAK_UNDER_MEASURED = ("kernel-above-peak", "fp64-above-fp32")


def best_peak_rates(peak_df, threads: int) -> dict[str, float]:
    """The best FLOP rate of each precision over the peak runs at ``threads`` (re-measurements included) [FLOP/s]."""
    top = peak_df[peak_df["threads"] == threads]
    return {prec: float(rate) for prec, rate in top.groupby("precision", sort=False)["flop_per_s"].max().items()}


def low_cpu_share(peak_df, app_df, threads: int) -> float | None:
    """The lowest CPU share of the peak runs at ``threads`` and of the application kernels, when
    it is below :data:`LOW_CPU_SHARE` (None otherwise, or when no share could be measured)."""
    shares = []
    if len(peak_df):
        shares += list(peak_df.loc[peak_df["threads"] == threads, "cpu_share"])
    if len(app_df) and "cpu_share" in app_df:
        shares += list(app_df["cpu_share"])
    shares = [float(v) for v in shares if v == v]
    low = min(shares, default=None)
    return low if low is not None and low < LOW_CPU_SHARE else None


def bench_version() -> str:
    """The installed fs-workbench version (``0+unknown`` when not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("fs-workbench")
    except PackageNotFoundError:
        return "0+unknown"


def check_threads(threads: int | None) -> int:
    """Threads to use: ``threads`` or every CPU in the affinity mask; InputError when impossible."""
    import numba

    available = min(usable_threads(), int(numba.config.NUMBA_NUM_THREADS))
    if threads is None:
        return available
    if threads < 1 or threads > available:
        raise InputError(f"expected 1..{available} threads (affinity and NUMBA_NUM_THREADS), got {threads}", location="--threads")
    return threads


#: Timed samples at least for one kernel (``fsw bench --kernel``), best reported: STREAM's NTIMES,
#: so a comparison with a STREAM-style peer takes the best of as many samples on each side. The
#: budget still ends the measurement of a slow call.
SINGLE_KERNEL_REPETITIONS = 10


def run_kernel(
    kernel: str,
    *,
    size: int | None = None,
    threads: int | None = None,
    precision: str = "fp64",
    budget_s: float = 3.0,
    seed: int = 0,
) -> dict:
    """Measure one kernel; the dictionary behind ``fsw bench --kernel ... --json``.

    Parameters
    ----------
    kernel : str
        One of :data:`KERNEL_NAMES`.
    size : int, optional
        Problem size in the kernel's unit (see :data:`DEFAULT_SIZES`); ``peak`` takes FMA
        iterations per call (0 or None: chosen for ~50 ms).
    threads : int, optional
        Threads; all CPUs of the affinity mask by default.
    precision : {"fp64", "fp32"}
        Element type of the bandwidth and peak kernels (application kernels are fp64).

    Returns
    -------
    dict
        ``kernel, size, threads, precision, time_s`` (best), ``time_min_s, time_median_s,
        time_max_s``, ``bandwidth_bytes_per_s`` and/or ``flop_per_s`` with their ``_min``,
        ``_median``, ``_max`` spread, ``seed`` and ``host``.
    """
    if kernel not in KERNEL_NAMES:
        raise InputError(f"expected one of {', '.join(KERNEL_NAMES)}, got {kernel!r}", location="--kernel")
    if precision not in PRECISIONS:
        raise InputError(f"expected fp64 or fp32, got {precision!r}", location="--precision")
    if kernel in APP_KERNELS and precision != "fp64":
        raise InputError(f"{kernel} runs in fp64 only", location="--precision")
    if size is not None and size < 0:
        raise InputError(f"expected a positive size, got {size}", location="--size")
    threads = check_threads(threads)
    size = DEFAULT_SIZES[kernel] if size is None else size
    dtype = PRECISIONS[precision]
    out: dict = {"kernel": kernel, "size": size, "threads": threads, "precision": precision, "seed": seed}
    if kernel in BANDWIDTH_KERNELS:
        if size < 1:
            raise InputError("expected at least 1 element", location="--size")
        res = bandwidth.measure_bandwidth(kernel, size, threads, dtype=dtype, budget_s=budget_s, seed=seed,
                                          min_repetitions=SINGLE_KERNEL_REPETITIONS)
        row = res.as_row()
        out.update({k: v for k, v in row.items() if k not in ("kernel", "n", "threads")})
        out["time_min_s"] = row["time_s"]
        out["bytes_per_element_stream"] = bandwidth.KERNELS[kernel].stream_bytes(1, np.dtype(dtype).itemsize)
        out["bytes_per_element_write_allocate"] = bandwidth.KERNELS[kernel].write_allocate_bytes(1, np.dtype(dtype).itemsize)
    elif kernel == "peak":
        flop, spread, iterations = peak.measure_peak(threads, dtype=dtype, budget_s=budget_s, iterations=size or None,
                                                     min_repetitions=SINGLE_KERNEL_REPETITIONS)
        out["size"] = iterations
        out.update(spread.time_keys())
        out.update(spread.rate_keys("flop", "per_s", flop))
        out["flop"] = flop
        out["cpu_share"] = spread.cpu_share(threads)
        ceiling = host_ceiling(threads)
        if ceiling is not None:
            out["ceiling"] = ceiling.as_dict()
            per_cycle = ceiling.microarchitecture.fp64_flop_per_cycle * (2 if precision == "fp32" else 1)
            out["ceiling"]["achieved_flop_per_cycle_per_core"] = (
                flop_per_cycle_per_core(out["flop_per_s"], ceiling.cores, ceiling.clock_hz) if ceiling.clock_hz else None)
            out["ceiling"]["flop_per_cycle_per_core"] = per_cycle
    elif kernel == "latency":
        if size < 2 * latency.LINE_BYTES:
            raise InputError(f"expected a working set of at least {2 * latency.LINE_BYTES} bytes", location="--size")
        steps, spread = latency.measure_latency(size, seed=seed, budget_s=budget_s)
        out["threads"] = 1
        out["steps"] = steps
        out.update(spread.time_keys())
        out["cpu_share"] = spread.cpu_share(1)
        out["latency_s"] = spread.min_s / steps
        out["latency_median_s"] = spread.median_s / steps
        out["latency_max_s"] = spread.max_s / steps
    else:
        if size < 3:
            raise InputError("expected a grid edge or matrix order of at least 3", location="--size")
        res = APP_KERNELS[kernel](size, threads, budget_s=budget_s, seed=seed)
        out.update({k: v for k, v in res.as_dict().items() if k not in ("kernel", "size", "threads")})
        out["workload"] = res.kernel
    out["host"] = host_info().as_dict()
    return out


# ------------------------------------------------------------------------------------- the suite


@dataclass(frozen=True)
class SuiteSettings:
    """How much the suite measures (quick: < 60 s on 2 cores; full: < 10 min)."""

    bandwidth_kernels: tuple[str, ...]
    thread_counts: tuple[int, ...]
    points_per_octave: int
    latency_points_per_octave: int
    latency_max_steps: int
    point_budget_s: float
    target_call_s: float
    app_sizes: dict[str, int]  # 0 for stream-triad: arrays of the sweep's largest working set
    app_budget_s: float
    peak_budget_s: float


#: The settings that are numbers, side by side: (quick, full).
_QUICK_FULL = {
    "points_per_octave": (2, 3),
    "latency_points_per_octave": (1, 2),
    "latency_max_steps": (200_000, 2_000_000),
    "point_budget_s": (0.15, 0.4),
    "target_call_s": (0.01, 0.02),
    "app_budget_s": (0.6, 3.0),
    "peak_budget_s": (1.0, 2.0),
}

#: Problem size of each application kernel: (quick, full).
_APP_SIZES = {"stream-triad": (0, 0), "dgemm": (1500, 4000), "spmv": (96, 96), "stencil": (256, 384), "fft": (128, 256)}


def settings_for(quick: bool, threads: int) -> SuiteSettings:
    """Quick or full settings for ``threads`` threads."""
    pick = 0 if quick else 1
    return SuiteSettings(
        bandwidth_kernels=("triad",) if quick else BANDWIDTH_KERNELS,
        thread_counts=(threads,) if quick else tuple(range(1, threads + 1)),
        app_sizes={app: sizes[pick] for app, sizes in _APP_SIZES.items()},
        **{name: values[pick] for name, values in _QUICK_FULL.items()},
    )


@dataclass(frozen=True)
class SuiteResult:
    """Everything one ``fsw bench`` run measured."""

    host: HostInfo
    version: str
    date: str
    threads: int
    quick: bool
    seed: int
    bandwidth: object  # pandas.DataFrame: one row per kernel, threads, working set
    latency: object  # DataFrame: working set, latency
    peak: object  # DataFrame: precision, threads, FLOP/s
    apps: object  # DataFrame: one row per application kernel
    plateaus: tuple[bandwidth.Plateau, ...]
    levels: object  # DataFrame: the plateaus of every (kernel, threads) sweep, both byte conventions
    profile: HostProfile
    elapsed_s: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)
    ceiling: Ceiling | None = None
    findings: tuple[plausibility.Finding, ...] = field(default_factory=tuple)
    cache_check: tuple[dict, ...] = field(default_factory=tuple)
    busy: bool = False

    @property
    def trustworthy(self) -> bool:
        """No failed check and not a busy host."""
        return not self.busy and not self.findings

    @property
    def refusal(self) -> str | None:
        """The one-line reason this profile must not be written, or None."""
        return plausibility.refusal_message(list(self.findings))

    def as_dict(self) -> dict:
        """JSON-ready summary (tables as lists of records)."""
        return {
            **checked_summary(self.profile, self.ceiling, self.host, self.threads, self.apps),
            "trustworthy": self.trustworthy,
            "busy": self.busy,
            "findings": [f.as_dict() for f in self.findings],
            "cache_check": [dict(r) for r in self.cache_check],
            "version": self.version,
            "date": self.date,
            "threads": self.threads,
            "quick": self.quick,
            "seed": self.seed,
            "elapsed_s": self.elapsed_s,
            "plateaus": [p.as_dict() for p in self.plateaus],
            "levels": self.levels.to_dict(orient="records"),
            "peak": self.peak.to_dict(orient="records"),
            "latency": self.latency.to_dict(orient="records"),
            "bandwidth": self.bandwidth.to_dict(orient="records"),
            "notes": list(self.notes),
        }


def checked_summary(profile: HostProfile, ceiling: Ceiling | None, host: HostInfo, threads: int, apps_df) -> dict:
    """The part of the summary the plausibility checks read: peaks, memory levels, application
    kernels, the ceiling (with the FP64 FLOP per cycle per core the peak achieved), host and threads."""
    ceil = None
    if ceiling is not None:
        ceil = ceiling.as_dict()
        fp64 = profile.peak_flop_per_s.get("fp64")
        ceil["achieved_fp64_flop_per_cycle_per_core"] = (
            flop_per_cycle_per_core(fp64, ceiling.cores, ceiling.clock_hz) if fp64 and ceiling.clock_hz else None)
    return {
        "threads": threads,
        "host": host.as_dict(),
        "peak_flop_per_s": dict(profile.peak_flop_per_s),
        "memory": [dict(m.__dict__) for m in profile.memory],
        "apps": apps_df.to_dict(orient="records"),
        "ceiling": ceil,
    }


def level_table(bw_df, info: HostInfo):
    """Plateaus of every (kernel, threads) sweep: one row per level, bandwidth in STREAM bytes and
    with write-allocate, approximate capacity (None for the outermost)."""
    import pandas as pd

    rows = []
    for (kernel, threads), grp in bw_df.groupby(["kernel", "threads"], sort=True):
        grp = grp.sort_values("working_set_bytes")
        plats = bandwidth.monotone_plateaus(bandwidth.detect_plateaus(grp["working_set_bytes"], grp["bandwidth_bytes_per_s"]))
        spec = bandwidth.KERNELS[kernel]
        wa_ratio = spec.write_allocate_bytes(1, 8) / spec.stream_bytes(1, 8)
        for (name, _), p in zip(name_levels(plats, info, int(threads)), plats, strict=True):
            rows.append({"kernel": kernel, "threads": int(threads), "level": name,
                         "bandwidth_bytes_per_s": p.bandwidth_bytes_per_s,
                         "bandwidth_write_allocate_bytes_per_s": p.bandwidth_bytes_per_s * wa_ratio,
                         "capacity_bytes": p.capacity_bytes, "first_bytes": p.first_bytes, "last_bytes": p.last_bytes})
    return pd.DataFrame(rows)


def last_level_cache_bytes(info: HostInfo) -> int:
    """Capacity of the outermost cache [B] (sysfs), or 32 MiB when unknown."""
    return max((c.size_bytes for c in info.caches), default=FALLBACK_LLC_BYTES)


def name_levels(plateaus, info: HostInfo, threads: int) -> list[tuple[str, bool]]:
    """Names for the plateaus innermost first, the outermost ``DRAM``.

    Each inner plateau takes the name of the cache whose aggregate size over ``threads`` is
    nearest in log to the plateau's capacity, never a cache inside the previous plateau's one; a
    cache seen as several plateaus (loop overheads at the smallest sets, a shared last-level cache
    partly taken by other jobs) names the first and suffixes the others: ``L3``, ``L3-2``...

    Returns (name, is_cache) pairs.
    """
    candidates = []
    for c in info.caches:
        instances = max(1, min(threads, int(np.ceil(threads / c.shared_by))))
        candidates.append((f"L{c.level}", c.size_bytes * instances))
    names = []
    lowest = 0
    for i, p in enumerate(plateaus):
        if i == len(plateaus) - 1:  # the outermost level, even when it is the only one
            names.append(("DRAM", False))
            continue
        if p.capacity_bytes is None or not candidates:
            names.append((f"L{i + 1}", True))
            continue
        allowed = range(lowest, len(candidates))
        k = min(allowed, key=lambda j: abs(np.log(candidates[j][1] / p.capacity_bytes)))
        lowest = k
        base = candidates[k][0]
        seen = sum(1 for n, _ in names if n == base or n.startswith(base + "-"))
        names.append((base if seen == 0 else f"{base}-{seen + 1}", True))
    return names


def _level_latency(lat_df, lo: float, hi: float) -> float | None:
    if lat_df is None or len(lat_df) == 0:
        return None
    sel = lat_df[(lat_df["working_set_bytes"] >= lo) & (lat_df["working_set_bytes"] <= hi)]
    if len(sel) == 0:
        return None
    return float(sel["latency_s"].median())


def build_profile(host: HostInfo, threads: int, plateaus, peak_rates: dict[str, float], lat_df, version: str,
                  date: str, dram_bandwidth_bytes_per_s: float | None = None, notes: str = "") -> HostProfile:
    """Turn the plateaus of the triad sweep and the peak rates into a :class:`HostProfile`.

    ``dram_bandwidth_bytes_per_s``, when given, replaces the outermost plateau's bandwidth: the
    suite passes the STREAM triad of its stream-triad run (best of repetitions on arrays of 4x
    the last-level cache), the number STREAM itself reports.
    """
    names = name_levels(plateaus, host, threads)
    total, _ = memory_bytes()
    levels = []
    for (name, is_cache), p in zip(names, plateaus, strict=True):
        if is_cache:
            levels.append(
                MemoryLevelProfile(
                    name, "sram", float(p.capacity_bytes), p.bandwidth_bytes_per_s,
                    _level_latency(lat_df, p.first_bytes, p.last_bytes),
                )
            )
        else:
            levels.append(
                MemoryLevelProfile(
                    name, guess_dram_technology(host.cpu_model), float(total),
                    dram_bandwidth_bytes_per_s or p.bandwidth_bytes_per_s,
                    _level_latency(lat_df, p.first_bytes, np.inf), capacity_measured=False, technology_assumed=True,
                )
            )
    host_name = "host-" + "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in socket.gethostname())
    return HostProfile(
        name=host_name.strip("-") or "host",
        cpu_model=host.cpu_model,
        cores=len(host.affinity),
        peak_flop_per_s=dict(peak_rates),
        memory=tuple(levels),
        version=version,
        date=date,
        year=int(date[:4]),
        threads=threads,
        notes=notes,
    )


def run_suite(
    *,
    quick: bool = False,
    threads: int | None = None,
    progress: Callable[[str, int], None] | None = None,
    seed: int = 0,
    max_working_set_bytes: float | None = None,
) -> SuiteResult:
    """Run the whole suite.

    Parameters
    ----------
    quick : bool
        Quick settings (triad sweep at all threads only, small application sizes).
    threads : int, optional
        Most threads; all CPUs in the affinity mask by default.
    progress : callable, optional
        Called as ``progress(description, total)`` once per finished step (``total`` is the
        number of steps, fixed before the first).
    seed : int
        Seed of every random input, recorded in the result.
    max_working_set_bytes : float, optional
        Largest working set of the sweeps [B]; default four times the last-level cache (at least
        64 MiB). A smaller cap makes the outermost plateau a cache, not DRAM: for tests only.
    """
    import time

    import pandas as pd

    t_start = time.perf_counter()
    threads = check_threads(threads)
    settings = settings_for(quick, threads)
    info = host_info()
    llc = last_level_cache_bytes(info)
    _, available = memory_bytes()
    max_ws = float(max(4 * llc, 64 * 2**20)) if max_working_set_bytes is None else float(max_working_set_bytes)
    notes = []
    if max_working_set_bytes is not None:
        notes.append(f"sweep capped at {max_ws / 2**20:.1f} MiB by request: the outermost level may not be DRAM")
    if max_ws > 0.5 * available:
        notes.append(f"sweep capped at half the free memory ({available / 2**30:.1f} GiB free) instead of 4x LLC")
        max_ws = 0.5 * available
    sizes = bandwidth.working_set_sizes(SWEEP_MIN_BYTES, max_ws, settings.points_per_octave)
    lat_sizes = bandwidth.working_set_sizes(SWEEP_MIN_BYTES, max_ws, settings.latency_points_per_octave)

    steps: list[tuple[str, Callable[[], None]]] = []
    bw_rows: list[dict] = []
    lat_rows: list[dict] = []
    peak_rows: list[dict] = []
    app_rows: list[dict] = []

    for kernel in settings.bandwidth_kernels:
        for t in settings.thread_counts:
            for ws in sizes:
                def bw_step(kernel=kernel, t=t, ws=int(ws)):
                    n = bandwidth.elements_for(kernel, ws, t)
                    res = bandwidth.measure_bandwidth(
                        kernel, n, t, target_call_s=settings.target_call_s, budget_s=settings.point_budget_s, seed=None
                    )
                    bw_rows.append(res.as_row())
                steps.append((f"{kernel} {t} thr {ws / 2**10:,.0f} KiB", bw_step))
    for ws in lat_sizes:
        def lat_step(ws=int(ws)):
            s, spread = latency.measure_latency(
                ws, seed=seed, target_call_s=settings.target_call_s, budget_s=settings.point_budget_s,
                max_steps=settings.latency_max_steps,
            )
            lat_rows.append({"working_set_bytes": ws, "steps": s, "latency_s": spread.min_s / s,
                             "latency_median_s": spread.median_s / s, "seed": seed})
        steps.append((f"latency {ws / 2**10:,.0f} KiB", lat_step))
    def peak_step(prec: str, t: int, budget_s: float, attempt: int = 0) -> None:
        flop, spread, it = peak.measure_peak(t, dtype=PRECISIONS[prec], budget_s=budget_s)
        peak_rows.append({"precision": prec, "threads": t, "iterations": it, "attempt": attempt, **spread.time_keys(),
                          **spread.rate_keys("flop", "per_s", flop), "cpu_share": spread.cpu_share(t)})

    for prec in PRECISIONS:
        for t in settings.thread_counts:
            steps.append((f"peak {prec} {t} thr", lambda prec=prec, t=t: peak_step(prec, t, settings.peak_budget_s)))
    ceilings: list[Ceiling | None] = []
    steps.append(("clock and ceiling", lambda: ceilings.append(host_ceiling(threads))))  # cores warm from the peaks
    for name, size in settings.app_sizes.items():
        def app_step(name=name, size=size):
            if name == "stream-triad":
                n = size or int(max_ws // 24)
                # the profile's DRAM bandwidth: as long a budget as `fsw bench --kernel triad` has
                res = apps.run_triad(n, threads, budget_s=max(settings.app_budget_s, 3.0), seed=seed)
            else:
                res = APP_KERNELS[name](size, threads, budget_s=settings.app_budget_s, seed=seed)
            app_rows.append({**res.as_dict(), "seed": seed})
        steps.append((f"{name} n={size or int(max_ws // 24)}", app_step))

    for desc, step in steps:
        step()
        if progress is not None:
            progress(desc, len(steps))

    bw_df = pd.DataFrame(bw_rows)
    lat_df = pd.DataFrame(lat_rows)
    peak_df = pd.DataFrame(peak_rows)
    app_df = pd.DataFrame(app_rows)
    triad = bw_df[(bw_df["kernel"] == "triad") & (bw_df["threads"] == threads)].sort_values("working_set_bytes")
    plateaus = tuple(bandwidth.monotone_plateaus(
        bandwidth.detect_plateaus(triad["working_set_bytes"], triad["bandwidth_bytes_per_s"])))
    date = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d")
    version = bench_version()
    stream = app_df[app_df["kernel"] == "stream-triad"]
    dram_bw = float(stream["bandwidth_bytes_per_s"].iloc[0]) if len(stream) and max_working_set_bytes is None else None
    info = host_info()  # again: the threading layer is known once a parallel region has run
    ceiling = ceilings[0] if ceilings else None
    for attempt in range(1 + PEAK_REMEASUREMENTS):
        peak_df = pd.DataFrame(peak_rows)
        share = low_cpu_share(peak_df, app_df, threads)
        busy = share is not None
        profile = build_profile(info, threads, plateaus, best_peak_rates(peak_df, threads), lat_df, version, date,
                                dram_bw, "")
        summary = checked_summary(profile, ceiling, info, threads, app_df)
        findings = tuple(plausibility.check_profile(summary, busy=busy))
        if busy or attempt == PEAK_REMEASUREMENTS or not any(f.check in PEAK_UNDER_MEASURED for f in findings):
            break
        # a kernel above the peak (or fp64 above fp32) on an idle host: one peak run that lost part
        # of its time (a descheduled thread) reads like an impossible host; measure the peak again
        for k, prec in enumerate(PRECISIONS):
            peak_step(prec, threads, 2 * settings.peak_budget_s, attempt + 1)
            if progress is not None:
                progress(f"peak {prec} {threads} thr again", len(steps) + len(PRECISIONS) * attempt + k + 1)
    if attempt:
        first = peak_df[(peak_df["threads"] == threads) & (peak_df["attempt"] == 0)]
        notes.append(f"peak measured {attempt + 1} times (a kernel read above the first peak): first "
                     + ", ".join(f"{r.precision} {r.flop_per_s / 1e9:.4g}" for r in first.itertuples())
                     + " GFLOP/s, the best kept")
    if share is not None:
        notes.append(f"busy host: CPU share {share:.2f} of {threads} threads (below {LOW_CPU_SHARE}); "
                     "rates are lower than this host can reach")
    conditions = (
        f"{'quick' if quick else 'full'} run, {threads} threads, seed {seed}; affinity {list(info.affinity)}, "
        f"NUMBA_NUM_THREADS {info.numba_num_threads}, threading layer {info.numba_threading_layer}, "
        f"{info.vector_width_bits}-bit vectors; " + "; ".join(notes)
    ).rstrip("; ")
    profile = dataclasses.replace(profile, notes=conditions)
    cache_rows, _ = plausibility.cache_agreement(summary)
    if busy or findings:
        reasons = (["busy host"] if busy else []) + [f.message for f in findings]
        profile = dataclasses.replace(profile, trustworthy=False,
                                      notes=(profile.notes + "; untrustworthy: " + "; ".join(reasons)).lstrip("; "))
    return SuiteResult(
        host=info, version=version, date=date, threads=threads, quick=quick, seed=seed,
        bandwidth=bw_df, latency=lat_df, peak=peak_df, apps=app_df, plateaus=plateaus,
        levels=level_table(bw_df, info), profile=profile,
        elapsed_s=time.perf_counter() - t_start, notes=tuple(notes),
        ceiling=ceiling, findings=findings, cache_check=tuple(cache_rows), busy=busy,
    )
