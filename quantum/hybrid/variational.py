"""Small real variational runs: VQE (H2, Heisenberg chain) and QAOA (MaxCut) with scipy optimisers.

The circuits go through Qiskit ``BaseEstimatorV2``/``BaseSamplerV2`` primitives: the project's
``quantum.EmulatorEstimator``/``EmulatorSampler`` when they are importable, otherwise Qiskit's
reference ``StatevectorEstimator``/``StatevectorSampler`` (the result says which ran). Every run
is checked against exact diagonalisation (``numpy.linalg.eigvalsh``) and reports the time spent in
the primitive (emulation) and outside it (the classical optimiser), which are the two inputs the
hybrid workflow model needs.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import numpy as np

from scipy.optimize import minimize

from archmodels.errors import InputError

#: H2 in STO-3G at 0.735 Angstrom, parity mapping with two-qubit reduction (electronic energy, no
#: nuclear repulsion). Coefficients from Qiskit's algorithm tests and VQE tutorial
#: (qiskit-community/qiskit-algorithms, test/eigensolvers/test_numpy_eigensolver.py, ``H2_SPARSE_PAULI``,
#: https://github.com/qiskit-community/qiskit-algorithms), generated with PySCF through Qiskit Nature.
H2_PAULI_TERMS = (
    ("II", -1.052373245772859),
    ("IZ", 0.39793742484318045),
    ("ZI", -0.39793742484318045),
    ("ZZ", -0.01128010425623538),
    ("XX", 0.18093119978423156),
)
#: Nuclear repulsion of H2 at 0.735 Angstrom [Ha] (1/R with R = 0.735 A = 1.3889487 bohr).
H2_NUCLEAR_REPULSION_HA = 0.7199689944489797
#: Chemical accuracy, 1 kcal/mol [Ha].
CHEMICAL_ACCURACY_HA = 1.6e-3


def primitives(seed: int | None = None):
    """``(estimator, sampler, name)``: the project's emulator primitives, or Qiskit's reference ones."""
    try:
        from quantum import EmulatorEstimator, EmulatorSampler
    except ImportError:
        from qiskit.primitives import StatevectorEstimator, StatevectorSampler

        return StatevectorEstimator(seed=seed), StatevectorSampler(seed=seed), "qiskit-statevector"
    return EmulatorEstimator(seed=seed), EmulatorSampler(seed=seed), "quantum-emulator"


def h2_hamiltonian():
    """The two-qubit H2 Hamiltonian (SparsePauliOp) of :data:`H2_PAULI_TERMS` [Ha]."""
    from qiskit.quantum_info import SparsePauliOp

    return SparsePauliOp.from_list(list(H2_PAULI_TERMS))


def heisenberg_hamiltonian(n: int, coupling: float = 1.0, periodic: bool = False):
    """H = J sum_<ij> (X_i X_j + Y_i Y_j + Z_i Z_j) on a chain of ``n`` spins (SparsePauliOp)."""
    from qiskit.quantum_info import SparsePauliOp

    if n < 2:
        raise InputError(f"a Heisenberg chain needs at least 2 spins, got {n}")
    bonds = [(i, i + 1) for i in range(n - 1)] + ([(n - 1, 0)] if periodic and n > 2 else [])
    terms = [(p + p, [i, j], coupling) for i, j in bonds for p in "XYZ"]
    return SparsePauliOp.from_sparse_list(terms, num_qubits=n)


def exact_ground_energy(op) -> float:
    """Lowest eigenvalue of a SparsePauliOp by dense diagonalisation (numpy eigvalsh)."""
    if op.num_qubits > 14:
        raise InputError(f"exact diagonalisation of {op.num_qubits} qubits needs a 2^{op.num_qubits} matrix; "
                         "at most 14 qubits here")
    return float(np.linalg.eigvalsh(op.to_matrix())[0])


@dataclass(frozen=True)
class VariationalResult:
    """Outcome of a VQE or QAOA run (SI units, energies in the Hamiltonian's units)."""

    problem: str
    energy: float
    exact_energy: float
    iterations: int
    evaluations: int
    time_s: float
    primitive_time_s: float
    classical_time_s: float
    parameters: tuple
    primitive: str
    seed: int
    optimizer: str

    @property
    def error(self) -> float:
        return self.energy - self.exact_energy

    def as_dict(self) -> dict:
        return {
            "problem": self.problem,
            "energy": self.energy,
            "exact_energy": self.exact_energy,
            "error": self.error,
            "iterations": self.iterations,
            "evaluations": self.evaluations,
            "time_s": self.time_s,
            "primitive_time_s": self.primitive_time_s,
            "classical_time_s": self.classical_time_s,
            "classical_time_per_iteration_s": self.classical_time_s / max(self.iterations, 1),
            "primitive_time_per_evaluation_s": self.primitive_time_s / max(self.evaluations, 1),
            "primitive": self.primitive,
            "optimizer": self.optimizer,
            "seed": self.seed,
            "parameters": list(self.parameters),
        }


def minimise_expectation(circuit, observable, estimator, x0, optimizer="L-BFGS-B", maxiter=500):
    """Minimise <observable> over the circuit's parameters with scipy.

    ``L-BFGS-B`` uses exact parameter-shift gradients, dE/dθ_k = [E(θ + π/2 e_k) − E(θ − π/2 e_k)] / 2
    (Mitarai et al., Phys. Rev. A 98, 032309 (2018); Schuld et al., Phys. Rev. A 99, 032331 (2019)),
    valid because every parameter enters one Pauli rotation once; all shifted points go to the
    estimator as one PUB. ``COBYLA`` is derivative-free.

    Returns ``(scipy result, evaluations, primitive_time_s)``.
    """
    counters = {"evaluations": 0, "primitive_s": 0.0}

    def run(points: np.ndarray) -> np.ndarray:
        t0 = time.perf_counter()
        values = estimator.run([(circuit, observable, points)]).result()[0].data.evs
        counters["primitive_s"] += time.perf_counter() - t0
        counters["evaluations"] += points.shape[0]
        return np.real(np.asarray(values, dtype=float)).reshape(-1)

    def energy(theta):
        return float(run(np.asarray(theta, dtype=float)[None, :])[0])

    def energy_and_gradient(theta):
        theta = np.asarray(theta, dtype=float)
        k = theta.size
        shifts = np.vstack([theta[None, :], theta + np.pi / 2 * np.eye(k), theta - np.pi / 2 * np.eye(k)])
        values = run(shifts)
        return float(values[0]), (values[1 : k + 1] - values[k + 1 :]) / 2.0

    if optimizer == "L-BFGS-B":
        res = minimize(energy_and_gradient, x0, jac=True, method="L-BFGS-B",
                       options={"maxiter": maxiter, "ftol": 1e-12, "gtol": 1e-8})
    elif optimizer == "COBYLA":
        res = minimize(energy, x0, method="COBYLA", options={"maxiter": maxiter, "rhobeg": 0.5, "tol": 1e-8})
    else:
        raise InputError(f"optimizer: expected 'L-BFGS-B' or 'COBYLA', got {optimizer!r}")
    return res, counters["evaluations"], counters["primitive_s"]


def run_vqe(problem: str = "h2", *, spins: int = 4, reps: int | None = None, optimizer: str = "L-BFGS-B",
            maxiter: int = 500, seed: int = 0) -> VariationalResult:
    """VQE on ``h2`` (2 qubits, real-amplitudes ansatz) or ``heisenberg`` (open chain of ``spins``).

    The real-amplitudes ansatz (RY layers and a line of CX, Qiskit ``real_amplitudes``) suffices
    because both ground states are real in the computational basis. Energies in Hartree for H2
    (electronic part), in units of J for the chain.
    """
    from qiskit.circuit.library import real_amplitudes

    if problem == "h2":
        op, n, default_reps = h2_hamiltonian(), 2, 1
    elif problem == "heisenberg":
        op, n, default_reps = heisenberg_hamiltonian(spins), spins, spins
    else:
        raise InputError(f"problem: expected 'h2' or 'heisenberg', got {problem!r}")
    ansatz = real_amplitudes(n, reps=default_reps if reps is None else reps, entanglement="linear")
    estimator, _, name = primitives(seed)
    x0 = np.random.default_rng(seed).uniform(-0.1, 0.1, ansatz.num_parameters) + np.pi / 4
    t0 = time.perf_counter()
    res, evaluations, primitive_s = minimise_expectation(ansatz, op, estimator, x0, optimizer, maxiter)
    total = time.perf_counter() - t0
    return VariationalResult(
        problem=problem if problem == "h2" else f"heisenberg-{spins}",
        energy=float(res.fun),
        exact_energy=exact_ground_energy(op),
        iterations=int(getattr(res, "nit", res.nfev)),
        evaluations=evaluations,
        time_s=total,
        primitive_time_s=primitive_s,
        classical_time_s=total - primitive_s,
        parameters=tuple(float(v) for v in res.x),
        primitive=name,
        seed=seed,
        optimizer=optimizer,
    )


def maxcut_value(edges, bits) -> int:
    """Edges cut by the partition ``bits`` (0/1 per node)."""
    return int(sum(bits[i] != bits[j] for i, j in edges))


def exact_maxcut(n: int, edges) -> int:
    """Maximum cut by enumeration of the 2^(n-1) partitions (node 0 fixed)."""
    if n > 22:
        raise InputError(f"exact MaxCut enumerates 2^{n - 1} partitions; at most 22 nodes here")
    best = 0
    for rest in itertools.product((0, 1), repeat=n - 1):
        best = max(best, maxcut_value(edges, (0,) + rest))
    return best


def random_regular_graph(n: int, degree: int, seed: int):
    """Edges of a random ``degree``-regular simple graph on ``n`` nodes (configuration model with restarts)."""
    if (n * degree) % 2 or degree >= n:
        raise InputError(f"no {degree}-regular graph on {n} nodes")
    rng = np.random.default_rng(seed)
    for _ in range(1000):
        stubs = rng.permutation(np.repeat(np.arange(n), degree)).reshape(-1, 2)
        pairs = {tuple(sorted(map(int, p))) for p in stubs}
        if len(pairs) == len(stubs) and all(a != b for a, b in pairs):
            return sorted(pairs)
    raise InputError(f"could not draw a simple {degree}-regular graph on {n} nodes")


def qaoa_circuit(n: int, edges, p: int):
    """QAOA for MaxCut: H on all qubits, then p rounds of exp(-i γ Σ Z_i Z_j / 2) and exp(-i β Σ X)."""
    from qiskit import QuantumCircuit
    from qiskit.circuit import ParameterVector

    gammas, betas = ParameterVector("g", p), ParameterVector("b", p)
    qc = QuantumCircuit(n)
    qc.h(range(n))
    for layer in range(p):
        for i, j in edges:
            qc.rzz(gammas[layer], i, j)
        for q in range(n):
            qc.rx(2 * betas[layer], q)
    return qc


def run_qaoa_maxcut(n: int = 8, degree: int = 3, p: int = 2, shots: int = 2000, seed: int = 0,
                    optimizer: str = "COBYLA", maxiter: int = 300) -> dict:
    """QAOA MaxCut on a random ``degree``-regular graph, checked against the exact maximum cut.

    Minimises <H> with H = Σ_(ij) Z_i Z_j / 2 (so the expected cut is |E|/2 − <H>), then samples the
    optimised circuit. Returns the expected and best sampled cuts, the exact maximum cut, the
    approximation ratio, times and the primitive used.
    """
    from qiskit.quantum_info import SparsePauliOp

    edges = random_regular_graph(n, degree, seed)
    op = SparsePauliOp.from_sparse_list([("ZZ", [i, j], 0.5) for i, j in edges], num_qubits=n)
    qc = qaoa_circuit(n, edges, p)
    estimator, sampler, name = primitives(seed)
    x0 = np.concatenate([np.full(p, 0.4), np.full(p, 0.4)])
    # parameter order in the circuit is sorted by name: b[...] then g[...]
    t0 = time.perf_counter()
    res, evaluations, primitive_s = minimise_expectation(qc, op, estimator, x0, optimizer, maxiter)
    measured = qc.measure_all(inplace=False)
    t1 = time.perf_counter()
    counts = sampler.run([(measured, res.x)], shots=shots).result()[0].data.meas.get_counts()
    sample_s = time.perf_counter() - t1
    # Qiskit bitstrings are little-endian: qubit k is the k-th character from the right
    cuts = {b: maxcut_value(edges, [int(b[n - 1 - k]) for k in range(n)]) for b in counts}
    best_sampled = max(cuts.values())
    optimum = exact_maxcut(n, edges)
    expected_cut = len(edges) / 2 - float(res.fun)
    return {
        "nodes": n,
        "edges": len(edges),
        "p": p,
        "shots": shots,
        "expected_cut": expected_cut,
        "best_sampled_cut": best_sampled,
        "max_cut": optimum,
        "approximation_ratio": expected_cut / optimum,
        "probability_of_max_cut": sum(c for b, c in counts.items() if cuts[b] == optimum) / shots,
        "exact_ground_energy": exact_ground_energy(op),
        "energy": float(res.fun),
        "iterations": int(getattr(res, "nit", res.nfev)),
        "evaluations": evaluations,
        "primitive_time_s": primitive_s + sample_s,
        "time_s": time.perf_counter() - t0,
        "primitive": name,
        "seed": seed,
    }
