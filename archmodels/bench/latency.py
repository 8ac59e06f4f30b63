"""Load-to-use latency: a pointer chase over a random cyclic permutation.

The working set is split into 64-byte lines; line k holds the index of the next line to visit.
Sattolo's algorithm makes the permutation a single cycle, so the chase visits every line before it
repeats and each load depends on the one before: time per step is the latency of the level that
holds the working set (plus the TLB miss cost once pages outnumber the TLB).
(Sattolo, "An algorithm to generate a random cyclic permutation", IPL 22(6), 1986;
McVoy and Staelin, "lmbench: Portable tools for performance analysis", USENIX ATC 1996.)
"""

from __future__ import annotations

import numpy as np
from numba import njit

from archmodels.bench.host import require_memory
from archmodels.bench.timing import Spread, measure, repetitions_for

LINE_BYTES = 64
#: int64 slots per line; only the first of each line holds a pointer.
SLOTS = LINE_BYTES // 8


@njit(cache=True)
def _sattolo(perm, draws):
    for i in range(perm.shape[0] - 1, 0, -1):
        j = draws[i]
        perm[i], perm[j] = perm[j], perm[i]


def chase_array(working_set_bytes: int, seed: int = 0) -> np.ndarray:
    """The pointer array: ``a[SLOTS*k]`` is the slot index of the line after line k."""
    n = max(2, working_set_bytes // LINE_BYTES)
    rng = np.random.default_rng(seed)
    perm = np.arange(n, dtype=np.int64)
    draws = np.zeros(n, dtype=np.int64)
    draws[1:] = (rng.random(n - 1) * np.arange(1, n)).astype(np.int64)  # j uniform in [0, i)
    _sattolo(perm, draws)
    a = np.zeros(n * SLOTS, dtype=np.int64)
    a[::SLOTS] = perm * SLOTS
    return a


@njit(cache=True)
def chase_kernel(a, steps):
    """Follow ``steps`` pointers from slot 0; returns where it stopped."""
    p = 0
    for _ in range(steps):
        p = a[p]
    return p


def chase_reference(a: np.ndarray, steps: int) -> int:
    """Plain-Python pointer chase (slow; for tests on small arrays)."""
    p = 0
    for _ in range(steps):
        p = int(a[p])
    return p


def measure_latency(
    working_set_bytes: int,
    *,
    seed: int = 0,
    target_call_s: float = 0.02,
    budget_s: float = 0.3,
    max_steps: int = 10_000_000,
) -> tuple[int, Spread]:
    """Time per dependent load for one working set; returns (steps per call, spread [s]).

    The chase first walks the whole cycle once (at most ``max_steps`` loads) to bring the set into
    the caches; a timed call is at least one walk of ``min(lines, max_steps)`` loads.
    """
    import time

    require_memory(working_set_bytes, f"latency --size {working_set_bytes}")
    a = chase_array(working_set_bytes, seed)
    lines = a.shape[0] // SLOTS
    walk = min(lines, max_steps)
    chase_kernel(a, walk)  # compile, and bring the set into the caches once
    t0 = time.perf_counter()
    chase_kernel(a, walk)
    steps = walk * repetitions_for(time.perf_counter() - t0, target_call_s, cap=max(1, max_steps // walk))
    spread = measure(lambda: chase_kernel(a, steps), budget_s=budget_s, warmup=0)
    return steps, spread
