"""Side by side, in one run: `fsw bench` against a compiled C OpenMP triad and against numpy DGEMM.

1. STREAM triad a[i] = b[i] + q*c[i]: a C OpenMP kernel (gcc -O3 -march=native -fopenmp, written
   to a temporary directory) against ``fsw bench --kernel triad --threads T --size N --json``,
   both in STREAM bytes (24 per element), best of repetitions. Target: ratio >= 0.95.
2. Peak FP64: ``fsw bench --kernel peak --threads T --precision fp64 --json`` against numpy's DGEMM
   on 4000 x 4000 with T BLAS threads (threadpoolctl when installed, else OPENBLAS_NUM_THREADS in a
   subprocess). Target: >= 1.1x (a peak kernel must beat DGEMM).

3. The ceiling both sides share: the core clock, estimated from a chain of dependent scalar FMAs
   (each waits for the one before: ``--fma-latency`` cycles apiece, 4 on Golden Cove / Sapphire
   Rapids and on Zen 4 per the vendors' optimisation manuals), turns each rate into FP64 FLOP per
   cycle per core. 32 is the most a core with two 512-bit FMA pipes can do (2 pipes x 8 lanes x 2
   FLOP); a peak kernel at 32 cannot be beaten, and DGEMM's share of it bounds the ratio of step 2.
   The chain is scalar and runs on one core, so it sees the highest turbo clock; 512-bit code on
   all cores may run slower (Intel's AVX-512 frequency licences), so the per-cycle figures are
   lower bounds.

Usage: python benchmarks/compare_c_triad.py [--threads 2] [--size 40000000] [--rounds 3] [--json]

Each comparison alternates the two sides ``--rounds`` times and keeps each side's best, so that
load from other users of the machine hits both alike. Each side also reports its CPU share (process
CPU time / (wall time x threads)): on a machine shared with other jobs a "2-thread" run may get one
core's worth, and the ratios then compare something else than the targets mean.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

C_TRIAD = textwrap.dedent(r"""
    #include <omp.h>
    #include <stdio.h>
    #include <stdlib.h>
    #include <time.h>
    int main(int argc, char **argv) {
        long n = atol(argv[1]);
        int reps = atoi(argv[2]);
        double *a = malloc(n * sizeof(double)), *b = malloc(n * sizeof(double)), *c = malloc(n * sizeof(double));
        double q = 3.0, best = 1e30, wall = 0.0;
        #pragma omp parallel for schedule(static)
        for (long i = 0; i < n; i++) { a[i] = 1.0; b[i] = 2.0; c[i] = 0.5; }
        clock_t c0 = clock();
        for (int r = 0; r < reps; r++) {
            double t0 = omp_get_wtime();
            #pragma omp parallel for schedule(static)
            for (long i = 0; i < n; i++) a[i] = b[i] + q * c[i];
            double t = omp_get_wtime() - t0;
            wall += t;
            if (t < best) best = t;
        }
        double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
        double check = 0.0;
        for (long i = 0; i < n; i += n / 16 + 1) check += a[i];
        printf("{\"time_s\": %.9g, \"bandwidth_bytes_per_s\": %.9g, \"check\": %.6g, \"threads\": %d, \"cpu_share\": %.4g}\n",
               best, 24.0 * n / best, check, omp_get_max_threads(), cpu / (wall * omp_get_max_threads()));
        return 0;
    }
""")

DGEMM = textwrap.dedent("""
    import json, os, sys, time
    import numpy as np
    n, threads, reps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    try:
        from threadpoolctl import threadpool_limits
        limit = threadpool_limits(limits=threads, user_api="blas")
    except ImportError:
        limit = None  # OPENBLAS_NUM_THREADS set by the parent
    rng = np.random.default_rng(0)
    a, b = rng.random((n, n)), rng.random((n, n))
    c = np.empty((n, n))
    np.matmul(a, b, out=c)
    times = []
    c0 = os.times()
    for _ in range(reps):
        t0 = time.perf_counter()
        np.matmul(a, b, out=c)
        times.append(time.perf_counter() - t0)
    c1 = os.times()
    cpu = (c1.user - c0.user) + (c1.system - c0.system)
    print(json.dumps({"time_s": min(times), "flop_per_s": 2.0 * n**3 / min(times), "n": n, "threads": threads,
                      "cpu_share": cpu / (sum(times) * threads)}))
""")


CLOCK = textwrap.dedent("""
    import json, sys, time
    from numba import njit
    @njit(fastmath={"contract"})
    def chain(n, x, y):
        v = 0.5
        for _ in range(n):
            v = v * x + y
        return v
    n, latency = int(sys.argv[1]), float(sys.argv[2])
    chain(10, 0.999999, 1e-7)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        chain(n, 0.999999, 1e-7)
        times.append(time.perf_counter() - t0)
    print(json.dumps({"clock_hz": latency * n / min(times), "fma_chain_length": n, "fma_latency_cycles": latency}))
