"""Side by side: EmulatorSampler vs Qiskit Aer on a dynamic circuit (mid-circuit measurements with
feed-forward).

    python benchmarks/compare_aer_dynamic.py [--qubits 20] [--measurements 5] [--layers 2]
        [--shots 10000] [--threads 2] [--seed 0] [--repeat 1] [--aer-timeout 300] [--json]

The circuit (:func:`quantum.emulation_validation.feed_forward_circuit`): ``measurements`` rounds
of ``layers`` layers of ``u`` (random angles, seeded) on every qubit and ``cx`` on alternating
neighbour pairs, then a measurement of qubit k into ``mid[k]`` and, if it read 1, ``x`` on qubit
k+1 and ``rz`` on qubit k+2 (feed-forward); then ``layers`` more layers and a measurement of every
qubit into ``meas``.
Each mid-circuit measurement can split the shots, so at most 2**measurements branches exist.

Timed: ``EmulatorSampler.run`` (shot branching, :mod:`quantum.dynamic`) and ``AerSimulator.run``
(statevector method) twice: with Aer's defaults and with ``shot_branching_enable=True`` (Aer's own
shot branching, off by default), both with ``max_memory_mb`` half the memory free at the start.
Each runs after a small warm-up (compilation is not timed); with ``--repeat R`` they alternate R
times and the best of each is kept. Each Aer run goes in a child process killed after
``--aer-timeout`` seconds (reported as not finished). Printed: the times, the ratios ours/Aer, the
emulator's branches and passes, and the total-variation distance between the two ``mid``
distributions (shot noise alone gives about sqrt(k / (2 shots)) for k outcomes). Not an
asv benchmark: it needs qiskit-aer and may take minutes.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import time

# Aer and numba each load their own libgomp, which reads OMP_WAIT_POLICY once, when loaded: set it
# before either so both run under the same policy (as benchmarks/compare_aer.py does)
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

from quantum.emulation_validation import feed_forward_circuit  # noqa: E402  (after the policy)


def _aer_child(qc, shots, threads, seed, branching, max_memory_mb, queue):
    try:
        from qiskit_aer import AerSimulator

        sim = AerSimulator(
            method="statevector",
            max_parallel_threads=threads,
            shot_branching_enable=branching,
            max_memory_mb=max_memory_mb,
        )
        sim.run(feed_forward_circuit(6, 2, 1, seed), shots=10, seed_simulator=seed).result()  # warm-up
        t0 = time.perf_counter()
        result = sim.run(qc, shots=shots, seed_simulator=seed).result()
        elapsed = time.perf_counter() - t0
        queue.put((elapsed, result.get_counts(), None))
    except Exception as err:  # reported by the parent, which has no other way to see it
        queue.put((None, None, f"{type(err).__name__}: {err}"))


def run_aer_timed(qc, shots: int, threads: int, seed: int, branching: bool, timeout_s: float):
    """(seconds, counts) of one Aer run in a child process, or (None, None) past ``timeout_s``.

    An error in the child is raised here as a RuntimeError with the child's message."""
    import queue as queues

    from quantum.memory import available_bytes

    # Aer's own limit (its default is the host's memory) let shot branching at 20 qubits grow to
    # the whole 23 GiB of the development host and be killed: give it half of what is free now
    max_memory_mb = available_bytes() // 2**21
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_aer_child, args=(qc, shots, threads, seed, branching, max_memory_mb, queue))
    proc.start()
    deadline = time.perf_counter() + timeout_s
    try:
        while True:
            try:
                elapsed, counts, error = queue.get(timeout=1.0)
                break
            except queues.Empty:
                if not proc.is_alive():
                    raise RuntimeError(f"the Aer child process died (exit code {proc.exitcode})") from None
                if time.perf_counter() > deadline:
                    return None, None
        if error:
            raise RuntimeError(f"Aer failed: {error}")
        return elapsed, counts
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join()


def _mid_distribution_from_aer(counts: dict, n_mid: int) -> dict:
    """Aer's counts keys are 'meas mid' bitstrings (last register first): the mid marginal."""
    out: dict = {}
    for key, c in counts.items():
        mid = key.split()[-1]
        out[mid] = out.get(mid, 0) + c
    return out


