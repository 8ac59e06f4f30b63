"""Numba kernels against their plain-numpy references, and the references against Qiskit."""

import numpy as np
import pytest
from qiskit.quantum_info import Operator, Pauli, Statevector

from quantum import kernels, reference
from quantum.engine import pauli_sum_expectation, plan_gates, apply_plan, sample_indices, zero_state

RNG = np.random.default_rng(20261129)


def random_unitary(k, rng=RNG):
    a = rng.normal(size=(2**k, 2**k)) + 1j * rng.normal(size=(2**k, 2**k))
    q, r = np.linalg.qr(a)
    return q * (np.diag(r) / np.abs(np.diag(r)))


def random_state(n, dtype=np.complex128, rng=RNG):
    psi = rng.normal(size=2**n) + 1j * rng.normal(size=2**n)
    return (psi / np.linalg.norm(psi)).astype(dtype)


TOL = {np.complex128: 1e-12, np.complex64: 2e-6}


def test_reference_matches_qiskit_operator():
    psi = random_state(6)
    u = random_unitary(3)
    qubits = [4, 0, 2]
    expected = Statevector(psi).evolve(Operator(u), qargs=qubits).data
    assert np.abs(reference.apply_unitary(psi, qubits, u) - expected).max() < 1e-13


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
@pytest.mark.parametrize("fused_qubits,chunk_qubits", [(1, 0), (2, 0), (2, 4), (3, 5), (5, 6), (4, 15)])
def test_planned_passes_match_gate_by_gate_reference(fused_qubits, chunk_qubits, dtype):
    n = 8
    gates = []
    for _ in range(40):
        k = int(RNG.integers(1, 4))
        qubits = [int(q) for q in RNG.choice(n, k, replace=False)]
        if RNG.random() < 0.3:
            gates.append((qubits, np.diag(np.exp(1j * RNG.uniform(0, 6, 2**k)))))
        else:
            gates.append((qubits, random_unitary(k)))
    expected = zero_state(n)
    for qubits, m in gates:
        expected = reference.apply_unitary(expected, qubits, m)
    plan = plan_gates(gates, n, fused_qubits=max(fused_qubits, 3), chunk_qubits=chunk_qubits)
    assert plan.passes <= plan.fused_gates <= plan.n_gates
    state = zero_state(n, "double" if dtype == np.complex128 else "single")
    apply_plan(state, plan)
    assert np.abs(state - expected).max() < 10 * TOL[dtype]


def test_cache_blocking_cuts_passes():
    n = 10
    gates = [([q], random_unitary(1)) for q in range(n)] + [([q, q + 1], random_unitary(2)) for q in range(n - 1)]
    unblocked = plan_gates(gates, n, fused_qubits=2, chunk_qubits=0)
    blocked = plan_gates(gates, n, fused_qubits=2, chunk_qubits=7)
    assert unblocked.passes == unblocked.fused_gates == n - 1
    assert blocked.passes < unblocked.passes


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


def test_sampling_follows_probabilities():
    psi = random_state(6)
    p = reference.probabilities(psi)
    shots = 200_000
    idx = sample_indices(psi, shots, np.random.default_rng(5))
    freq = np.bincount(idx, minlength=p.size) / shots
    assert 0.5 * np.abs(freq - p).sum() < 0.01
    assert np.array_equal(idx, sample_indices(psi, shots, np.random.default_rng(5)))


def test_measurement_collapse_and_reset_kernels():
    psi = random_state(4)
    p1 = kernels.qubit_one_probability(psi, 2)
    assert p1 == pytest.approx(sum(abs(psi[i]) ** 2 for i in range(16) if i & 4))
    kept = psi.copy()
    kernels.collapse_qubit(kept, 2, 1, 1 / np.sqrt(p1), True)
    assert np.linalg.norm(kept) == pytest.approx(1.0)
    assert np.all(kept[[i for i in range(16) if i & 4]] == 0)
    assert np.allclose(kept[[i for i in range(16) if not i & 4]], psi[[i for i in range(16) if i & 4]] / np.sqrt(p1))


def test_cache_blocks_with_pad_qubits_match_reference():
    from quantum.fusion import PAD_QUBITS

    n = 14
    gates = []
    for _ in range(60):
        k = int(RNG.integers(1, 4))
        qubits = [int(q) for q in RNG.choice(n, k, replace=False)]
        gates.append((qubits, random_unitary(k)))
    plan = plan_gates(gates, n, fused_qubits=3, chunk_qubits=11)
    assert any(len(b.pad_qubits) == PAD_QUBITS for b in plan.blocks)
    for b in plan.blocks:  # no gate acts on a pad, every gate lies inside its chunk
        chunk = set(range(b.low_bits)) | set(b.high_qubits) | set(b.pad_qubits)
        assert len(chunk) == 11
        for g in b.gates:
            assert set(g.qubits) <= chunk and not set(g.qubits) & set(b.pad_qubits)
    expected = zero_state(n)
    for qubits, m in gates:
        expected = reference.apply_unitary(expected, qubits, m)
    state = zero_state(n)
    apply_plan(state, plan)
    assert np.abs(state - expected).max() < 1e-11


def test_pauli_sum_on_states_larger_than_a_sign_block():
    # 11 qubits: index bits above the kernel's 8-bit sign table are used too
    n = 11
    psi = random_state(n)
    labels = ["".join(RNG.choice(list("IXYZ"), n)) for _ in range(12)] + ["Z" + "I" * (n - 1), "Y" * n]
    coeffs = RNG.normal(size=len(labels))
    from qiskit.quantum_info import SparsePauliOp

    expected = Statevector(psi).expectation_value(SparsePauliOp(labels, coeffs))
    assert abs(pauli_sum_expectation(psi, labels, coeffs) - expected) < 1e-12
