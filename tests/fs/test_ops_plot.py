"""The operations figure: queue length counts submitted-not-started jobs; power is energy per slot."""

from pathlib import Path

import numpy as np
import pandas as pd

from fs.ops_plot import plot_operations, queued_jobs
from ops.simulate import simulate

TRACE = Path(__file__).parents[2] / "ops" / "data" / "traces" / "cqsim_test.swf"


def test_queued_jobs_counts_submitted_and_not_started():
    jobs = pd.DataFrame({"submit_s": [0.0, 0.0, 5.0], "start_s": [0.0, 10.0, 20.0]})
    assert list(queued_jobs(jobs, [0.0, 5.0, 10.0, 20.0])) == [1, 2, 1, 0]


def test_panels_draw_the_simulated_series():
    r = simulate(TRACE, policy="easy", grid="tokyo-2025", timeseries=True)
    fig = plot_operations({"easy": r})
    power = [ln for ln in fig.axes[1].get_lines() if ln.get_label() == "easy"][0]
    ts = r.timeseries
    assert np.allclose(power.get_ydata(), ts["facility_energy_j"] / ts["duration_s"] / 1e6)
    assert len(fig.axes) == 4  # queue, power, carbon and the grid-intensity twin
