"""Speed of the design sweep against a scalar ``archmodels.predict``, printed side by side.

Run ``python benchmarks/sweep_speed.py [--points N] [--repeats R]``. It times
:meth:`fs.sweep.DesignEvaluator.evaluate` on the built-in study (``fugakunext``) for a full
factorial grid and for a Latin hypercube of ``N`` points, best of ``R`` repeats, and one scalar
``predict`` of the template on each of the study's workloads, and prints µs per design point, the
scalar predict time [ms] and their ratio (how many design points one predict costs). The
evaluator's one-time set-up (it predicts the reference machine) is excluded from the per-point
figure and printed apart.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def best_of(fn, repeats: int) -> float:
    """Smallest wall time of ``repeats`` calls of ``fn`` [s]."""
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=200_000, help="design points per evaluation")
    ap.add_argument("--repeats", type=int, default=5, help="repeats (the best is kept)")
    a = ap.parse_args()

    import archmodels
    from fs.study import load_study
    from fs.sweep import GIB, DesignEvaluator, design_table, grid, latin_hypercube

    study = load_study("fugakunext")
    t = time.perf_counter()
    ev = DesignEvaluator(study)
    ev.evaluate(latin_hypercube(16, seed=0))  # reference profile and cost tables
    setup_s = time.perf_counter() - t

    side = max(1, int(round((a.points / 20) ** 0.5)))
    g = grid(np.linspace(0, 16 * GIB, side), power_cap_w=np.linspace(1200, 3200, side))
    lhs = latin_hypercube(a.points, seed=1)
    t_grid = best_of(lambda: ev.evaluate(g), a.repeats)
    t_lhs = best_of(lambda: ev.evaluate(lhs), a.repeats)

    template = archmodels.load_machine(design_table()["template"])
    workloads = [archmodels.load_workload(w) for w in study.workloads]
    t_pred = best_of(lambda: [archmodels.predict(template, w) for w in workloads], a.repeats) / len(workloads)

    print(f"evaluator set-up (reference predict, cost tables): {setup_s * 1e3:8.1f} ms")
    print(f"grid  {len(g):>9,d} points: {t_grid / len(g) * 1e6:6.2f} us/point")
    print(f"LHS   {len(lhs):>9,d} points: {t_lhs / len(lhs) * 1e6:6.2f} us/point")
    print(f"scalar predict (template, mean over {len(workloads)} workloads): {t_pred * 1e3:6.3f} ms")
    print(f"one predict costs as much as {t_pred / (t_lhs / len(lhs)):,.0f} swept design points "
          f"(each point runs all {len(workloads)} workloads)")


if __name__ == "__main__":
    main()
