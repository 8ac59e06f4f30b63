"""The scaling figure draws what archmodels.scaling computed, and `fsw scale --plot` writes it."""

import subprocess
import sys

from archmodels.scaling import bound_changes, scaling
from fs.scale_plot import plot_scaling


def test_curves_are_the_computed_rows_and_nothing_is_clipped():
    df = scaling("fugaku", "hpcg", [1, 16, 256, 4096], "strong")
    fig = plot_scaling(df, bound_changes(df))
    a1, a2 = fig.axes
    t = [ln for ln in a1.get_lines() if ln.get_label() == "hpcg"][0]
    assert list(t.get_ydata()) == list(df["time_s"])
    e = [ln for ln in a2.get_lines() if ln.get_label() == "hpcg"][0]
    assert list(e.get_ydata()) == list(df["parallel_efficiency"])
    assert a2.get_ylim()[1] >= df["parallel_efficiency"].max()


def test_cli_writes_the_plot_and_checks_the_path_first(tmp_path):
    out = tmp_path / "s.png"
    r = subprocess.run([sys.executable, "-m", "fs", "scale", "-m", "fugaku", "-w", "hpcg", "-n", "1,8,64",
                        "--plot", str(out), "--json"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    r = subprocess.run([sys.executable, "-m", "fs", "scale", "-m", "fugaku", "-w", "hpcg", "--plot",
                        str(tmp_path / "s.txt")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "Traceback" not in r.stderr
