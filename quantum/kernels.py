"""Numba kernels of the state-vector emulator, parallel over amplitudes.

The state is a 1-D complex128 or complex64 array of 2**n amplitudes in Qiskit's little-endian
order: qubit q is bit q of the index. A k-qubit gate on qubits ``(q_0, ..., q_{k-1})`` has a
2**k x 2**k matrix whose row/column index bit i belongs to ``q_i`` (Qiskit's convention), so
amplitude ``base + offsets[j]``, with ``offsets[j] = sum_i bit_i(j) << q_i``, is the j-th entry of
the small vector the matrix acts on (Nielsen & Chuang, "Quantum Computation and Quantum
Information", 2010, sec. 4.5; the layout is that of Qiskit's ``Operator``,
https://docs.quantum.ibm.com/api/qiskit/qiskit.quantum_info.Operator).

Every kernel streams the whole vector once (one "pass over memory": read and write 2**n
amplitudes), which is the cost gate fusion (:mod:`quantum.fusion`) cuts. The plain-numpy
references of the same maths are in :mod:`quantum.reference`; tests compare the two.

The kernels use ``parallel=True`` and run in the main process only (never inside threaded
workers). Fast-math flags exclude ``nnan``/``ninf`` so that NaN propagation is kept. Importing
this module imports :mod:`archmodels.bench`, which sets ``OMP_WAIT_POLICY=passive`` unless the
environment chose: with libgomp's spinning default, a small parallel region right after another
took 90 ms instead of 0.2 ms on the loaded 2-vCPU development host.
"""

from __future__ import annotations

import archmodels.bench  # noqa: F401  (sets OMP_WAIT_POLICY=passive before numba's OpenMP starts)
import numpy as np
from numba import njit, prange

FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}

MAX_DENSE_QUBITS = 5
"""Largest dense gate the cache-block kernel applies (32 x 32 matrix)."""


@njit(cache=True, inline="always")
def _insert_zero_bits(index, sorted_qubits):
    """Spread ``index`` so that a zero bit sits at every position in ``sorted_qubits`` (ascending)."""
    for q in sorted_qubits:
        low = index & ((1 << q) - 1)
        index = ((index >> q) << (q + 1)) | low
    return index


@njit(cache=True, inline="always")
def _parity(x):
    x ^= x >> 32
    x ^= x >> 16
    x ^= x >> 8
    x ^= x >> 4
    x ^= x >> 2
    x ^= x >> 1
    return x & 1


_PAULI_LOW_BITS = 8
"""Index bits handled by a sign table in the Pauli kernel (blocks of 256 amplitudes)."""


@njit(parallel=True, cache=True, fastmath=FASTMATH)
def pauli_group_expectations(state, x_mask, z_masks):
    """Expectation values of Pauli strings that share one X mask, in one read-only pass.

    For a Pauli string with X/Y positions ``x_mask`` and Z/Y positions ``z_mask``,
    ``P|i> = i**n_y (-1)**popcount(i & z_mask) |i ^ x_mask>``, hence
    ``<psi|P|psi> = i**n_y sum_i (-1)**popcount(i & z_mask) conj(psi[i ^ x_mask]) psi[i]``.
    This kernel returns the sums without the ``i**n_y`` factor (applied by the caller), one per
    entry of ``z_masks``, as complex128. The state is not copied.

    The index is split as ``i = (hi << 8) | lo``: the sign factorises into a per-block sign of
    ``hi`` and a table of signs over ``lo``, so each block of 256 amplitudes costs one dot
    product per term (vectorised) instead of a parity per amplitude and term.
    """
    n_terms = z_masks.size
    n = state.size
    low = 0
    while low < _PAULI_LOW_BITS and (2 << low) <= n:
        low += 1
    block = 1 << low
    n_blocks = n >> low
    signs = np.empty((n_terms, block))
    for t in range(n_terms):
        for lo in range(block):
            signs[t, lo] = 1.0 - 2.0 * _parity(lo & z_masks[t])
    n_chunks = max(1, min(n_blocks, 256))
    per_chunk = (n_blocks + n_chunks - 1) // n_chunks
    partial_re = np.zeros((n_chunks, n_terms))
    partial_im = np.zeros((n_chunks, n_terms))
    for c in prange(n_chunks):
        vr = np.empty(block)
        vi = np.empty(block)
        stop = min(n_blocks, (c + 1) * per_chunk)
        for hb in range(c * per_chunk, stop):
            base = np.int64(hb) << low
            for lo in range(block):
                i = base + lo
                a = state[i]
                b = state[i ^ x_mask]
                vr[lo] = np.float64(b.real) * a.real + np.float64(b.imag) * a.imag
                vi[lo] = np.float64(b.real) * a.imag - np.float64(b.imag) * a.real
            for t in range(n_terms):
                sr = 0.0
                si = 0.0
                for lo in range(block):
                    sr += signs[t, lo] * vr[lo]
                    si += signs[t, lo] * vi[lo]
                s_hi = 1.0 - 2.0 * _parity(base & z_masks[t])
                partial_re[c, t] += s_hi * sr
                partial_im[c, t] += s_hi * si
    out = np.empty(n_terms, dtype=np.complex128)
    for t in range(n_terms):
        out[t] = complex(partial_re[:, t].sum(), partial_im[:, t].sum())
    return out


