"""asv benchmarks of the study layer: the vectorised design-point evaluator, the Pareto front and
Monte Carlo cases. ``track_*`` entries record throughput (the issue's aim: a million design points
per minute on 2 cores for the vectorised evaluator) so regressions show up in asv's history.
"""

import time

from fs.runner import evaluate_case
from fs.study import load_study
from fs.sweep import DesignEvaluator, latin_hypercube, pareto_front
from fs.uncertainty import sample_multipliers


class Sweep:
    """Vectorised evaluation of Latin-hypercube design points of the built-in study."""

    timeout = 300

    def setup(self):
        self.evaluator = DesignEvaluator(load_study("fugakunext"))
        self.designs = latin_hypercube(100_000, seed=1)
        self.rows = self.evaluator.evaluate(self.designs)

    def time_evaluate_100k(self):
        self.evaluator.evaluate(self.designs)

    def time_latin_hypercube_100k(self):
        latin_hypercube(100_000, seed=2)

    def time_pareto_front_100k(self):
        pareto_front(self.rows)

    def track_design_points_per_minute(self):
        t = time.perf_counter()
        self.evaluator.evaluate(self.designs)
        return 60.0 * len(self.designs) / (time.perf_counter() - t)

    track_design_points_per_minute.unit = "points/min (one process)"


class MonteCarlo:
    """One Monte Carlo case of the shared example study (predict on every candidate it changes)."""

    def setup(self):
        self.study = load_study("fugakunext")
        self.i = 0

    def time_case(self):
        self.i += 1
        evaluate_case(self.study, sample_multipliers(self.study.uncertainties, self.study.seed, self.i))

    def track_samples_per_second(self):
        t = time.perf_counter()
        for i in range(20):
            evaluate_case(self.study, sample_multipliers(self.study.uncertainties, self.study.seed, 1000 + i))
        return 20 / (time.perf_counter() - t)

    track_samples_per_second.unit = "samples/s"