def total_variation(a: dict, b: dict) -> float:
    na, nb = sum(a.values()), sum(b.values())
    return 0.5 * sum(abs(a.get(k, 0) / na - b.get(k, 0) / nb) for k in set(a) | set(b))


def compare(n_qubits=20, measurements=5, layers=2, shots=10_000, threads=2, seed=0, repeat=1, aer_timeout=300.0):
    """Time both simulators on the same circuit; return times, ratios and the emulator's figures."""
    from quantum import EmulatorSampler

    qc = feed_forward_circuit(n_qubits, measurements, layers, seed)
    ours = EmulatorSampler(seed=seed, threads=threads)
    ours.run([feed_forward_circuit(6, 2, 1, seed)], shots=10).result()  # warm-up: kernels compiled or loaded
    t_ours = t_aer = t_aer_branching = float("inf")
    aer_counts = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = ours.run([qc], shots=shots).result()[0]
        t_ours = min(t_ours, time.perf_counter() - t0)
        t, counts = run_aer_timed(qc, shots, threads, seed, False, aer_timeout)
        if t is not None:
            t_aer, aer_counts = min(t_aer, t), counts
        t, counts = run_aer_timed(qc, shots, threads, seed, True, aer_timeout)
        if t is not None:
            t_aer_branching, aer_counts = min(t_aer_branching, t), aer_counts or counts

    def finished(t):
        return None if t == float("inf") else t

    ours_mid = res.data.mid.get_counts()
    return {
        "n_qubits": n_qubits,
        "mid_circuit_measurements": measurements,
        "layers": layers,
        "shots": shots,
        "threads": threads,
        "seed": seed,
        "repeat": repeat,
        "aer_timeout_s": aer_timeout,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "emulator_time_s": t_ours,
        "aer_time_s": finished(t_aer),
        "aer_shot_branching_time_s": finished(t_aer_branching),
        "ratio": t_ours / t_aer if finished(t_aer) else None,
        "ratio_shot_branching": t_ours / t_aer_branching if finished(t_aer_branching) else None,
        "branches": res.metadata["branches"],
        "passes": res.metadata["passes"],
        "mid_outcomes": len(ours_mid),
        "tvd_mid_vs_aer": total_variation(ours_mid, _mid_distribution_from_aer(aer_counts, measurements))
        if aer_counts
        else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qubits", type=int, default=20)
    parser.add_argument("--measurements", type=int, default=5)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--shots", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--aer-timeout", type=float, default=300.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out = compare(args.qubits, args.measurements, args.layers, args.shots, args.threads, args.seed, args.repeat,
                  args.aer_timeout)
    if args.json:
        print(json.dumps(out, sort_keys=True, indent=2))
        return

    def show(t):
        return f"{t:8.3f} s" if t is not None else f"not finished in {out['aer_timeout_s']:.0f} s"

    def ratio(r):
        return f"{r:.4f}" if r is not None else "n/a"

    print(
        f"circuit: {out['n_qubits']} qubits, {out['mid_circuit_measurements']} mid-circuit measurements with "
        f"feed-forward, {out['layers']} layers between, {out['shots']} shots, {out['threads']} threads, "
        f"seed {out['seed']}, best of {out['repeat']}, OMP_WAIT_POLICY={out['omp_wait_policy']}"
    )
    print(f"EmulatorSampler               : {show(out['emulator_time_s'])}   "
          f"({out['branches']} branches, {out['passes']} passes)")
    print(f"Aer statevector (defaults)    : {show(out['aer_time_s'])}   ratio emulator/Aer {ratio(out['ratio'])}")
    print(f"Aer statevector, shot branching: {show(out['aer_shot_branching_time_s'])}   "
          f"ratio emulator/Aer {ratio(out['ratio_shot_branching'])}")
    if out["tvd_mid_vs_aer"] is not None:
        print(f"TVD of the 'mid' distributions (ours vs Aer, {out['mid_outcomes']} outcomes): "
              f"{out['tvd_mid_vs_aer']:.4f}")


if __name__ == "__main__":
    main()
