"""Memory bandwidth kernels (read, write, copy, scale, add, triad) and the working-set sweep.

Each kernel splits its arrays into one contiguous slice per thread and sweeps its slice
``repetitions`` times inside one parallel region, so that small working sets stay in each core's
caches and the cost of starting the region is paid once per timed call.

Byte accounting (per element of ``itemsize`` bytes; see :data:`KERNELS`):

=======  =========================  =======  ==========  ==============
kernel   operation                  STREAM   with write  FLOP/element
                                    bytes    allocate
=======  =========================  =======  ==========  ==============
read     s += a[i]                  1        1           1
write    a[i] = q                   1        2           0
copy     a[i] = b[i]                2        3           0
scale    a[i] = q * b[i]            2        3           1
add      a[i] = b[i] + c[i]         3        4           1
triad    a[i] = b[i] + q * c[i]     3        4           2
=======  =========================  =======  ==========  ==============

STREAM counts each array read or written once (McCalpin, "STREAM: Sustainable Memory Bandwidth in
High Performance Computers", https://www.cs.virginia.edu/stream/ref.html). A write-back cache
without non-temporal stores first reads the line it writes (write-allocate, the "read for
ownership"), so the memory moves one more array per array written; likwid-bench reports this
traffic (Treibig, Hager, Wellein, "LIKWID: A lightweight performance-oriented tool suite for x86
multicore environments", ICPPW 2010, https://arxiv.org/abs/1004.4431).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from archmodels.bench.host import require_memory
from archmodels.bench.timing import measure, repetitions_for

#: Reassociation for the vectorised reduction; no "nnan"/"ninf", so NaNs propagate.
REDUCTION_FASTMATH = {"reassoc", "nsz", "arcp", "contract"}


@dataclass(frozen=True)
class KernelBytes:
    """Arrays a bandwidth kernel touches and the floating-point work per element."""

    arrays_read: int
    arrays_written: int
    flop_per_element: int

    @property
    def arrays(self) -> int:
        """Distinct arrays in the working set."""
        return self.arrays_read + self.arrays_written

    def stream_bytes(self, n: int, itemsize: int) -> int:
        """Bytes by STREAM's convention: each array read or written once [B]."""
        return (self.arrays_read + self.arrays_written) * n * itemsize

    def write_allocate_bytes(self, n: int, itemsize: int) -> int:
        """Bytes with write-allocate: each written array is also read [B]."""
        return (self.arrays_read + 2 * self.arrays_written) * n * itemsize


KERNELS: dict[str, KernelBytes] = {
    "read": KernelBytes(1, 0, 1),
    "write": KernelBytes(0, 1, 0),
    "copy": KernelBytes(1, 1, 0),
    "scale": KernelBytes(1, 1, 1),
    "add": KernelBytes(2, 1, 1),
    "triad": KernelBytes(2, 1, 2),
}


