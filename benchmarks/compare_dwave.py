"""Side by side: quantum.annealing.SimulatedAnnealingSampler vs dwave-samplers' SimulatedAnnealingSampler.

Sparse random ±1 Ising models (configuration-model graphs of the given degree, h = 0), the same
reads, sweeps, seed and beta range (both use dwave-samplers' default-range rule). Spin updates per
second = reads x sweeps x n / wall time of the whole ``sample_ising`` call (conversion included),
after one warm-up call of each sampler. Needs ``pip install dwave-samplers``.

    python benchmarks/compare_dwave.py --sizes 2000 5000 20000 --reads 8 --sweeps 1000 [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np


def compare(n: int, degree: int, reads: int, sweeps: int, seed: int) -> dict:
    """One side-by-side run on one random model; returns a dict of measured numbers."""
    from dwave.samplers import SimulatedAnnealingSampler as DWaveSA

    from quantum.annealing import SimulatedAnnealingSampler
    from quantum.annealing.problems import random_sparse_ising, to_bqm

    bqm = to_bqm(random_sparse_ising(n, degree, seed))
    h, J = dict(bqm.linear), dict(bqm.quadratic)
    ours, theirs = SimulatedAnnealingSampler(), DWaveSA()
    ours.sample_ising(h, J, num_reads=2, num_sweeps=2, seed=seed)  # compile / load cache
    theirs.sample_ising(h, J, num_reads=1, num_sweeps=2, seed=seed)
    t0 = time.perf_counter()
    a = ours.sample_ising(h, J, num_reads=reads, num_sweeps=sweeps, seed=seed)
    t1 = time.perf_counter()
    b = theirs.sample_ising(h, J, num_reads=reads, num_sweeps=sweeps, seed=seed)
    t2 = time.perf_counter()
    updates = reads * sweeps * n
    ours_best, theirs_best = float(a.first.energy), float(b.first.energy)
    return {
        "n": n,
        "degree": degree,
        "num_reads": reads,
        "num_sweeps": sweeps,
        "seed": seed,
        "ours_time_s": t1 - t0,
        "dwave_time_s": t2 - t1,
        "ours_spin_updates_per_s": updates / (t1 - t0),
        "dwave_spin_updates_per_s": updates / (t2 - t1),
        "speedup": (t2 - t1) / (t1 - t0),
        "ours_best_energy": ours_best,
        "dwave_best_energy": theirs_best,
        "ours_mean_energy": float(np.mean(a.record.energy)),
        "dwave_mean_energy": float(np.mean(b.record.energy)),
        # positive when ours is worse; energies are negative
        "best_energy_gap_rel": (ours_best - theirs_best) / abs(theirs_best),
        "kernel": a.info["kernel"],
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[2000, 5000, 20000])
    p.add_argument("--degree", type=int, default=8)
    p.add_argument("--reads", type=int, default=8)
    p.add_argument("--sweeps", type=int, default=1000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    rows = [compare(n, args.degree, args.reads, args.sweeps, args.seed) for n in args.sizes]
    if args.json:
        print(json.dumps(rows, indent=2, sort_keys=True))
    else:
        head = f"{'n':>6} {'ours Mupd/s':>12} {'dwave Mupd/s':>13} {'speedup':>8} {'ours best':>10} {'dwave best':>11} {'gap %':>7}"
        print(head)
        for r in rows:
            print(
                f"{r['n']:>6} {r['ours_spin_updates_per_s'] / 1e6:>12.1f} {r['dwave_spin_updates_per_s'] / 1e6:>13.1f}"
                f" {r['speedup']:>8.2f} {r['ours_best_energy']:>10.0f} {r['dwave_best_energy']:>11.0f}"
                f" {100 * r['best_energy_gap_rel']:>7.3f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
