"""`fsw machines list|show|validate`: the machine catalog and spec-file checks."""

from __future__ import annotations

from typing import List

import typer

from fs.cli.options import command_group, JsonOption

app = command_group("The machine catalog: list, show (with sources), validate spec files.")


@app.command("list")
def machines_list(json_out: JsonOption = False) -> None:
    """List the machines of the built-in catalog."""
    from archmodels.loaders import load_catalog
    from fs.cli.output import emit_json, print_table, si

    rows = []
    for m in load_catalog():
        per_node = max((p.peak_for("fp64", True) * p.count for p in m.node.processors), default=0.0)
        rows.append({"name": m.name, "title": m.title, "year": m.year, "nodes": m.nodes,
                     "hypothetical": m.hypothetical,
                     "processors": [f"{p.count} x {p.name} ({p.type})" for p in m.node.processors],
                     "peak_fp64_flop_per_s_per_node": per_node,
                     "memory_bytes_per_node": m.node.memory_bytes,
                     "memory_bandwidth_bytes_per_s_per_node": m.node.memory_bandwidth_bytes_per_s})
    if json_out:
        emit_json(rows)
        return
    print_table("fs-workbench catalog", ["name", "year", "nodes", "processors", "FP64/node", "memory/node",
                                         "bandwidth/node", "kind"],
                [[r["name"], r["year"], r["nodes"], ", ".join(r["processors"]),
                  si(r["peak_fp64_flop_per_s_per_node"], "FLOP/s"), si(r["memory_bytes_per_node"], "B"),
                  si(r["memory_bandwidth_bytes_per_s_per_node"], "B/s"),
                  "hypothetical" if r["hypothetical"] else "real"] for r in rows])


@app.command("show")
def machines_show(machine: str = typer.Argument(..., help="Catalog name or spec file."),
                  json_out: JsonOption = False) -> None:
    """Show a machine with the source of every number."""
    from archmodels.describe import describe_machine
    from fs.cli.output import emit_described

    info = describe_machine(machine)
    emit_described(info, json_out, f"{info['name']}: {info['title']} ({info['nodes']} nodes)",
                   ["field", "value", "source"],
                   [[q["field"], q["text"], q["source"] or "-"] for q in info["quantities"]])


@app.command("validate")
def machines_validate(files: List[str] = typer.Argument(..., help="Machine spec files."),
                      json_out: JsonOption = False) -> None:
    """Check spec files; report every problem in each file. Exit 2 if any file is invalid."""
    import sys

    from archmodels.describe import validate_files
    from fs.cli.output import emit_json

    results = validate_files(files)
    if json_out:
        emit_json(results)
    else:
        for r in results:
            if r["ok"]:
                sys.stdout.write(f"{r['file']}: ok ({r['name']})\n")
            else:
                sys.stderr.write(f"{r['file']}: {len(r['problems'])} problem(s)\n")
                for p in r["problems"]:
                    sys.stderr.write(f"  {p['path'] or '(file)'}: {p['message']}\n")
    if not all(r["ok"] for r in results):
        raise typer.Exit(2)
