"""Cases the GPU engine runs under numba's CUDA simulator for tests/quantum/test_cuda_engine.py.

``python tests/quantum/cuda_sim_cases.py OUT.npz`` (with ``NUMBA_ENABLE_CUDASIM=1``, which numba
reads when imported) runs every case on ``device="gpu"`` and saves the results; the test module
builds the same seeded circuits in its own process, without the simulator, and compares them with
the CPU engine and Qiskit's Statevector. Small circuits only: the simulator interprets every CUDA
thread in Python.
"""

import sys

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit.library import UnitaryGate
from qiskit.circuit.random import random_circuit
from qiskit.quantum_info import SparsePauliOp

from haar_random import random_unitary

# (qubits, depth, seed, fused_qubits): fused widths 2..5 exercise every dense-kernel size
STATE_CASES = [(5, 4, 11, 2), (7, 4, 12, 3), (8, 3, 13, 4), (6, 4, 14, 5)]
SAMPLER_SEED = 7
SHOTS = 400


def state_circuit(n, depth, seed):
    """Random gates on <= 3 qubits, a diagonal run (fuses to a diagonal gate), a Haar 3-qubit unitary."""
    qc = random_circuit(n, depth, max_operands=3, seed=seed)
    for q in range(n):
        qc.rz(0.1 * (q + 1), q)
    qc.cz(0, n - 1)
    qc.cp(0.7, 1, 2)
    qc.append(UnitaryGate(random_unitary(3, np.random.default_rng(seed))), [0, 2, n - 1])
    return qc


def observables(n):
    """A Z sum of n terms, and 18 random Z/I strings (two 16-term launches for X mask 0) with 4
    random strings of I, X, Y, Z and the all-X string."""
    rng = np.random.default_rng(n)
    zsum = SparsePauliOp.from_sparse_list([("Z", [q], 1.0) for q in range(n)], n)
    labels = ["".join(rng.choice(list("IZ"), size=n)) for _ in range(18)]
    labels += ["".join(rng.choice(list("IXYZ"), size=n)) for _ in range(4)] + ["X" * n]
    mixed = SparsePauliOp(labels, rng.normal(size=len(labels)))
    return [zsum, mixed]


def sampler_head():
    """The random 6-qubit part of :func:`sampler_circuit`."""
    return random_circuit(6, 3, max_operands=2, seed=21)


def sampler_circuit():
    """Terminal measurements of a random 6-qubit state, after a mid-circuit measurement and reset."""
    qc = QuantumCircuit(6, 6)
    qc.compose(sampler_head(), inplace=True)
    qc.measure(1, 5)
    qc.reset(2)
    qc.h(2)
    qc.cx(2, 3)
    qc.measure(range(5), range(5))
    return qc


def dynamic_circuit():
    """An if_else on a mid-circuit result (runs through quantum.dynamic)."""
    qc = QuantumCircuit(3, 3)
    qc.h(0)
    qc.ry(0.8, 1)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)):
        qc.x(2)
        qc.h(1)
    qc.measure([1, 2], [1, 2])
    return qc


def reset_estimator_circuit():
    """h, cx, then a reset: the estimator walks both branches."""
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 1)
    qc.ry(0.4, 2)
    qc.reset(0)
    qc.h(0)
    return qc


def run_all(path):
    from quantum import cuda_engine
    from quantum.circuits import compile_circuit
    from quantum.primitives import EmulatorBackend, EmulatorEstimator, EmulatorSampler

    out = {}
    for n, depth, seed, fused in STATE_CASES:
        qc = state_circuit(n, depth, seed)
        for precision in ("double", "single"):
            program = compile_circuit(qc, fused_qubits=fused, chunk_qubits=0)
            state = cuda_engine.zero_state(n, precision)
            for plan in program.body:
                cuda_engine.apply_plan(state, plan)
            out[f"state_{n}_{precision}"] = cuda_engine.to_host(state)
    n, depth, seed, _ = STATE_CASES[1]
    qc = state_circuit(n, depth, seed)
    est = EmulatorEstimator(device="gpu", fused_qubits=3)
    res = est.run([(qc, observables(n))]).result()
    out["evs"] = np.asarray(res[0].data.evs)
    out["evs_device"] = np.array(res.metadata["device"])
    res = EmulatorEstimator(device="gpu").run([(reset_estimator_circuit(), observables(3))]).result()
    out["evs_reset"] = np.asarray(res[0].data.evs)
    sampler = EmulatorSampler(device="gpu", seed=SAMPLER_SEED)
    res = sampler.run([sampler_circuit(), dynamic_circuit()], shots=SHOTS).result()
    out["bits_static"] = res[0].data.c.array
    out["bits_dynamic"] = res[1].data.c.array
    counts = EmulatorBackend(device="gpu").run(dynamic_circuit(), shots=SHOTS, seed_simulator=SAMPLER_SEED)
    out["backend_counts"] = np.array(sorted(counts.result().get_counts().items()), dtype=object).astype(str)
    values = np.random.default_rng(5).random(3000)  # more than one scan tile: both scan levels
    d = cuda_engine.require_device().to_device(values)
    cuda_engine.inclusive_scan(d)
    out["scan_in"], out["scan_out"] = values, d.copy_to_host()
    np.savez(path, **out)


if __name__ == "__main__":
    run_all(sys.argv[1])
