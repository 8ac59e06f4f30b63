"""Side by side: the emulator (complex64 and complex128) against qsim, qulacs and Qiskit Aer.

    python benchmarks/compare_simulators.py [--qubits 24 ...] [--layers 10] [--threads 2] [--repeat 3]
        [--shots 10000] [--sample-qubits 20] [--skip aer,qulacs] [--json]

The circuit is :func:`quantum.emulation_validation.layered_circuit` (the one of
``benchmarks/compare_aer.py``); each simulator computes the exact ``<sum_q Z_q>`` of its final
state. Peers are optional (qsimcirq, qulacs, qiskit-aer): one that is not installed is skipped.
Every simulator is warmed up on a small circuit first (compilation is not timed); then the runs
are interleaved ``--repeat`` times (A B C .. A B C ..) and the best time of each is kept: the
host is shared and noisy, and the load average is printed with the results.

Printed per simulator: time [s], ratio to qsim's time, and for the emulator, whose plan is known,
the effective bandwidth ``passes * 2 * state_bytes / time`` [B/s] (each pass reads and writes the
state once; the observable's read-only pass is added) and the executed arithmetic rate
``flop / time`` [FLOP/s] with ``flop = sum over fused gates of 2**n * 8 * 2**k`` for a dense k-qubit
gate (a complex multiply-add is 8 real FLOP) and ``6 * 2**n`` for a diagonal one. For the peers,
whose fusion is internal, the nominal rate of the unfused circuit is printed (the same FLOP count
on the circuit's own gates), comparable across all rows. The binding limit compares the
emulator's two rates with the host's STREAM triad bandwidth and FMA peak, both measured in the
same run (:mod:`archmodels.bench`): the larger fraction binds.

The sampling comparison draws ``--shots`` shots of the ``--sample-qubits`` layered circuit with
a final measurement of every qubit (circuit simulation included), the emulator's
``EmulatorSampler`` against qsim's ``QSimSimulator.run``, qulacs and Aer's ``SamplerV2``.
Not an asv benchmark (it needs the peers and takes minutes); ``benchmarks/bench_quantum.py``
tracks the emulator's own times.
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("OMP_WAIT_POLICY", "passive")  # before numba's and Aer's libgomp load (compare_aer.py)


def _z_sum(n):
    from qiskit.quantum_info import SparsePauliOp

    return SparsePauliOp.from_sparse_list([("Z", [q], 1.0) for q in range(n)], n)


def _gates(qc):
    """(qubit indices, matrix in Qiskit order) of each gate of a measurement-free circuit."""
    from qiskit.quantum_info import Operator

    out = []
    for inst in qc.data:
        if inst.operation.name in ("measure", "barrier"):
            continue
        out.append(([qc.find_bit(q).index for q in inst.qubits], Operator(inst.operation).data))
    return out


def nominal_flop(qc) -> float:
    """FLOP of the unfused circuit: ``2**n * 8 * 2**k`` per k-qubit gate [FLOP]."""
    n = qc.num_qubits
    return float(sum(8 * 2 ** len(qs) for qs, _ in _gates(qc)) * 2**n)


def plan_cost(n_qubits: int, precision: str, plan_blocks) -> tuple[float, float]:
    """(bytes moved, FLOP executed) of the emulator's plan: passes and fused gates [B, FLOP]."""
    amp = 8 if precision == "single" else 16
    state = amp * 2**n_qubits
    flop = 0.0
    for block in plan_blocks:
        for g in block.gates:
            flop += (6 if g.diagonal else 8 * 2 ** len(g.qubits)) * 2**n_qubits
    return 2.0 * state * len(plan_blocks) + state, flop


# ---- runners: each returns (setup(qc) -> run() -> expectation value) -------------------------------


def _ours(precision, threads):
    from quantum import EmulatorEstimator

    est = EmulatorEstimator(options={"precision": precision, "threads": threads}, seed=0)

    def setup(qc):
        obs = _z_sum(qc.num_qubits)
        return lambda: float(est.run([(qc, obs)]).result()[0].data.evs)

    return setup


def _qsim(threads):
    import cirq
    import qsimcirq

    sim = qsimcirq.QSimSimulator(qsimcirq.QSimOptions(cpu_threads=threads, max_fused_gate_size=4))

    def setup(qc):
        cc, lq = _to_cirq(qc)
        obs = [sum(cirq.Z(q) for q in lq)]
        return lambda: float(sim.simulate_expectation_values(cc, obs)[0].real)

    return setup


def _to_cirq(qc, measure=False):
    import cirq

    lq = cirq.LineQubit.range(qc.num_qubits)
    ops = []
    for qs, m in _gates(qc):
        # Qiskit's matrix index bit i is qs[i]; cirq's first qubit is the most significant bit
        ops.append(cirq.MatrixGate(m).on(*[lq[q] for q in reversed(qs)]))
    if measure:
        ops.append(cirq.measure(*lq, key="m"))
    return cirq.Circuit(ops), lq


