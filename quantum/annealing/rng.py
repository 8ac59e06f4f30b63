"""The random stream shared by the numba kernels and their numpy references.

Every read (and every parallel-tempering replica) owns one SplitMix64 stream (Steele, Lea and
Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014,
https://doi.org/10.1145/2660193.2660195; constants from Vigna's reference C code,
https://prng.di.unimi.it/splitmix64.c). The kernels and the references draw from the same streams
in the same order, so the same seed gives bit-identical samples in both.

A uniform variate is ``(z >> 11) * 2**-53`` in [0, 1).
"""

from __future__ import annotations

import numpy as np
from numba import njit

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
MIX1 = np.uint64(0xBF58476D1CE4E5B9)
MIX2 = np.uint64(0x94D049BB133111EB)
S30 = np.uint64(30)
S27 = np.uint64(27)
S31 = np.uint64(31)
S11 = np.uint64(11)
S63 = np.uint64(63)
INV_2_53 = 1.0 / 9007199254740992.0


@njit(cache=True, inline="always")
def splitmix_next(state):
    """Advance a SplitMix64 state; return ``(new_state, output)`` (both uint64)."""
    state = state + GOLDEN
    z = state
    z = (z ^ (z >> S30)) * MIX1
    z = (z ^ (z >> S27)) * MIX2
    return state, z ^ (z >> S31)


def splitmix_next_np(state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised :func:`splitmix_next` over a uint64 array (wrap-around arithmetic)."""
    state = state + GOLDEN
    z = state
    z = (z ^ (z >> S30)) * MIX1
    z = (z ^ (z >> S27)) * MIX2
    return state, z ^ (z >> S31)


def stream_seeds(seed: int, count: int) -> np.ndarray:
    """Initial states of ``count`` independent streams derived from one user seed.

    Stream ``k`` starts at ``mix(seed * 2**20 + k)``, k < 2**20: the SplitMix64 output of a distinct
    counter, so streams of different seeds and reads do not overlap in practice.
    """
    from archmodels.errors import InputError

    if not 0 <= int(seed) < 2**43:
        raise InputError(f"seed must be an integer in [0, 2**43), got {seed}")
    if count > 2**20:
        raise InputError(f"at most 2**20 streams (reads x replicas) per seed, got {count}")
    counters = (np.uint64(int(seed)) << np.uint64(20)) + np.arange(count, dtype=np.uint64)
    _, out = splitmix_next_np(counters)
    return out
