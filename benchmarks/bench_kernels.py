"""asv benchmarks of the archmodels.bench kernels (time per call, and tracked rates of this host).

Setup compiles (or loads from numba's cache) and first-touches outside the timed region.
"""

import archmodels.bench

# As `fsw bench` does, before numba starts: passive OpenMP waits, 512-bit vectors on AVX-512 hosts.
archmodels.bench.prepare_process()

import numba
import numpy as np

from archmodels.bench import apps, bandwidth, latency, peak


class BandwidthKernels:
    """One call of each bandwidth kernel on arrays that fit in L2 (64 KiB each), 10 sweeps."""

    params = (list(bandwidth.KERNELS), [1, 2])
    param_names = ["kernel", "threads"]

    def setup(self, kernel, threads):
        threads = min(threads, numba.config.NUMBA_NUM_THREADS)
        numba.set_num_threads(threads)
        self.run = bandwidth.runner(kernel, bandwidth.make_arrays(kernel, 8192, seed=None), 3.0, threads)
        self.run(10)

    def time_ten_sweeps(self, kernel, threads):
        self.run(10)


class TriadMemory:
    """STREAM triad on 3 x 64 MiB (past most last-level caches); tracks GB/s (STREAM bytes)."""

    timeout = 120

    def setup(self):
        self.n = 8 * 2**20

    def track_triad_bandwidth_gb_per_s(self):
        res = bandwidth.measure_bandwidth("triad", self.n, numba.config.NUMBA_NUM_THREADS, budget_s=1.0, seed=None)
        return res.rates()["bandwidth_bytes_per_s"] / 1e9

    track_triad_bandwidth_gb_per_s.unit = "GB/s"


class Peak:
    """FMA kernel: time of a fixed call, and the FP64 rate of all threads."""

    def setup(self):
        numba.set_num_threads(1)
        self.block = peak.make_block(1)
        peak.fma_kernel(self.block, peak.X, peak.Y, 1)

    def time_fma_1000_iterations(self):
        peak.fma_kernel(self.block, peak.X, peak.Y, 1000)

    def track_peak_fp64_gflop_per_s(self):
        flop, spread, _ = peak.measure_peak(numba.config.NUMBA_NUM_THREADS, budget_s=0.5)
        return flop / spread.min_s / 1e9

    track_peak_fp64_gflop_per_s.unit = "GFLOP/s"


class Latency:
    """Pointer chase: 100k dependent loads in 32 KiB (L1) and 64 MiB."""

    params = [32 * 2**10, 64 * 2**20]
    param_names = ["working_set_bytes"]

    def setup(self, working_set_bytes):
        self.a = latency.chase_array(working_set_bytes, seed=0)
        latency.chase_kernel(self.a, 100_000)

    def time_chase_100k(self, working_set_bytes):
        latency.chase_kernel(self.a, 100_000)


class AppKernels:
    """Application kernels at small sizes."""

    def setup(self):
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        self.csr = apps.csr_27pt(32)
        self.x = np.random.default_rng(0).random(32**3)
        self.y = np.empty_like(self.x)
        self.u = np.random.default_rng(0).random((96, 96, 96))
        self.v = self.u.copy()
        apps.spmv_kernel(*self.csr, self.x, self.y)
        apps.stencil_kernel(self.u, self.v)

    def time_spmv_27pt_32(self):
        apps.spmv_kernel(*self.csr, self.x, self.y)

    def time_stencil_7pt_96(self):
        apps.stencil_kernel(self.u, self.v)

    def time_csr_27pt_build_32(self):
        apps.csr_27pt(32)
