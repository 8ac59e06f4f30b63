"""`fsw scale`: strong or weak scaling of a workload on a machine over node counts."""

from __future__ import annotations

import typer

from fs.cli.options import JsonOption


def scale(machine: str = typer.Option(..., "--machine", "-m", help="Catalog name, spec or variant file."),
          workload: str = typer.Option(..., "--workload", "-w",
                                       help="Portfolio name or workload file; 'all' summarises the whole portfolio."),
          nodes: str = typer.Option("1,2,4,8,16,32,64,128,256,512,1024", "--nodes", "-n",
                                    help="Comma-separated node counts; the smallest is the baseline."),
          strong: bool = typer.Option(True, "--strong/--weak",
                                      help="Strong (fixed total problem, default) or weak (fixed problem per node)."),
          total_units: float = typer.Option(None, "--total-units",
                                            help="Strong scaling: total problem in the workload's units "
                                                 "(default: the default problem per node on the baseline)."),
          precision: str = typer.Option(None, "--precision", help="Override the workload's precision."),
          plot: str = typer.Option(None, "--plot", help="Write the scaling curves (.png/.svg/.pdf)."),
          json_out: JsonOption = False) -> None:
    """Predict strong or weak scaling and show where the network or memory bound takes over."""
    from archmodels.errors import InputError
    from archmodels.scaling import bound_changes, portfolio_scaling, scaling
    from fs.cli.output import emit_json, print_table, si

    if plot:
        from fs.figure_file import check_figure_path

        check_figure_path(plot)
    try:
        counts = [int(x) for x in nodes.replace(" ", "").split(",") if x]
    except ValueError:
        raise InputError(f"--nodes must be comma-separated integers, got {nodes!r}", location="--nodes") from None
    if workload == "all":
        summary = portfolio_scaling(machine, counts, "strong" if strong else "weak", precision=precision)
        if plot:
            import pandas as pd

            from archmodels.workload import workload_names
            from fs.figure_file import save_figure
            from fs.scale_plot import plot_scaling

            curves = pd.concat([scaling(machine, w, counts, "strong" if strong else "weak", precision=precision)
                                for w in workload_names()], ignore_index=True)
            save_figure(plot_scaling(curves), plot)
        if json_out:
            emit_json(summary.to_dict(orient="records"))
            return
        print_table(f"{summary['mode'].iloc[0]} scaling of the portfolio on {machine}, "
                    f"{summary['first_nodes'].iloc[0]} to {summary['last_nodes'].iloc[0]} nodes",
                    ["workload", "bound at first", "bound at last", "network-bound from", "efficiency at last"],
                    [[r.workload, r.first_bound, r.last_bound,
                      "-" if r.network_bound_from_nodes != r.network_bound_from_nodes else int(r.network_bound_from_nodes),
                      f"{r.efficiency_at_last:.1%}"] for r in summary.itertuples()])
        return
    df = scaling(machine, workload, counts, "strong" if strong else "weak", total_units=total_units,
                 precision=precision)
    changes = bound_changes(df)
    if plot:
        from fs.figure_file import save_figure
        from fs.scale_plot import plot_scaling

        save_figure(plot_scaling(df, changes), plot)
    if json_out:
        emit_json({"rows": df.to_dict(orient="records"), "bound_changes": changes})
        return
    mode = df["mode"].iloc[0]
    print_table(f"{mode} scaling of {df['workload'].iloc[0]} on {df['machine'].iloc[0]}",
                ["nodes", "units/node", "time", "network share", "speedup", "efficiency", "bound", "FLOP/s",
                 "power", "energy"],
                [[r.nodes, f"{r.units_per_node:.4g}", si(r.time_s, "s"), f"{r.network_fraction:.1%}",
                  f"{r.speedup:.3g}", f"{r.parallel_efficiency:.1%}", r.bound, si(r.flop_per_s, "FLOP/s"),
                  si(r.power_w, "W"), si(r.energy_j, "J")] for r in df.itertuples()])
    for c in changes:
        typer.echo(f"bound changes at {c['nodes']} nodes: {c['from']} -> {c['to']}")
