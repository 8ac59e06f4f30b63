"""The core clock, measured: a chain of dependent scalar FMAs runs at one FMA per FMA latency.

Each ``v = v*x + y`` waits for the one before, so ``n`` of them take ``n * latency`` cycles
whatever the core's width; clock = n * latency / time. The latency comes from the microarchitecture
table (Agner Fog, "Instruction tables", https://www.agner.org/optimize/instruction_tables.pdf:
4 cycles on Skylake and later Intel cores and on Zen 3/4, 5 on Haswell/Broadwell and Zen 1/2).
The chain is scalar and runs on one core, so it sees that core's highest clock (single-core turbo);
wide vector code on every core may run slower, so FLOP per cycle computed with this clock is a lower
bound of what the pipes did. Samples are short (~2 ms) and the fastest is kept, so a time slice
lost to another job costs a sample, not the estimate; a sample whose thread CPU time
(``time.thread_time``) falls short of its wall time by more than 5 % was preempted and is dropped
(unless every sample was). On the shared 2-vCPU development VM this read 2.67-2.77 GHz at load 4-5,
where its /proc/cpuinfo says 2000 MHz (the TSC's rate).
"""

from __future__ import annotations

import time

import numpy as np
from numba import njit

#: x*v + y with x slightly below one converges to y / (1 - x): no overflow, no denormals.
X = 0.999999
Y = 1e-7


@njit(cache=True, fastmath={"contract"})
def fma_chain(n, x, y):
    """``n`` dependent FMAs v <- v*x + y from v = 0.5; returns v."""
    v = 0.5
    for _ in range(n):
        v = v * x + y
    return v


def fma_chain_reference(n: int, x: float, y: float) -> float:
    """Plain-Python :func:`fma_chain` (multiply then add, rounded twice)."""
    v = 0.5
    for _ in range(n):
        v = v * x + y
    return v


def measure_clock_hz(latency_cycles: float, *, sample_s: float = 0.002, samples: int = 40) -> float:
    """Clock of the core this thread runs on [Hz].

    Parameters
    ----------
    latency_cycles : float
        Latency of one scalar FMA on this microarchitecture [cycle].
    sample_s : float
        Duration of one timed chain [s].
    samples : int
        Timed chains; the fastest gives the clock.

    Returns
    -------
    float
        ``n * latency_cycles / t_min`` [Hz].
    """
    fma_chain(10, X, Y)  # compile or load from cache
    n = 100_000
    t0 = time.perf_counter()
    fma_chain(n, X, Y)
    once = time.perf_counter() - t0
    n = max(n, int(n * sample_s / max(once, 1e-9)))
    wall = np.empty(samples)
    cpu = np.empty(samples)
    for i in range(samples):
        c0 = time.thread_time()
        t0 = time.perf_counter()
        fma_chain(n, X, Y)
        wall[i] = time.perf_counter() - t0
        cpu[i] = time.thread_time() - c0
    whole = wall[cpu >= 0.95 * wall]
    return float(n * latency_cycles / (whole.min() if len(whole) else wall.min()))
