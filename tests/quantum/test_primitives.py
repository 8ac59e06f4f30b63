"""The emulator behind Qiskit's interfaces, checked against qiskit.quantum_info.Statevector."""

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister, transpile
from qiskit.circuit import Parameter
from qiskit.quantum_info import SparsePauliOp, Statevector

from archmodels.errors import InputError
from quantum import EmulatorBackend, EmulatorEstimator, EmulatorSampler

GATES_1Q = ("u", "rx", "ry", "rz")
GATES_2Q = ("cx", "cz", "swap", "rzz")


def random_circuit(n, depth, rng, theta):
    """Random circuit of the issue's gate set; ``theta`` (a Parameter) appears in several gates."""
    qc = QuantumCircuit(n)
    for _ in range(depth):
        for q in range(n):
            name = GATES_1Q[rng.integers(4)]
            if name == "u":
                qc.u(*rng.uniform(-np.pi, np.pi, 3), q)
            else:
                angle = theta * float(rng.uniform(0.5, 2)) if rng.random() < 0.2 else float(rng.uniform(-np.pi, np.pi))
                getattr(qc, name)(angle, q)
        perm = rng.permutation(n)
        for a, b in zip(perm[0::2], perm[1::2]):
            name = GATES_2Q[rng.integers(4)]
            if name == "rzz":
                qc.rzz(float(rng.uniform(-np.pi, np.pi)), int(a), int(b))
            else:
                getattr(qc, name)(int(a), int(b))
        if n >= 3:
            a, b, c = rng.choice(n, 3, replace=False)
            qc.ccx(int(a), int(b), int(c))
    qc.rx(theta, 0)
    return qc


def random_observable(n, rng, terms=6):
    labels = ["".join(rng.choice(list("IXYZ"), n)) for _ in range(terms)]
    return SparsePauliOp(labels, rng.normal(size=terms))


@pytest.mark.parametrize("n", [4, 5, 7, 9, 11, 14])
@pytest.mark.parametrize("fused_qubits", [2, 4])
def test_estimator_matches_statevector(n, fused_qubits):
    rng = np.random.default_rng(100 + n)
    theta = Parameter("theta")
    qc = random_circuit(n, 4, rng, theta)
    obs = [random_observable(n, rng), SparsePauliOp.from_sparse_list([("Z", [q], 1.0) for q in range(n)], n)]
    values = np.linspace(-np.pi, np.pi, 4).reshape(4, 1)
    est = EmulatorEstimator(seed=1, fused_qubits=fused_qubits)
    res = est.run([(qc, [[o] for o in obs], values)]).result()[0]
    assert res.data.evs.shape == (2, 4)
    assert res.metadata["passes"] > 0
    for j, v in enumerate(values):
        sv = Statevector(qc.assign_parameters(v))
        for i, o in enumerate(obs):
            assert abs(res.data.evs[i, j] - np.real(sv.expectation_value(o))) < 1e-10


def test_single_precision_is_close():
    rng = np.random.default_rng(7)
    qc = random_circuit(8, 5, rng, Parameter("t")).assign_parameters([0.3])
    obs = random_observable(8, rng)
    exact = np.real(Statevector(qc).expectation_value(obs))
    ev = EmulatorEstimator(precision="single").run([(qc, obs)]).result()[0].data.evs
    assert abs(ev - exact) < 1e-5


def total_variation(counts, probs, shots):
    keys = set(counts) | set(probs)
    return 0.5 * sum(abs(counts.get(k, 0) / shots - probs.get(k, 0.0)) for k in keys)


@pytest.mark.parametrize("n", [4, 6, 10, 14])
def test_sampler_counts_within_tv_of_exact(n):
    # 200,000 shots resolve a distribution over <= 16 outcomes to TV ~ 0.004 (sampling noise grows
    # as sqrt(#outcomes / shots)), so 4 qubits are measured: all of a 4-qubit circuit, a marginal
    # of larger ones
    rng = np.random.default_rng(200 + n)
    theta = Parameter("theta")
    body = random_circuit(n, 4, rng, theta)
    measured = sorted(int(q) for q in rng.choice(n, 4, replace=False))
    qc = body.copy()
    creg = ClassicalRegister(4, "c")
    qc.add_register(creg)
    qc.barrier()
    qc.measure(measured, creg)
    shots = 200_000
    values = [[0.4], [1.9]]
    res = EmulatorSampler(seed=11).run([(qc, values)], shots=shots).result()[0]
    for j, v in enumerate(values):
        probs = Statevector(body.assign_parameters(v)).probabilities_dict(qargs=measured)
        counts = res.data.c[j].get_counts()
        assert sum(counts.values()) == shots
        assert total_variation(counts, probs, shots) < 0.01


def test_sampler_is_reproducible_and_records_seed():
    qc = QuantumCircuit(3)
    qc.h(range(3))
    qc.measure_all()
    a = EmulatorSampler(seed=5).run([qc], shots=500).result()
    b = EmulatorSampler(seed=5).run([qc], shots=500).result()
    assert a.metadata["seed"] == 5
    assert np.array_equal(a[0].data.meas.array, b[0].data.meas.array)
    assert EmulatorSampler().run([qc], shots=10).result().metadata["seed"] is not None