@njit(parallel=True, cache=True)
def chunk_probabilities(state, n_chunks):
    """Sum of ``|psi_i|^2`` over each of ``n_chunks`` equal contiguous chunks (float64)."""
    per_chunk = state.size // n_chunks
    out = np.empty(n_chunks)
    for c in prange(n_chunks):
        acc = 0.0
        for i in range(c * per_chunk, (c + 1) * per_chunk):
            a = state[i]
            acc += np.float64(a.real) ** 2 + np.float64(a.imag) ** 2
        out[c] = acc
    return out


@njit(parallel=True, cache=True)
def sample_chunks(state, n_chunks, uniforms, ptr):
    """Indices drawn from ``|psi_i|^2``, every chunk in parallel.

    The state is cut into ``n_chunks`` equal contiguous chunks; the draws of chunk c are
    ``uniforms[ptr[c]:ptr[c+1]]``, sorted values in [0, chunk total). A single sweep of each
    chunk's cumulative sum assigns each draw to the first index whose cumulative probability
    exceeds it (inverse CDF); chunks without draws are not read.
    """
    per_chunk = state.size // n_chunks
    out = np.empty(uniforms.size, dtype=np.int64)
    for c in prange(n_chunks):
        j = ptr[c]
        stop_j = ptr[c + 1]
        if j == stop_j:
            continue
        start = c * per_chunk
        stop = start + per_chunk
        acc = 0.0
        i = start
        while j < stop_j and i < stop:
            a = state[i]
            acc += np.float64(a.real) ** 2 + np.float64(a.imag) ** 2
            while j < stop_j and uniforms[j] < acc:
                out[j] = i
                j += 1
            i += 1
        while j < stop_j:  # rounding at the chunk's end: the last index with weight
            k = stop - 1
            while k > start and state[k] == 0:
                k -= 1
            out[j] = k
            j += 1
    return out


@njit(parallel=True, cache=True)
def qubit_one_probability(state, qubit):
    """Probability that ``qubit`` reads 1: sum of ``|psi_i|^2`` over i with bit ``qubit`` set."""
    stride = 1 << qubit
    n_groups = state.size >> 1
    acc = 0.0
    for g in prange(n_groups):
        i1 = ((g >> qubit) << (qubit + 1)) | (g & (stride - 1)) | stride
        a = state[i1]
        acc += np.float64(a.real) ** 2 + np.float64(a.imag) ** 2
    return acc


@njit(parallel=True, cache=True)
def collapse_qubit(state, qubit, outcome, scale, reset):
    """Project ``qubit`` on ``outcome`` and multiply by ``scale`` (1/sqrt(p)); in place.

    With ``reset`` true the kept amplitudes are moved to the |0> half, as a reset after a
    measurement that read ``outcome`` does.
    """
    stride = 1 << qubit
    n_groups = state.size >> 1
    for g in prange(n_groups):
        i0 = ((g >> qubit) << (qubit + 1)) | (g & (stride - 1))
        i1 = i0 | stride
        if outcome == 0:
            state[i0] = state[i0] * scale
            state[i1] = 0
        elif reset:
            state[i0] = state[i1] * scale
            state[i1] = 0
        else:
            state[i1] = state[i1] * scale
            state[i0] = 0


@njit(cache=True, inline="always")
def _cmul_add2(ar, ai, br, bi, xr, xi, yr, yi):
    """Real and imaginary parts of a*x + b*y."""
    return ar * xr - ai * xi + br * yr - bi * yi, ar * xi + ai * xr + br * yi + bi * yr


