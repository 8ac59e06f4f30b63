"""Hybrid quantum-classical workflows as iterations of quantum jobs and classical steps.

A workflow is what one user runs: ``iterations`` times, a classical step on the user's HPC nodes
(optimiser update, or SQD's subspace diagonalisation), then one quantum job of ``circuits`` circuits
x ``shots`` shots with ``depth_2q`` two-qubit and ``depth_1q`` single-qubit layers.

* VQE (Peruzzo et al., Nat. Commun. 5, 4213 (2014)): hardware-efficient ansatz of ``layers``
  layers, each a RY layer and a brickwork of CX on a line (2 two-qubit layers); one circuit per
  measurement group and energy evaluation per iteration.
* QAOA (Farhi, Goldstone, Gutmann, arXiv:1411.4028): ``p`` rounds on a graph of maximum degree
  Delta; the cost layer's ZZ gates fit in Delta + 1 two-qubit layers (Vizing's edge colouring),
  the mixer is one single-qubit layer; one circuit per evaluation.
* SQD (Robledo-Moreno et al., "Chemistry beyond the scale of exact diagonalization on a
  quantum-centric supercomputer", Sci. Adv. 11 (2025), arXiv:2405.05068): each iteration samples
  one LUCJ circuit, then diagonalises the Hamiltonian in the sampled subspace on the HPC side. The
  diagonalisation is ``davidson_iterations`` sparse matrix-vector products over
  ``subspace_dimension x nnz_per_row`` non-zeros, timed with archmodels' ``spmv`` workload on the
  user's nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

from archmodels.errors import InputError

#: Bytes sent per circuit (a transpiled parametrised circuit in QPY plus parameters): assumption.
BYTES_PER_CIRCUIT = 20e3


@dataclass(frozen=True)
class Workflow:
    """One user's hybrid loop (SI units). ``classical_power_w`` is None for "the nodes' maximum"."""

    kind: str
    qubits: int
    depth_2q: int
    depth_1q: int
    circuits: int
    shots: int
    iterations: int
    classical_step_s: float
    classical_power_w: float | None = None

    @property
    def bytes_out(self) -> float:
        """Bytes sent to the quantum side per iteration [B]."""
        return self.circuits * BYTES_PER_CIRCUIT

    @property
    def bytes_back(self) -> float:
        """Bytes of measured bitstrings returned per iteration [B] (ceil(n/8) per shot)."""
        return self.circuits * self.shots * -(-self.qubits // 8)


def _positive(name: str, value) -> None:
    if value is None or value <= 0:
        raise InputError(f"expected a positive value, got {value!r}", location=f"workflow.{name}")


def vqe_workflow(qubits, layers, shots, iterations, classical_step_s, measurement_groups=1, evaluations=1) -> Workflow:
    """VQE with a hardware-efficient ansatz (module docstring)."""
    for name, v in dict(qubits=qubits, layers=layers, shots=shots, iterations=iterations,
                        measurement_groups=measurement_groups, evaluations=evaluations).items():
        _positive(name, v)
    return Workflow("vqe", int(qubits), 2 * int(layers), int(layers) + 1, int(measurement_groups * evaluations),
                    int(shots), int(iterations), float(classical_step_s))


def qaoa_workflow(qubits, p, max_degree, shots, iterations, classical_step_s, evaluations=1) -> Workflow:
    """QAOA with ``p`` rounds on a graph of maximum degree ``max_degree`` (module docstring)."""
    for name, v in dict(qubits=qubits, p=p, max_degree=max_degree, shots=shots, iterations=iterations,
                        evaluations=evaluations).items():
        _positive(name, v)
    return Workflow("qaoa", int(qubits), int(p) * (int(max_degree) + 1), 2 * int(p) + 1, int(evaluations),
                    int(shots), int(iterations), float(classical_step_s))


def sqd_diagonalisation(machine, nodes: int, subspace_dimension: float, nnz_per_row: float,
                        davidson_iterations: int) -> tuple[float, float]:
    """Time [s] and power [W] of SQD's subspace diagonalisation on ``nodes`` nodes of ``machine``.

    T = k nnz / R_spmv with nnz = D x nnz_per_row and R_spmv the non-zeros per second that
    ``archmodels.predict(machine, "spmv", nodes, units_per_node=nnz/nodes)`` gives (memory-bound CSR
    products, Williams et al. SC07); power is that prediction's system power.
    """
    from archmodels.prediction import predict

    _positive("subspace_dimension", subspace_dimension)
    _positive("nnz_per_row", nnz_per_row)
    _positive("davidson_iterations", davidson_iterations)
    nnz = float(subspace_dimension) * float(nnz_per_row)
    pred = predict(machine, "spmv", nodes=nodes, units_per_node=nnz / nodes)
    return davidson_iterations * nnz / pred.units_per_s, pred.power_w


def sqd_workflow(qubits, shots, iterations, machine, nodes, subspace_dimension, nnz_per_row=1000.0,
                 davidson_iterations=30, depth_2q=None) -> Workflow:
    """SQD: one LUCJ circuit per iteration, then the sized diagonalisation (module docstring).

    ``depth_2q`` defaults to the qubit count (an LUCJ ansatz on a heavy-hex device is a few
    orbital-rotation layers deep; assumption).
    """
    for name, v in dict(qubits=qubits, shots=shots, iterations=iterations).items():
        _positive(name, v)
    t, p = sqd_diagonalisation(machine, nodes, subspace_dimension, nnz_per_row, davidson_iterations)
    d2 = int(qubits) if depth_2q is None else int(depth_2q)
    return Workflow("sqd", int(qubits), d2, 2 * d2, 1, int(shots), int(iterations), t, p)