def _qulacs(threads):
    os.environ.setdefault("QULACS_NUM_THREADS", str(threads))
    import qulacs

    def setup(qc):
        n = qc.num_qubits
        circ = _to_qulacs(qc)
        obs = qulacs.Observable(n)
        for q in range(n):
            obs.add_operator(1.0, f"Z {q}")

        def run():
            st = qulacs.QuantumState(n)
            circ.update_quantum_state(st)
            return float(obs.get_expectation_value(st))

        return run

    return setup


def _to_qulacs(qc):
    import qulacs
    from qulacs.gate import DenseMatrix

    circ = qulacs.QuantumCircuit(qc.num_qubits)
    for qs, m in _gates(qc):
        circ.add_gate(DenseMatrix(list(qs), m))  # qulacs: matrix bit i is targets[i], as Qiskit
    return circ


def _aer(threads):
    from qiskit_aer.primitives import EstimatorV2

    est = EstimatorV2(options={"backend_options": {"max_parallel_threads": threads}})

    def setup(qc):
        obs = _z_sum(qc.num_qubits)
        return lambda: float(est.run([(qc, obs)]).result()[0].data.evs)

    return setup


RUNNERS = {
    "ours-c64": lambda t: _ours("single", t),
    "ours-c128": lambda t: _ours("double", t),
    "qsim-c64": _qsim,
    "qulacs-c128": _qulacs,
    "aer-c128": _aer,
}


def _available(names, threads, skip):
    out = {}
    for name in names:
        if name.split("-")[0] in skip:
            continue
        try:
            out[name] = RUNNERS[name](threads)
        except ImportError as exc:
            print(f"# {name}: skipped ({exc})")
    return out


def host_limits(threads: int) -> dict:
    """Host triad bandwidth [B/s] and FMA peak (float64, float32) [FLOP/s], measured now."""
    import numpy as np

    from archmodels.bench.apps import run_triad
    from archmodels.bench.peak import measure_peak

    triad = run_triad(1 << 25, threads, budget_s=1.0)
    f64, s64, _ = measure_peak(threads, dtype=np.float64, budget_s=0.5)
    f32, s32, _ = measure_peak(threads, dtype=np.float32, budget_s=0.5)
    return {"triad_bytes_per_s": triad.bytes / triad.spread.min_s,
            "fma_peak_f64_flop_per_s": f64 / s64.min_s, "fma_peak_f32_flop_per_s": f32 / s32.min_s}


def compare_expectation(n_qubits: int, layers: int, threads: int, repeat: int, skip=(), limits=None) -> dict:
    """Best-of-``repeat`` interleaved times of every available simulator at ``n_qubits``."""
    from quantum.circuits import compile_circuit
    from quantum.emulation_validation import layered_circuit

    sims = _available(list(RUNNERS), threads, skip)
    small = layered_circuit(12, 2, 0)
    for setup in sims.values():
        setup(small)()
    qc = layered_circuit(n_qubits, layers, 0)
    runs = {k: s(qc) for k, s in sims.items()}
    best = {k: float("inf") for k in runs}
    evs = {}
    for _ in range(repeat):
        for k, run in runs.items():
            t0 = time.perf_counter()
            evs[k] = run()
            best[k] = min(best[k], time.perf_counter() - t0)
    nominal = nominal_flop(qc)
    program = compile_circuit(qc)
    blocks = [b for item in program.body if hasattr(item, "blocks") for b in item.blocks]
    rows = {}
    for k, t in best.items():
        row = {"time_s": t, "expectation": evs[k], "nominal_flop_per_s": nominal / t}
        if k.startswith("ours"):
            prec = "single" if k.endswith("c64") else "double"
            moved, flop = plan_cost(n_qubits, prec, blocks)
            row.update(passes=len(blocks), bytes_per_s=moved / t, flop_per_s=flop / t)
            if limits:
                bw = row["bytes_per_s"] / limits["triad_bytes_per_s"]
                fp = row["flop_per_s"] / limits["fma_peak_f32_flop_per_s" if prec == "single" else "fma_peak_f64_flop_per_s"]
                row.update(bandwidth_fraction=bw, fma_fraction=fp,
                           binds="memory bandwidth" if bw >= fp else "arithmetic (FMA)")
        if "qsim-c64" in best:
            row["ratio_to_qsim"] = t / best["qsim-c64"]
        rows[k] = row
    return {"n_qubits": n_qubits, "layers": layers, "threads": threads, "repeat": repeat, "rows": rows,
            "load_average": os.getloadavg()}


