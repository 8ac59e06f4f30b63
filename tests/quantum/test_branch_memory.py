"""Measurement branches: exact expectation values, walked one at a time within a memory bound."""

import tracemalloc

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import DensityMatrix, Kraus, SparsePauliOp

from archmodels.errors import ResourceError
from quantum import EmulatorEstimator, EmulatorSampler
from quantum.circuits import compile_circuit

P0 = np.array([[1, 0], [0, 0]], dtype=complex)
P1 = np.array([[0, 0], [0, 1]], dtype=complex)
RESET_KRAUS = Kraus([P0, np.array([[0, 1], [0, 0]], dtype=complex)])  # |0><0|, |0><1|
MEASURE_KRAUS = Kraus([P0, P1])  # a measurement whose outcome is not used: dephasing


def density_matrix_by_hand(qc: QuantumCircuit) -> DensityMatrix:
    """Qiskit's DensityMatrix through the circuit, measure and reset as their Kraus channels."""
    rho = DensityMatrix.from_label("0" * qc.num_qubits)
    for ins in qc.data:
        qargs = [qc.find_bit(q).index for q in ins.qubits]
        name = ins.operation.name
        if name == "measure":
            rho = rho.evolve(MEASURE_KRAUS, qargs)
        elif name == "reset":
            rho = rho.evolve(RESET_KRAUS, qargs)
        elif name != "barrier":
            rho = rho.evolve(ins.operation, qargs)
    return rho


def branching_circuit(n: int, rounds: int, rng) -> QuantumCircuit:
    qc = QuantumCircuit(n, n)
    qc.reset(0)  # on |0>: definite, never branches
    for r in range(rounds):
        for q in range(n):
            qc.u(*rng.uniform(-np.pi, np.pi, 3), q)
        for q in range(r % 2, n - 1, 2):
            qc.cx(q, q + 1)
        q = int(rng.integers(n))
        if r % 2:
            qc.measure(q, q)
            qc.measure(q, (q + 1) % n)  # measured again at once: definite, never branches
        else:
            qc.reset(q)
    qc.rzz(0.7, 0, n - 1)
    for q in range(n):  # no measurement is final (the estimator drops final ones, as Qiskit's)
        qc.u(*rng.uniform(-np.pi, np.pi, 3), q)
    return qc


def test_branch_expectations_match_density_matrix():
    rng = np.random.default_rng(18)
    qc = branching_circuit(5, 6, rng)
    labels = ["".join(rng.choice(list("IXYZ"), 5)) for _ in range(6)]
    obs = SparsePauliOp(labels, rng.normal(size=6))
    expected = np.real(density_matrix_by_hand(qc).expectation_value(obs))
    ev = EmulatorEstimator().run([(qc, obs)]).result()[0].data.evs
    assert abs(ev - expected) < 1e-10
    single = SparsePauliOp(labels[:2])
    evs = EmulatorEstimator().run([(qc, [[single], [obs]])]).result()[0].data.evs
    assert np.abs(evs.ravel() - [np.real(density_matrix_by_hand(qc).expectation_value(single)), expected]).max() < 1e-10
    # the sampler follows the same branches: bit distribution of the final measurement
    qc.measure(range(5), range(5))
    program = compile_circuit(qc)
    assert program.branching_ops == 6 and program.live_states() == 7 and program.live_states(shots=3) == 3


def resets_circuit(n: int, resets: int) -> QuantumCircuit:
    """H on every qubit, then ``resets`` rounds of cx + reset + ry: 2**resets branches."""
    qc = QuantumCircuit(n)
    qc.h(range(n))
    for k in range(resets):
        qc.cx(k, (k + resets) % n)
        qc.reset(k)
        qc.ry(0.3 * (k + 1), k)
    return qc


def sum_z(n: int) -> SparsePauliOp:
    return SparsePauliOp.from_sparse_list([("Z", [q], 1.0) for q in range(n)], n)


def test_estimator_holds_one_state_per_branching_op_not_per_branch():
    """Peak traced memory (numpy reports its buffers to tracemalloc) of a 256-branch estimate.

    Values of such circuits are checked against DensityMatrix above; this one is too wide for it."""
    n, resets = 11, 8  # 256 branches of a 32 KiB state
    qc = resets_circuit(n, resets)
    state_bytes = 16 * 2**n
    est = EmulatorEstimator()
    est.run([(QuantumCircuit(1), SparsePauliOp("Z"))]).result()  # kernels compiled before tracing
    tracemalloc.start()
    try:
        est.run([(qc, sum_z(n))]).result()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # every branch held at once would be 256 states (8 MiB); depth first: 9 plus working memory
    assert peak < (resets + 1 + 4) * state_bytes
    assert compile_circuit(qc).live_states() == resets + 1


def test_issue_case_18_qubits_12_resets_refused_up_front_without_allocating(monkeypatch):
    """Issue 18: 18 qubits, 12 resets held 4096 branches at once (16.2 GiB for a 4 MiB state).

    Depth first it needs 13 live states (52 MiB); with a budget below that it is refused before
    the first state exists."""
    import quantum.memory
    import quantum.primitives

    n, resets = 18, 12
    qc = resets_circuit(n, resets)
    assert compile_circuit(qc).live_states() == 13
    monkeypatch.setattr(quantum.memory, "available_memory", lambda: (40 * 2**20, "test budget"))
    allocated = []
    monkeypatch.setattr(quantum.primitives, "zero_state", lambda *a: allocated.append(a))
    with pytest.raises(ResourceError, match="13 live copies of a 18-qubit state"):
        EmulatorEstimator().run([(qc, sum_z(n))]).result()
    with pytest.raises(ResourceError, match="13 live copies"):
        EmulatorSampler().run([qc.measure_all(inplace=False)], shots=100).result()
    assert allocated == []  # refused before the first state
