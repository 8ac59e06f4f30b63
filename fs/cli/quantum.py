"""`fsw quantum`: run circuits on the numba state-vector emulator; cost of emulation on a machine.

Only typer is imported at module level; numpy, numba and Qiskit load inside the commands.
"""

from __future__ import annotations

import json
from enum import Enum

import typer

quantum_app = typer.Typer(help="Quantum emulation: run circuits, cost of emulation on a machine.", no_args_is_help=True)


class Precision(str, Enum):
    double = "double"
    single = "single"


class CostPrecision(str, Enum):
    double = "double"
    single = "single"
    byte = "byte"


def _print_json(data: dict) -> None:
    typer.echo(json.dumps(data, sort_keys=True, indent=2, default=float))


@quantum_app.command("run")
def run(
    circuit: str = typer.Argument(..., help="OpenQASM 2 or 3 file."),
    shots: int = typer.Option(1024, "--shots", help="Number of shots."),
    seed: int | None = typer.Option(None, "--seed", help="Sampling seed (recorded; drawn when absent)."),
    precision: Precision = typer.Option(Precision.double, "--precision", help="Amplitude precision."),
    threads: int | None = typer.Option(None, "--threads", help="Numba threads (default: all)."),
    machine: str = typer.Option("fugaku", "--machine", help="Catalog machine named when memory is short."),
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """Sample a circuit file; counts per classical register."""
    from quantum.run_file import run_circuit_file

    result = run_circuit_file(
        circuit, shots=shots, seed=seed, precision=precision.value, threads=threads, machine=machine
    )
    if as_json:
        _print_json(result)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(
        f"{result['file']}: {result['n_qubits']} qubits, {result['shots']} shots, seed {result['seed']}, "
        f"{result['precision']}, {result['passes']} passes, {result['time_s']:.3f} s"
    )
    for creg, counts in result["counts"].items():
        table = Table(title=f"register {creg}")
        table.add_column("bits")
        table.add_column("count", justify="right")
        for bits, n in sorted(counts.items(), key=lambda kv: -kv[1])[:32]:
            table.add_row(bits, str(n))
        console.print(table)


@quantum_app.command("cost")
def cost(
    qubits: int = typer.Option(0, "--qubits", help="Number of qubits (taken from --circuit when given)."),
    depth: int | None = typer.Option(None, "--depth", help="Layers of a layered circuit (1q on all + cx pairs)."),
    circuit: str | None = typer.Option(None, "--circuit", help="OpenQASM 2/3 file instead of --depth."),
    machine: str = typer.Option(..., "--machine", help="Catalog name or machine TOML file."),
    precision: CostPrecision = typer.Option(CostPrecision.double, "--precision", help="Amplitude encoding."),
    nodes: int | None = typer.Option(None, "--nodes", help="Power-of-two node count (default: fewest that hold it)."),
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """Memory, nodes, passes, time and energy of emulating a circuit on a machine."""
    from quantum.emulation_cost import cost_for

    result = cost_for(machine, qubits, depth=depth, circuit_file=circuit, precision=precision.value, nodes=nodes)
    data = result.as_dict()
    if as_json:
        _print_json(data)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"emulating {result.n_qubits} qubits on {result.machine}")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key, value in data.items():
        table.add_row(key, f"{value:.4g}" if isinstance(value, float) else str(value))
    Console().print(table)
