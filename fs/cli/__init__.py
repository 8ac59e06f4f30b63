"""The ``fsw`` command line.

Thin commands: each parses its arguments, calls one library function and prints a rich table on
a terminal or JSON with ``--json``. Heavy imports (numpy, pandas, numba, qiskit) happen inside the
commands so that ``fsw --help`` stays fast. Bad input exits with status 2 and a one-paragraph
message on stderr, never a traceback.
"""

from __future__ import annotations

import sys

import typer

from fs.cli import bench as _bench
from fs.cli import cost as _cost
from fs.cli import hybrid as _hybrid
from fs.cli import io as _io
from fs.cli import machines as _machines
from fs.cli import ops as _ops
from fs.cli import quantum as _quantum
from fs.cli import scale as _scale
from fs.cli import study as _study

app = typer.Typer(
    name="fsw",
    help="fs-workbench: feasibility studies of next-generation supercomputers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(_machines.machines_app, name="machines")
_machines.register(app)
app.add_typer(_bench.bench_app, name="bench")
app.add_typer(_quantum.quantum_app, name="quantum")
app.add_typer(_ops.ops_app, name="ops")
app.add_typer(_study.study_app, name="study")
_hybrid.register(_quantum.quantum_app, app)
_scale.register(app)
_cost.register(app)
_io.register(app)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    from archmodels.errors import InputError

    try:
        status = app(args=argv, standalone_mode=False)
    except InputError as err:
        sys.stderr.write(f"error: {err}\n")
        return 2
    except typer.Exit as ex:  # raised by commands that end early on purpose
        return ex.exit_code
    except (typer.Abort, KeyboardInterrupt):
        sys.stderr.write("aborted\n")
        return 130
    except Exception as err:  # click's usage errors carry their own exit code (2)
        import click

        if isinstance(err, click.exceptions.ClickException):
            err.show()
            return err.exit_code
        raise
    return status if isinstance(status, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
