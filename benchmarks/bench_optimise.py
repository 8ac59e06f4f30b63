"""asv benchmarks of the design-space optimiser (fs.optimise): whole-machine design evaluations per
second (decode, machine load, predict on every workload, the study's scorer) and one NSGA-II
generation."""

import tempfile
import time

import numpy as np

from fs.design_space import load_design_space
from fs.optimise import evaluate_points, latin_hypercube_genomes, run_optimise
from fs.study import load_study


class Optimise:
    timeout = 600

    def setup(self):
        self.study = load_study("fugakunext")
        self.space = load_design_space(self.study)
        genomes = latin_hypercube_genomes(20, self.space.n_genes, seed=1)
        self.points = [self.space.decode(x) for x in genomes]
        evaluate_points(self.study, self.space, self.points[:2])  # warm the caches

    def time_evaluate_20_designs(self):
        evaluate_points(self.study, self.space, self.points)

    def track_design_evaluations_per_second(self):
        t = time.perf_counter()
        evaluate_points(self.study, self.space, self.points)
        return len(self.points) / (time.perf_counter() - t)

    track_design_evaluations_per_second.unit = "designs/s (one process)"

    def track_best_speedup_two_generations(self):
        """Front quality after a fixed budget: the best feasible speedup of 2 generations of 10."""
        with tempfile.TemporaryDirectory() as out:
            r = run_optimise(self.study, out, generations=2, population=10, seed=1, random_baseline=False)
        return float(np.max([p["objectives"]["performance"] for p in r["pareto"]] or [np.nan]))

    track_best_speedup_two_generations.unit = "portfolio speedup"
