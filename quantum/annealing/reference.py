"""Plain-numpy references of :mod:`quantum.annealing.kernels`, vectorised over reads.

The spins are updated one index at a time (Metropolis is sequential), but every read (or replica)
is a row of a 2-D array, so one Python step updates all rows. Each row draws from its own
SplitMix64 stream in the kernels' order and ``math.exp`` is the exponential the kernels call, so a
reference run and a kernel run with the same seeds give bit-identical spins. These are for tests
and for reading; they are ~100x slower than the kernels.
"""

from __future__ import annotations

import math

import numpy as np

from quantum.annealing.kernels import SKIP_EXPONENT
from quantum.annealing.rng import INV_2_53, S11, S63, splitmix_next_np

_exp = np.vectorize(math.exp, otypes=[np.float64])


def initial_spins_ref(n: int, states: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of random ±1 spins (bit 63 of each draw) and the advanced stream states."""
    states = states.copy()
    s = np.empty((states.size, n), np.int8)
    for i in range(n):
        states, z = splitmix_next_np(states)
        s[:, i] = np.where((z >> S63) == 1, 1, -1)
    return s, states


def flip_costs_ref(h, indptr, indices, data, s):
    """dE_i = -2 s_i (h_i + sum_j J_ij s_j) for every row of ``s``."""
    de = np.empty(s.shape, dtype=np.result_type(h.dtype, data.dtype))
    for i in range(h.size):
        f = np.full(s.shape[0], h[i], dtype=de.dtype)
        for k in range(indptr[i], indptr[i + 1]):
            f = f + data[k] * s[:, indices[k]]
        de[:, i] = -2 * s[:, i] * f
    return de


def energy_ref(h, indptr, indices, data, s) -> np.ndarray:
    """E(s) without offset for every row, summed in the kernels' order."""
    e = np.zeros(s.shape[0])
    for i in range(h.size):
        f = np.zeros(s.shape[0])
        for k in range(indptr[i], indptr[i + 1]):
            f = f + data[k] * s[:, indices[k]]
        e = e + s[:, i] * (h[i] + 0.5 * f)
    return e


def sweep_ref(s, de, indptr, indices, data, betas, states):
    """One Metropolis sweep of every row (row r at inverse temperature ``betas[r]``), in place.

    Returns ``(states, energy_change)`` per row.
    """
    rows_all = np.arange(s.shape[0])
    change = np.zeros(s.shape[0], dtype=de.dtype)
    for i in range(s.shape[1]):
        d = de[:, i]
        x = betas * d
        draw = (d > 0) & (x < SKIP_EXPONENT)
        accept = d <= 0
        if draw.any():
            rows = rows_all[draw]
            new_states, z = splitmix_next_np(states[rows])
            states[rows] = new_states
            u = (z >> S11) * INV_2_53
            accept[rows] = u < _exp(-x[rows])
        if not accept.any():
            continue
        rows = rows_all[accept]
        nbrs = indices[indptr[i] : indptr[i + 1]]
        m = 4 * s[rows, i].astype(de.dtype)
        block = np.ix_(rows, nbrs)
        de[block] += (m[:, None] * data[indptr[i] : indptr[i + 1]][None, :]) * s[block]
        change[rows] += de[rows, i]
        de[rows, i] = -de[rows, i]
        s[rows, i] = -s[rows, i]
    return states, change


def anneal_ref(h, indptr, indices, data, betas, seeds) -> np.ndarray:
    """Reference of :func:`~quantum.annealing.kernels.anneal` (betas or acceptance table)."""
    s, states = initial_spins_ref(h.size, np.asarray(seeds, np.uint64))
    de = flip_costs_ref(h, indptr, indices, data, s)
    for beta in betas:
        states, _ = sweep_ref(s, de, indptr, indices, data, np.full(s.shape[0], beta), states)
    return s


def parallel_tempering_ref(h, indptr, indices, data, betas, num_sweeps, seeds):
    """Reference of :func:`~quantum.annealing.kernels.parallel_tempering` (all chains at once)."""
    seeds = np.asarray(seeds, np.uint64)
    chains, nrep = seeds.shape[0], betas.size
    n = h.size
    flat_seeds = seeds[:, :nrep].reshape(-1)  # row c*nrep + r
    s, flat_states = initial_spins_ref(n, flat_seeds)
    swap_states = seeds[:, nrep].copy()
    de = flip_costs_ref(h, indptr, indices, data, s).astype(np.float64)
    energy = energy_ref(h, indptr, indices, data, s).reshape(chains, nrep)
    perm = np.tile(np.arange(nrep), (chains, 1))
    bi = np.argmin(energy, axis=1)
    best_e = energy[np.arange(chains), bi].copy()
    best = s.reshape(chains, nrep, n)[np.arange(chains), bi].copy()
    row_of = np.arange(chains)[:, None] * nrep
    for sweep in range(num_sweeps):
        row_beta = np.empty(chains * nrep)
        row_beta[(row_of + perm).reshape(-1)] = np.tile(betas, chains)
        flat_states, change = sweep_ref(s, de, indptr, indices, data, row_beta, flat_states)
        energy += change.reshape(chains, nrep)
        for t in range(sweep % 2, nrep - 1, 2):
            a, b = perm[:, t].copy(), perm[:, t + 1].copy()
            ea = energy[np.arange(chains), a]
            eb = energy[np.arange(chains), b]
            x = (betas[t] - betas[t + 1]) * (ea - eb)
            accept = x >= 0.0
            draw = ~accept
            if draw.any():
                swap_states[draw], z = splitmix_next_np(swap_states[draw])
                accept[draw] = (z >> S11) * INV_2_53 < _exp(x[draw])
            perm[accept, t] = b[accept]
            perm[accept, t + 1] = a[accept]
        bi = np.argmin(energy, axis=1)
        e = energy[np.arange(chains), bi]
        better = e < best_e
        best_e[better] = e[better]
        spins3 = s.reshape(chains, nrep, n)
        best[better] = spins3[np.arange(chains), bi][better]
    return best, best_e
