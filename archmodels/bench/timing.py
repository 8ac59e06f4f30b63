"""Repeat a timed call until its spread is small or a time budget ends.

The first call (compilation, page faults of first touch) is never timed. Each sample is one call
of a kernel that does enough work to last well over the clock's resolution. STREAM reports the best
of its repetitions; we keep min, median and max so the spread is visible.
(J. D. McCalpin, "Memory Bandwidth and Machine Balance in Current High Performance Computers",
IEEE TCCA Newsletter, 1995; https://www.cs.virginia.edu/stream/ref.html)
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Spread:
    """Times of the repetitions of one measurement [s]."""

    min_s: float
    median_s: float
    max_s: float
    repetitions: int
    wall_s: float = float("nan")
    cpu_s: float = float("nan")

    def cpu_share(self, threads: int) -> float:
        """CPU time of this process over the timed calls / (their wall time x threads) [-].

        1 when every thread had a core for the whole time; about 0.5 for 2 threads that shared
        one core with other jobs. Process-wide: other threads of the process count too. NaN
        below 0.2 s of timed calls, where the 10 ms ticks of the process clock make it noise.
        """
        if not self.wall_s >= 0.2:
            return float("nan")
        return self.cpu_s / (self.wall_s * threads)

    def time_keys(self) -> dict:
        """The times of a ``--json`` row: best (``time_s`` and ``time_min_s``), median, worst [s],
        and the repetitions."""
        return {
            "time_s": self.min_s,
            "time_min_s": self.min_s,
            "time_median_s": self.median_s,
            "time_max_s": self.max_s,
            "repetitions": self.repetitions,
        }

    def rate_keys(self, prefix: str, suffix: str, amount: float) -> dict:
        """``amount`` per second at the best (no tag, and ``_max``), median and worst (``_min``)
        time, keyed ``{prefix}{tag}_{suffix}`` [amount/s]."""
        return {
            f"{prefix}_{suffix}": amount / self.min_s,
            f"{prefix}_max_{suffix}": amount / self.min_s,
            f"{prefix}_median_{suffix}": amount / self.median_s,
            f"{prefix}_min_{suffix}": amount / self.max_s,
        }


def measure(
    call: Callable[[], object],
    *,
    min_repetitions: int = 3,
    max_repetitions: int = 30,
    target_spread: float = 0.05,
    budget_s: float = 2.0,
    warmup: int = 1,
) -> Spread:
    """Time ``call`` repeatedly.

    Stops when at least ``min_repetitions`` samples are in and the spread of the best
    ``min_repetitions`` samples is within ``target_spread``, or when ``max_repetitions`` or
    ``budget_s`` is reached (never fewer than ``min_repetitions`` samples).

    Parameters
    ----------
    call : callable
        The work to time; its result is discarded.
    min_repetitions, max_repetitions : int
        Bounds on the number of timed samples.
    target_spread : float
        Relative spread (max - min) / median of the best samples that counts as stable [-].
    budget_s : float
        Wall-clock budget for the timed samples [s].
    warmup : int
        Untimed calls first (compilation, first touch).

    Returns
    -------
    Spread
    """
    for _ in range(warmup):
        call()
    samples: list[float] = []
    start = time.perf_counter()
    cpu_start = os.times()
    while True:
        t0 = time.perf_counter()
        call()
        samples.append(time.perf_counter() - t0)
        n = len(samples)
        if n >= max_repetitions:
            break
        if n >= min_repetitions:
            best = np.sort(samples)[:min_repetitions]
            if (best[-1] - best[0]) / np.median(best) <= target_spread:
                break
            if time.perf_counter() - start > budget_s:
                break
    cpu_end = os.times()
    cpu_s = (cpu_end.user - cpu_start.user) + (cpu_end.system - cpu_start.system)
    arr = np.asarray(samples)
    return Spread(float(arr.min()), float(np.median(arr)), float(arr.max()), n, float(arr.sum()), cpu_s)


def repetitions_for(seconds_per_rep: float, target_s: float, cap: int = 1 << 30) -> int:
    """Inner repetitions so that one timed call lasts about ``target_s`` [s] (at least 1)."""
    if seconds_per_rep <= 0:
        return cap
    return int(min(cap, max(1, round(target_s / seconds_per_rep))))
