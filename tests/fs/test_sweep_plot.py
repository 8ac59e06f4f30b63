"""The sweep figure projects every objective pair and draws exactly the Pareto points in colour."""

import subprocess
import sys

import pandas as pd


def test_cli_sweep_plot_draws_the_front(tmp_path):
    from fs.sweep_plot import plot_pareto_projections

    out = tmp_path / "sweep.png"
    r = subprocess.run([sys.executable, "-m", "fs", "study", "sweep", "fugakunext", "--out", str(tmp_path / "s"),
                        "--points", "400", "--plot", str(out), "--json"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    sweep = pd.read_parquet(tmp_path / "s" / "sweep.parquet")
    fig = plot_pareto_projections(sweep)
    panels = [ax for ax in fig.axes if ax.collections]
    assert len(panels) == 6
    coloured = sum(len(c.get_offsets()) for c in panels[0].collections[1:])
    assert coloured == int((sweep["feasible"] & sweep["pareto"]).sum())
