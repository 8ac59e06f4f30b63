"""Numba kernels: Metropolis simulated annealing and parallel tempering on a CSR Ising model.

The model is E(s) = offset + sum_i h_i s_i + sum_{i<j} J_ij s_i s_j with s_i in {-1, +1}; the CSR
adjacency holds every coupling twice (row i has J_ij for each neighbour j). Each spin keeps its
flip cost dE_i = -2 s_i (h_i + sum_j J_ij s_j); flipping spin i negates dE_i and adds
4 s_i(old) J_ij s_j to every neighbour's dE_j, so one update costs O(degree) (the same bookkeeping
as dwave-samplers' cpu_sa.cpp, https://github.com/dwavesystems/dwave-samplers).

Acceptance (Metropolis, Metropolis et al., J. Chem. Phys. 21, 1087 (1953)), identical in every
kernel and in the numpy references of :mod:`quantum.annealing.reference`:

* dE <= 0: flip, no random number drawn;
* beta*dE >= SKIP_EXPONENT: keep (exp(-40) < 2**-53, below the resolution of the uniform), none drawn;
* otherwise draw u from the spin's read stream and flip if u < exp(-beta*dE).

Integer models (integral h and J) run :func:`anneal` with an acceptance table: integer dE and a per-beta table of
exp(-beta*k) built with the same ``math.exp`` call, so they make exactly the decisions the
float kernel makes, without an ``exp`` per update.

Reads run in parallel (``prange``); do not call these from threaded Dask workers.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from quantum.annealing.rng import INV_2_53, S11, S63, splitmix_next

SKIP_EXPONENT = 40.0
TWO_53 = 9007199254740992.0


@njit(cache=True)
def initial_spins(n, state):
    """Random ±1 spins from a stream (bit 63 of each draw); returns ``(spins, state)``."""
    s = np.empty(n, np.int8)
    for i in range(n):
        state, z = splitmix_next(state)
        s[i] = 1 if (z >> S63) == 1 else -1
    return s, state


@njit(cache=True)
def flip_costs(h, indptr, indices, data, s, out):
    """Fill ``out`` with dE_i = -2 s_i (h_i + sum_j J_ij s_j) [energy units]."""
    for i in range(h.size):
        f = h[i]
        for k in range(indptr[i], indptr[i + 1]):
            f += data[k] * s[indices[k]]
        out[i] = -2 * s[i] * f


@njit(cache=True)
def sweep_float(s, de, indptr, indices, data, beta, state):
    """One Metropolis sweep in index order; returns ``(state, energy_change)``."""
    change = 0.0
    for i in range(s.size):
        d = de[i]
        if d > 0.0:
            x = beta * d
            if x >= SKIP_EXPONENT:
                continue
            state, z = splitmix_next(state)
            if np.int64(z >> S11) * INV_2_53 >= math.exp(-x):
                continue
        m = 4.0 * s[i]
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            de[j] += m * data[k] * s[j]
        change += d
        de[i] = -d
        s[i] = -s[i]
    return state, change


@njit(cache=True)
def sweep_int(s, de, indptr, indices, data, table, state):
    """One sweep for integer couplings with a threshold row from :func:`acceptance_table`; returns the state.

    ``table[k]`` is ceil(exp(-beta k) 2**53), or 0 for "never, draw nothing"; since the 53-bit
    draw v is an integer, v < ceil(p 2**53) exactly when v 2**-53 < p, the float kernel's test.
    """
    for i in range(s.size):
        d = de[i]
        if d > 0:
            threshold = table[d]
            if threshold == 0:
                continue
            state, z = splitmix_next(state)
            if (z >> S11) >= threshold:
                continue
        m = 4 * s[i]
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            de[j] += m * data[k] * s[j]
        de[i] = -d
        s[i] = -s[i]
    return state


@njit(cache=True)
def acceptance_table(betas, max_cost):
    """Rows of ceil(exp(-beta k) 2**53) for k = 0..max_cost (uint64), 0 where beta k >= SKIP_EXPONENT.

    exp(-SKIP_EXPONENT) 2**53 > 0.03, so every drawn entry is >= 1 and 0 can mean "skip".
    """
    table = np.zeros((betas.size, max_cost + 1), np.uint64)
    for b in range(betas.size):
        for k in range(max_cost + 1):
            x = betas[b] * float(k)
            if x < SKIP_EXPONENT:
                table[b, k] = np.uint64(math.ceil(math.exp(-x) * TWO_53))
    return table


@njit(parallel=True, cache=True)
def anneal(h, indptr, indices, data, schedule, seeds):
    """Simulated annealing, one sweep per schedule row, one read per seed; returns int8 spins (reads, n).

    A 1-D ``schedule`` holds betas: float dE, an ``exp`` per drawn update. A 2-D one holds the
    acceptance-table rows of :func:`acceptance_table`: integer dE in ``data``'s dtype (see module).
    Numba settles ``schedule.ndim`` when it compiles, so each kind gets its own loop.
    """
    n = h.size
    reads = seeds.size
    out = np.empty((reads, n), np.int8)
    for r in prange(reads):
        s, state = initial_spins(n, seeds[r])
        if schedule.ndim == 1:
            de = np.empty(n, np.float64)
        else:
            de = np.empty(n, data.dtype)
        flip_costs(h, indptr, indices, data, s, de)
        for b in range(schedule.shape[0]):
            if schedule.ndim == 1:
                state, _ = sweep_float(s, de, indptr, indices, data, schedule[b], state)
            else:
                state = sweep_int(s, de, indptr, indices, data, schedule[b], state)
        out[r, :] = s
    return out


@njit(cache=True)
def _energy(h, indptr, indices, data, s):
    e = 0.0
    for i in range(h.size):
        f = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            f += data[k] * s[indices[k]]
        e += s[i] * (h[i] + 0.5 * f)
    return e


@njit(parallel=True, cache=True)
def energies(h, indptr, indices, data, spins):
    """E(s) without offset for every row of ``spins`` (reads, n), reads in parallel."""
    out = np.empty(spins.shape[0], np.float64)
    for r in prange(spins.shape[0]):
        out[r] = _energy(h, indptr, indices, data, spins[r])
    return out


@njit(parallel=True, cache=True)
def parallel_tempering(h, indptr, indices, data, betas, num_sweeps, seeds):
    """Replica-exchange Monte Carlo (Hukushima and Nemoto, J. Phys. Soc. Jpn. 65, 1604 (1996)).

    ``seeds`` has shape (chains, R + 1): one stream per replica row and one for the swaps.
    Every sweep each replica does one Metropolis sweep at its beta, then neighbouring temperatures
    try to swap (even pairs on even sweeps, odd pairs on odd sweeps) with probability
    min(1, exp((beta_t - beta_t+1)(E_t - E_t+1))). Returns the lowest-energy state each chain
    visited at any temperature (checked after every sweep) and its energy without offset.
    """
    n = h.size
    chains = seeds.shape[0]
    nrep = betas.size
    best = np.empty((chains, n), np.int8)
    best_e = np.empty(chains, np.float64)
    for c in prange(chains):
        spins = np.empty((nrep, n), np.int8)
        de = np.empty((nrep, n), np.float64)
        energy = np.empty(nrep, np.float64)
        states = seeds[c].copy()
        for r in range(nrep):
            s, st = initial_spins(n, states[r])
            states[r] = st
            spins[r] = s
            flip_costs(h, indptr, indices, data, spins[r], de[r])
            energy[r] = _energy(h, indptr, indices, data, spins[r])
        perm = np.arange(nrep)  # perm[t] = replica row at temperature t
        bi = 0
        for r in range(1, nrep):
            if energy[r] < energy[bi]:
                bi = r
        best_e[c] = energy[bi]
        best[c, :] = spins[bi]
        for sweep in range(num_sweeps):
            for t in range(nrep):
                r = perm[t]
                st, dchange = sweep_float(spins[r], de[r], indptr, indices, data, betas[t], states[r])
                states[r] = st
                energy[r] += dchange
            for t in range(sweep % 2, nrep - 1, 2):
                a = perm[t]
                b = perm[t + 1]
                x = (betas[t] - betas[t + 1]) * (energy[a] - energy[b])
                accept = x >= 0.0
                if not accept:
                    st, z = splitmix_next(states[nrep])
                    states[nrep] = st
                    accept = np.int64(z >> S11) * INV_2_53 < math.exp(x)
                if accept:
                    perm[t] = b
                    perm[t + 1] = a
            bi = 0
            for r in range(1, nrep):
                if energy[r] < energy[bi]:
                    bi = r
            if energy[bi] < best_e[c]:
                best_e[c] = energy[bi]
                best[c, :] = spins[bi]
    return best, best_e
