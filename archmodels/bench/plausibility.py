"""Is a measured host profile physically possible? Checks against physics, the CPU's ceiling and the OS.

The checks read the summary ``fsw bench --json`` prints (:meth:`SuiteResult.as_dict`), or any dict
of that shape, so a saved run can be checked again. Each finding is a refusal (the profile is not
written; ``fsw bench`` exits 2) or a warning (it is written, marked untrustworthy in its notes).

Thresholds, and why each holds on any x86-64 host, Intel or AMD, idle or loaded:

- **fp64 above fp32** (:data:`FP64_OVER_FP32_REFUSE` = 1.0): every x86 SIMD unit holds twice the
  fp32 lanes in the same register at the same throughput, so a true fp32 peak is 2x the fp64 one;
  fp64 > fp32 means the fp32 run lost more than half of every call. fp32 below
  :data:`FP32_OVER_FP64_WARN` = 1.5x fp64 is a warning.
- **a kernel above the measured fp64 peak**: warning above :data:`KERNEL_OVER_PEAK_WARN` = 1.1x,
  refusal above :data:`KERNEL_OVER_PEAK_REFUSE` = 1.5x. OpenBLAS DGEMM reached 0.83-0.97 of the peak
  kernel on the development VM (docs/bench.md); for 1.5x, every call of the peak run must have lost
  a third of its time, which shows as a CPU share below 0.8 (a busy host), or the peak kernel ran
  with narrower vectors than the BLAS (numba started before ``prepare_process``). The suite
  measures the peak again before either peak check counts
  (:data:`archmodels.bench.suite.PEAK_REMEASUREMENTS`), so one run that lost its time to the OS is
  not taken for an impossible host.
- **a rate above the CPU's ceiling** (:mod:`archmodels.bench.ceiling`): warning above
  :data:`CEILING_WARN` = 1.1x, refusal above :data:`CEILING_REFUSE` = 1.5x. The ceiling's clock is
  the higher of the measured and nominal ones, so only a clock below the one the kernel ran at can
  make a true rate exceed it: turbo above the nominal clock when the measured clock read low. On the
  development VM the FMA chain read 1.4 GHz in some runs against 2.7-2.8 GHz in most, and
  ``cpu MHz`` says 2.0 GHz: with the 2.0 GHz floor, the 2-thread peak (169 GFLOP/s, 2.64 GHz x 32 x 2)
  is 1.32x the ceiling, inside 1.5x. A CPU twice as fast per cycle as its table entry (an
  AVX-512 peak of 32 FLOP/cycle on Zen 4) is still refused. A ceiling that is an ``assumption``
  (CPU not in the table) never refuses.
- **an inner memory level slower than the next one outward**: warning when slower at all, refusal
  below 1 / :data:`BANDWIDTH_ORDER_REFUSE` = 1/1.5 of it. Data a cache holds is served at least as
  fast as from the level behind it; the plateaus are merged monotone already
  (:func:`~archmodels.bench.bandwidth.monotone_plateaus`), so only the DRAM level, which takes the
  separate stream-triad run's bandwidth, can break the order, and 1.5x takes a run that lost a third
  of its time.
- **cache capacity** against the OS (sysfs ``cache/index*``): warning when a plateau's inferred
  capacity and the OS's size (aggregated over the threads' cache instances) differ by more than
  :data:`CACHE_CAPACITY_FACTOR` = 2x (one octave; the sweep has 2-3 points per octave and a cache
  fills gradually). Never a refusal: capacity is inferred from where the curve bends.

A busy host (CPU share below :data:`archmodels.bench.suite.LOW_CPU_SHARE`) turns every refusal into
a warning: its rates are low for reasons the user can fix by re-running, and a refusal that comes
and goes with the load would only be flaky; the profile is written with ``untrustworthy`` in its
notes instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

FP64_OVER_FP32_REFUSE = 1.0
FP32_OVER_FP64_WARN = 1.5
KERNEL_OVER_PEAK_WARN = 1.1
KERNEL_OVER_PEAK_REFUSE = 1.5
CEILING_WARN = 1.1
CEILING_REFUSE = 1.5
BANDWIDTH_ORDER_REFUSE = 1.5
CACHE_CAPACITY_FACTOR = 2.0


@dataclass(frozen=True)
class Finding:
    """One failed check: ``severity`` is ``refuse`` or ``warn``."""

    check: str
    severity: str
    message: str

    def as_dict(self) -> dict:
        """Plain dictionary."""
        return {"check": self.check, "severity": self.severity, "message": self.message}


def _g(rate: float) -> str:
    return f"{rate / 1e9:.4g} GFLOP/s"


def _gb(rate: float) -> str:
    return f"{rate / 1e9:.4g} GB/s"


def _finding(check: str, ratio: float, warn_above: float, refuse_above: float | None, message: str,
             can_refuse: bool) -> Finding | None:
    if not ratio > warn_above:
        return None
    refuse = can_refuse and refuse_above is not None and ratio > refuse_above
    return Finding(check, "refuse" if refuse else "warn", message)


def _positive(value) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


def check_peaks(summary: dict, *, busy: bool = False) -> list[Finding]:
    """fp64 against fp32, the application kernels against the fp64 peak, everything against the ceiling."""
    out: list[Finding] = []
    peak = summary.get("peak_flop_per_s") or {}
    fp64, fp32 = peak.get("fp64"), peak.get("fp32")
    if _positive(fp64) and _positive(fp32):
        ratio = fp64 / fp32
        if ratio > FP64_OVER_FP32_REFUSE:
            out.append(Finding("fp64-above-fp32", "warn" if busy else "refuse",
                               f"fp64 peak {_g(fp64)} above fp32 peak {_g(fp32)}: impossible on x86 SIMD "
                               "(fp32 has twice the lanes), the fp32 run lost more than half its time"))
        elif fp32 / fp64 < FP32_OVER_FP64_WARN:
            out.append(Finding("fp32-below-2x-fp64", "warn",
                               f"fp32 peak {_g(fp32)} only {fp32 / fp64:.2f}x fp64 {_g(fp64)} (expected 2x)"))
    kernels = [(r.get("kernel", "?"), r.get("flop_per_s")) for r in summary.get("apps") or []]
    kernels = [(k, v) for k, v in kernels if _positive(v)]
    if _positive(fp64):
        for kernel, rate in kernels:
            f = _finding("kernel-above-peak", rate / fp64, KERNEL_OVER_PEAK_WARN, KERNEL_OVER_PEAK_REFUSE,
                         f"{kernel} {_g(rate)} is {rate / fp64:.2f}x the measured fp64 peak {_g(fp64)} "
                         f"(refused above {KERNEL_OVER_PEAK_REFUSE}x): the peak was under-measured", not busy)
            if f:
                out.append(f)
    ceiling = summary.get("ceiling") or {}
    c64 = ceiling.get("fp64_flop_per_s")
    if _positive(c64):
        can_refuse = not busy and not ceiling.get("assumption", True)
        where = (f"{ceiling.get('microarchitecture')}: {ceiling.get('cores')} cores x "
                 f"{ceiling.get('clock_hz', 0) / 1e9:.3g} GHz x {ceiling.get('fp64_flop_per_cycle_per_core'):g} FP64 FLOP/cycle")
        rates = [("fp64 peak", fp64, c64), ("fp32 peak", fp32, 2.0 * c64)] + [(k, v, c64) for k, v in kernels]
        for what, rate, limit in rates:
            if not _positive(rate):
                continue
            f = _finding("above-ceiling", rate / limit, CEILING_WARN, CEILING_REFUSE,
                         f"{what} {_g(rate)} is {rate / limit:.2f}x the CPU's ceiling {_g(limit)} ({where}; "
                         f"refused above {CEILING_REFUSE}x)", can_refuse)
            if f:
                out.append(f)
    return out


def check_bandwidth_order(summary: dict, *, busy: bool = False) -> list[Finding]:
    """Each memory level at least as fast as the next one outward."""
    out = []
    levels = [m for m in summary.get("memory") or [] if _positive(m.get("bandwidth_bytes_per_s"))]
    for inner, outer in zip(levels, levels[1:]):
        bi, bo = inner["bandwidth_bytes_per_s"], outer["bandwidth_bytes_per_s"]
        f = _finding("bandwidth-order", bo / bi, 1.0, BANDWIDTH_ORDER_REFUSE,
                     f"{inner['name']} {_gb(bi)} slower than {outer['name']} {_gb(bo)} behind it "
                     f"({bo / bi:.2f}x; refused above {BANDWIDTH_ORDER_REFUSE}x)", not busy)
        if f:
            out.append(f)
    return out


def os_cache_bytes(cache: dict, threads: int) -> int:
    """A cache's capacity over the instances ``threads`` threads use [B] (size x instances)."""
    shared_by = max(1, int(cache.get("shared_by", 1)))
    instances = max(1, min(threads, math.ceil(threads / shared_by)))
    return int(cache["size_bytes"]) * instances


