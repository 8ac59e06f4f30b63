"""State-vector engine: plan a gate list once, apply it pass by pass, sample, take expectations.

Orchestrates :mod:`quantum.fusion` (the plan) and :mod:`quantum.kernels` (the passes). Knows
nothing of Qiskit: gates are ``(qubits, matrix)`` pairs in Qiskit's little-endian convention.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from quantum import kernels
from quantum.fusion import CacheBlock, cache_blocks, cache_groups, fuse_gates

DTYPES = {"double": np.complex128, "single": np.complex64}
"""State dtype by precision name."""

DEFAULT_FUSED_QUBITS = 2
"""Largest dense fused gate inside a cache block (measured best on the development host, see
docs/quantum.md: larger dense gates cost more arithmetic than they save once passes are
cache-blocked)."""

DEFAULT_CHUNK_QUBITS = 15
"""Qubits per cache chunk: 2**15 complex128 amplitudes = 512 KiB, inside a 2 MiB L2 per core
(assumption: sized for the development host's caches; any value 10..18 is correct)."""


@dataclass(frozen=True)
class _BlockArrays:
    low_bits: int
    pad_bits: int
    other_qubits: np.ndarray
    state_offsets: np.ndarray
    buffer_offsets: np.ndarray
    kinds: np.ndarray
    qubit_ptr: np.ndarray
    qubits: np.ndarray
    mat_ptr: np.ndarray
    mats: np.ndarray


def _block_arrays(block: CacheBlock) -> _BlockArrays:
    """Buffer layout of a cache block: pads at positions 0..P-1, the contiguous run of state
    qubits 0..L-1 at P..P+L-1, the high qubits above; offsets for the gather and the scatter."""
    pads, low, high = block.pad_qubits, block.low_bits, block.high_qubits
    p = len(pads)
    local = {q: p + q for q in range(low)}
    local.update({q: i for i, q in enumerate(pads)})
    local.update({q: p + low + i for i, q in enumerate(high)})
    # the longest run of state qubits 0..run-1 that sit at the same buffer positions: pads on the
    # lowest qubits, or low qubits followed by high ones, make the gather's contiguous runs longer
    run = 0
    while local.get(run) == run:
        run += 1
    if run > low:
        others = sorted(q for q in local if q >= run)
        jr = np.arange(1 << len(others), dtype=np.int64)
        state_offsets = np.zeros(jr.size, dtype=np.int64)
        buffer_offsets = np.zeros(jr.size, dtype=np.int64)
        for b, q in enumerate(others):
            state_offsets |= ((jr >> b) & 1) << q
            buffer_offsets |= ((jr >> b) & 1) << local[q]
        low, p = run, 0
    else:
        others = list(pads) + list(high)  # bit b of the index jr below belongs to others[b]
        jr = np.arange(1 << len(others), dtype=np.int64)
        state_offsets = np.zeros(jr.size, dtype=np.int64)
        for b, q in enumerate(others):
            state_offsets |= ((jr >> b) & 1) << q
        buffer_offsets = (jr & ((1 << p) - 1)) | ((jr >> p) << (p + low))
    kinds, qptr, qs, mptr, mats = [], [0], [], [0], []
    for g in block.gates:
        kinds.append(1 if g.diagonal else 0)
        qs.extend(local[q] for q in g.qubits)
        qptr.append(len(qs))
        flat = np.asarray(g.matrix).reshape(-1)
        mats.append(flat)
        mptr.append(mptr[-1] + flat.size)
    return _BlockArrays(
        low,
        p,
        np.array(sorted(others), dtype=np.int64),
        state_offsets,
        buffer_offsets,
        np.array(kinds, dtype=np.int64),
        np.array(qptr, dtype=np.int64),
        np.array(qs, dtype=np.int64),
        np.array(mptr[:-1], dtype=np.int64),
        np.concatenate(mats).astype(np.complex128) if mats else np.zeros(0, dtype=np.complex128),
    )


@dataclass(frozen=True)
class Plan:
    """A gate list planned for execution.

    Attributes
    ----------
    n_qubits : int
    n_gates : int
        Gates before fusion.
    fused_gates : int
        Dense gates after fusion: the passes over memory without cache blocking.
    passes : int
        Passes over memory (cache blocks) actually made.
    blocks : tuple of CacheBlock
    """

    n_qubits: int
    n_gates: int
    fused_gates: int
    passes: int
    blocks: tuple[CacheBlock, ...]


def plan_gates(
    gates: Sequence[tuple[Sequence[int], np.ndarray]],
    n_qubits: int,
    *,
    fused_qubits: int = DEFAULT_FUSED_QUBITS,
    chunk_qubits: int = DEFAULT_CHUNK_QUBITS,
) -> Plan:
    """Fuse ``gates`` into dense gates of <= ``fused_qubits`` qubits, then into cache blocks.

    ``chunk_qubits = 0`` turns cache blocking off: each fused gate is then its own pass.
    """
    fused = fuse_gates(gates, fused_qubits) if gates else []
    if chunk_qubits <= 0:
        blocks = [
            CacheBlock((g,), 0, tuple(sorted(g.qubits))) for g in fused
        ]
    else:
        blocks = cache_blocks(fused, n_qubits, _chunk_qubits([g.qubits for g in fused], n_qubits, chunk_qubits))
    return Plan(n_qubits, len(gates), len(fused), len(blocks), tuple(blocks))


def _chunk_qubits(gate_qubits: Sequence[Sequence[int]], n_qubits: int, chunk_qubits: int) -> int:
    """Qubits of the cache chunks :func:`plan_gates` uses for fused gates on these qubits."""
    # keep at least a few chunks per thread on small states so the pass still runs in parallel
    m = max(min(chunk_qubits, n_qubits - 3), max((len(q) for q in gate_qubits), default=1))
    return min(m, n_qubits)


def pass_count(gate_qubits: Sequence[Sequence[int]], n_qubits: int, *,
               chunk_qubits: int = DEFAULT_CHUNK_QUBITS) -> int:
    """Passes over memory :func:`plan_gates` makes for fused gates on these qubits (no matrices needed).

    Parameters
    ----------
    gate_qubits : sequence of sequence of int
        Each fused gate's qubits, in order (:func:`quantum.fusion.fusion_groups` of a circuit).
    n_qubits : int
        Qubits of the state the passes run over.
    chunk_qubits : int
        As in :func:`plan_gates`; 0 = no cache blocking, one pass per fused gate.
    """
    if chunk_qubits <= 0:
        return len(gate_qubits)
    return len(cache_groups(gate_qubits, n_qubits, _chunk_qubits(gate_qubits, n_qubits, chunk_qubits))[0])


def apply_plan(state: np.ndarray, plan: Plan) -> None:
    """Apply every pass of ``plan`` to ``state`` in place."""
    for block in plan.blocks:
        a = _block_arrays(block)
        kernels.apply_block(
            state,
            a.low_bits,
            a.pad_bits,
            a.other_qubits,
            a.state_offsets,
            a.buffer_offsets,
            a.kinds,
            a.qubit_ptr,
            a.qubits,
            a.mat_ptr,
            a.mats,
        )


def zero_state(n_qubits: int, precision: str = "double") -> np.ndarray:
    """|0...0> of ``n_qubits`` qubits (callers check memory first, see :mod:`quantum.memory`)."""
    state = np.zeros(1 << n_qubits, dtype=DTYPES[precision])
    state[0] = 1
    return state


def sample_indices(state: np.ndarray, shots: int, rng: np.random.Generator) -> np.ndarray:
    """Draw ``shots`` basis-state indices from ``|psi_i|^2`` without a full cumulative array.

    The vector is split into chunks and their probabilities summed (one parallel pass); ``shots``
    sorted uniforms on [0, total) are assigned to chunks by the chunks' cumulative sums, then each
    chunk's draws are placed by inverse CDF within it, all chunks in parallel
    (:func:`quantum.kernels.sample_chunks`): exact sampling in two streaming passes. The draws are
    returned in random order (a seeded permutation).
    """
    n = state.size
    n_chunks = min(n, 1 << 10)
    chunk_p = kernels.chunk_probabilities(state, n_chunks)
    cum = np.cumsum(chunk_p)
    u = np.sort(rng.random(shots)) * cum[-1]
    chunk_of = np.minimum(np.searchsorted(cum, u, side="right"), n_chunks - 1)
    ptr = np.searchsorted(chunk_of, np.arange(n_chunks + 1), side="left")
    local = np.maximum(u - (cum[chunk_of] - chunk_p[chunk_of]), 0.0)
    return rng.permutation(kernels.sample_chunks(state, n_chunks, local, ptr))


def pauli_masks(labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X masks, Z masks and Y counts of Pauli labels (Qiskit order: last character is qubit 0)."""
    xs, zs, ys = [], [], []
    for label in labels:
        x = z = ny = 0
        for q, ch in enumerate(reversed(label)):
            if ch in "XY":
                x |= 1 << q
            if ch in "ZY":
                z |= 1 << q
            ny += ch == "Y"
        xs.append(x)
        zs.append(z)
        ys.append(ny)
    return np.array(xs, dtype=np.int64), np.array(zs, dtype=np.int64), np.array(ys, dtype=np.int64)


def pauli_sum_expectation(state: np.ndarray, labels: Sequence[str], coeffs: Sequence[complex]) -> complex:
    """``<psi| sum_t c_t P_t |psi>`` for Pauli labels, one read-only pass per distinct X mask."""
    x, z, ny = pauli_masks(labels)
    coeffs = np.asarray(coeffs, dtype=np.complex128)
    total = 0j
    for xm in np.unique(x):
        sel = np.flatnonzero(x == xm)
        sums = kernels.pauli_group_expectations(state, int(xm), z[sel])
        total += np.sum(coeffs[sel] * (1j ** ny[sel]) * sums)
    return total
