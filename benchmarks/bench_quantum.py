"""asv benchmarks of the quantum emulator: gates/s and passes/s by qubit count, fused-pass counts.

Setup builds the plan and compiles (or loads from numba's cache) the kernels outside the timed
region. The layered circuit is the one of benchmarks/compare_aer.py (u on every qubit, cx on
alternating neighbour pairs).
"""

import time

import numpy as np

from quantum.engine import apply_plan, plan_gates, zero_state


def layered_gates(n_qubits, layers, seed=0):
    """(qubits, matrix) of ``layers`` layers of random u on every qubit + cx on alternating pairs."""
    from qiskit.circuit.library import CXGate, UGate

    rng = np.random.default_rng(seed)
    cx = CXGate().to_matrix()
    gates = []
    for layer in range(layers):
        for q in range(n_qubits):
            gates.append(([q], UGate(*rng.uniform(0, 2 * np.pi, 3)).to_matrix()))
        for q in range(layer % 2, n_qubits - 1, 2):
            gates.append(([q, q + 1], cx))
    return gates


class LayeredCircuit:
    """A 4-layer circuit applied with the default plan (dense fusion to 2 qubits + cache blocks)."""

    params = [16, 20, 22]
    param_names = ["n_qubits"]
    timeout = 300

    def setup(self, n):
        self.gates = layered_gates(n, 4)
        self.plan = plan_gates(self.gates, n)
        self.state = zero_state(n)
        apply_plan(self.state, self.plan)

    def time_apply(self, n):
        apply_plan(self.state, self.plan)

    def track_gates_per_second(self, n):
        t0 = time.perf_counter()
        apply_plan(self.state, self.plan)
        return len(self.gates) / (time.perf_counter() - t0)

    track_gates_per_second.unit = "gates/s"

    def track_passes_per_second(self, n):
        t0 = time.perf_counter()
        apply_plan(self.state, self.plan)
        return self.plan.passes / (time.perf_counter() - t0)

    track_passes_per_second.unit = "passes/s"


class FusedPassCounts:
    """Passes over memory the planner needs for a 24-qubit, 10-layer circuit (no state allocated)."""

    params = [0, 15]
    param_names = ["chunk_qubits"]

    def setup(self, chunk_qubits):
        self.gates = layered_gates(24, 10)

    def track_fused_gates(self, chunk_qubits):
        return plan_gates(self.gates, 24, chunk_qubits=chunk_qubits).fused_gates

    track_fused_gates.unit = "passes"

    def track_passes(self, chunk_qubits):
        return plan_gates(self.gates, 24, chunk_qubits=chunk_qubits).passes

    track_passes.unit = "passes"


class DynamicCircuit:
    """Shot branching on a dynamic circuit: 5 mid-circuit measurements with feed-forward, 2 layers
    between (:func:`quantum.emulation_validation.feed_forward_circuit`), 10,000 shots, through
    ``EmulatorSampler`` (benchmarks/compare_aer_dynamic.py runs it against Aer at 20 qubits)."""

    params = [12, 16]
    param_names = ["n_qubits"]
    timeout = 300

    def setup(self, n):
        from quantum import EmulatorSampler
        from quantum.emulation_validation import feed_forward_circuit

        self.circuit = feed_forward_circuit(n, 5, 2)
        self.sampler = EmulatorSampler(seed=0)
        self.sampler.run([feed_forward_circuit(6, 2, 1)], shots=10).result()  # kernels compiled or loaded

    def time_sample(self, n):
        self.sampler.run([self.circuit], shots=10_000).result()

    def track_branches(self, n):
        return self.sampler.run([self.circuit], shots=10_000).result()[0].metadata["branches"]

    track_branches.unit = "branches"


class VersusQsim:
    """Time ratio of the emulator to qsim (qsimcirq, complex64, fused gates up to 4 qubits) on the
    layered circuit of benchmarks/compare_simulators.py, best of 3 interleaved, 2 threads; and of
    10,000 shots of it. qsim is an optional peer: without qsimcirq the benchmark is skipped
    (asv skips a benchmark whose setup raises NotImplementedError). Below 1 the emulator is faster."""

    params = (["single", "double"], [20, 22])
    param_names = ["precision", "n_qubits"]
    timeout = 300
    number = 1
    repeat = 1

    def setup(self, precision, n):
        try:
            from benchmarks import compare_simulators as cs

            cs._qsim(2)
        except ImportError:
            raise NotImplementedError("qsimcirq is not installed") from None
        from quantum.emulation_validation import layered_circuit

        self.cs = cs
        qc = layered_circuit(n, 10, 0)
        small = layered_circuit(12, 2, 0)
        self.ours = cs._ours(precision, 2)
        self.qsim = cs._qsim(2)
        self.ours(small)()
        self.qsim(small)()
        self.runs = (self.ours(qc), self.qsim(qc))

    def track_ratio_to_qsim(self, precision, n):
        best = [float("inf"), float("inf")]
        for _ in range(3):
            for i, run in enumerate(self.runs):
                t0 = time.perf_counter()
                run()
                best[i] = min(best[i], time.perf_counter() - t0)
        return best[0] / best[1]

    track_ratio_to_qsim.unit = "ratio"

    def track_sampling_ratio_to_qsim(self, precision, n):
        rows = self.cs.compare_sampling(n, 10_000, 2, 3, skip=("qulacs", "aer"))["rows"]
        return rows["ours-c64" if precision == "single" else "ours-c128"]["ratio_to_qsim"]

    track_sampling_ratio_to_qsim.unit = "ratio"
