"""`fsw bench`: command group (see the issue that owns it)."""

import typer

bench_app = typer.Typer(help="bench commands.", no_args_is_help=True)