def compare_sampling(n_qubits: int, shots: int, threads: int, repeat: int, skip=()) -> dict:
    """Best-of-``repeat`` interleaved times to draw ``shots`` shots (simulation included)."""
    from quantum import EmulatorSampler
    from quantum.emulation_validation import layered_circuit

    qc = layered_circuit(n_qubits, 10, 0)
    qm = qc.copy()
    qm.measure_all()
    runs = {}
    for prec in ("single", "double"):
        s = EmulatorSampler(options={"precision": prec, "threads": threads, "seed": 0})
        runs[f"ours-c{64 if prec == 'single' else 128}"] = (lambda s=s: s.run([qm], shots=shots).result())
    if "qsim" not in skip:
        try:
            import qsimcirq

            sim = qsimcirq.QSimSimulator(qsimcirq.QSimOptions(cpu_threads=threads, max_fused_gate_size=4), seed=0)
            cc, _ = _to_cirq(qc, measure=True)
            runs["qsim-c64"] = lambda: sim.run(cc, repetitions=shots)
        except ImportError as exc:
            print(f"# qsim: skipped ({exc})")
    if "qulacs" not in skip:
        try:
            import qulacs

            circ = _to_qulacs(qc)

            def qulacs_run():
                st = qulacs.QuantumState(n_qubits)
                circ.update_quantum_state(st)
                return st.sampling(shots, 0)

            runs["qulacs-c128"] = qulacs_run
        except ImportError as exc:
            print(f"# qulacs: skipped ({exc})")
    if "aer" not in skip:
        try:
            from qiskit_aer.primitives import SamplerV2

            aer = SamplerV2(seed=0, options={"backend_options": {"max_parallel_threads": threads}})
            runs["aer-c128"] = lambda: aer.run([qm], shots=shots).result()
        except ImportError as exc:
            print(f"# aer: skipped ({exc})")
    for run in runs.values():  # warm-up: compilation and first-call costs untimed
        run()
    best = {k: float("inf") for k in runs}
    for _ in range(repeat):
        for k, run in runs.items():
            t0 = time.perf_counter()
            run()
            best[k] = min(best[k], time.perf_counter() - t0)
    rows = {k: {"time_s": t} for k, t in best.items()}
    if "qsim-c64" in best:
        for k in rows:
            rows[k]["ratio_to_qsim"] = best[k] / best["qsim-c64"]
    return {"n_qubits": n_qubits, "shots": shots, "repeat": repeat, "rows": rows, "load_average": os.getloadavg()}


def _print_table(res: dict, limits: dict | None) -> None:
    print(f"\n{res['n_qubits']} qubits, {res['layers']} layers, {res['threads']} threads, best of "
          f"{res['repeat']} interleaved, load average {', '.join(f'{x:.2f}' for x in res['load_average'])}")
    print(f"{'simulator':12s} {'time s':>8s} {'/qsim':>6s} {'GB/s':>6s} {'GFLOP/s':>8s} {'nominal':>8s}  binds   <Z sum>")
    for k, r in res["rows"].items():
        ratio = f"{r['ratio_to_qsim']:6.2f}" if "ratio_to_qsim" in r else "     -"
        bw = f"{r['bytes_per_s'] / 1e9:6.2f}" if "bytes_per_s" in r else "     -"
        fl = f"{r['flop_per_s'] / 1e9:8.2f}" if "flop_per_s" in r else "       -"
        binds = f"{r['binds']} ({r['bandwidth_fraction']:.0%} of triad, {r['fma_fraction']:.0%} of FMA peak)" if "binds" in r else ""
        print(f"{k:12s} {r['time_s']:8.3f} {ratio} {bw} {fl} {r['nominal_flop_per_s'] / 1e9:8.2f}  {binds}  "
              f"{r['expectation']:+.6f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qubits", type=int, nargs="*", default=[24], help="state sizes; none: sampling only")
    parser.add_argument("--layers", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--shots", type=int, default=10_000)
    parser.add_argument("--sample-qubits", type=int, default=20)
    parser.add_argument("--skip", default="", help="comma-separated peers to leave out: qsim,qulacs,aer")
    parser.add_argument("--no-sampling", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    skip = tuple(s for s in args.skip.split(",") if s)
    limits = host_limits(args.threads)
    out = {"host": limits, "expectation": [], "sampling": None}
    if not args.json:
        print(f"host: triad {limits['triad_bytes_per_s'] / 1e9:.1f} GB/s, FMA peak "
              f"{limits['fma_peak_f64_flop_per_s'] / 1e9:.1f} GFLOP/s f64, "
              f"{limits['fma_peak_f32_flop_per_s'] / 1e9:.1f} f32", flush=True)
    for n in args.qubits:
        out["expectation"].append(compare_expectation(n, args.layers, args.threads, args.repeat, skip, limits))
        if not args.json:
            _print_table(out["expectation"][-1], limits)
    if not args.no_sampling:
        out["sampling"] = compare_sampling(args.sample_qubits, args.shots, args.threads, args.repeat, skip)
    if args.json:
        print(json.dumps(out, sort_keys=True, indent=2))
        return
    if out["sampling"]:
        s = out["sampling"]
        print(f"\nsampling {s['shots']} shots, {s['n_qubits']} qubits (simulation included), best of {s['repeat']}, "
              f"load average {', '.join(f'{x:.2f}' for x in s['load_average'])}")
        for k, r in s["rows"].items():
            ratio = f"{r['ratio_to_qsim']:6.2f}" if "ratio_to_qsim" in r else "     -"
            print(f"{k:12s} {r['time_s']:8.3f} {ratio}")


if __name__ == "__main__":
    main()
