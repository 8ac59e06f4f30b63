"""The state-vector engine on a CUDA device: the same plans, walks and sampling as the CPU engine.

:mod:`quantum.circuits` and :mod:`quantum.dynamic` walk a program through a
:class:`quantum.circuits.StateOps`; :data:`CUDA_OPS` gives them device versions of its operations,
so a state allocated by :func:`zero_state` stays on the device for the whole circuit: gates,
mid-circuit measurements and resets, expectation values and sampling run there, and only
reductions (per-block partial sums), chunk totals and sampled indices come back.

Passes: every fused gate of a :class:`quantum.engine.Plan` is one pass over device memory
(:func:`quantum.cuda_kernels.dense_gate` or :func:`quantum.cuda_kernels.diagonal_gate`); the CPU's
cache blocks are not used on the device (plans for it are made with ``chunk_qubits=0``, and a
cache-blocked plan is still applied gate by gate).

Sampling (the choice the brief asks to state): probabilities and their inclusive cumulative sum in
float64 are computed on the device (8 bytes per amplitude beside the state, counted by the memory
guard), the host reads the 1,024 chunk totals, draws the sorted uniforms and assigns them to chunks
exactly as :func:`quantum.engine.sample_indices` does (same generator calls, so the same seed gives
the CPU's samples up to rounding at a cumulative-sum boundary), and a binary search per draw on the
device (searchsorted) finds the indices, which are copied back.

Without a CUDA device (and without numba's CUDA simulator, ``NUMBA_ENABLE_CUDASIM=1``, read when
numba is imported) :func:`require_device` raises a one-line :class:`archmodels.errors.InputError`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from quantum.memory import USABLE_FRACTION, state_bytes

DTYPES = {"double": np.complex128, "single": np.complex64}

CDF_BYTES_PER_AMPLITUDE = 8
"""Float64 cumulative probabilities that sampling keeps beside the state [B per amplitude]."""

SAMPLE_CHUNKS = 1 << 10
"""Chunks of the two-level sampling draw, as :func:`quantum.engine.sample_indices`."""


def require_device():
    """The ``numba.cuda`` module, or a one-line InputError when it finds no CUDA device."""
    from archmodels.errors import InputError

    try:
        from numba import cuda
    except ImportError as err:  # numba without its CUDA target
        raise InputError(f"device='gpu' needs numba.cuda, which does not import ({err})", location="device") from err
    if not cuda.is_available():
        raise InputError(
            "device='gpu' needs a CUDA device and numba.cuda finds none (no GPU or driver); use "
            "device='cpu', or NUMBA_ENABLE_CUDASIM=1 for numba's CUDA simulator (slow, for tests)",
            location="device",
        )
    return cuda


def device_free_bytes() -> tuple[int, int]:
    """Free and total memory of the current CUDA device [B] (the simulator reports infinity)."""
    cuda = require_device()
    info = cuda.current_context().get_memory_info()
    return info.free, info.total


def device_bytes_needed(n_qubits: int, precision: str = "double", *, copies: int = 1, sampling: bool = False) -> int:
    """Device memory a run keeps [B]: ``copies * 2**n * bytes_per_amplitude``, plus
    ``8 * 2**n`` for sampling's float64 cumulative sum when ``sampling``."""
    return copies * state_bytes(n_qubits, precision) + (CDF_BYTES_PER_AMPLITUDE << n_qubits if sampling else 0)


def device_memory_refusal(needed_bytes: int, free_bytes: float, total_bytes: float, what: str) -> str | None:
    """The refusal message when ``needed_bytes`` exceed :data:`quantum.memory.USABLE_FRACTION` of
    the device's ``free_bytes`` [B], else None."""
    if needed_bytes <= USABLE_FRACTION * free_bytes:
        return None
    return (
        f"{what} needs {needed_bytes:,} bytes ({needed_bytes / 2**30:,.1f} GiB) but the CUDA device has "
        f"{int(free_bytes):,} bytes ({free_bytes / 2**30:.1f} GiB) free of {total_bytes / 2**30:.1f} GiB"
    )


