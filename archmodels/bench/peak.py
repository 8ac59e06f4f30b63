"""Peak floating-point rate: an FMA-bound kernel with enough independent chains to hide latency.

Each element of a small, L1-resident block goes through a chain of :data:`DEPTH` fused
multiply-adds v <- v*x + y; :data:`CHAINS` rows are updated side by side, so the vectorised loop
body holds CHAINS independent vector FMAs. A core with two FMA pipes of latency four cycles needs
at least eight in flight (Intel 64 and IA-32 Architectures Optimization Reference Manual, §2.2
"Sapphire Rapids / Golden Cove" FMA latency 4, throughput 0.5;
https://www.intel.com/content/www/us/en/developer/articles/technical/intel-sdm.html).
This is the Empirical Roofline Toolkit's design (Lo et al., "Roofline Model Toolkit: A Practical
Tool for Architectural and Program Analysis", PMBS 2014, https://bitbucket.org/berkeleylab/cs-roofline-toolkit).

FLOP count: 2 per FMA, so ``2 * CHAINS * DEPTH * ROW * iterations`` per block, and
:data:`BLOCKS_PER_THREAD` blocks per thread.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from archmodels.bench.timing import Spread, measure, repetitions_for

CHAINS = 8
DEPTH = 8
#: Elements per chain row: 8 rows x 64 x 8 B = 4 KiB per thread (fp64), well inside L1.
ROW = 64
#: Blocks per thread (16 KiB of fp64 per thread, still in L1). With one block per thread, i.e. a
#: prange of exactly ``threads`` iterations, 2 threads ran at one core's rate on the development VM
#: (72-80 GFLOP/s against 160-169 with 4 or more blocks per thread, same code, same minute).
BLOCKS_PER_THREAD = 4
#: x*v + y with x slightly below one converges to y / (1 - x): no overflow, no denormals.
X = 0.999999
Y = 1e-7
FLOP_PER_ELEMENT = 2 * CHAINS * DEPTH


@njit(parallel=True, cache=True, fastmath={"contract"})
def fma_kernel(block, x, y, iterations):
    """Apply DEPTH FMAs to every element of ``block[b, c, :]``, ``iterations`` times.

    ``block`` has shape (blocks, CHAINS, ROW); the blocks are shared out among the threads.
    """
    blocks = block.shape[0]
    n = block.shape[2]
    for t in prange(blocks):
        r0 = block[t, 0]
        r1 = block[t, 1]
        r2 = block[t, 2]
        r3 = block[t, 3]
        r4 = block[t, 4]
        r5 = block[t, 5]
        r6 = block[t, 6]
        r7 = block[t, 7]
        for _ in range(iterations):
            for i in range(n):
                v0 = r0[i]
                v1 = r1[i]
                v2 = r2[i]
                v3 = r3[i]
                v4 = r4[i]
                v5 = r5[i]
                v6 = r6[i]
                v7 = r7[i]
                for _d in range(8):  # DEPTH
                    v0 = v0 * x + y
                    v1 = v1 * x + y
                    v2 = v2 * x + y
                    v3 = v3 * x + y
                    v4 = v4 * x + y
                    v5 = v5 * x + y
                    v6 = v6 * x + y
                    v7 = v7 * x + y
                r0[i] = v0
                r1[i] = v1
                r2[i] = v2
                r3[i] = v3
                r4[i] = v4
                r5[i] = v5
                r6[i] = v6
                r7[i] = v7
    return block


def fma_reference(block: np.ndarray, x: float, y: float, iterations: int) -> np.ndarray:
    """Plain-numpy result of :func:`fma_kernel` (multiply then add, rounded twice)."""
    out = block.copy()
    x = out.dtype.type(x)
    y = out.dtype.type(y)
    for _ in range(iterations * DEPTH):
        out = out * x + y
    return out


def make_block(threads: int, dtype=np.float64, seed: int = 0) -> np.ndarray:
    """Seeded start values in [0.5, 1) of shape (threads * BLOCKS_PER_THREAD, CHAINS, ROW)."""
    rng = np.random.default_rng(seed)
    return (0.5 + 0.5 * rng.random((threads * BLOCKS_PER_THREAD, CHAINS, ROW))).astype(dtype)


def measure_peak(
    threads: int,
    *,
    dtype=np.float64,
    target_call_s: float = 0.1,
    budget_s: float = 1.0,
    iterations: int | None = None,
    min_repetitions: int = 5,
) -> tuple[float, Spread, int]:
    """Peak FLOP rate of ``threads`` threads.

    Calls last ~``target_call_s``: long enough that waking the worker threads (OMP_WAIT_POLICY
    passive: a futex wake-up, then a wait for a free core on a shared machine) is a small part of
    each call. With 10 ms calls the peak read 45 % low under load while DGEMM's 0.1 s calls did not.

    ``min_repetitions`` timed calls at least (the best is reported).

    Returns
    -------
    (flop, spread, iterations)
        FLOP of one timed call [FLOP], its time spread [s], and the iterations used.
    """
    import time

    import numba

    numba.set_num_threads(threads)
    block = make_block(threads, dtype)
    x, y = block.dtype.type(X), block.dtype.type(Y)
    fma_kernel(block, x, y, 1)
    if iterations is None:
        t0 = time.perf_counter()
        fma_kernel(block, x, y, 100)
        iterations = 100 * repetitions_for(time.perf_counter() - t0, target_call_s)
    spread = measure(
        lambda: fma_kernel(block, x, y, iterations), budget_s=budget_s, warmup=0, min_repetitions=min_repetitions,
        max_repetitions=max(50, min_repetitions),
    )
    flop = FLOP_PER_ELEMENT * ROW * iterations * block.shape[0]
    return float(flop), spread, iterations
