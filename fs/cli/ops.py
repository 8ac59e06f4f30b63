"""`fsw ops`: command group (see the issue that owns it)."""

import typer

ops_app = typer.Typer(help="ops commands.", no_args_is_help=True)