""")


#: The same OpenMP placement for both sides (numba's OpenMP layer is libgomp too).
OMP_ENV = {"OMP_PROC_BIND": "spread", "OMP_WAIT_POLICY": "passive"}


def fsw(*args: str) -> dict:
    """Run ``fsw bench ... --json`` and parse its output."""
    exe = shutil.which("fsw")
    cmd = [exe] if exe else [sys.executable, "-m", "fs"]
    out = subprocess.run([*cmd, "bench", *args, "--json"], check=True, capture_output=True, text=True,
                         env={**os.environ, **OMP_ENV}).stdout
    return json.loads(out)


def c_triad(binary: Path, n: int, threads: int, reps: int) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), **OMP_ENV}
    out = subprocess.run([str(binary), str(n), str(reps)], check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out)


def numpy_dgemm(n: int, threads: int, reps: int) -> dict:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads)}
    out = subprocess.run([sys.executable, "-c", DGEMM, str(n), str(threads), str(reps)], check=True,
                         capture_output=True, text=True, env=env).stdout
    return json.loads(out)


def core_clock(latency_cycles: float) -> dict:
    """Clock estimate [Hz] from 200 M dependent FMAs, best of five, in a fresh process."""
    out = subprocess.run([sys.executable, "-c", CLOCK, str(200_000_000), str(latency_cycles)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--size", type=int, default=40_000_000, help="triad elements per array")
    parser.add_argument("--dgemm-size", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3, help="alternations of the two sides")
    parser.add_argument("--fma-latency", type=float, default=4.0, help="cycles per dependent FP64 FMA on this core")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    t = str(args.threads)

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "triad.c"
        src.write_text(C_TRIAD)
        binary = Path(tmp) / "triad"
        subprocess.run(["gcc", "-O3", "-march=native", "-fopenmp", str(src), "-o", str(binary)], check=True)
        c_runs, fsw_runs = [], []
        for _ in range(args.rounds):
            c_runs.append(c_triad(binary, args.size, args.threads, 10))
            fsw_runs.append(fsw("--kernel", "triad", "--threads", t, "--size", str(args.size)))
    best_c = max(r["bandwidth_bytes_per_s"] for r in c_runs)
    best_fsw = max(r["bandwidth_bytes_per_s"] for r in fsw_runs)

    peak_runs, dgemm_runs = [], []
    for _ in range(args.rounds):
        peak_runs.append(fsw("--kernel", "peak", "--threads", t, "--precision", "fp64"))
        dgemm_runs.append(numpy_dgemm(args.dgemm_size, args.threads, 3))
    best_peak = max(r["flop_per_s"] for r in peak_runs)
    best_dgemm = max(r["flop_per_s"] for r in dgemm_runs)
    clock = core_clock(args.fma_latency)
    per_cycle = args.threads * clock["clock_hz"]

    result = {
        "threads": args.threads,
        "triad_size": args.size,
        "c_triad_bandwidth_bytes_per_s": best_c,
        "fsw_triad_bandwidth_bytes_per_s": best_fsw,
        "triad_ratio": best_fsw / best_c,
        "triad_target": 0.95,
        "fsw_peak_fp64_flop_per_s": best_peak,
        "numpy_dgemm_flop_per_s": best_dgemm,
        "dgemm_size": args.dgemm_size,
        "peak_over_dgemm": best_peak / best_dgemm,
        "peak_target": 1.1,
        "clock_hz": clock["clock_hz"],
        "fma_latency_cycles": args.fma_latency,
        "fsw_peak_flop_per_cycle_per_core": best_peak / per_cycle,
        "numpy_dgemm_flop_per_cycle_per_core": best_dgemm / per_cycle,
        "cpu_share": {"c_triad": [r["cpu_share"] for r in c_runs], "fsw_triad": [r["cpu_share"] for r in fsw_runs],
                      "fsw_peak": [r["cpu_share"] for r in peak_runs], "numpy_dgemm": [r["cpu_share"] for r in dgemm_runs]},
        "load_average_1min": os.getloadavg()[0],
        "rounds": {"c_triad": [r["bandwidth_bytes_per_s"] for r in c_runs],
                   "fsw_triad": [r["bandwidth_bytes_per_s"] for r in fsw_runs],
                   "fsw_peak": [r["flop_per_s"] for r in peak_runs],
                   "numpy_dgemm": [r["flop_per_s"] for r in dgemm_runs]},
        "cpu_model": fsw_runs[0]["host"]["cpu_model"],
        "numba_cpu_features_override": fsw_runs[0]["host"]["numba_cpu_features_override"],
    }
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True))
    else:
        print(f"triad, {args.threads} threads, {args.size} elements (STREAM 24 B/element), best of {args.rounds} rounds")
        print(f"  C OpenMP (gcc -O3 -march=native) {best_c / 1e9:8.2f} GB/s")
        print(f"  fsw bench --kernel triad         {best_fsw / 1e9:8.2f} GB/s   ratio {best_fsw / best_c:.3f} (target >= 0.95)")
        print(f"peak fp64, {args.threads} threads")
        print(f"  numpy DGEMM {args.dgemm_size}^2              {best_dgemm / 1e9:8.2f} GFLOP/s")
        print(f"  fsw bench --kernel peak          {best_peak / 1e9:8.2f} GFLOP/s   ratio {best_peak / best_dgemm:.3f} (target >= 1.1)")
        print(f"clock from a dependent FMA chain ({args.fma_latency:g} cycles each): {clock['clock_hz'] / 1e9:.2f} GHz; "
              f"FP64 FLOP per cycle per core: fsw peak {best_peak / per_cycle:.1f}, DGEMM {best_dgemm / per_cycle:.1f} "
              "(two 512-bit FMA pipes: 32; "
              "lower bounds, the scalar chain sees the single-core turbo clock)")
        print("CPU share of the requested threads (1 = every thread had a core; below: other jobs took them):")
        for side, shares in result["cpu_share"].items():
            print(f"  {side:12s} " + " ".join("n/a" if x is None else f"{x:.2f}" for x in shares))
        print(f"load average (1 min): {result['load_average_1min']:.2f} on {len(os.sched_getaffinity(0))} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