def check_device_memory(n_qubits: int, precision: str = "double", *, copies: int = 1, sampling: bool = False) -> int:
    """Raise :class:`archmodels.errors.ResourceError` unless the run's states fit in the device's
    free memory (``cuda.current_context().get_memory_info()``), before anything is allocated.

    Parameters
    ----------
    n_qubits : int
        Qubits of the state.
    precision : {"double", "single"}
        Amplitude type (16 or 8 bytes).
    copies : int
        States alive at once (measurement branches wait as copies).
    sampling : bool
        Count the float64 cumulative sum sampling keeps (:data:`CDF_BYTES_PER_AMPLITUDE`).

    Returns
    -------
    int
        Bytes needed on the device [B] (:func:`device_bytes_needed`).
    """
    from archmodels.errors import ResourceError

    needed = device_bytes_needed(n_qubits, precision, copies=copies, sampling=sampling)
    free, total = device_free_bytes()
    states = f"a {n_qubits}-qubit state" if copies == 1 else f"{copies} live copies of a {n_qubits}-qubit state"
    extra = " and its sampling cumulative sum" if sampling else ""
    message = device_memory_refusal(needed, free, total, f"{states}{extra} in {precision} precision")
    if message:
        raise ResourceError(message)
    return needed


def zero_state(n_qubits: int, precision: str = "double"):
    """|0...0> of ``n_qubits`` qubits allocated on the device (check memory first)."""
    from quantum import cuda_kernels as ck

    cuda = require_device()
    state = cuda.device_array(1 << n_qubits, dtype=DTYPES[precision])
    ck.basis_zero[ck.blocks_for(state.size), ck.THREADS](state)
    return state


def to_host(state) -> np.ndarray:
    """The device state as a numpy array (a copy)."""
    return state.copy_to_host()


def copy_state(state):
    """A device copy of a device state."""
    cuda = require_device()
    out = cuda.device_array_like(state)
    out.copy_to_device(state)
    return out


def _gate_launches(plan):
    """Per fused gate of ``plan``: (kind, int-array slices, float-array slices), packed in one
    int64 and one float64 device array (two host-to-device copies per plan)."""
    cuda = require_device()
    ints: list[np.ndarray] = []
    floats: list[np.ndarray] = []
    layout = []
    for block in plan.blocks:
        for g in block.gates:
            qs = np.asarray(g.qubits, dtype=np.int64)
            m = np.asarray(g.matrix, dtype=np.complex128).reshape(-1)
            if g.diagonal:
                int_parts = [qs]
            else:
                j = np.arange(1 << qs.size, dtype=np.int64)
                offsets = np.zeros(j.size, dtype=np.int64)
                for b, q in enumerate(qs):
                    offsets |= ((j >> b) & 1) << q
                int_parts = [np.sort(qs), offsets]
            spans = []
            for part in int_parts:
                start = sum(a.size for a in ints)
                ints.append(part)
                spans.append((start, start + part.size))
            fstart = sum(a.size for a in floats)
            floats.extend([m.real.copy(), m.imag.copy()])
            layout.append((g.diagonal, spans, (fstart, fstart + m.size, fstart + 2 * m.size)))
    if not layout:
        return []
    d_int = cuda.to_device(np.concatenate(ints))
    d_float = cuda.to_device(np.concatenate(floats))
    out = []
    for diagonal, spans, (f0, f1, f2) in layout:
        out.append((diagonal, [d_int[a:b] for a, b in spans], d_float[f0:f1], d_float[f1:f2]))
    return out


