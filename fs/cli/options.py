"""Options that several `fsw` commands share, declared once as typer ``Annotated`` types.

A command writes ``json_out: JsonOption = False`` instead of repeating the flag, its name and its
help; the value reaches the command as a plain ``bool`` (or ``str``, ``float``...).
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

def command_group(help: str, **settings) -> typer.Typer:
    """A `fsw` command group (``fsw NAME ...``) that prints its help when called bare.

    Help is plain text (``rich_markup_mode=None``): rich markup would read the units in brackets,
    ``[kWh]`` and ``[s]``, as style tags and drop them. ``settings`` pass on to :class:`typer.Typer`.
    """
    return typer.Typer(**{"rich_markup_mode": None, "help": help, "no_args_is_help": True, **settings})


JsonOption = Annotated[bool, typer.Option("--json", help="JSON on stdout instead of the table (NaN and infinities as null).")]

TRACE_HELP = "SWF trace file (.swf or .swf.gz) or a shipped trace name: theta_argonne, lublin_256, cqsim_test."
TraceOption = Annotated[str, typer.Option("--trace", help=TRACE_HELP)]
StrictOption = Annotated[bool, typer.Option("--strict", help="A bad trace line is an error (exit 2).")]
OffAfterOption = Annotated[Optional[float], typer.Option("--off-after-s", help="Switch idle nodes off after this long [s].")]

SchedulerOption = Annotated[Optional[str], typer.Option(
    "--scheduler", help="Dask scheduler tcp://HOST:PORT (or DASK_SCHEDULER_ADDRESS).")]
ProcessesOption = Annotated[Optional[int], typer.Option("--processes", help="Run chunks on N local processes.")]
