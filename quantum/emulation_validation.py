"""The emulation cost model against published runs and against this emulator on the host.

:func:`validate_published` checks the capacity model (:func:`quantum.emulation_cost.state_vector_bytes`,
:func:`quantum.memory.nodes_to_hold`) against the node counts of published distributed state-vector
runs; :func:`validate_on_host` times this emulator and compares with the pass-time model fed the
host's measured bandwidth and peak.
"""

from __future__ import annotations

from dataclasses import dataclass

from quantum.emulation_cost import BYTES_PER_AMPLITUDE, pass_time_s, state_vector_bytes
from quantum.memory import nodes_to_hold


@dataclass(frozen=True)
class PublishedRun:
    """A published distributed state-vector run: qubits, amplitude encoding and nodes used."""

    name: str
    machine: str
    n_qubits: int
    precision: str
    nodes: int
    source: str


PUBLISHED_RUNS = (
    PublishedRun(
        "mpiQulacs, 36 qubits on 64 A64FX nodes (Todoroki)",
        "a64fx",
        36,
        "double",
        64,
        "S. Imamura et al., mpiQulacs: A Distributed Quantum Computer Simulator for A64FX-based Cluster "
        "Systems, arXiv:2203.16044 (2022), https://arxiv.org/abs/2203.16044",
    ),
    PublishedRun(
        "JUQCS-50, 50 qubits, byte-encoded, on 16,384 GH200 (4,096 JUPITER nodes of 4)",
        "jupiter-booster",
        50,
        "byte",
        4096,
        "H. De Raedt et al., Universal Quantum Simulation of 50 Qubits on Europe's First Exascale "
        "Supercomputer Harnessing Its Heterogeneous CPU-GPU Architecture, arXiv:2511.03359 (2025), "
        "https://arxiv.org/abs/2511.03359",
    ),
)
"""Published runs whose node counts the capacity model must reproduce. (The papers' timings
depend on circuits and code paths we do not model gate by gate; they are not pinned here.)"""


def validate_published(runs=PUBLISHED_RUNS):
    """Predicted vs published node counts, one row per run (pandas DataFrame)."""
    import pandas as pd
    from archmodels import load_machine

    rows = []
    for run in runs:
        m = load_machine(run.machine)
        predicted = nodes_to_hold(state_vector_bytes(run.n_qubits, BYTES_PER_AMPLITUDE[run.precision]), m.node.memory_bytes)
        rows.append(
            {
                "run": run.name,
                "machine": run.machine,
                "n_qubits": run.n_qubits,
                "published_nodes": run.nodes,
                "predicted_nodes": predicted,
                "error": predicted / run.nodes - 1.0,
                "source": run.source,
            }
        )
    return pd.DataFrame(rows)


def layered_circuit(n_qubits: int, layers: int, seed: int = 0):
    """Qiskit circuit of ``layers`` layers of a random ``u`` on every qubit and ``cx`` on alternating
    neighbour pairs (the shape of :meth:`quantum.emulation_cost.CircuitShape.layered`), angles drawn
    from ``numpy.random.default_rng(seed)``."""
    import numpy as np
    from qiskit import QuantumCircuit

    rng = np.random.default_rng(seed)
    qc = QuantumCircuit(n_qubits)
    for layer in range(layers):
        for q in range(n_qubits):
            qc.u(*rng.uniform(0, 2 * np.pi, 3), q)
        for q in range(layer % 2, n_qubits - 1, 2):
            qc.cx(q, q + 1)
    return qc


def feed_forward_circuit(n_qubits: int = 20, measurements: int = 5, layers: int = 2, seed: int = 0):
    """Dynamic circuit of ``measurements`` rounds of ``layers`` layers (as :func:`layered_circuit`),
    each followed by a measurement of qubit k into ``mid[k]`` and, if it read 1, ``x`` on qubit
    k+1 and ``rz`` (random angle) on qubit k+2; then ``layers`` more layers and a measurement of
    every qubit into ``meas``. Up to 2**measurements shot branches; angles from
    ``numpy.random.default_rng(seed)``. The circuit of benchmarks/compare_aer_dynamic.py."""
    import numpy as np
    from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

    if not 1 <= measurements <= n_qubits - 2:
        raise ValueError(f"measurements must be 1..{n_qubits - 2}, got {measurements}")
    rng = np.random.default_rng(seed)
    mid, meas = ClassicalRegister(measurements, "mid"), ClassicalRegister(n_qubits, "meas")
    qc = QuantumCircuit(QuantumRegister(n_qubits, "q"), mid, meas)

    def layer(k):
        for q in range(n_qubits):
            qc.u(*rng.uniform(0, 2 * np.pi, 3), q)
        for q in range(k % 2, n_qubits - 1, 2):
            qc.cx(q, q + 1)

    for k in range(measurements):
        for j in range(layers):
            layer(j)
        qc.measure(k, mid[k])
        with qc.if_test((mid[k], 1)):
            qc.x(k + 1)
            qc.rz(float(rng.uniform(0, 2 * np.pi)), k + 2)
    for j in range(layers):
        layer(j)
    qc.measure(range(n_qubits), meas)
    return qc


def validate_on_host(n_qubits: int = 22, depth: int = 4, threads: int | None = None, seed: int = 0) -> dict:
    """Measure this emulator on the host and compare with the model fed the host's measured profile.

    The host "machine" is one node with the STREAM-triad bandwidth and the fp64 FMA peak measured
    now (:func:`archmodels.bench.apps.run_triad`, :func:`archmodels.bench.peak.measure_peak`); the
    modelled time is ``passes * max(2 S / B_triad, F_pass / P_peak)`` with ``F`` the flops of the
    fused dense gates. Timings are noisy on a shared host; the result records them.
    """
    import time

    import numba

    from archmodels.bench.apps import run_triad
    from archmodels.bench.peak import measure_peak
    from quantum.circuits import compile_circuit
    from quantum.engine import apply_plan, zero_state
    from quantum.memory import check_state_memory

    threads = threads or numba.get_num_threads()
    qc = layered_circuit(n_qubits, depth, seed)
    check_state_memory(n_qubits)
    program = compile_circuit(qc)
    state = zero_state(n_qubits)
    for plan in program.body:  # warm-up compiles the kernels
        apply_plan(state, plan)
    state = zero_state(n_qubits)
    t0 = time.perf_counter()
    for plan in program.body:
        apply_plan(state, plan)
    measured = time.perf_counter() - t0
    triad = run_triad(1 << 24, threads)
    bw = triad.bytes / triad.spread.min_s
    flop, spread, _ = measure_peak(threads)
    peak = flop / spread.min_s
    flops_per_amplitude = sum(
        (6.0 if g.diagonal else 8.0 * 2 ** len(g.qubits)) for plan in program.body for b in plan.blocks for g in b.gates
    )
    flops = flops_per_amplitude * 2**n_qubits
    modelled = program.passes * pass_time_s(state_vector_bytes(n_qubits, 16), bw, flops / program.passes, peak)
    return {
        "n_qubits": n_qubits,
        "depth": depth,
        "threads": threads,
        "passes": program.passes,
        "measured_time_s": measured,
        "triad_bandwidth_bytes_per_s": bw,
        "peak_flop_per_s": peak,
        "flops": flops,
        "achieved_flop_per_s": flops / measured,
        "modelled_time_s": modelled,
        "error": modelled / measured - 1.0,
        "achieved_bandwidth_bytes_per_s": program.passes * 2 * state_vector_bytes(n_qubits, 16) / measured,
        "seed": seed,
    }
