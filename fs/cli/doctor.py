"""`fsw doctor`: the environment fs-workbench runs in (versions, extras, conflicts, numba, CPU, memory)."""

from __future__ import annotations

import typer

from fs.cli.options import JsonOption


def _gib(value: int | None) -> str:
    return "-" if value is None else f"{value / 2**30:.1f} GiB"


def doctor(json_out: JsonOption = False) -> None:
    """Report versions, extras, package-name conflicts, the numba threading layer, CPU and memory.

    Exits 1 when another distribution owns, shadows or shares one of the packages fs, ops,
    archmodels or quantum (the only command that still runs then).
    """
    from fs.cli.output import emit_json, print_table
    from fs.environment import describe_environment

    env = describe_environment()
    if json_out:
        emit_json(env)
    else:
        install, cpu, mem, nb = env["fs_workbench"], env["cpu"], env["memory"], env["numba"]
        rows = [["python", f"{env['python']['version']} ({env['python']['executable']})"],
                ["fs-workbench", f"{install['version']} imported from {install['location']}"
                                 f" (installed from {install['installed_from'] or '?'}"
                                 f"{', editable' if install['editable'] else ''})"]]
        rows += [[name, version or "not installed"] for name, version in env["versions"].items()]
        rows += [[f"extra: {name}", ("installed: " if e["installed"] else "missing: ") + ", ".join(e["requires"])]
                 for name, e in env["extras"].items()]
        rows += [["numba threading", f"{nb['layer']} (requested {nb['requested']}, {nb['threads']} threads)"],
                 ["cpu", f"{cpu['model']} (LLVM: {cpu['llvm_name']}, {cpu['machine']})"],
                 ["cores", f"{cpu['logical_cpus']} logical, {cpu['usable_cpus']} usable, "
                           f"{cpu['physical_cores'] or '?'} physical"],
                 ["cpu features", " ".join(cpu["features"]) or "-"],
                 ["LLVM features", " ".join(cpu["llvm_features"]) or "-"],
                 ["memory", f"{_gib(mem['total_bytes'])} total, {_gib(mem['available_bytes'])} available"
                            + (f", cgroup limit {_gib(mem['cgroup_limit_bytes'])}" if mem["cgroup_limit_bytes"] else "")],
                 ["conflicts", str(len(env["conflicts"])) if env["conflicts"] else "none"]]
        print_table("fsw doctor", ["item", "value"], rows)
        for conflict in env["conflicts"]:
            typer.echo(f"conflict: {conflict['message']}", err=True)
    if env["conflicts"]:
        raise typer.Exit(1)