@njit(cache=True)
def _thread_slice(a, t, threads):
    """Thread ``t``'s contiguous share of ``a``, of ``threads`` near-equal shares (a view)."""
    n = a.shape[0]
    return a[t * n // threads : (t + 1) * n // threads]


@njit(parallel=True, cache=True, fastmath=REDUCTION_FASTMATH)
def read_kernel(a, threads, repetitions):
    """Sum of ``a`` over all repetitions (one slice per thread)."""
    partial = np.zeros(threads)
    for t in prange(threads):
        aa = _thread_slice(a, t, threads)
        s = 0.0
        for _ in range(repetitions):
            for i in range(aa.shape[0]):
                s += aa[i]
        partial[t] = s
    return partial.sum()


@njit(parallel=True, cache=True)
def write_kernel(a, q, threads, repetitions):
    """a[i] = q + r on repetition r (a varying value keeps stores from being merged)."""
    for t in prange(threads):
        aa = _thread_slice(a, t, threads)
        for r in range(repetitions):
            v = q + r
            for i in range(aa.shape[0]):
                aa[i] = v


@njit(parallel=True, cache=True)
def copy_kernel(a, b, threads, repetitions):
    """a[i] = b[i]."""
    for t in prange(threads):
        aa, bb = _thread_slice(a, t, threads), _thread_slice(b, t, threads)
        for _ in range(repetitions):
            for i in range(aa.shape[0]):
                aa[i] = bb[i]


@njit(parallel=True, cache=True)
def scale_kernel(a, b, q, threads, repetitions):
    """a[i] = q * b[i]."""
    for t in prange(threads):
        aa, bb = _thread_slice(a, t, threads), _thread_slice(b, t, threads)
        for _ in range(repetitions):
            for i in range(aa.shape[0]):
                aa[i] = q * bb[i]


@njit(parallel=True, cache=True)
def add_kernel(a, b, c, threads, repetitions):
    """a[i] = b[i] + c[i]."""
    for t in prange(threads):
        aa, bb, cc = _thread_slice(a, t, threads), _thread_slice(b, t, threads), _thread_slice(c, t, threads)
        for _ in range(repetitions):
            for i in range(aa.shape[0]):
                aa[i] = bb[i] + cc[i]


@njit(parallel=True, cache=True, fastmath={"contract"})
def triad_kernel(a, b, c, q, threads, repetitions):
    """a[i] = b[i] + q * c[i] (STREAM triad)."""
    for t in prange(threads):
        aa, bb, cc = _thread_slice(a, t, threads), _thread_slice(b, t, threads), _thread_slice(c, t, threads)
        for _ in range(repetitions):
            for i in range(aa.shape[0]):
                aa[i] = bb[i] + q * cc[i]


def reference(kernel: str, arrays: list[np.ndarray], q: float, repetitions: int = 1):
    """Plain-numpy result of one bandwidth kernel (what the numba kernel must reproduce).

    Returns the sum for ``read`` and the written array for the others.
    """
    a, *rest = arrays
    if kernel == "read":
        return float(np.sum(a)) * repetitions
    if kernel == "write":
        return np.full_like(a, q + repetitions - 1)
    if kernel == "copy":
        return rest[0].copy()
    if kernel == "scale":
        return q * rest[0]
    if kernel == "add":
        return rest[0] + rest[1]
    if kernel == "triad":
        return rest[0] + q * rest[1]
    raise ValueError(kernel)


def make_arrays(kernel: str, n: int, dtype=np.float64, seed: int | None = 0) -> list[np.ndarray]:
    """The arrays a kernel works on (output first): seeded random numbers, or 1, 2, 3... when
    ``seed`` is None (fast to fill for large sweeps; the values do not change the timing)."""
    spec = KERNELS[kernel]
    if seed is None:
        return [np.full(n, k + 1.0, dtype=dtype) for k in range(spec.arrays)]
    rng = np.random.default_rng(seed)
    return [rng.random(n).astype(dtype) for _ in range(spec.arrays)]


def runner(kernel: str, arrays: list[np.ndarray], q: float, threads: int) -> Callable[[int], object]:
    """A callable ``f(repetitions)`` that runs the numba kernel on ``arrays``."""
    a, *rest = arrays
    q = a.dtype.type(q)
    if kernel == "read":
        return lambda r: read_kernel(a, threads, r)
    if kernel == "write":
        return lambda r: write_kernel(a, q, threads, r)
    if kernel == "copy":
        return lambda r: copy_kernel(a, rest[0], threads, r)
    if kernel == "scale":
        return lambda r: scale_kernel(a, rest[0], q, threads, r)
    if kernel == "add":
        return lambda r: add_kernel(a, rest[0], rest[1], threads, r)
    if kernel == "triad":
        return lambda r: triad_kernel(a, rest[0], rest[1], q, threads, r)
    raise ValueError(kernel)


@dataclass(frozen=True)
class BandwidthResult:
    """One bandwidth measurement (time per sweep of the arrays)."""

    kernel: str
    n: int
    threads: int
    itemsize: int
    repetitions: int
    time_min_s: float
    time_median_s: float
    time_max_s: float
    samples: int
    cpu_share: float = float("nan")

    @property
    def working_set_bytes(self) -> int:
        """Bytes of all arrays the kernel touches [B]."""
        return KERNELS[self.kernel].arrays * self.n * self.itemsize

    def rates(self) -> dict[str, float]:
        """STREAM and write-allocate bandwidth and FLOP rate: best (no suffix, and ``_max``), median, worst (``_min``)."""
        spec = KERNELS[self.kernel]
        stream = spec.stream_bytes(self.n, self.itemsize) * self.repetitions
        wa = spec.write_allocate_bytes(self.n, self.itemsize) * self.repetitions
        flop = spec.flop_per_element * self.n * self.repetitions
        out = {}
        for tag, t in (
            ("", self.time_min_s),
            ("_max", self.time_min_s),
            ("_median", self.time_median_s),
            ("_min", self.time_max_s),
        ):
            out[f"bandwidth{tag}_bytes_per_s"] = stream / t
            out[f"bandwidth_write_allocate{tag}_bytes_per_s"] = wa / t
            out[f"flop{tag}_per_s"] = flop / t
        return out

    def as_row(self) -> dict:
        """One tidy row: inputs, times per sweep, rates."""
        row = {
            "kernel": self.kernel,
            "n": self.n,
            "threads": self.threads,
            "working_set_bytes": self.working_set_bytes,
            "repetitions": self.repetitions,
            "samples": self.samples,
            "cpu_share": self.cpu_share,
            "time_s": self.time_min_s / self.repetitions,
            "time_median_s": self.time_median_s / self.repetitions,
            "time_max_s": self.time_max_s / self.repetitions,
        }
        row.update(self.rates())
        return row


def measure_bandwidth(
    kernel: str,
    n: int,
    threads: int,
    *,
    dtype=np.float64,
    target_call_s: float = 0.02,
    budget_s: float = 0.5,
    seed: int | None = 0,
    min_repetitions: int = 3,
) -> BandwidthResult:
    """Measure one bandwidth kernel on arrays of ``n`` elements with ``threads`` threads.

    Parameters
    ----------
    kernel : str
        One of :data:`KERNELS`.
    n : int
        Elements per array [-].
    threads : int
        Threads (``numba.set_num_threads`` is set to this) [-].
    target_call_s : float
        Duration of one timed call; the inner repetitions are chosen to reach it [s].
    budget_s : float
        Time budget for the repeated samples [s].
    seed : int or None
        Seed of the array values (None: 1, 2, 3..., fast to fill).
    min_repetitions : int
        Timed samples at least (the best is reported); STREAM's default NTIMES is 10.
    """
    import time

    import numba

    if kernel not in KERNELS:
        raise ValueError(f"unknown bandwidth kernel {kernel!r}")
    itemsize = np.dtype(dtype).itemsize
    require_memory(KERNELS[kernel].arrays * n * itemsize, f"{kernel} --size {n}")
    numba.set_num_threads(threads)
    arrays = make_arrays(kernel, n, dtype, seed)
    run = runner(kernel, arrays, 3.0, threads)
    run(1)  # compile or load from cache; first touch
    t0 = time.perf_counter()
    run(1)
    once = time.perf_counter() - t0
    reps = repetitions_for(once, target_call_s)
    spread = measure(lambda: run(reps), budget_s=budget_s, warmup=0, min_repetitions=min_repetitions,
                     max_repetitions=max(30, min_repetitions))
    return BandwidthResult(
        kernel, n, threads, itemsize, reps, spread.min_s, spread.median_s, spread.max_s, spread.repetitions,
        spread.cpu_share(threads),
    )


def elements_for(kernel: str, working_set_bytes: float, threads: int, itemsize: int = 8) -> int:
    """Elements per array so that the kernel's arrays fill ``working_set_bytes`` [B].

    Rounded down to a multiple of 32 per thread (4 unrolled 512-bit fp64 vectors), so every thread's
    slice runs the vector loop without a scalar remainder; at least 32 per thread.
    """
    chunk = 32 * threads
    n = int(working_set_bytes) // (KERNELS[kernel].arrays * itemsize)
    return max(chunk, n // chunk * chunk)


def working_set_sizes(min_bytes: float, max_bytes: float, per_octave: int) -> np.ndarray:
    """Log-spaced working-set sizes from ``min_bytes`` to ``max_bytes`` [B], ``per_octave`` per 2x."""
    octaves = np.log2(max_bytes / min_bytes)
    count = int(np.ceil(octaves * per_octave)) + 1
    return np.unique(np.round(np.geomspace(min_bytes, max_bytes, count)).astype(np.int64))


def sweep(
    kernel: str,
    threads: int,
    sizes_bytes: np.ndarray,
    *,
    dtype=np.float64,
    target_call_s: float = 0.02,
    budget_s: float = 0.3,
    progress: Callable[[str], None] | None = None,
):
    """Bandwidth of ``kernel`` over a working-set sweep; a DataFrame, one row per size."""
    import pandas as pd

    itemsize = np.dtype(dtype).itemsize
    rows = []
    for ws in sizes_bytes:
        n = elements_for(kernel, ws, threads, itemsize)
        res = measure_bandwidth(
            kernel, n, threads, dtype=dtype, target_call_s=target_call_s, budget_s=budget_s, seed=None
        )
        rows.append(res.as_row())
        if progress is not None:
            progress(f"{kernel} {threads}T {ws / 1024:.0f} KiB")
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Plateau:
    """A flat stretch of the bandwidth-versus-working-set curve: one memory level."""

    bandwidth_bytes_per_s: float
    first_bytes: float
    last_bytes: float
    capacity_bytes: float | None

    def as_dict(self) -> dict:
        """Plain dictionary."""
        return dict(self.__dict__)


def _segment_costs(y: np.ndarray, min_points: int) -> np.ndarray:
    """cost[i, j]: squared error of fitting y[i:j+1] by its mean (inf below ``min_points`` points)."""
    n = len(y)
    c1 = np.concatenate([[0.0], np.cumsum(y)])
    c2 = np.concatenate([[0.0], np.cumsum(y * y)])
    cost = np.full((n, n), np.inf)
    for i in range(n):
        j = np.arange(i, n)
        m = j - i + 1
        s = c1[j + 1] - c1[i]
        cost[i, i:] = (c2[j + 1] - c2[i]) - s * s / m
        cost[i, i : i + min_points - 1] = np.inf
    return cost


def detect_plateaus(
    working_set_bytes,
    bandwidth_bytes_per_s,
    *,
    max_levels: int = 5,
    penalty: float = 0.02,
    min_ratio: float = 1.15,
    min_points: int = 3,
) -> list[Plateau]:
    """Split a bandwidth sweep into plateaus, one per memory level, innermost first.

    The curve log10(B) against the size index is fitted by k piecewise-constant segments
    (optimal segmentation by dynamic programming; Bellman, "On the approximation of curves by line
    segments using dynamic programming", CACM 4(6), 1961), choosing k to minimise
    SSE_k + k * penalty. Neighbouring segments whose bandwidths differ by less than ``min_ratio``
    are merged. Each plateau's bandwidth is the median of its points without the first and last
    (the transition points); its capacity is the geometric mean of its last size and the next
    plateau's first size, and None for the outermost.

    Parameters
    ----------
    working_set_bytes : array_like
        Sizes of the sweep, increasing [B].
    bandwidth_bytes_per_s : array_like
        Bandwidth at each size [B/s].
    max_levels : int
        Most plateaus to look for.
    penalty : float
        Cost of one more segment, in (log10 units)^2.
    min_ratio : float
        Smallest bandwidth ratio between neighbouring plateaus [-].
    min_points : int
        Fewest sweep points in a plateau (a lone outlier is not a memory level).
    """
    x = np.asarray(working_set_bytes, dtype=float)
    y = np.log10(np.asarray(bandwidth_bytes_per_s, dtype=float))
    n = len(y)
    if n == 0:
        return []
    min_points = max(1, min(min_points, n))
    cost = _segment_costs(y, min_points)
    kmax = max(1, min(max_levels, n // min_points))
    best = np.full((kmax + 1, n + 1), np.inf)
    back = np.zeros((kmax + 1, n + 1), dtype=int)
    best[0, 0] = 0.0
    for k in range(1, kmax + 1):
        for j in range(1, n + 1):
            cand = best[k - 1, :j] + cost[np.arange(j), j - 1]
            i = int(np.argmin(cand))
            best[k, j], back[k, j] = cand[i], i
    total = [best[k, n] + k * penalty for k in range(1, kmax + 1)]
    k = int(np.argmin(total)) + 1
    bounds = []
    j = n
    for kk in range(k, 0, -1):
        i = back[kk, j]
        bounds.append((i, j))
        j = i
    bounds.reverse()
    # merge neighbours that are not distinct levels
    merged: list[list[int]] = []
    for i, j in bounds:
        if merged:
            pi, pj = merged[-1]
            if abs(np.median(y[pi:pj]) - np.median(y[i:j])) < np.log10(min_ratio):
                merged[-1][1] = j
                continue
        merged.append([i, j])
    plateaus = []
    for idx, (i, j) in enumerate(merged):
        inner = y[i + 1 : j - 1] if j - i > 3 else y[i:j]
        cap = None
        if idx + 1 < len(merged):
            cap = float(np.sqrt(x[j - 1] * x[merged[idx + 1][0]]))
        plateaus.append(Plateau(float(10 ** np.median(inner)), float(x[i]), float(x[j - 1]), cap))
    return plateaus


def monotone_plateaus(plateaus: list[Plateau]) -> list[Plateau]:
    """Merge every plateau that is slower than the next one outward into that one.

    A memory hierarchy gets slower outward; an inner plateau below its outer neighbour is a
    measurement artifact (at the smallest working sets the per-sweep loop overhead, not the
    cache, limits the kernel), so it joins the outer plateau, which keeps its bandwidth and
    capacity and extends down to the inner one's first size.
    """
    out = list(plateaus)
    i = 0
    while i < len(out) - 1:
        inner, outer = out[i], out[i + 1]
        if inner.bandwidth_bytes_per_s < outer.bandwidth_bytes_per_s:
            out[i : i + 2] = [Plateau(outer.bandwidth_bytes_per_s, inner.first_bytes, outer.last_bytes, outer.capacity_bytes)]
            i = max(i - 1, 0)
        else:
            i += 1
    return out
