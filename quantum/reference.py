"""Plain-numpy references of the kernels in :mod:`quantum.kernels` (same maths, no numba).

The state of n qubits reshaped to ``(2,) * n`` has axis ``n - 1 - q`` for qubit q (little-endian
index, C order). A gate on qubits ``(q_0, ..., q_{k-1})`` reshaped to ``(2,) * 2k`` has output axes
for ``q_{k-1}, ..., q_0`` first, then the input axes in the same order (Qiskit's ``Operator``
layout). Each function returns a new array; the kernels work in place.
"""

from __future__ import annotations

import numpy as np


def apply_unitary(state, qubits, matrix):
    """Return ``U|psi>`` for a dense ``2**k x 2**k`` matrix ``U`` on ``qubits`` (gate order)."""
    n = int(np.log2(state.size))
    k = len(qubits)
    psi = state.reshape((2,) * n)
    u = np.asarray(matrix, dtype=state.dtype).reshape((2,) * (2 * k))
    axes = [n - 1 - q for q in reversed(qubits)]
    out = np.tensordot(u, psi, axes=(list(range(k, 2 * k)), axes))
    # tensordot puts the gate's output axes first; move them back to where the qubits live
    out = np.moveaxis(out, list(range(k)), axes)
    return np.ascontiguousarray(out).reshape(-1)


def pauli_expectation(state, x_mask, z_mask, n_y):
    """``<psi|P|psi>`` for the Pauli string with X/Y at ``x_mask``, Z/Y at ``z_mask``, ``n_y`` Ys.

    ``P|i> = i**n_y (-1)**popcount(i & z_mask) |i ^ x_mask>``.
    """
    index = np.arange(state.size)
    parity = np.array([bin(v).count("1") & 1 for v in (index & z_mask)])
    sign = 1.0 - 2.0 * parity
    psi = state.astype(np.complex128)
    return (1j**n_y) * np.sum(sign * np.conj(psi[index ^ x_mask]) * psi)


def probabilities(state):
    """``|psi_i|^2`` as float64."""
    return np.abs(state.astype(np.complex128)) ** 2
