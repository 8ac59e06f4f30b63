"""`fsw quantum run|cost|hybrid|vqe|crossover`: circuits on the numba state-vector emulator, the cost of
emulation on a machine, hybrid quantum-HPC workflows and VQE (docs/hybrid.md).

Only typer is imported at module level; numpy, numba and Qiskit load inside the commands.
"""

from __future__ import annotations

from enum import Enum
from typing import List

import typer

from fs.cli.output import console as table_console
from fs.cli.output import emit_json
from fs.cli.options import command_group, JsonOption

app = command_group("Quantum: run circuits, cost of emulation on a machine, hybrid workflows, VQE, crossover.")


class Precision(str, Enum):
    double = "double"
    single = "single"


class Device(str, Enum):
    cpu = "cpu"
    gpu = "gpu"


class CostPrecision(str, Enum):
    double = "double"
    single = "single"
    byte = "byte"


@app.command("run")
def run(
    circuit: str = typer.Argument(..., help="OpenQASM 2 or 3 file."),
    shots: int = typer.Option(1024, "--shots", help="Number of shots."),
    seed: int | None = typer.Option(None, "--seed", help="Sampling seed (recorded; drawn when absent)."),
    precision: Precision = typer.Option(Precision.double, "--precision", help="Amplitude precision."),
    threads: int | None = typer.Option(None, "--threads", help="Numba threads (default: all)."),
    machine: str = typer.Option("fugaku", "--machine", help="Catalog machine named when memory is short."),
    device: Device = typer.Option(Device.cpu, "--device", help="cpu, or gpu (a CUDA device through numba.cuda)."),
    json_out: JsonOption = False,
) -> None:
    """Sample a circuit file; counts per classical register."""
    from quantum.run_file import run_circuit_file

    result = run_circuit_file(
        circuit, shots=shots, seed=seed, precision=precision.value, threads=threads, machine=machine,
        device=device.value,
    )
    if json_out:
        emit_json(result)
        return
    from rich.table import Table

    console = table_console()
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


@app.command("cost")
def cost(
    qubits: int = typer.Option(0, "--qubits", help="Number of qubits (taken from --circuit when given)."),
    depth: int | None = typer.Option(None, "--depth", help="Layers of a layered circuit (1q on all + cx pairs)."),
    circuit: str | None = typer.Option(None, "--circuit", help="OpenQASM 2/3 file instead of --depth."),
    machine: str = typer.Option(..., "--machine", help="Catalog name or machine TOML file."),
    precision: CostPrecision = typer.Option(CostPrecision.double, "--precision", help="Amplitude encoding."),
    nodes: int | None = typer.Option(None, "--nodes", help="Power-of-two node count (default: fewest that hold it)."),
    json_out: JsonOption = False,
) -> None:
    """Memory, nodes, passes, time and energy of emulating a circuit on a machine."""
    from archmodels import load_machine
    from archmodels.errors import InputError
    from quantum.emulation_cost import CircuitShape, emulation_cost

    if (depth is None) == (circuit is None):
        raise InputError("give exactly one of --depth or --circuit", location="--depth/--circuit")
    m = load_machine(machine)
    if circuit is not None:
        shape = CircuitShape.from_file(circuit)
        if qubits and qubits != shape.n_qubits:
            raise InputError(f"--qubits {qubits} but the circuit has {shape.n_qubits}", file=circuit)
    else:
        if depth < 1 or qubits < 1:
            raise InputError("--qubits and --depth must be >= 1", location="--qubits/--depth")
        shape = CircuitShape.layered(qubits, depth)
    result = emulation_cost(m, shape, precision=precision.value, nodes=nodes)
    data = result.as_dict()
    if json_out:
        emit_json(data)
        return
    from rich.table import Table

    table = Table(title=f"emulating {result.n_qubits} qubits on {result.machine}")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key, value in data.items():
        table.add_row(key, f"{value:.4g}" if isinstance(value, float) else str(value))
    table_console().print(table)