@njit(cache=True, fastmath=FASTMATH)
def _local_1q(re, im, q, mats, p):
    """2 x 2 gate on bit ``q`` of split (real, imaginary) buffers; slices let LLVM vectorise.

    The matrix entries are rounded to the buffers' dtype first, so a complex64 state is updated in
    float32 arithmetic (twice the lanes per vector, no conversions in the loop)."""
    m = np.empty(8, dtype=re.dtype)
    for t in range(4):
        m[2 * t] = mats[p + t].real
        m[2 * t + 1] = mats[p + t].imag
    a00r, a00i, a01r, a01i, a10r, a10i, a11r, a11i = m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7]
    s = 1 << q
    for a in range(0, re.size, 2 * s):
        r0 = re[a : a + s]
        r1 = re[a + s : a + 2 * s]
        i0 = im[a : a + s]
        i1 = im[a + s : a + 2 * s]
        for b in range(s):
            x0r, x0i, x1r, x1i = r0[b], i0[b], r1[b], i1[b]
            r0[b], i0[b] = _cmul_add2(a00r, a00i, a01r, a01i, x0r, x0i, x1r, x1i)
            r1[b], i1[b] = _cmul_add2(a10r, a10i, a11r, a11i, x0r, x0i, x1r, x1i)


@njit(cache=True, fastmath=FASTMATH)
def _local_2q(re, im, q0, q1, mats, p):
    """4 x 4 gate on bits ``(q0, q1)`` (matrix bit 0 is ``q0``) of split buffers; the matrix is
    rounded to the buffers' dtype as in :func:`_local_1q`."""
    s0 = 1 << q0
    s1 = 1 << q1
    lo = min(s0, s1)
    hi = max(s0, s1)
    mr = np.empty(16, dtype=re.dtype)
    mi = np.empty(16, dtype=re.dtype)
    for t in range(16):
        mr[t] = mats[p + t].real
        mi[t] = mats[p + t].imag
    m00r, m01r, m02r, m03r = mr[0], mr[1], mr[2], mr[3]
    m10r, m11r, m12r, m13r = mr[4], mr[5], mr[6], mr[7]
    m20r, m21r, m22r, m23r = mr[8], mr[9], mr[10], mr[11]
    m30r, m31r, m32r, m33r = mr[12], mr[13], mr[14], mr[15]
    m00i, m01i, m02i, m03i = mi[0], mi[1], mi[2], mi[3]
    m10i, m11i, m12i, m13i = mi[4], mi[5], mi[6], mi[7]
    m20i, m21i, m22i, m23i = mi[8], mi[9], mi[10], mi[11]
    m30i, m31i, m32i, m33i = mi[12], mi[13], mi[14], mi[15]
    for a in range(0, re.size, 2 * hi):
        for b in range(a, a + hi, 2 * lo):
            r0 = re[b : b + lo]
            r1 = re[b + s0 : b + s0 + lo]
            r2 = re[b + s1 : b + s1 + lo]
            r3 = re[b + s0 + s1 : b + s0 + s1 + lo]
            i0 = im[b : b + lo]
            i1 = im[b + s0 : b + s0 + lo]
            i2 = im[b + s1 : b + s1 + lo]
            i3 = im[b + s0 + s1 : b + s0 + s1 + lo]
            for c in range(lo):
                x0r, x1r, x2r, x3r = r0[c], r1[c], r2[c], r3[c]
                x0i, x1i, x2i, x3i = i0[c], i1[c], i2[c], i3[c]
                r0[c] = m00r * x0r - m00i * x0i + m01r * x1r - m01i * x1i + m02r * x2r - m02i * x2i + m03r * x3r - m03i * x3i
                i0[c] = m00r * x0i + m00i * x0r + m01r * x1i + m01i * x1r + m02r * x2i + m02i * x2r + m03r * x3i + m03i * x3r
                r1[c] = m10r * x0r - m10i * x0i + m11r * x1r - m11i * x1i + m12r * x2r - m12i * x2i + m13r * x3r - m13i * x3i
                i1[c] = m10r * x0i + m10i * x0r + m11r * x1i + m11i * x1r + m12r * x2i + m12i * x2r + m13r * x3i + m13i * x3r
                r2[c] = m20r * x0r - m20i * x0i + m21r * x1r - m21i * x1i + m22r * x2r - m22i * x2i + m23r * x3r - m23i * x3i
                i2[c] = m20r * x0i + m20i * x0r + m21r * x1i + m21i * x1r + m22r * x2i + m22i * x2r + m23r * x3i + m23i * x3r
                r3[c] = m30r * x0r - m30i * x0i + m31r * x1r - m31i * x1i + m32r * x2r - m32i * x2i + m33r * x3r - m33i * x3i
                i3[c] = m30r * x0i + m30i * x0r + m31r * x1i + m31i * x1r + m32r * x2i + m32i * x2r + m33r * x3i + m33i * x3r


