"""CUDA kernels of the state-vector emulator (numba.cuda), the GPU twins of :mod:`quantum.kernels`.

The state is a device array of 2**n complex128 or complex64 amplitudes in Qiskit's little-endian
order (qubit q is bit q of the index), the layout of :mod:`quantum.kernels`. A k-qubit gate on
qubits ``(q_0, ..., q_{k-1})`` has a 2**k x 2**k matrix whose row/column bit i belongs to ``q_i``;
amplitude ``base + offsets[j]`` with ``offsets[j] = sum_i bit_i(j) << q_i`` is entry j of the small
vector the matrix acts on (Nielsen & Chuang, "Quantum Computation and Quantum Information", 2010,
sec. 4.5).

Every kernel is a grid-stride loop over its work items with :data:`THREADS` threads per block; the
matrix and all accumulations are float64 whatever the state's precision (a complex64 state is
read, multiplied in double and rounded once when written). Reductions leave one float64 partial sum
per block, which the host adds (:mod:`quantum.cuda_engine`). The kernels are tested under numba's
CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``) against :mod:`quantum.kernels` (tests/quantum/
test_cuda_engine.py); they have not been run on a real device in the session that wrote them.
"""

from __future__ import annotations

import math

import numpy as np
from numba import config, cuda

THREADS = 32 if config.ENABLE_CUDASIM else 128
"""Threads per block of every kernel, a power of two (the shared reduction arrays have this size):
128 on a device; 32 under numba's CUDA simulator, which runs every thread of a block as a Python
thread (the kernels are written for any power of two, and the tests run them with 32)."""

MAX_GATE_QUBITS = 5
"""Largest dense gate :func:`dense_gate` applies (32 x 32 matrix in shared memory, 16 KiB;
:func:`pauli_partials` uses 32 KiB: both within the 48 KiB of static shared memory per block)."""

_DIM = 1 << MAX_GATE_QUBITS
_MATRIX_ENTRIES = _DIM * _DIM  # array sizes must be module constants for numba.cuda
TERMS_PER_LAUNCH = 16
"""Pauli strings of one X mask summed per launch of :func:`pauli_partials` (one read of the state)."""

_ACC = 2 * TERMS_PER_LAUNCH

SCAN_ITEMS = 8
"""Elements each thread of :func:`scan_tiles` scans serially (a tile is THREADS * SCAN_ITEMS)."""


@cuda.jit(device=True)
def _insert_zero_bits(index, sorted_qubits):
    for t in range(sorted_qubits.size):
        q = sorted_qubits[t]
        index = ((index >> q) << (q + 1)) | (index & ((1 << q) - 1))
    return index


@cuda.jit(device=True)
def _parity(x):
    x ^= x >> 32
    x ^= x >> 16
    x ^= x >> 8
    x ^= x >> 4
    x ^= x >> 2
    x ^= x >> 1
    return x & 1


@cuda.jit(cache=True)
def dense_gate(state, sorted_qubits, offsets, mat_re, mat_im):
    """Apply a dense 2**k x 2**k gate (``offsets.size = 2**k``, k <= 5) in place.

    Work item g (0 <= g < 2**(n-k)) is the group at ``base = g`` with zero bits inserted at
    ``sorted_qubits``; ``mat_re``/``mat_im`` are the row-major matrix's float64 parts.
    """
    dim = offsets.size
    sm_re = cuda.shared.array(_MATRIX_ENTRIES, dtype=np.float64)
    sm_im = cuda.shared.array(_MATRIX_ENTRIES, dtype=np.float64)
    for t in range(cuda.threadIdx.x, dim * dim, cuda.blockDim.x):
        sm_re[t] = mat_re[t]
        sm_im[t] = mat_im[t]
    cuda.syncthreads()
    xr = cuda.local.array(_DIM, dtype=np.float64)
    xi = cuda.local.array(_DIM, dtype=np.float64)
    n_groups = state.size // dim
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for g in range(start, n_groups, stride):
        base = _insert_zero_bits(g, sorted_qubits)
        for j in range(dim):
            a = state[base + offsets[j]]
            xr[j] = a.real
            xi[j] = a.imag
        for r in range(dim):
            accr = 0.0
            acci = 0.0
            for c in range(dim):
                mr = sm_re[r * dim + c]
                mi = sm_im[r * dim + c]
                accr += mr * xr[c] - mi * xi[c]
                acci += mr * xi[c] + mi * xr[c]
            state[base + offsets[r]] = complex(accr, acci)


