"""`fsw bench`: measure this host (bandwidth, peak FLOP rate, latency, application kernels).

``fsw bench [--quick] [--threads N] [--out host.toml] [--plot FILE] [--json] [--validate]`` runs the
suite, prints the results and writes the host profile as a machine spec to --out (no file without
it); ``fsw bench --kernel NAME [--size N] [--threads N] [--precision fp64|fp32] --json`` measures
one kernel. The work runs in this process (numba threads set with ``numba.set_num_threads``); the
environment for it (OMP_WAIT_POLICY, NUMBA_CPU_FEATURES for 512-bit vectors) is set before numba
starts.
"""

from __future__ import annotations

from typing import Optional

import typer

from fs.cli.options import command_group, JsonOption

app = command_group("Measure this host's empirical roofline and write it as a machine spec.",
                    invoke_without_command=True, no_args_is_help=False)

KERNEL_HELP = "One kernel only: triad, copy, scale, add, read, write, peak, latency, spmv, stencil, dgemm, fft."
SIZE_HELP = (
    "Size for --kernel: elements per array (bandwidth kernels), FMA iterations per call (peak; 0 = auto), "
    "working-set bytes (latency), grid edge (spmv, stencil, fft) or matrix order (dgemm)."
)


@app.callback(invoke_without_command=True)
def bench(
    ctx: typer.Context,
    quick: bool = typer.Option(False, "--quick", help="Quick suite (< 1 min on 2 cores)."),
    threads: Optional[int] = typer.Option(None, "--threads", help="Threads (default: all CPUs in the affinity mask)."),
    out: Optional[str] = typer.Option(
        None, "--out", help="Where to write the host's machine spec (default: nowhere; the results are printed)."
    ),
    plot: Optional[str] = typer.Option(None, "--plot", help="Write bandwidth/latency plots (.png/.svg/.pdf)."),
    json_out: JsonOption = False,
    kernel: Optional[str] = typer.Option(None, "--kernel", help=KERNEL_HELP),
    size: Optional[int] = typer.Option(None, "--size", help=SIZE_HELP),
    precision: str = typer.Option("fp64", "--precision", help="fp64 or fp32 (bandwidth and peak kernels)."),
    validate: bool = typer.Option(False, "--validate", help="Also predict each application kernel on the measured profile."),
    max_working_set: Optional[int] = typer.Option(
        None, "--max-working-set", help="Cap the sweeps at this many bytes (default 4x the last-level cache)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the random inputs."),
) -> None:
    """Measure this host; write its profile as a machine spec (or measure one kernel with --kernel)."""
    if ctx.invoked_subcommand is not None:
        return
    from fs.cli.output import check_writable

    if kernel is None:
        check_writable(out, "--out")
    check_writable(plot, "--plot")
    import archmodels.bench as bench_pkg

    bench_pkg.prepare_process()
    from fs.cli.output import emit_json, print_table, si

    if kernel is not None:
        from archmodels.bench.suite import run_kernel

        result = run_kernel(kernel, size=size, threads=threads, precision=precision, seed=seed)
        if json_out:
            emit_json(result)
            return
        rows = [["time (best / median / max)", f"{si(result['time_min_s'], 's')} / {si(result['time_median_s'], 's')} / {si(result['time_max_s'], 's')}"]]
        if "bandwidth_bytes_per_s" in result:
            rows.append(["bandwidth (STREAM bytes)", si(result["bandwidth_bytes_per_s"], "B/s")])
        if "bandwidth_write_allocate_bytes_per_s" in result:
            rows.append(["bandwidth (with write-allocate)", si(result["bandwidth_write_allocate_bytes_per_s"], "B/s")])
        if "flop_per_s" in result:
            rows.append(["FLOP rate", si(result["flop_per_s"], "FLOP/s")])
        if "ceiling" in result:
            c = result["ceiling"]
            rows += _ceiling_rows(c, c["flop_per_cycle_per_core"], c["achieved_flop_per_cycle_per_core"], precision)
        if "latency_s" in result:
            rows.append(["latency per load", si(result["latency_s"], "s")])
        print_table(f"{kernel}, size {result['size']}, {result['threads']} threads, {precision}", ["quantity", "value"], rows)
        return

    from pathlib import Path

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from archmodels.errors import InputError

    if plot and Path(plot).suffix.lower() not in (".png", ".svg", ".pdf"):
        raise InputError(f"expected a .png, .svg or .pdf file, got {plot!r}", location="--plot")

    from archmodels.atomic import write_text_atomic
    from archmodels.bench.profile import profile_toml
    from archmodels.bench.suite import run_suite

    console = Console(stderr=True)
    with Progress(TextColumn("{task.description:<32}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task("fsw bench", total=None)

        def progress(description: str, total: int) -> None:
            bar.update(task, total=total, advance=1, description=description)

        result = run_suite(quick=quick, threads=threads, progress=progress, seed=seed,
                           max_working_set_bytes=max_working_set)
    for note in result.notes:
        if note.startswith("busy host"):
            console.print(f"warning: {note}", markup=False, highlight=False)
    for finding in result.findings:
        if finding.severity == "warn":
            console.print(f"warning: {finding.message}", markup=False, highlight=False)
    if result.refusal:  # before anything is written, --validate's temporary profile included
        raise InputError(result.refusal, location="fsw bench")
    if not result.trustworthy:
        console.print("warning: the profile is marked untrustworthy (see its notes); re-run on an idle host",
                      markup=False, highlight=False)
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:  # without --out no file is kept (--validate reads this one)
        path = write_text_atomic(out or Path(scratch) / "host.toml", profile_toml(result.profile))
        checks = None
        if validate:
            from archmodels.bench.validate import validate_apps

            checks = validate_apps(path, result.apps)
    if out is None:
        path = None
        console.print(f"host profile not written (--out FILE writes it) ({result.elapsed_s:.1f} s)")
    else:
        console.print(f"host profile written to {path} ({result.elapsed_s:.1f} s)")
    if plot:
        from archmodels.bench.plot import plot_suite

        plot_suite(result, plot)
    data = result.as_dict()
    if json_out:
        data["profile_path"] = None if path is None else str(path)
        if checks is not None:
            data["validation"] = checks.to_dict(orient="records")
        emit_json(data)
        return
    prof = result.profile
    print_table(f"{prof.cpu_model}: {result.threads} threads, fsw bench {result.version}, {result.date}",
                ["level", "capacity", "bandwidth (STREAM)", "latency"],
                [[m.name, si(m.capacity_bytes, "B"), si(m.bandwidth_bytes_per_s, "B/s"), si(m.latency_s, "s")]
                 for m in prof.memory])
    print_table("levels by kernel (bandwidth: STREAM bytes / with write-allocate)",
                ["kernel", "threads", "level", "capacity", "STREAM", "write-allocate"],
                [[r["kernel"], r["threads"], r["level"], si(r["capacity_bytes"], "B"), si(r["bandwidth_bytes_per_s"], "B/s"),
                  si(r["bandwidth_write_allocate_bytes_per_s"], "B/s")] for r in result.levels.to_dict(orient="records")])
    print_table("peak", ["precision", "FLOP rate"], [[k, si(v, "FLOP/s")] for k, v in sorted(prof.peak_flop_per_s.items())])
    if data["ceiling"] is not None:
        c = data["ceiling"]
        print_table("FP64 ceiling of this CPU", ["quantity", "value"],
                    _ceiling_rows(c, c["fp64_flop_per_cycle_per_core"], c["achieved_fp64_flop_per_cycle_per_core"], "fp64"))
    print_table("caches: the OS against the plateaus", ["level", "OS (threads' instances)", "inferred", "ratio"],
                [[r["level"], si(r["os_bytes"], "B"), si(r["inferred_bytes"], "B") if r["inferred_bytes"] else "no plateau",
                  f"{r['ratio']:.2f}" + ("" if r["agree"] else " (disagree)") if r["ratio"] else "-"]
                 for r in data["cache_check"]])
    print_table("application kernels", ["kernel", "size", "time", "FLOP rate", "bandwidth"],
                [[r["kernel"], r["size"], si(r["time_s"], "s"), si(r["flop_per_s"], "FLOP/s"), si(r["bandwidth_bytes_per_s"], "B/s")]
                 for r in result.apps.to_dict(orient="records")])
    if checks is not None:
        print_table("predicted against measured (time per call)", ["kernel", "workload", "predicted", "measured", "error", "bound"],
                    [[r["kernel"], r["workload"], si(r["predicted_time_s"], "s"), si(r["measured_time_s"], "s"),
                      f"{r['error'] * 100:+.1f}%", r["bound"]] for r in checks.to_dict(orient="records")])


def _ceiling_rows(c: dict, per_cycle: float, achieved: float | None, precision: str) -> list[list[str]]:
    """Table rows of a ceiling dict (:meth:`archmodels.bench.ceiling.Ceiling.as_dict`)."""
    from fs.cli.output import si

    scale = 2.0 if precision == "fp32" else 1.0
    source = c["source"] + (f" ({c['url']})" if c.get("url") else "")
    return [
        ["microarchitecture", c["microarchitecture"] + (" [assumption]" if c["assumption"] else "")],
        [f"{precision} FLOP/cycle/core: ceiling", f"{per_cycle:g} ({source})"],
        [f"{precision} FLOP/cycle/core: achieved", "-" if achieved is None else f"{achieved:.1f}"],
        ["clock", "unknown" if c["clock_hz"] is None else f"{si(c['clock_hz'], 'Hz')}, {c['clock_source']}"],
        ["cores", str(c["cores"])],
        [f"{precision} ceiling (cores x clock x FLOP/cycle)",
         "-" if c["fp64_flop_per_s"] is None else si(scale * c["fp64_flop_per_s"], "FLOP/s")],
    ]