def test_mid_circuit_measurement_reset_and_registers():
    qr = QuantumRegister(2)
    first, second = ClassicalRegister(1, "first"), ClassicalRegister(2, "second")
    qc = QuantumCircuit(qr, first, second)
    qc.ry(2 * np.arccos(np.sqrt(0.3)), 0)  # P(1) = 0.7
    qc.measure(0, first[0])
    qc.cx(0, 1)  # copies the measured value to qubit 1
    qc.reset(0)
    qc.x(0)
    qc.measure([0, 1], second)
    shots = 40_000
    res = EmulatorSampler(seed=3).run([qc], shots=shots).result()[0]
    f = res.data.first.get_counts()
    s = res.data.second.get_counts()
    assert f["1"] / shots == pytest.approx(0.7, abs=0.01)
    # second = (qubit1, qubit0): qubit 0 always 1 after reset + x; qubit 1 equals the first outcome
    assert set(s) == {"01", "11"}
    assert s["11"] == f["1"]
    # expectation values follow both branches exactly
    est = EmulatorEstimator().run([(qc, SparsePauliOp(["IZ", "ZI"]))]).result()[0].data.evs
    assert est == pytest.approx(-1.0 + (0.3 - 0.7), abs=1e-12)


def test_unsupported_instructions_are_transpiled_or_refused():
    from qiskit.circuit.library import MCXGate, QFTGate

    qc = QuantumCircuit(7)
    qc.h(range(7))
    qc.append(MCXGate(6), range(7))  # 7-qubit gate: decomposed
    qc.append(QFTGate(3), [0, 2, 4])  # not a standard gate, but has a 3-qubit matrix
    obs = SparsePauliOp("ZIIIIIX")
    ev = EmulatorEstimator().run([(qc, obs)]).result()[0].data.evs
    assert abs(ev - np.real(Statevector(qc).expectation_value(obs))) < 1e-10
    # an instruction with neither a matrix nor a definition is refused, named (classical control
    # flow used to be refused here: it runs now, see test_dynamic_circuits.py)
    from qiskit.circuit import Instruction

    opaque = QuantumCircuit(1, 1)
    opaque.append(Instruction("opaque_box", 1, 0, []), [0])
    opaque.measure(0, 0)
    with pytest.raises(InputError, match="opaque_box"):
        EmulatorSampler().run([opaque], shots=10).result()


def test_backend_target_and_counts():
    backend = EmulatorBackend()
    assert {"cx", "u", "measure", "reset", "ccx", "rzz"} <= set(backend.target.operation_names)
    assert backend.target.num_qubits >= 20
    qc = QuantumCircuit(3, 3)
    qc.h(0)
    qc.cx(0, 1)
    qc.cx(1, 2)
    qc.measure(range(3), range(3))
    tqc = transpile(qc, backend)
    counts = backend.run(tqc, shots=4000, seed_simulator=9).result().get_counts()
    assert set(counts) == {"000", "111"}
    assert sum(counts.values()) == 4000


def test_options_are_checked():
    with pytest.raises(InputError, match="precision"):
        EmulatorEstimator(precision="quad")
    with pytest.raises(InputError, match="threads"):
        EmulatorSampler(threads=100_000)


def test_threads_option_runs_and_restores():
    import numba

    before = numba.get_num_threads()
    qc = QuantumCircuit(12)
    qc.h(range(12))
    ev = EmulatorEstimator(threads=1).run([(qc, SparsePauliOp("X" * 12))]).result()[0].data.evs
    assert ev == pytest.approx(1.0)
    assert numba.get_num_threads() == before


def test_estimator_broadcasts_parameters_and_observables_like_qiskit():
    from qiskit.primitives import StatevectorEstimator

    a, b = Parameter("a"), Parameter("b")
    qc = QuantumCircuit(3)
    qc.ry(a, 0)
    qc.cx(0, 1)
    qc.rx(b, 2)
    qc.cz(1, 2)
    values = np.random.default_rng(1).uniform(-np.pi, np.pi, (2, 3, 2))
    observables = [[SparsePauliOp("ZZI")], [SparsePauliOp(["XIY", "IZZ"], [0.5, -1.0])]]
    ours = EmulatorEstimator().run([(qc, observables, values)]).result()[0].data.evs
    ref = StatevectorEstimator().run([(qc, observables, values)]).result()[0].data.evs
    assert ours.shape == ref.shape == (2, 3)
    assert np.abs(ours - ref).max() < 1e-12


@pytest.mark.parametrize("touch_after", [True, False])
def test_a_later_write_to_the_bit_makes_a_measurement_non_final(touch_after):
    """x(0); measure(0,0); h(1); measure(1,0)[; x(1)]: bit 0 holds the H outcome, 50/50 (as Aer)."""
    from qiskit_aer import AerSimulator

    qc = QuantumCircuit(2, 1)
    qc.x(0)
    qc.measure(0, 0)
    qc.h(1)
    qc.measure(1, 0)
    if touch_after:
        qc.x(1)
    shots = 20_000
    ours = EmulatorSampler(seed=11).run([qc], shots=shots).result()[0].data.c.get_counts()
    aer = AerSimulator(seed_simulator=11).run(qc, shots=shots).result().get_counts()
    # exact answer 1/2; 5 sigma of a binomial proportion at 20k shots is 0.018
    for counts in (ours, aer):
        assert counts.get("1", 0) / shots == pytest.approx(0.5, abs=0.018)
    assert abs(ours.get("1", 0) - aer.get("1", 0)) / shots < 0.025


def test_sampler_exposes_seed_like_statevector_sampler():
    from qiskit.primitives import StatevectorSampler

    assert EmulatorSampler(seed=7).seed == StatevectorSampler(seed=7).seed == 7
    assert EmulatorSampler().seed is StatevectorSampler().seed is None