@cuda.jit(cache=True)
def diagonal_gate(state, qubits, diag_re, diag_im):
    """Multiply amplitude i by ``diag[j(i)]``, j's bit b being bit ``qubits[b]`` of i; in place."""
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for i in range(start, state.size, stride):
        j = 0
        for b in range(qubits.size):
            j |= ((i >> qubits[b]) & 1) << b
        a = state[i]
        dr = diag_re[j]
        di = diag_im[j]
        state[i] = complex(dr * a.real - di * a.imag, dr * a.imag + di * a.real)


@cuda.jit(device=True)
def _block_sum(shared, value):
    """Sum of ``value`` over the block (tree in shared memory); valid in thread 0."""
    t = cuda.threadIdx.x
    shared[t] = value
    cuda.syncthreads()
    s = THREADS // 2
    while s > 0:
        if t < s:
            shared[t] += shared[t + s]
        cuda.syncthreads()
        s //= 2
    total = shared[0]
    cuda.syncthreads()
    return total


@cuda.jit(cache=True)
def one_probability_partials(state, qubit, partials):
    """Per-block partial sums of ``|psi_i|^2`` over the i with bit ``qubit`` set (float64)."""
    shared = cuda.shared.array(THREADS, dtype=np.float64)
    stride_q = 1 << qubit
    acc = 0.0
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for g in range(start, state.size >> 1, stride):
        a = state[((g >> qubit) << (qubit + 1)) | (g & (stride_q - 1)) | stride_q]
        acc += a.real * a.real + a.imag * a.imag
    total = _block_sum(shared, acc)
    if cuda.threadIdx.x == 0:
        partials[cuda.blockIdx.x] = total


@cuda.jit(cache=True)
def collapse_qubit(state, qubit, outcome, scale, reset):
    """Project ``qubit`` on ``outcome``, multiply by ``scale``; with ``reset`` move the kept half to
    |0> (as :func:`quantum.kernels.collapse_qubit`)."""
    stride_q = 1 << qubit
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for g in range(start, state.size >> 1, stride):
        i0 = ((g >> qubit) << (qubit + 1)) | (g & (stride_q - 1))
        i1 = i0 | stride_q
        if outcome == 0:
            state[i0] = state[i0] * scale
            state[i1] = 0
        elif reset:
            state[i0] = state[i1] * scale
            state[i1] = 0
        else:
            state[i1] = state[i1] * scale
            state[i0] = 0


@cuda.jit(cache=True)
def pauli_partials(state, x_mask, z_masks, partials):
    """Per-block partial sums of ``(-1)**popcount(i & z_t) conj(psi[i ^ x_mask]) psi[i]``.

    For up to 16 terms ``z_masks`` sharing ``x_mask`` (the sum of
    :func:`quantum.kernels.pauli_group_expectations` without its ``i**n_y``); ``partials`` has
    shape (blocks, terms, 2): real and imaginary parts. All terms are reduced together, one tree
    over the block's threads.
    """
    shared = cuda.shared.array((_ACC, THREADS), dtype=np.float64)
    acc = cuda.local.array(_ACC, dtype=np.float64)
    n_terms = z_masks.size
    for t in range(2 * n_terms):
        acc[t] = 0.0
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for i in range(start, state.size, stride):
        a = state[i]
        b = state[i ^ x_mask]
        vr = b.real * a.real + b.imag * a.imag
        vi = b.real * a.imag - b.imag * a.real
        for t in range(n_terms):
            s = 1.0 - 2.0 * _parity(i & z_masks[t])
            acc[2 * t] += s * vr
            acc[2 * t + 1] += s * vi
    tid = cuda.threadIdx.x
    for t in range(2 * n_terms):
        shared[t, tid] = acc[t]
    cuda.syncthreads()
    s = THREADS // 2
    while s > 0:
        if tid < s:
            for t in range(2 * n_terms):
                shared[t, tid] += shared[t, tid + s]
        cuda.syncthreads()
        s //= 2
    if tid == 0:
        for t in range(n_terms):
            partials[cuda.blockIdx.x, t, 0] = shared[2 * t, 0]
            partials[cuda.blockIdx.x, t, 1] = shared[2 * t + 1, 0]