def cache_agreement(summary: dict) -> tuple[list[dict], list[Finding]]:
    """OS cache sizes beside the capacities the sweep inferred, and warnings where they disagree.

    Returns
    -------
    (rows, findings)
        One row per OS data/unified cache level: ``level, os_bytes`` (aggregate over the threads'
        instances), ``inferred_bytes`` (the profile level of that name; None where no plateau took
        it), ``ratio`` (inferred / OS) and ``agree``.
    """
    threads = int(summary.get("threads") or 1)
    caches = (summary.get("host") or {}).get("caches") or []
    inferred = {m["name"]: m.get("capacity_bytes") for m in summary.get("memory") or []}
    rows, findings = [], []
    for cache in caches:
        if cache.get("type", "Unified") == "Instruction":
            continue
        name = f"L{cache['level']}"
        os_bytes = os_cache_bytes(cache, threads)
        got = inferred.get(name)
        ratio = got / os_bytes if _positive(got) else None
        agree = ratio is None or 1 / CACHE_CAPACITY_FACTOR <= ratio <= CACHE_CAPACITY_FACTOR
        rows.append({"level": name, "os_bytes": os_bytes, "inferred_bytes": got, "ratio": ratio, "agree": agree})
        if not agree:
            findings.append(Finding("cache-capacity", "warn",
                                    f"{name} plateau ends near {got / 2**20:.3g} MiB but the OS says "
                                    f"{os_bytes / 2**20:.3g} MiB for {threads} threads ({ratio:.2f}x; "
                                    f"warned beyond {CACHE_CAPACITY_FACTOR:g}x)"))
    return rows, findings


def check_profile(summary: dict, *, busy: bool = False) -> list[Finding]:
    """Every check on a bench summary: peaks, ceiling, bandwidth order, cache capacities."""
    return check_peaks(summary, busy=busy) + check_bandwidth_order(summary, busy=busy) + cache_agreement(summary)[1]


def refusal_message(findings: list[Finding]) -> str | None:
    """One line naming the first refusal (and how many more), or None when nothing is refused."""
    refused = [f for f in findings if f.severity == "refuse"]
    if not refused:
        return None
    more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
    return (f"physically impossible profile, not written: {refused[0].message}{more}; "
            "re-run `fsw bench` on an idle host")
