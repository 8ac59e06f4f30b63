"""The operations figure: queue length counts submitted-not-started jobs; power is energy per slot."""

import json
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


def test_compared_policies_share_the_time_axis():
    from ops.savings import policy_runs

    runs = policy_runs(TRACE, ["carbon-delay"], grid="tokyo-2025", timeseries=True)
    assert np.array_equal(runs[0].timeseries["time_s"], runs[1].timeseries["time_s"])  # charged over one span
    fig = plot_operations({r.summary["policy"]: r for r in runs})
    assert [ln.get_label() for ln in fig.axes[0].get_lines()] == ["easy", "carbon-delay"]


def test_cli_compare_writes_the_figure(tmp_path, capsys):
    from fs.cli import main

    plot = tmp_path / "compare.png"
    assert main(["ops", "compare", "--trace", "cqsim_test", "--policies", "carbon-delay,carbon-cap",
                 "--plot", str(plot), "--json"]) == 0
    assert [r["policy"] for r in json.loads(capsys.readouterr().out)] == ["easy", "carbon-delay", "carbon-cap"]
    assert plot.stat().st_size > 10_000
