"""`fsw roofline`: roofline ceilings per node of catalog machines or spec files."""

from __future__ import annotations

from typing import List, Optional

import typer

from fs.cli.options import JsonOption


def roofline(machines: List[str] = typer.Argument(..., help="Catalog names or spec files."),
             precision: str = typer.Option("fp64", "--precision", help="fp64, fp32, bf16, fp16, fp8..."),
             plot: Optional[str] = typer.Option(None, "--plot", help="Write a roofline plot (.png/.svg/.pdf)."),
             points: Optional[str] = typer.Option(None, "--points",
                                                  help="Measured kernels to plot as points: the JSON of `fsw bench --json`."),
             json_out: JsonOption = False) -> None:
    """Roofline ceilings per node: peaks, and bandwidth and ridge point of every memory level."""
    from archmodels.prediction import machine_roofline
    from fs.cli.output import emit_json, print_table, si

    if plot:
        from fs.figure_file import check_figure_path

        check_figure_path(plot)
    entries = [e for m in machines for e in machine_roofline(m, precision)]
    if plot:
        from fs.figure_file import save_figure
        from fs.roofline_plot import bench_points, plot_rooflines

        save_figure(plot_rooflines(entries, bench_points(points) if points else None), plot)
    if json_out:
        emit_json(entries)
        return
    rows = []
    for e in entries:
        for lv in e["levels"]:
            rows.append([e["machine"], e["processor"], e["precision"], si(e["peak_flop_per_s"], "FLOP/s"),
                         si(e.get("peak_matrix_flop_per_s"), "FLOP/s"), lv["name"], si(lv["capacity_bytes"], "B"),
                         si(lv["bandwidth_bytes_per_s"], "B/s"), f"{lv['ridge_flop_per_byte']:.3g}"])
    print_table("Roofline per node", ["machine", "processor", "precision", "peak", "matrix peak", "level",
                                      "capacity", "bandwidth", "ridge FLOP/B"], rows)
