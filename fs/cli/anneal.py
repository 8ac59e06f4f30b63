"""`fsw anneal`: simulated annealing of an Ising/QUBO problem, and the same job on a quantum annealer."""

from __future__ import annotations

import typer

from fs.cli.options import JsonOption


def anneal(
    file: str = typer.Argument(..., help="Ising/QUBO file: .toml, .json, or dimod COO .coo/.txt (see docs/hybrid.md)."),
    num_reads: int = typer.Option(100, "--reads", help="Independent annealing runs."),
    num_sweeps: int = typer.Option(1000, "--sweeps", help="Sweeps per run (one per beta)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the random streams (recorded in the output)."),
    annealer: str = typer.Option("advantage-pegasus", help="Annealer model: advantage-pegasus or advantage2-zephyr."),
    qpu_success: float = typer.Option(
        None, "--qpu-success", help="Success probability per annealer read (default: SA's, an assumption)."
    ),
    json_out: JsonOption = False,
) -> None:
    """Simulated annealing of an Ising/QUBO problem, with the same job sized on a quantum annealer (TTS99)."""
    from fs.cli.output import emit_json, print_table, si
    from quantum.annealing.compare import anneal_and_compare
    from quantum.annealing.problem_file import load_problem

    result = anneal_and_compare(load_problem(file), num_reads, num_sweeps, seed, annealer, qpu_success)
    if json_out:
        emit_json(result)
        return
    keys = [
        ("num_variables", ""), ("best_energy", ""), ("sa_success_probability", ""), ("sa_time_s", "s"),
        ("sa_spin_updates_per_s", "/s"), ("sa_tts99_s", "s"), ("annealer", ""), ("qpu_chain_length", ""),
        ("qpu_physical_qubits", ""), ("qpu_fits", ""), ("qpu_access_time_s", "s"), ("qpu_tts99_s", "s"),
        ("qpu_energy_j", "J"), ("seed", ""),
    ]
    rows = [[k, si(result[k], u) if u and isinstance(result[k], float) else result[k]] for k, u in keys]
    print_table(f"anneal {file}", ["quantity", "value"], rows)
