"""The compare figures draw what compare() and predict() computed; plot paths are checked first."""

import numpy as np
import pytest

from archmodels.errors import InputError
from fs.compare import compare
from fs.compare_plot import plot_speedup_heatmap, speedup_matrix
from fs.figure_file import check_figure_path, companion_path
from fs.roofline_plot import ceilings_for_points, plot_rooflines, predicted_points


@pytest.fixture(scope="module")
def table():
    return compare(["dgx-h100", "fugaku", "a64fx"], ["hpcg", "dgemm", "llm-train", "graph-bfs"], nodes=1)


def test_speedup_is_the_rate_ratio_over_the_reference_and_rows_are_in_geomean_order(table):
    ratio, ref = speedup_matrix(table)
    assert ref == "fugaku"
    rate = table.set_index(["machine", "workload"])["units_per_s"]
    assert ratio.loc["dgx-h100", "hpcg"] == pytest.approx(rate["dgx-h100", "hpcg"] / rate["fugaku", "hpcg"], rel=1e-12)
    assert np.allclose(ratio.loc["fugaku"].to_numpy(), 1.0)
    geo = np.exp(np.log(ratio).mean(axis=1))
    assert list(geo) == sorted(geo, reverse=True)
    with pytest.raises(InputError, match="reference"):
        speedup_matrix(table, "frontier")


def test_heatmap_labels_every_cell(table):
    ratio, ref = speedup_matrix(table)
    fig = plot_speedup_heatmap(ratio, ref)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert len(texts) == ratio.size


def test_one_panel_per_machine_with_the_predicted_points():
    pts = predicted_points("dgx-h100", ["hpcg", "llm-train", "graph-bfs"])
    assert {p["label"] for p in pts} == {"hpcg", "llm-train"}  # graph-bfs has no FLOPs to draw
    entries = ceilings_for_points("dgx-h100", pts) + ceilings_for_points("fugaku", [])
    assert {e["precision"] for e in entries if e["machine"] == "dgx-h100"} == {"fp64", "bf16"}
    fig = plot_rooflines(entries, pts)
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["dgx-h100", "fugaku"]
    drawn = {(float(ln.get_xdata()[0]), float(ln.get_ydata()[0])) for ln in panels[0].get_lines()
             if ln.get_marker() not in ("None", None, "")}
    assert {(p["intensity_flop_per_byte"], p["flop_per_s"]) for p in pts} <= drawn
    lo, hi = panels[0].get_ylim()
    assert all(lo < p["flop_per_s"] < hi for p in pts)  # nothing clipped


def test_plot_paths_are_checked(tmp_path):
    assert check_figure_path(tmp_path / "sub" / "a.png") == tmp_path / "sub" / "a.png"
    assert not (tmp_path / "sub").exists()
    with pytest.raises(InputError, match="must end in"):
        check_figure_path(tmp_path / "a.txt")
    with pytest.raises(InputError, match="folder"):
        check_figure_path(_folder_png(tmp_path))
    with pytest.raises(InputError, match="cannot write"):
        check_figure_path("/proc/x.png")
    assert companion_path("out/c.png", "speedup").name == "c-speedup.png"


def _folder_png(tmp_path):
    d = tmp_path / "d.png"
    d.mkdir()
    return d


def test_on_the_same_problem_the_speedup_is_the_time_ratio(table):
    assert set(table.problem) == {"same"}
    ratio, ref = speedup_matrix(table)
    time = table.set_index(["machine", "workload"])["time_s"]
    for w in ("hpcg", "dgemm"):
        assert ratio.loc["dgx-h100", w] == pytest.approx(time[ref, w] / time["dgx-h100", w], rel=1e-9)