def _parse_assignments(items, option: str) -> dict:
    """``["a.b=1", "c=x"]`` -> ``{"a.b": 1, "c": "x"}`` (values parsed as JSON when they can be)."""
    import json

    from archmodels.errors import InputError

    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InputError(f"{option}: expected FIELD=VALUE, got {item!r}")
        try:
            out[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[key.strip()] = value
    return out


@app.command("hybrid")
def hybrid(
    scenario: str = typer.Argument(..., help="Scenario TOML file, or 'example' for the shipped example."),
    set_: List[str] = typer.Option(None, "--set", help="Override a field: --set qpu.placement=co-located (repeatable)."),
    sweep: str = typer.Option(None, "--sweep", help="What-if sweep of one field: --sweep hpc.nodes_per_user=1,4,16"),
    json_out: JsonOption = False,
) -> None:
    """Simulate a hybrid quantum-HPC scenario: total time and its critical-path breakdown (time, energy, cost)."""
    from archmodels.errors import InputError
    from fs.cli.output import emit_json, print_table, si
    from quantum.hybrid.sweep import run_scenario, what_if

    overrides = _parse_assignments(set_, "--set")
    if sweep:
        field, sep, values = sweep.partition("=")
        if not sep or not values:
            raise InputError(f"--sweep: expected FIELD=V1,V2,..., got {sweep!r}")
        parsed = [_parse_assignments([f"v={v}"], "--sweep")["v"] for v in values.split(",")]
        frame = what_if(scenario, field.strip(), parsed, overrides)
        if json_out:
            emit_json(frame.to_dict(orient="records"))
            return
        print_table(f"what-if {field}", ["value", "total", "quantum", "queue", "transfer", "classical", "energy", "cost"],
                    [[r["value"], si(r["total_time_s"], "s"), si(r["quantum_time_s"], "s"), si(r["queue_time_s"], "s"),
                      si(r["transfer_time_s"], "s"), si(r["classical_time_s"], "s"), si(r["total_energy_j"], "J"),
                      f"{r['total_cost_jpy']:.0f} JPY"] for r in frame.to_dict(orient="records")])
        return
    result = run_scenario(scenario, overrides)
    if json_out:
        emit_json(result)
        return
    b = result["breakdown"]
    rows = [[c, si(b[f"{c}_time_s"], "s"), f"{100 * b[f'{c}_time_s'] / result['total_time_s']:.1f} %",
             si(b[f"{c}_energy_j"], "J"), f"{b[f'{c}_cost_jpy']:.0f} JPY"]
            for c in ("quantum", "queue", "transfer", "classical")]
    rows.append(["total", si(result["total_time_s"], "s"), "100 %", si(result["total_energy_j"], "J"),
                 f"{result['total_cost_jpy']:.0f} JPY"])
    print_table(f"{result['title']} ({result['device']}, {result['placement']}, {result['users']} users, "
                f"critical path of user {result['critical_user']})",
                ["part", "time", "share", "energy", "cost"], rows)


@app.command("vqe")
def vqe(
    problem: str = typer.Argument("h2", help="h2 (STO-3G, 0.735 A, 2 qubits) or heisenberg (open chain)."),
    spins: int = typer.Option(4, help="Spins of the Heisenberg chain."),
    reps: int = typer.Option(None, help="Ansatz layers (default: 1 for h2, the spin count for heisenberg)."),
    optimizer: str = typer.Option("L-BFGS-B", help="L-BFGS-B (parameter-shift gradients) or COBYLA."),
    maxiter: int = typer.Option(500, help="Optimiser iterations at most."),
    seed: int = typer.Option(0, help="Seed of the initial parameters and the primitives."),
    json_out: JsonOption = False,
) -> None:
    """Run VQE through the project's estimator and check it against exact diagonalisation."""
    from fs.cli.output import emit_json, print_table, si
    from quantum.hybrid.variational import run_vqe

    result = run_vqe(problem, spins=spins, reps=reps, optimizer=optimizer, maxiter=maxiter, seed=seed).as_dict()
    if json_out:
        emit_json(result)
        return
    keys = ("energy", "exact_energy", "error", "iterations", "evaluations", "time_s", "primitive_time_s",
            "classical_time_s", "primitive", "optimizer", "seed")
    print_table(f"VQE {result['problem']}", ["quantity", "value"],
                [[k, si(result[k], "s") if k.endswith("_s") else result[k]] for k in keys])


@app.command("crossover")
def crossover(
    machines: List[str] = typer.Option(["fugaku"], "--machine", help="Catalog machine (repeatable)."),
    qpu: str = typer.Option("heron-r2", help="QPU model: heron-r2, h2-ions, neutral-atom."),
    placement: str = typer.Option("co-located", help="co-located or cloud."),
    min_qubits: int = typer.Option(10, help="Smallest qubit count."),
    max_qubits: int = typer.Option(46, help="Largest qubit count."),
    depth: int = typer.Option(20, help="Circuit layers."),
    shots: int = typer.Option(4000, help="Shots per circuit."),
    circuits: int = typer.Option(1, help="Circuits per job."),
    plot: str = typer.Option(None, help="Write the time/energy plot to this file (.png, .svg, .pdf)."),
    json_out: JsonOption = False,
) -> None:
    """Where emulation on each machine beats a QPU, in time and in energy, against qubit count."""
    from fs.cli.output import emit_json, print_table
    from quantum.hybrid.crossover import crossover_points, crossover_table, plot_crossover

    table = crossover_table(tuple(machines), qpu, placement, range(min_qubits, max_qubits + 1), depth, shots, circuits)
    points = crossover_points(table)
    if plot:
        plot_crossover(table, plot)
    if json_out:
        emit_json({"crossover": points, "rows": table.to_dict(orient="records")})
        return
    print_table(f"emulation vs {qpu} ({placement}), depth {depth}, {circuits} x {shots} shots",
                ["machine", "emulation faster up to (qubits)", "less energy up to (qubits)"],
                [[m, p["time_crossover_qubits"], p["energy_crossover_qubits"]] for m, p in points.items()])
