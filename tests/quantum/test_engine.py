"""quantum.engine: planned passes against the gate-by-gate reference, pass counts, sampling."""

import numpy as np
import pytest

from quantum import reference
from quantum.engine import apply_plan, plan_gates, sample_indices, zero_state

from haar_random import RNG, random_state, random_unitary

TOL = {np.complex128: 1e-12, np.complex64: 2e-6}


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


def test_sampling_follows_probabilities():
    psi = random_state(6)
    p = reference.probabilities(psi)
    shots = 200_000
    idx = sample_indices(psi, shots, np.random.default_rng(5))
    freq = np.bincount(idx, minlength=p.size) / shots
    assert 0.5 * np.abs(freq - p).sum() < 0.01
    assert np.array_equal(idx, sample_indices(psi, shots, np.random.default_rng(5)))


def test_sample_chunks_matches_inverse_cdf_reference():
    from quantum import kernels

    psi = random_state(8)
    n_chunks = 4
    per = psi.size // n_chunks
    p = reference.probabilities(psi).reshape(n_chunks, per)
    rng = np.random.default_rng(3)
    counts = np.array([0, 7, 1, 12])  # an empty chunk included: it must not be read
    local = [np.sort(rng.random(k)) * p[c].sum() for c, k in enumerate(counts)]
    ptr = np.concatenate([[0], np.cumsum(counts)])
    got = kernels.sample_chunks(psi, n_chunks, np.concatenate(local), ptr)
    want = np.concatenate([c * per + np.searchsorted(np.cumsum(p[c]), u, side="right") for c, u in enumerate(local)])
    assert np.array_equal(got, want)
