"""Side by side: EmulatorEstimator vs Qiskit Aer's EstimatorV2 on the same layered circuit.

    python benchmarks/compare_aer.py [--qubits 24] [--layers 10] [--threads 2] [--seed 0] [--repeat 1] [--json]

The circuit: ``layers`` layers of ``u`` (random angles, seeded) on every qubit followed by ``cx``
on alternating neighbour pairs; the observable: the sum of single-qubit Z terms. Both run with the
same thread count after a small warm-up (kernel compilation/loading is not timed); with
``--repeat R`` the two run alternately R times and the best time of each is kept (a shared host is
noisy). Prints both
times, the ratio, the emulator's passes over memory and its achieved bandwidth against the host's
STREAM triad measured in the same run. Not an asv benchmark: it needs qiskit-aer and takes ~30 s.
"""

from __future__ import annotations

import argparse
import json
import os
import time

# Aer and numba each load their own libgomp, which reads OMP_WAIT_POLICY once, when loaded: set it
# before either so both run under the same policy (passive, as archmodels.bench sets for numba;
# spinning threads stall every parallel region on a shared 2-vCPU host).
os.environ.setdefault("OMP_WAIT_POLICY", "passive")


def z_sum(n_qubits: int):
    from qiskit.quantum_info import SparsePauliOp

    return SparsePauliOp.from_sparse_list([("Z", [q], 1.0) for q in range(n_qubits)], n_qubits)


def compare(n_qubits: int = 24, layers: int = 10, threads: int = 2, seed: int = 0, repeat: int = 1) -> dict:
    """Time both estimators on the same PUB; return times, ratio, passes and bandwidths."""
    from qiskit_aer.primitives import EstimatorV2 as AerEstimator

    from archmodels.bench.apps import run_triad
    from quantum import EmulatorEstimator
    from quantum.emulation_validation import layered_circuit

    qc = layered_circuit(n_qubits, layers, seed)
    obs = z_sum(n_qubits)
    ours = EmulatorEstimator(threads=threads, seed=seed)
    aer = AerEstimator(options={"backend_options": {"max_parallel_threads": threads}})
    small = layered_circuit(12, 2, seed)
    ours.run([(small, z_sum(12))]).result()
    aer.run([(small, z_sum(12))]).result()

    t_ours = t_aer = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        r_ours = ours.run([(qc, obs)]).result()[0]
        t_ours = min(t_ours, time.perf_counter() - t0)
        t0 = time.perf_counter()
        r_aer = aer.run([(qc, obs)]).result()[0]
        t_aer = min(t_aer, time.perf_counter() - t0)

    triad = run_triad(1 << 25, threads)
    triad_bw = triad.bytes / triad.spread.min_s
    state_bytes = 16 * 2**n_qubits
    passes = r_ours.metadata["passes"]
    # gate passes plus the read-only pass of the observable (one X mask: all Z terms share it)
    moved = passes * 2 * state_bytes + state_bytes
    ev_ours, ev_aer = float(r_ours.data.evs), float(r_aer.data.evs)
    return {
        "n_qubits": n_qubits,
        "layers": layers,
        "threads": threads,
        "seed": seed,
        "repeat": repeat,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "emulator_time_s": t_ours,
        "aer_time_s": t_aer,
        "ratio": t_ours / t_aer,
        "passes": passes,
        "achieved_bandwidth_bytes_per_s": moved / t_ours,
        "triad_bandwidth_bytes_per_s": triad_bw,
        "expectation_emulator": ev_ours,
        "expectation_aer": ev_aer,
        "abs_difference": abs(ev_ours - ev_aer),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qubits", type=int, default=24)
    parser.add_argument("--layers", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out = compare(args.qubits, args.layers, args.threads, args.seed, args.repeat)
    if args.json:
        print(json.dumps(out, sort_keys=True, indent=2))
        return
    print(
        f"circuit: {out['n_qubits']} qubits, {out['layers']} layers, {out['threads']} threads, "
        f"seed {out['seed']}, best of {out['repeat']}, OMP_WAIT_POLICY={out['omp_wait_policy']}"
    )
    print(f"EmulatorEstimator : {out['emulator_time_s']:8.3f} s   <Z sum> = {out['expectation_emulator']:+.12f}")
    print(f"Aer EstimatorV2   : {out['aer_time_s']:8.3f} s   <Z sum> = {out['expectation_aer']:+.12f}")
    print(f"ratio emulator/Aer: {out['ratio']:.3f}")
    print(f"passes over memory: {out['passes']}")
    print(
        f"achieved bandwidth: {out['achieved_bandwidth_bytes_per_s'] / 1e9:.2f} GB/s "
        f"(host triad {out['triad_bandwidth_bytes_per_s'] / 1e9:.2f} GB/s)"
    )


if __name__ == "__main__":
    main()
