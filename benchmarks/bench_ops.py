"""asv benchmarks of the operations simulator: EASY jobs per second on a synthetic trace (the issue's
target: hundreds of thousands per second), the SWF scanner, and the carbon saving of Wait-Awhile
shifting on the Theta log and the Tokyo 2025 grid, tracked so a model change does not move it silently."""

import time

import numpy as np

from ops.jobs import prepare_jobs
from ops.kernels import CONSERVATIVE, EASY, FCFS, schedule
from ops.savings import compare_policies
from ops.swf import read_swf, shipped_trace, write_swf
from ops.synthetic import generate_trace

NO_LIMIT = np.array([-np.inf])


class Scheduler:
    params = [["fcfs", "easy", "conservative"]]
    param_names = ["policy"]
    timeout = 300

    def setup(self, policy):
        n = 20_000 if policy == "conservative" else 200_000
        self.jobs = prepare_jobs(generate_trace(n, 4096, load=0.7, seed=1), 4096)
        self.code = {"fcfs": FCFS, "easy": EASY, "conservative": CONSERVATIVE}[policy]
        self.cap = np.array([4096], dtype=np.int64)
        self._run()  # compile or load the numba cache outside the timing

    def _run(self):
        j = self.jobs
        return schedule(j.submit_s, j.procs, j.run_s, j.estimate_s, self.code, NO_LIMIT, self.cap)

    def time_schedule(self, policy):
        self._run()

    def track_jobs_per_second(self, policy):
        t = time.perf_counter()
        self._run()
        return len(self.jobs) / (time.perf_counter() - t)

    track_jobs_per_second.unit = "jobs/s"


class ReadSwf:
    timeout = 300

    def setup(self):
        import tempfile

        self.dir = tempfile.mkdtemp()
        self.path = write_swf(generate_trace(200_000, 4096, seed=2), f"{self.dir}/t.swf", {"MaxProcs": "4096"})
        read_swf(self.path)

    def time_read_200k_jobs(self):
        read_swf(self.path)


class CarbonAwareSaving:
    timeout = 300

    def track_wait_awhile_carbon_saving_percent_theta(self):
        df = compare_policies(read_swf(shipped_trace("theta_argonne")), ["carbon-delay"], machine="fugaku", grid="tokyo-2025",
                              off_after_s=600.0)
        return 100.0 * float(df["carbon_saving_frac"].iloc[1])

    track_wait_awhile_carbon_saving_percent_theta.unit = "%"
