"""`fsw quantum`: command group (see the issue that owns it)."""

import typer

quantum_app = typer.Typer(help="quantum commands.", no_args_is_help=True)
