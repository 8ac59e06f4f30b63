"""asv benchmarks of annealing and the hybrid model: simulated-annealing kernel speed (spin updates
per second, integer and float kernels), parallel tempering, the shared-device simulation, and
tracked outputs a model change should not move silently (best SA energy on a fixed problem, the
example scenario's total time, the VQE H2 error)."""

import numpy as np

from quantum.annealing import kernels
from quantum.annealing.model import beta_schedule, default_beta_range
from quantum.annealing.problems import random_sparse_ising, to_bqm
from quantum.annealing.rng import stream_seeds
from quantum.annealing.sampler import ParallelTemperingSampler, SimulatedAnnealingSampler


class SimulatedAnnealingKernel:
    params = [[2000, 20000], ["int", "float"]]
    param_names = ["n", "kernel"]
    reads, sweeps = 4, 200

    def setup(self, n, kernel):
        m = random_sparse_ising(n, 8, seed=1)
        self.m = m
        self.betas = beta_schedule(default_beta_range(m), self.sweeps)
        self.seeds = stream_seeds(1, self.reads)
        self.table = kernels.acceptance_table(self.betas, int(m.max_flip_cost()))
        self.h, self.data = m.h.astype(np.float64), m.data.astype(np.float64)
        self._run(kernel)  # compile or load the cache outside the timing

    def _run(self, kernel):
        m = self.m
        if kernel == "int":
            return kernels.anneal(m.h, m.indptr, m.indices, m.data, self.table, self.seeds)
        return kernels.anneal(self.h, m.indptr, m.indices, self.data, self.betas, self.seeds)

    def time_anneal(self, n, kernel):
        self._run(kernel)

    def track_spin_updates_per_s(self, n, kernel):
        import time

        t0 = time.perf_counter()
        self._run(kernel)
        return self.reads * self.sweeps * n / (time.perf_counter() - t0)

    track_spin_updates_per_s.unit = "updates/s"


class Samplers:
    def setup(self):
        self.bqm = to_bqm(random_sparse_ising(1000, 8, seed=2))
        SimulatedAnnealingSampler().sample(self.bqm, num_reads=2, num_sweeps=2, seed=0)
        ParallelTemperingSampler().sample(self.bqm, num_reads=1, num_sweeps=2, num_replicas=2, seed=0)

    def time_sample_ising_1000_spins_8_reads_500_sweeps(self):
        SimulatedAnnealingSampler().sample(self.bqm, num_reads=8, num_sweeps=500, seed=1)

    def time_parallel_tempering_1000_spins_16_replicas_100_sweeps(self):
        ParallelTemperingSampler().sample(self.bqm, num_reads=2, num_sweeps=100, num_replicas=16, seed=1)

    def track_best_energy_per_spin(self):
        ss = SimulatedAnnealingSampler().sample(self.bqm, num_reads=8, num_sweeps=1000, seed=1)
        return float(ss.first.energy) / 1000

    track_best_energy_per_spin.unit = "energy/spin"


class HybridModel:
    def setup(self):
        from quantum.hybrid.scenario import example_scenario_path

        self.path = example_scenario_path()

    def time_example_scenario(self):
        from quantum.hybrid.sweep import run_scenario

        run_scenario(self.path)

    def time_64_users_200_iterations_fifo(self):
        from quantum.hybrid.sweep import run_scenario

        run_scenario(self.path, {"users": 64, "workflow.iterations": 200, "policy": "fifo"})

    def track_example_total_time_s(self):
        from quantum.hybrid.sweep import run_scenario

        return run_scenario(self.path)["total_time_s"]

    track_example_total_time_s.unit = "s"

    def track_vqe_h2_error_ha(self):
        from quantum.hybrid.variational import run_vqe

        return abs(run_vqe("h2", seed=0).error)

    track_vqe_h2_error_ha.unit = "Ha"
