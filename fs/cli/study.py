"""`fsw study`: feasibility studies (see docs/study.md)."""

import typer

study_app = typer.Typer(help="Feasibility studies: run, report, list.", no_args_is_help=True)
