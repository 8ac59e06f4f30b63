"""asv benchmarks of the model layer: catalog load, one prediction, the full compare, CLI start-up.

Targets from the foundation issue (checked here, not in unit tests): one prediction under 1 ms after
warm-up; ``fsw compare`` over the whole catalog and portfolio under 3 s including start-up;
``fsw --help`` under 0.5 s.
"""

import subprocess
import sys

from archmodels.loaders import _load_machine_file, load_catalog, load_machine
from archmodels.prediction import predict
from archmodels.workload import load_workload, workload_names
from fs.compare import compare


class Predict:
    def setup(self):
        self.machine = load_machine("fugaku")
        self.workloads = [load_workload(w) for w in workload_names()]
        predict(self.machine, self.workloads[0])

    def time_predict_one(self):
        predict(self.machine, "hpcg")

    def time_predict_portfolio(self):
        for w in self.workloads:
            predict(self.machine, w, nodes=1)


class Catalog:
    def time_load_catalog_cold(self):
        _load_machine_file.cache_clear()
        load_catalog()

    def track_catalog_size(self):
        return len(load_catalog())


class Compare:
    timeout = 120

    def time_compare_catalog_portfolio(self):
        compare()

    def time_fsw_compare_command(self):
        subprocess.run([sys.executable, "-m", "fs", "compare", "--json"], check=True, capture_output=True)

    def time_fsw_help(self):
        subprocess.run([sys.executable, "-m", "fs", "--help"], check=True, capture_output=True)


class ModelOutputs:
    """Tracked model outputs: a change in the model shows up as a step in these series."""

    def track_fugaku_hpl_pflop_per_s(self):
        return predict("fugaku", "hpl").flop_per_s / 1e15

    def track_frontier_hpcg_pflop_per_s(self):
        return predict("frontier", "hpcg").flop_per_s / 1e15
