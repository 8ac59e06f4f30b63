"""Output for the CLI: JSON on stdout (sorted keys, SI units in names) or a rich table."""

from __future__ import annotations

import json
import math
import sys
from typing import Any, Iterable


def _clean(obj: Any) -> Any:
    if isinstance(obj, float):
        return None if math.isnan(obj) or math.isinf(obj) else obj
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalars
        return _clean(obj.item())
    return obj


def emit_json(obj: Any) -> None:
    """Print ``obj`` as JSON with sorted keys; NaN and infinities become null."""
    sys.stdout.write(json.dumps(_clean(obj), sort_keys=True, indent=2) + "\n")


def console(stderr: bool = False):
    """A rich console as wide as the terminal; 160 columns when the output is a file or a pipe, so
    that saved tables do not fold (``COLUMNS`` is ignored there: readline exports ``COLUMNS=80`` to
    every child of an interactive Python or pytest)."""
    from rich.console import Console

    out = Console(stderr=stderr)
    return out if out.is_terminal else Console(stderr=stderr, width=160)


def print_table(title: str, columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
    """Print a rich table to stdout, as wide as :func:`console`."""
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console().print(table)


def print_sources(sources: dict) -> None:
    """Print the table of cited sources (``{id: {title, url}}``), sorted by id."""
    print_table("sources", ["id", "title", "url"],
                [[k, s["title"], s.get("url") or ""] for k, s in sorted(sources.items())])


def emit_described(info: dict, json_out: bool, title: str, columns: Iterable[str],
                   rows: Iterable[Iterable[Any]]) -> None:
    """What ``fsw machines show`` and ``fsw workloads show`` print: the description ``info`` as JSON,
    else the table of its fields (``title``, ``columns``, ``rows``) and the sources they cite."""
    if json_out:
        emit_json(info)
        return
    print_table(title, columns, rows)
    print_sources(info["sources"])


def si(value: float | None, unit: str) -> str:
    """Short human string of an SI value ("3.35 TB/s"); durations of a minute or more in min, h, d
    or years ("27 h", not "97.2 ks")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if unit == "s" and abs(value) >= 60 and math.isfinite(value):
        for name, scale, below in (("min", 60.0, 3600.0), ("h", 3600.0, 2 * 86400.0), ("d", 86400.0, 2 * 365.25 * 86400)):
            if abs(value) < below:
                return f"{value / scale:.3g} {name}"
        return f"{value / (365.25 * 86400):.3g} y"
    for prefix, scale in (("E", 1e18), ("P", 1e15), ("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.3g} {prefix}{unit}"
    if 0 < abs(value) < 1e-3 and unit == "s":
        return f"{value * 1e6:.3g} us"
    if 0 < abs(value) < 1 and unit == "s":
        return f"{value * 1e3:.3g} ms"
    return f"{value:.3g} {unit}"


def amount(value: float | None, unit: str) -> str:
    """A problem size in the workload's own unit: ``"5.09e8 fine-grid nonzero"``."""
    if value is None or value != value:
        return "-"
    mantissa, _, exponent = f"{value:.3g}".partition("e")
    return f"{mantissa}e{int(exponent)} {unit}" if exponent else f"{mantissa} {unit}"


def check_writable(path: str | None, option: str, *, folder: bool = False) -> None:
    """Refuse an output path before any work is done (exit 2), by really creating a probe file there.

    ``os.access`` is not enough: as root it says yes for /proc, and it cannot see read-only mounts.
    With ``folder`` the path is a folder that may not exist yet: the probe goes to its nearest
    existing ancestor, and nothing is created.
    """
    import os
    import tempfile
    from pathlib import Path

    from archmodels.errors import InputError

    if path is None or path == "-":
        return
    target = Path(path)
    try:
        if folder:
            where = target.absolute()
            while not where.exists():
                where = where.parent
            if not where.is_dir():
                raise InputError(f"{option} {path}: {where} is a file; expected a folder")
        else:
            if target.is_dir():
                raise InputError(f"{option} {path}: is a folder; expected a file name")
            where = target.parent if str(target.parent) else Path(".")
        fd, probe = tempfile.mkstemp(dir=where, prefix=".fsw-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise InputError(f"{option} {path}: cannot write there ({err.strerror or err})") from None
