"""The stacked-SRAM curve figure draws what capacity_sweep computed."""

from archmodels.variants import capacity_sweep
from fs.sram_plot import plot_sram_curves


def test_one_line_per_workload_with_the_swept_values(tmp_path):
    caps = [2.0**k * 2**20 for k in (4, 10, 14)]
    df = capacity_sweep("cand-cpu-3dsram-cpo", ["spmv", "stencil-7pt"], caps)
    fig = plot_sram_curves(df)
    ax = fig.axes[0]
    lines = {ln.get_label(): ln for ln in ax.get_lines() if not ln.get_label().startswith("_")}
    assert set(lines) == {"spmv", "stencil-7pt"}
    spmv = df[df.workload == "spmv"]
    assert list(lines["spmv"].get_ydata()) == list(spmv["relative_time"])
    assert list(lines["spmv"].get_xdata()) == list(spmv["capacity_bytes"] / 2**20)
    fig.savefig(tmp_path / "sram.png")
    assert (tmp_path / "sram.png").stat().st_size > 0
