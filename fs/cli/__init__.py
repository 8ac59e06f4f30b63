"""The ``fsw`` command line.

Thin commands: each parses its arguments, calls one library function and prints a rich table on
a terminal or JSON with ``--json``. Heavy imports (numpy, pandas, numba, qiskit) happen inside the
commands so that ``fsw --help`` stays fast. Bad input exits with status 2 and a one-paragraph
message on stderr, never a traceback.
"""

from __future__ import annotations

import sys

import typer

from archmodels import ownership as _ownership

_ownership.verify()  # fs/__init__.py may be another distribution's while fs.cli is still ours

from fs.cli import anneal, bench, compare, cost, doctor, io, machines, ops, predict, quantum, roofline, scale
from fs.cli import study, validate, workloads
from fs.cli.options import command_group

app = command_group("fs-workbench: feasibility studies of next-generation supercomputers.", name="fsw",
                    add_completion=False, pretty_exceptions_enable=False)
# One module a command, named as the command: `fsw NAME` is fs/cli/NAME.py, whose function NAME
# is the command, or whose ``app`` is the group of `fsw NAME ...`.
for _command in (roofline, predict, compare, validate, anneal, scale, cost, io, doctor):
    _name = _command.__name__.rpartition(".")[2]
    app.command(_name)(getattr(_command, _name))
for _group in (machines, workloads, bench, quantum, ops, study):
    app.add_typer(_group.app, name=_group.__name__.rpartition(".")[2])


def _version(value: bool) -> None:
    if value:
        from fs import __version__

        sys.stdout.write(f"fs-workbench {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """fs-workbench: feasibility studies of next-generation supercomputers."""


def _is_click_error(err: BaseException) -> bool:
    """Whether ``err`` is a click usage/parameter error, from click itself or the copy typer bundles.

    typer 0.29 ships its own click (``typer._click``), whose exceptions are not subclasses of the
    installed ``click``'s, so an ``isinstance`` against one of them misses the other.
    """
    return any(k.__name__ == "ClickException" for k in type(err).__mro__)


def _usage_message(err: BaseException) -> str:
    message = " ".join(err.format_message().split())  # type: ignore[attr-defined]
    ctx = getattr(err, "ctx", None)
    hint = f" (see '{ctx.command_path} --help')" if ctx is not None and getattr(ctx, "command_path", None) else ""
    return f"error: {message}{hint}\n"


def _command_path(args: list[str]) -> str:
    """``fsw`` and the (sub)command names that start ``args``: "fsw quantum run"."""
    command = typer.main.get_command(app)
    words = ["fsw"]
    for arg in args:
        sub = getattr(command, "commands", {}).get(arg)
        if sub is None:
            break
        words.append(arg)
        command = sub
    return " ".join(words)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    from archmodels.errors import InputError

    try:
        status = app(args=argv, prog_name="fsw", standalone_mode=False)
    except InputError as err:
        sys.stderr.write(f"error: {err}\n")
        return 2
    except typer.Exit as ex:  # raised by commands that end early on purpose
        return ex.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("interrupted: files already finished are kept; none is left half-written (every output is written to a temporary file, then renamed)\n")
        return 130
    except Exception as err:
        if type(err).__name__ == "Abort":  # click's Ctrl-C at a prompt, either copy of click
            sys.stderr.write("interrupted: files already finished are kept; none is left half-written (every output is written to a temporary file, then renamed)\n")
            return 130
        if type(err).__name__ == "NoArgsIsHelpError":  # `fsw` or `fsw GROUP` alone: its help, as help
            sys.stdout.write(err.format_message() + "\n")  # type: ignore[attr-defined]
            return 0
        if _is_click_error(err):  # usage and parameter errors: one line, exit 2, never a traceback
            sys.stderr.write(_usage_message(err))
            return 2
        if isinstance(err, ModuleNotFoundError):  # a command that needs an extra the core install leaves out
            from fs.cli.extras import missing_extra_message

            line = missing_extra_message(err, _command_path(sys.argv[1:] if argv is None else argv))
            if line is not None:
                sys.stderr.write(line + "\n")
                return 2
        raise
    return status if isinstance(status, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
