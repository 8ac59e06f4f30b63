"""`fsw study`: feasibility studies (see docs/study.md)."""

from typing import Optional

import typer

from fs.cli.output import console as table_console
from fs.cli.output import emit_json
from fs.cli.options import command_group, JsonOption, ProcessesOption, SchedulerOption

app = command_group("Feasibility studies: run, report, list.")


def _meets(candidate: dict) -> str:
    """The "meets req." cell: yes, or no with the requirements missed and their factors; – without any."""
    reqs = candidate["requirements"]
    if not reqs:
        return "–"
    if candidate["meets_requirements"]:
        return "yes"
    missed = [f"{q['quantity']}{'(' + q['workload'] + ')' if q['workload'] else ''} ×{q['factor'] or 0:.2f}"
              for q in reqs if not q["met"]]
    return f"no ({len(reqs) - len(missed)}/{len(reqs)}): " + ", ".join(missed)


def _p_first(c: dict) -> str:
    """P(first) as a percentage, or that no uncertainty was sampled (no claim from a nominal run)."""
    from fs.report import NO_UNCERTAINTY

    return NO_UNCERTAINTY if c["p_rank_first"] is None else f"{100 * c['p_rank_first']:.0f} %"


def _interval(c: dict, col: str, unit: float, fmt: str) -> str:
    """`` (p05–p95)`` of a figure in ``unit``, or nothing when it did not vary."""
    lo, hi = c.get("intervals", {}).get(col, (None, None))
    if lo is None or hi is None or lo == hi:
        return ""
    return f" ({lo / unit:{fmt}}–{hi / unit:{fmt}})"


def _capability(candidate: dict) -> str:
    """The "capability" cell: the capability speedup over the reference (time to solution of the
    stated problems, fs.capability); – when absent."""
    s = candidate.get("capability", {}).get("speedup")
    return "–" if s is None else f"{s:.2f}"


def _print_scorecard(result: dict) -> None:
    from rich.table import Table

    table = Table(title=result.get("title") or result.get("study") or "study")
    from fs.report_page_one import candidate_flag

    for col in ("rank", "candidate", "status", "score", "P(first)", "nodes", "power [MW] (5–95 %)", "capital [1e9 JPY]",
                "speedup (5–95 %)", "capability", "meets req.", "feasible"):
        table.add_column(col)
    for c in result["candidates"]:
        table.add_row(
            "–" if c["rank"] is None else str(c["rank"]), c["name"],
            candidate_flag(c), f"{c['score']:.3f}",
            _p_first(c), f"{c['nodes']:,}", f"{(c['power_w'] or 0) / 1e6:.1f}{_interval(c, 'power_w', 1e6, '.1f')}",
            f"{(c['capital_cost_jpy'] or 0) / 1e9:.1f}",
            f"{c['metrics']['performance']:.2f}{_interval(c, 'performance', 1, '.2f')}", _capability(c), _meets(c),
            "yes" if c["feasible"] else "NO: " + "; ".join(c["violations"]))
    console = table_console()
    console.print(table)
    console.print(f"report: {result['report_html']}")


@app.command("run")
def run(
    study: str = typer.Argument(..., help="A study TOML file, or a built-in study's name (see `fsw study list`)."),
    out: str = typer.Option(..., "--out", help="Folder for results and reports; re-running into it resumes."),
    json_out: JsonOption = False,
    samples: int = typer.Option(200, "--samples", help="Monte Carlo samples (0: nominal and sensitivity only)."),
    sweep_points: int = typer.Option(20_000, "--sweep-points", help="Latin-hypercube design points (0: no sweep)."),
    chunk_size: int = typer.Option(25, "--chunk-size", help="Monte Carlo samples per chunk."),
    processes: ProcessesOption = None,
    scheduler: SchedulerOption = None,
    ops: bool = typer.Option(True, "--ops/--no-ops", help="Utilisation and wait from a scheduling simulation of the study's trace."),
) -> None:
    """Run a study: scorecard, Monte Carlo, sensitivity, design sweep, reports."""
    from fs.cli.output import check_writable

    check_writable(out, "--out", folder=True)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from fs.pipeline import run as run_pipeline

    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(f"{stage} chunks", total=total)
            bar.update(tasks[stage], completed=done)

        result = run_pipeline(study, out, samples=samples, sweep_points=sweep_points, chunk_size=chunk_size,
                              processes=processes, scheduler=scheduler, simulate_ops=ops, progress=progress)
    if json_out:
        emit_json(result)
    else:
        _print_scorecard(result)


