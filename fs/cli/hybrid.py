"""`fsw quantum hybrid|vqe` and `fsw anneal`: hybrid quantum-HPC workflows and annealing."""

import typer


def register(quantum_app: typer.Typer, app: typer.Typer) -> None:
    """Add the hybrid-workflow commands to ``fsw quantum`` and ``fsw anneal`` to the root app."""
