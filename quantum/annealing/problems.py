"""Benchmark problems: sparse random ±1 Ising models."""

from __future__ import annotations

import numpy as np

from archmodels.errors import InputError
from quantum.annealing.model import IsingCSR, ising_from_arrays


def random_sparse_ising(n: int, degree: int = 8, seed: int = 0) -> IsingCSR:
    """A ±1 spin glass on an approximately ``degree``-regular random graph, h = 0.

    Built with the configuration model (Bollobás, Eur. J. Combin. 1, 311 (1980)): ``n * degree``
    stubs are shuffled and paired; self-loops and repeated pairs are dropped, so a few spins have
    a slightly smaller degree. Each coupling is -1 or +1 with equal probability.
    """
    if n < 2 or degree < 1 or degree >= n or (n * degree) % 2:
        raise InputError(f"random_sparse_ising: need n >= 2, 1 <= degree < n, n*degree even; got n={n}, degree={degree}")
    rng = np.random.default_rng(seed)
    stubs = rng.permutation(np.repeat(np.arange(n), degree)).reshape(-1, 2)
    lo, hi = stubs.min(axis=1), stubs.max(axis=1)
    keep = lo != hi
    key = np.unique(lo[keep] * n + hi[keep])
    rows, cols = key // n, key % n
    values = rng.choice(np.array([-1.0, 1.0]), size=key.size)
    return ising_from_arrays(n, np.zeros(n), rows, cols, values)


def to_bqm(model: IsingCSR):
    """The dimod spin BinaryQuadraticModel of an :class:`IsingCSR`."""
    import dimod

    n = model.num_spins
    rows = np.repeat(np.arange(n), np.diff(model.indptr))
    upper = rows < model.indices
    bqm = dimod.BinaryQuadraticModel.from_numpy_vectors(
        model.h.astype(np.float64),
        (rows[upper], model.indices[upper].astype(np.int64), model.data[upper].astype(np.float64)),
        model.offset,
        dimod.SPIN,
        variable_order=list(model.labels),
    )
    return bqm