@app.command("sweep")
def sweep(
    study: str = typer.Argument(..., help="A study TOML file, or a built-in study's name."),
    out: str = typer.Option(..., "--out", help="Folder for sweep.parquet; re-running into it resumes."),
    method: str = typer.Option("lhs", "--method", help="lhs (Latin hypercube) or grid (full factorial)."),
    points: int = typer.Option(100_000, "--points", help="Design points of a Latin hypercube."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Seed of the Latin hypercube (default: the study's)."),
    json_out: JsonOption = False,
    processes: ProcessesOption = None,
    scheduler: SchedulerOption = None,
    plot: Optional[str] = typer.Option(None, "--plot", help="Write the Pareto projections (.png/.svg/.pdf)."),
) -> None:
    """Sweep stacked SRAM, memory generation, links and power cap around the 3D-SRAM candidate."""
    if plot:
        from fs.figure_file import check_figure_path

        check_figure_path(plot)
    from fs.cli.output import check_writable

    check_writable(out, "--out", folder=True)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from fs.pipeline import sweep as run_sweep

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("sweep chunks", total=None)
        result = run_sweep(study, out, method=method, points=points, seed=seed, processes=processes,
                           scheduler=scheduler, progress=lambda _s, d, t: bar.update(task, completed=d, total=t))
    if plot:
        import pandas as pd

        from fs.figure_file import save_figure
        from fs.sweep_plot import plot_pareto_projections

        save_figure(plot_pareto_projections(pd.read_parquet(result["sweep_parquet"])), plot)
    if json_out:
        emit_json(result)
        return
    table = Table(title=f"Pareto front: {result['pareto_points']} of {result['points']} design points")
    for col in ("SRAM [MiB]", "memory", "link", "cap [W]", "nodes", "speedup", "power [MW]", "TCO [1e9 JPY]", "carbon [kt]"):
        table.add_column(col)
    for r in result["pareto"][:30]:
        table.add_row(f"{r['sram_bytes'] / 2**20:.0f}", r["memory"], r["link"], f"{r['power_cap_w']:.0f}", f"{r['nodes']:,.0f}",
                      f"{r['performance']:.3f}", f"{r['power_w'] / 1e6:.1f}", f"{r['cost_jpy'] / 1e9:.1f}", f"{r['carbon_g'] / 1e9:.0f}")
    table_console().print(table)


@app.command("optimise")
def optimise(
    study: str = typer.Argument(..., help="A study TOML file, or a built-in study's name."),
    out: str = typer.Option(..., "--out", help="Folder for the designs, the Pareto set and its machine files; "
                                              "re-running into it resumes."),
    generations: int = typer.Option(20, "--generations", help="NSGA-II generations."),
    population: int = typer.Option(40, "--population", help="Designs per generation."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Seed of the search (default: the study's)."),
    sobol_samples: int = typer.Option(64, "--sobol-samples", min=0,
                                      help="Saltelli base samples of the Sobol indices around the best design (0: none)."),
    json_out: JsonOption = False,
    processes: ProcessesOption = None,
    scheduler: SchedulerOption = None,
) -> None:
    """Search the study's design space (NSGA-II) for the best machines within its budgets (docs/optimise.md)."""
    from fs.cli.output import check_writable

    check_writable(out, "--out", folder=True)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from fs.optimise import optimise as run_optimise

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("generations", total=generations)
        result = run_optimise(study, out, generations=generations, population=population, seed=seed,
                              processes=processes, scheduler=scheduler, sobol_samples=sobol_samples,
                              progress=lambda d, t: bar.update(task, completed=d, total=t))
    if json_out:
        emit_json(result)
        return
    table = Table(title=f"Pareto set: {len(result['pareto'])} designs of {result['evaluations']} evaluated")
    for col in ("design", "family", "kind", "nodes", "speedup", "JPY/node-h", "gCO2/node-h", "power [MW]",
                "capital [1e9 JPY]", "meets req.", "machine file"):
        table.add_column(col, overflow="fold")
    for p in result["pareto"]:
        o = p["objectives"]
        table.add_row(str(p["design"]), p["family"], p["kind"], f"{p['nodes']:,}", f"{o['performance']:.3f}",
                      f"{o['cost']:.2f}", f"{o['carbon']:.2f}", f"{p['power_w'] / 1e6:.1f}",
                      f"{p['capital_cost_jpy'] / 1e9:.1f}", "yes" if p["meets_requirements"] else "no",
                      p["machine_file"])
    console = table_console()
    console.print(table)
    bvr = result.get("best_vs_random", {}).get("performance", {})
    if bvr.get("ratio") is not None:
        console.print(f"best speedup {bvr['optimiser']:.3f} vs {bvr['random']:.3f} for the best of "
                      f"{result['best_vs_random']['random_points']} random designs (x{bvr['ratio']:.3f})")
    if result.get("marginal_values"):
        mv = Table(title="What each change buys around the best design")
        for col in ("change", "feasible", "Δ speedup", "Δ power [MW]", "Δ capital [1e9 JPY]", "Δ speedup/MW",
                    "Δ speedup/1e9 JPY"):
            mv.add_column(col)
        for r in result["marginal_values"]:
            mv.add_row(r["change"], "yes" if r["feasible"] else "no", f"{r['delta_performance']:+.3f}",
                       f"{r['delta_power_mw']:+.2f}", f"{r['delta_capital_billion_jpy']:+.2f}",
                       f"{r['delta_speedup_per_mw']:+.4f}", f"{r['delta_speedup_per_billion_jpy']:+.5f}")
        console.print(mv)
    console.print(f"Pareto table: {result['out']}/pareto.csv; best design: {result['best_machine_file']}")


@app.command("report")
def report(
    out: str = typer.Argument(..., help="A study run folder (written by `fsw study run`)."),
    json_out: JsonOption = False,
) -> None:
    """Rebuild the Markdown and HTML reports of a run folder."""
    from fs.pipeline import report as build

    result = build(out)
    if json_out:
        emit_json(result)
    else:
        _print_scorecard(result)


@app.command("list")
def list_(json_out: JsonOption = False) -> None:
    """List the built-in studies."""
    from rich.table import Table

    from fs.pipeline import list_studies

    studies = list_studies()
    if json_out:
        emit_json(studies)
        return
    table = Table(title="Built-in studies")
    for col in ("name", "title", "candidates"):
        table.add_column(col)
    for s in studies:
        table.add_row(s["name"], s["title"], ", ".join(s["candidates"]))
    table_console().print(table)
