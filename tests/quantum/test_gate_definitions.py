"""Gates without a matrix of their own run through their definition, exactly as Statevector runs them."""

import warnings

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Gate
from qiskit.circuit.library import DiagonalGate, PauliEvolutionGate, StatePreparation, UnitaryGate
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp, Statevector, random_unitary
from scipy.sparse import SparseEfficiencyWarning

from archmodels.errors import InputError
from quantum import EmulatorEstimator, EmulatorSampler
from quantum.circuits import compile_circuit, prepare_circuit, run_branches
from quantum.engine import zero_state


def final_state(qc: QuantumCircuit) -> np.ndarray:
    """The emulator's state after ``qc``, with the prepared circuit's global phase applied."""
    prepared = prepare_circuit(qc)
    program = compile_circuit(prepared)
    ((weight, state),) = run_branches(program, zero_state(program.n_qubits))
    return weight * state * np.exp(1j * float(prepared.global_phase))


def reference(function, *args):
    """Qiskit's reference; PauliEvolutionGate.to_matrix makes scipy warn about the sparse format."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SparseEfficiencyWarning)
        return function(*args)


def custom_gate() -> Gate:
    """A 2-qubit gate known only by its sub-circuit (global phase included)."""
    sub = QuantumCircuit(2, name="mine", global_phase=0.7)
    sub.h(0)
    sub.cx(0, 1)
    sub.rz(0.3, 1)
    sub.sx(0)
    return sub.to_gate()


def test_custom_gates_match_statevector():
    g = custom_gate()
    inner = QuantumCircuit(3, name="outer")  # a custom gate whose definition holds another one
    inner.append(g, [2, 0])
    inner.ry(0.4, 1)
    qc = QuantumCircuit(5)
    qc.h(range(5))
    qc.append(g, [0, 2])
    qc.append(g.inverse(), [1, 3])
    qc.append(g.control(1), [4, 0, 1])
    qc.append(g.control(2, ctrl_state="01"), [2, 3, 4, 0])
    qc.append(inner.to_gate(), [4, 1, 3])
    qc.append(UnitaryGate(random_unitary(8, seed=3)), [3, 0, 4])
    # non-commuting terms: a product formula would differ from the exact exponential Statevector uses
    qc.append(PauliEvolutionGate(SparsePauliOp(["XI", "ZZ", "YX"], [0.3, 0.7, -0.4]), time=0.9), [0, 3])
    qc.append(DiagonalGate(list(np.exp(1j * np.linspace(0, 2, 8)))), [1, 2, 4])
    expected = reference(Statevector, qc).data
    assert np.abs(final_state(qc) - expected).max() < 1e-10
    obs = SparsePauliOp(["ZIIIX", "IXYIZ", "ZZZZZ", "IIYII"], [1.0, 0.5, 0.2, -0.3])
    ours = EmulatorEstimator().run([(qc, obs)]).result()[0].data.evs
    ref = reference(lambda: StatevectorEstimator().run([(qc, obs)]).result()[0].data.evs)
    assert abs(ours - ref) < 1e-10


def test_state_preparation_and_sampling_follow_the_definition():
    amps = np.random.default_rng(4).normal(size=8) + 1j * np.random.default_rng(5).normal(size=8)
    amps /= np.linalg.norm(amps)
    qc = QuantumCircuit(3)
    qc.append(StatePreparation(amps), [0, 1, 2])
    qc.append(custom_gate().control(1), [2, 0, 1])
    expected = Statevector(qc)
    assert np.abs(final_state(qc) - expected.data).max() < 1e-10
    qc.measure_all()
    shots = 50_000
    counts = EmulatorSampler(seed=2).run([qc], shots=shots).result()[0].data.meas.get_counts()
    probs = expected.probabilities_dict()
    tv = 0.5 * sum(abs(counts.get(k, 0) / shots - p) for k, p in probs.items())
    assert tv < 0.02  # 8 outcomes at 50k shots: expected TV ~ 0.005


def test_wide_custom_gate_is_decomposed():
    sub = QuantumCircuit(6, name="wide")
    sub.h(0)
    for q in range(5):
        sub.cx(q, q + 1)
    sub.append(custom_gate(), [5, 2])
    qc = QuantumCircuit(7)
    qc.ry(0.3, 6)
    qc.append(sub.to_gate(), [6, 0, 1, 2, 3, 4])
    assert np.abs(final_state(qc) - Statevector(qc).data).max() < 1e-10


def test_opaque_gate_is_refused_with_its_name():
    qc = QuantumCircuit(2)
    qc.append(Gate("blackbox", 2, []), [0, 1])
    with pytest.raises(InputError, match="blackbox"):
        EmulatorEstimator().run([(qc, SparsePauliOp("ZZ"))]).result()