@cuda.jit(cache=True)
def probabilities(state, out):
    """``out[i] = |psi_i|^2`` in float64."""
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for i in range(start, state.size, stride):
        a = state[i]
        out[i] = a.real * a.real + a.imag * a.imag


@cuda.jit(cache=True)
def scan_tiles(values, tile_totals):
    """Inclusive prefix sum of each tile of ``THREADS * SCAN_ITEMS`` elements, in place; each
    tile's total to ``tile_totals`` (one block per tile: launch with ``len(tile_totals)`` blocks).

    Thread t scans its ``SCAN_ITEMS`` elements serially, the block scans the thread totals
    (Hillis & Steele, Commun. ACM 29 (1986) 1170, https://doi.org/10.1145/7902.7903), and each
    thread adds the total of the threads before it.
    """
    shared = cuda.shared.array(THREADS, dtype=np.float64)
    t = cuda.threadIdx.x
    first = cuda.blockIdx.x * THREADS * SCAN_ITEMS + t * SCAN_ITEMS
    stop = first + SCAN_ITEMS
    if stop > values.size:
        stop = values.size
    acc = 0.0
    for j in range(first, stop):
        acc += values[j]
        values[j] = acc
    shared[t] = acc
    cuda.syncthreads()
    d = 1
    while d < THREADS:
        add = shared[t - d] if t >= d else 0.0
        cuda.syncthreads()
        shared[t] += add
        cuda.syncthreads()
        d *= 2
    before = shared[t] - acc
    for j in range(first, stop):
        values[j] += before
    if t == THREADS - 1:
        tile_totals[cuda.blockIdx.x] = shared[t]


@cuda.jit(cache=True)
def add_tile_offsets(values, scanned_totals):
    """Add the inclusive scan of the tile totals before each element's tile (second scan step)."""
    tile = THREADS * SCAN_ITEMS
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for i in range(start + tile, values.size, stride):
        values[i] += scanned_totals[i // tile - 1]


@cuda.jit(cache=True)
def search_chunks(cdf, chunk_of_draw, targets, per_chunk, out):
    """Index of each draw: the first i in chunk ``chunk_of_draw[d]`` with ``cdf[i] > targets[d]``
    (binary search; searchsorted, side 'right'), or the chunk's last index of non-zero weight when
    rounding puts the target past its end (as :func:`quantum.kernels.sample_in_chunk`)."""
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for d in range(start, targets.size, stride):
        lo = chunk_of_draw[d] * per_chunk
        stop = lo + per_chunk
        hi = stop
        u = targets[d]
        while lo < hi:
            mid = (lo + hi) // 2
            if cdf[mid] > u:
                hi = mid
            else:
                lo = mid + 1
        if lo == stop:
            first = chunk_of_draw[d] * per_chunk
            lo = stop - 1
            while lo > first and cdf[lo] == cdf[lo - 1]:
                lo -= 1
        out[d] = lo


def blocks_for(work: int, max_blocks: int = 65535) -> int:
    """Blocks of :data:`THREADS` threads for ``work`` items of a grid-stride kernel."""
    return max(1, min(max_blocks, math.ceil(work / THREADS)))


@cuda.jit(cache=True)
def basis_zero(state):
    """|0...0>: amplitude 1 at index 0, 0 elsewhere (the state is allocated on the device)."""
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for i in range(start, state.size, stride):
        state[i] = 1 if i == 0 else 0


@cuda.jit(cache=True)
def take_every(values, first, step, out):
    """``out[c] = values[first + c * step]`` (chunk ends of the cumulative sum)."""
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for c in range(start, out.size, stride):
        out[c] = values[first + c * step]
