"""Numba kernels against their plain-numpy references, and the references against Qiskit."""

import numpy as np
import pytest
from qiskit.quantum_info import Operator, Pauli, Statevector

from quantum import kernels, reference
from quantum.engine import pauli_sum_expectation

from haar_random import RNG, random_state, random_unitary


def test_reference_matches_qiskit_operator():
    psi = random_state(6)
    u = random_unitary(3)
    qubits = [4, 0, 2]
    expected = Statevector(psi).evolve(Operator(u), qargs=qubits).data
    assert np.abs(reference.apply_unitary(psi, qubits, u) - expected).max() < 1e-13


@pytest.mark.parametrize("label", ["ZIZZI", "XIYZI", "YYYII", "IIIIX", "IIIII", "XXXXX"])
@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
def test_pauli_expectation_kernel(label, dtype):
    psi = random_state(5, dtype)
    expected = Statevector(psi.astype(np.complex128)).expectation_value(Pauli(label))
    got = pauli_sum_expectation(psi, [label], [1.0])
    x = sum(1 << q for q, c in enumerate(reversed(label)) if c in "XY")
    z = sum(1 << q for q, c in enumerate(reversed(label)) if c in "ZY")
    ref = reference.pauli_expectation(psi, x, z, label.count("Y"))
    tol = 1e-12 if dtype == np.complex128 else 1e-6
    assert abs(got - expected) < tol
    assert abs(ref - expected) < tol


def test_measurement_collapse_and_reset_kernels():
    psi = random_state(4)
    p1 = kernels.qubit_one_probability(psi, 2)
    assert p1 == pytest.approx(sum(abs(psi[i]) ** 2 for i in range(16) if i & 4))
    kept = psi.copy()
    kernels.collapse_qubit(kept, 2, 1, 1 / np.sqrt(p1), True)
    assert np.linalg.norm(kept) == pytest.approx(1.0)
    assert np.all(kept[[i for i in range(16) if i & 4]] == 0)
    assert np.allclose(kept[[i for i in range(16) if not i & 4]], psi[[i for i in range(16) if i & 4]] / np.sqrt(p1))


def test_pauli_sum_on_states_larger_than_a_sign_block():
    # 11 qubits: index bits above the kernel's 8-bit sign table are used too
    n = 11
    psi = random_state(n)
    labels = ["".join(RNG.choice(list("IXYZ"), n)) for _ in range(12)] + ["Z" + "I" * (n - 1), "Y" * n]
    coeffs = RNG.normal(size=len(labels))
    from qiskit.quantum_info import SparsePauliOp

    expected = Statevector(psi).expectation_value(SparsePauliOp(labels, coeffs))
    assert abs(pauli_sum_expectation(psi, labels, coeffs) - expected) < 1e-12
