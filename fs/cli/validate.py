"""`fsw validate`: the model against published figures (TOP500, Green500, HPCG, device rates)."""

from __future__ import annotations

from typing import List, Optional

import typer

from fs.cli.options import JsonOption


def validate(system: Optional[List[str]] = typer.Option(None, "--system", help="Only these systems."),
             metric: Optional[List[str]] = typer.Option(None, "--metric", help="hpl, hpl_power, gflops_per_w, hpcg, dgemm, capital."),
             suite: str = typer.Option("default", "--suite", help="default (catalog and fit-set systems, rows labelled in_sample) "
                                       "or out-of-sample (systems no constant was fitted on)."),
             json_out: JsonOption = False) -> None:
    """Recompute published figures (TOP500 Rmax and power, Green500, HPCG, device rates) and report the error.

    The default suite labels each row in_sample (a constant was fitted on it, or it reads back an
    input) and summarises both groups apart; --suite out-of-sample predicts systems written from
    their hardware descriptions only, which no constant was fitted on.
    """
    from archmodels.errors import InputError
    from archmodels.validation_suite import SUITES, validation_report
    from fs.cli.output import emit_json, print_table

    if suite not in SUITES:
        raise InputError(f"--suite must be one of {', '.join(SUITES)}, got {suite!r}", location="--suite")
    report = validation_report(suite, system or None, metric or None)
    if json_out:
        emit_json(report)
        return
    unit = {"hpl_power": ("MW", 1e-6), "gflops_per_w": ("GFLOPS/W", 1e-9), "dgemm": ("TFLOP/s", 1e-12),
            "capital": ("1e9 JPY", 1e-9), "hpl": ("PFLOP/s", 1e-15), "hpcg": ("PFLOP/s", 1e-15)}
    rows = []
    for c in report["rows"]:
        name, scale = unit.get(c["metric"], ("GB/s", 1e-9))
        rows.append([c["system"], c["metric"], f"{c['model'] * scale:.4g} {name}", f"{c['published'] * scale:.4g} {name}",
                     f"{c['error'] * 100:+.1f}%", {True: "yes", False: "no"}.get(c["in_sample"], "-"),
                     f"{c['list']}: {c['source_title'][:50]}"])
    title = "Model against published figures" + (" (out-of-sample suite)" if suite == "out-of-sample" else "")
    print_table(title, ["system", "metric", "model", "published", "error", "in sample", "source"], rows)
    print_table("Median |error| and share of rows within ±15% / ±20% / ±30%",
                ["group", "metric", "n", "median |error|", "±15%", "±20%", "±30%"],
                [[r["group"], r["metric"], r["n"], f"{r['median_abs_error'] * 100:.1f}%",
                  f"{r['within_15'] * 100:.0f}%", f"{r['within_20'] * 100:.0f}%", f"{r['within_30'] * 100:.0f}%"]
                 for r in report["summary"]])
    if report.get("leave_one_out"):
        print_table("Leave one out: constant refitted without the system, then the system predicted",
                    ["constant", "system", "fitted", "refit", "n fit", "error in", "error out"],
                    [[r["constant"], r["system"], f"{r['fitted']:.3g}", f"{r['refit']:.3g}", r["n_fit"],
                      f"{r['error_in'] * 100:+.1f}%", f"{r['error_out'] * 100:+.1f}%"] for r in report["leave_one_out"]])
