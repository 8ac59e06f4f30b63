"""`fsw workloads list|show`: the built-in workload portfolio, every field with its source."""

from __future__ import annotations

import typer

from fs.cli.options import command_group, JsonOption

app = command_group("The workload portfolio: list, show (every field with its source).")


@app.command("list")
def workloads_list(json_out: JsonOption = False) -> None:
    """List the workloads of the built-in portfolio."""
    from archmodels.workload import load_workload, workload_names
    from fs.cli.output import emit_json, print_table, si

    rows = []
    for name in workload_names():
        w = load_workload(name)
        bytes_no_cache = w.traffic[0].bytes_per_unit
        rows.append({"name": w.name, "title": w.title, "class": w.workload_class, "precision": w.precision,
                     "matrix": w.matrix, "unit": w.unit, "flop_per_unit": w.flop_per_unit,
                     "bytes_per_unit_no_cache": bytes_no_cache,
                     "flop_per_byte_no_cache": w.flop_per_unit / bytes_no_cache if bytes_no_cache > 0 else None,
                     "units_per_processor": w.units_per_processor, "memory_fraction": w.memory_fraction,
                     "steps": w.steps, "communication": [c.pattern for c in w.communication], "file": w.path})
    if json_out:
        emit_json(rows)
        return

    def size(r: dict) -> str:
        if r["units_per_processor"] is not None:
            return f"{si(r['units_per_processor'], '')}".strip() + " per processor"
        return f"{r['memory_fraction']:.0%} of memory"

    print_table("fs-workbench workload portfolio",
                ["name", "class", "precision", "unit", "FLOP/unit", "FLOP/B (no cache)", "problem", "steps",
                 "communication"],
                [[r["name"], r["class"], r["precision"] + (" matrix" if r["matrix"] else ""), r["unit"],
                  f"{r['flop_per_unit']:.3g}",
                  "-" if r["flop_per_byte_no_cache"] is None else f"{r['flop_per_byte_no_cache']:.3g}",
                  size(r), r["steps"], ", ".join(r["communication"]) or "-"] for r in rows])


@app.command("show")
def workloads_show(workload: str = typer.Argument(..., help="Portfolio name or workload file."),
                   json_out: JsonOption = False) -> None:
    """Show a workload: every field as written, its SI value, its source and the note beside it."""
    from archmodels.describe import describe_workload
    from fs.cli.output import emit_described

    info = describe_workload(workload)
    emit_described(info, json_out, f"{info['name']}: {info['title']}", ["field", "value", "source", "note"],
                   [[f["field"], f["text"], f["source"] or "-", f["note"] or ""] for f in info["fields"]])