@njit(cache=True, fastmath=FASTMATH)
def _local_kq(re, im, qubits, mats, p):
    """Dense 2**k x 2**k gate (k <= 5) on bits ``qubits`` (gate order) of split buffers."""
    k = qubits.size
    dim = 1 << k
    offsets = np.empty(dim, dtype=np.int64)
    for j in range(dim):
        o = 0
        for b in range(k):
            o |= ((j >> b) & 1) << qubits[b]
        offsets[j] = o
    sq = np.sort(qubits)
    xr = np.empty(dim)
    xi = np.empty(dim)
    mr = np.empty((dim, dim))
    mi = np.empty((dim, dim))
    for r in range(dim):
        for c in range(dim):
            mr[r, c] = mats[p + r * dim + c].real
            mi[r, c] = mats[p + r * dim + c].imag
    for g in range(re.size >> k):
        base = _insert_zero_bits(np.int64(g), sq)
        for j in range(dim):
            xr[j] = re[base + offsets[j]]
            xi[j] = im[base + offsets[j]]
        for r in range(dim):
            accr = 0.0
            acci = 0.0
            for c in range(dim):
                accr += mr[r, c] * xr[c] - mi[r, c] * xi[c]
                acci += mr[r, c] * xi[c] + mi[r, c] * xr[c]
            re[base + offsets[r]] = accr
            im[base + offsets[r]] = acci


@njit(cache=True, fastmath=FASTMATH)
def _local_diag(re, im, qubits, mats, p):
    """Diagonal gate on bits ``qubits`` of split buffers: amplitude i times ``mats[p + j(i)]``."""
    k = qubits.size
    for i in range(re.size):
        j = 0
        for b in range(k):
            j |= ((i >> qubits[b]) & 1) << b
        dr = mats[p + j].real
        di = mats[p + j].imag
        xr = re[i]
        xi = im[i]
        re[i] = dr * xr - di * xi
        im[i] = dr * xi + di * xr


@njit(parallel=True, cache=True, fastmath=FASTMATH)
def apply_block(
    state, low_bits, pad_bits, other_qubits, state_offsets, buffer_offsets, kinds, qubit_ptr, qubits, mat_ptr, mats
):
    """Apply a cache block: many gates, one pass over memory.

    The chunk's qubits are ``0 .. low_bits-1`` and ``other_qubits`` (ascending, all >=
    ``low_bits``); chunk c is every index whose remaining bits spell c. Each chunk is gathered into
    split real/imaginary buffers (split storage lets LLVM vectorise the gate loops): for each
    ``jr``, the run of ``2**low_bits`` contiguous amplitudes at ``base + state_offsets[jr]`` goes
    to buffer positions ``buffer_offsets[jr] + (jl << pad_bits)``. The gates are applied in order
    and the chunk is written back.

    Gate g acts on buffer bit positions ``qubits[qubit_ptr[g]:qubit_ptr[g+1]]`` (its own order);
    ``kinds[g]`` is 0 for a dense matrix stored row-major at ``mats[mat_ptr[g]:]`` and 1 for a
    diagonal stored there. ``mats`` is complex128 whatever the state's precision.
    """
    m = low_bits + other_qubits.size
    run = 1 << low_bits
    size = 1 << m
    n_chunks = state.size >> m
    n_gates = kinds.size
    n_other = state_offsets.size
    for c in prange(n_chunks):
        re = np.empty(size, dtype=state.real.dtype)
        im = np.empty(size, dtype=state.real.dtype)
        base = _insert_zero_bits(np.int64(c) << np.int64(low_bits), other_qubits)
        for jr in range(n_other):
            src = base + state_offsets[jr]
            dst = buffer_offsets[jr]
            for jl in range(run):
                a = state[src + jl]
                re[dst + (jl << pad_bits)] = a.real
                im[dst + (jl << pad_bits)] = a.imag
        for g in range(n_gates):
            qs = qubits[qubit_ptr[g] : qubit_ptr[g + 1]]
            p = mat_ptr[g]
            if kinds[g] == 1:
                _local_diag(re, im, qs, mats, p)
            elif qs.size == 1:
                _local_1q(re, im, qs[0], mats, p)
            elif qs.size == 2:
                _local_2q(re, im, qs[0], qs[1], mats, p)
            else:
                _local_kq(re, im, qs, mats, p)
        for jr in range(n_other):
            dst = base + state_offsets[jr]
            src = buffer_offsets[jr]
            for jl in range(run):
                state[dst + jl] = complex(re[src + (jl << pad_bits)], im[src + (jl << pad_bits)])