def apply_plan(state, plan) -> None:
    """Apply every fused gate of ``plan`` to the device ``state`` in place, one pass each."""
    from quantum import cuda_kernels as ck

    for diagonal, ints, re, im in _gate_launches(plan):
        if diagonal:
            ck.diagonal_gate[ck.blocks_for(state.size), ck.THREADS](state, ints[0], re, im)
        else:
            sorted_qubits, offsets = ints
            if offsets.size > 1 << ck.MAX_GATE_QUBITS:
                raise ValueError(f"fused gate of {sorted_qubits.size} qubits; the device kernel takes <= {ck.MAX_GATE_QUBITS}")
            ck.dense_gate[ck.blocks_for(state.size // offsets.size), ck.THREADS](state, sorted_qubits, offsets, re, im)


def qubit_one_probability(state, qubit: int) -> float:
    """P(bit ``qubit`` = 1) of the device state (float64 partial sums added on the host)."""
    from quantum import cuda_kernels as ck

    cuda = require_device()
    blocks = ck.blocks_for(state.size >> 1, 1024)
    partials = cuda.device_array(blocks, dtype=np.float64)
    ck.one_probability_partials[blocks, ck.THREADS](state, qubit, partials)
    return float(partials.copy_to_host().sum())


def collapse_qubit(state, qubit: int, outcome: int, scale: float, reset: bool) -> None:
    """Project and rescale on the device, as :func:`quantum.kernels.collapse_qubit`."""
    from quantum import cuda_kernels as ck

    ck.collapse_qubit[ck.blocks_for(state.size >> 1), ck.THREADS](state, qubit, outcome, scale, reset)


def pauli_sum_expectation(state, labels: Sequence[str], coeffs: Sequence[complex]) -> complex:
    """``<psi| sum_t c_t P_t |psi>`` on the device: one read of the state per X mask and 16 terms."""
    from quantum import cuda_kernels as ck
    from quantum.engine import pauli_masks

    cuda = require_device()
    x, z, ny = pauli_masks(labels)
    coeffs = np.asarray(coeffs, dtype=np.complex128)
    blocks = ck.blocks_for(state.size, 1024)
    total = 0j
    for xm in np.unique(x):
        sel = np.flatnonzero(x == xm)
        for lo in range(0, sel.size, ck.TERMS_PER_LAUNCH):
            part = sel[lo : lo + ck.TERMS_PER_LAUNCH]
            partials = cuda.device_array((blocks, part.size, 2), dtype=np.float64)
            ck.pauli_partials[blocks, ck.THREADS](state, int(xm), cuda.to_device(z[part]), partials)
            sums = partials.copy_to_host().sum(axis=0)
            total += np.sum(coeffs[part] * (1j ** ny[part]) * (sums[:, 0] + 1j * sums[:, 1]))
    return total


def inclusive_scan(values) -> None:
    """Inclusive prefix sum of a float64 device array, in place (tiles, then their totals)."""
    from quantum import cuda_kernels as ck

    cuda = require_device()
    tile = ck.THREADS * ck.SCAN_ITEMS
    tiles = -(-values.size // tile)
    totals = cuda.device_array(tiles, dtype=np.float64)
    ck.scan_tiles[tiles, ck.THREADS](values, totals)
    if tiles > 1:
        inclusive_scan(totals)
        ck.add_tile_offsets[ck.blocks_for(values.size), ck.THREADS](values, totals)


def sample_indices(state, shots: int, rng: np.random.Generator) -> np.ndarray:
    """``shots`` basis-state indices drawn from ``|psi_i|^2`` of the device state (module docstring).

    The generator is called as :func:`quantum.engine.sample_indices` calls it: ``shots`` sorted
    uniforms on [0, total) assigned to the ``min(2**n, 1024)`` chunks by the chunks' cumulative
    sums, placed by inverse CDF within each chunk, then a final permutation.
    """
    from quantum import cuda_kernels as ck

    cuda = require_device()
    n = state.size
    n_chunks = min(n, SAMPLE_CHUNKS)
    per_chunk = n // n_chunks
    cdf = cuda.device_array(n, dtype=np.float64)
    ck.probabilities[ck.blocks_for(n), ck.THREADS](state, cdf)
    inclusive_scan(cdf)
    ends_d = cuda.device_array(n_chunks, dtype=np.float64)
    ck.take_every[ck.blocks_for(n_chunks), ck.THREADS](cdf, per_chunk - 1, per_chunk, ends_d)
    ends = ends_d.copy_to_host()
    starts = np.concatenate(([0.0], ends[:-1]))
    # differences of a parallel scan may round an empty chunk to -1 ulp: clip at 0
    chunk_p = np.maximum(ends - starts, 0.0)
    cum = np.cumsum(chunk_p)
    u = np.sort(rng.random(shots)) * cum[-1]
    chunk_of_draw = np.minimum(np.searchsorted(cum, u, side="right"), n_chunks - 1).astype(np.int64)
    targets = starts[chunk_of_draw] + np.maximum(u - (cum[chunk_of_draw] - chunk_p[chunk_of_draw]), 0.0)
    out_d = cuda.device_array(shots, dtype=np.int64)
    ck.search_chunks[ck.blocks_for(shots), ck.THREADS](
        cdf, cuda.to_device(chunk_of_draw), cuda.to_device(targets), per_chunk, out_d
    )
    return rng.permutation(out_d.copy_to_host())


def cuda_ops():
    """The :class:`quantum.circuits.StateOps` of the device (checks that one is present)."""
    from quantum.circuits import StateOps

    require_device()
    return StateOps(apply_plan, qubit_one_probability, collapse_qubit, copy_state, sample_indices, pauli_sum_expectation)
