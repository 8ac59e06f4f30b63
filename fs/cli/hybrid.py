"""`fsw quantum hybrid|vqe` and `fsw anneal`: hybrid quantum-HPC workflows and annealing (docs/hybrid.md)."""

from typing import List

import typer


def _anneal(
    file: str = typer.Argument(..., help="Ising/QUBO file: .toml, .json, or dimod COO .coo/.txt (see docs/hybrid.md)."),
    num_reads: int = typer.Option(100, "--reads", help="Independent annealing runs."),
    num_sweeps: int = typer.Option(1000, "--sweeps", help="Sweeps per run (one per beta)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the random streams (recorded in the output)."),
    annealer: str = typer.Option("advantage-pegasus", help="Annealer model: advantage-pegasus or advantage2-zephyr."),
    qpu_success: float = typer.Option(
        None, "--qpu-success", help="Success probability per annealer read (default: SA's, an assumption)."
    ),
    json_out: bool = typer.Option(False, "--json", help="JSON on stdout."),
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


def _hybrid(
    scenario: str = typer.Argument(..., help="Scenario TOML file, or 'example' for the shipped example."),
    set_: List[str] = typer.Option(None, "--set", help="Override a field: --set qpu.placement=co-located (repeatable)."),
    sweep: str = typer.Option(None, "--sweep", help="What-if sweep of one field: --sweep hpc.nodes_per_user=1,4,16"),
    json_out: bool = typer.Option(False, "--json", help="JSON on stdout."),
) -> None:
    """Simulate a hybrid quantum-HPC scenario: total time and its critical-path breakdown (time, energy, cost)."""
    from archmodels.errors import InputError
    from fs.cli.output import emit_json, print_table, si
    from quantum.hybrid.scenario import example_scenario_path
    from quantum.hybrid.sweep import run_scenario, what_if

    path = example_scenario_path() if scenario == "example" else scenario
    overrides = _parse_assignments(set_, "--set")
    if sweep:
        field, sep, values = sweep.partition("=")
        if not sep or not values:
            raise InputError(f"--sweep: expected FIELD=V1,V2,..., got {sweep!r}")
        parsed = [_parse_assignments([f"v={v}"], "--sweep")["v"] for v in values.split(",")]
        frame = what_if(path, field.strip(), parsed, overrides)
        if json_out:
            emit_json(frame.to_dict(orient="records"))
            return
        print_table(f"what-if {field}", ["value", "total", "quantum", "queue", "transfer", "classical", "energy", "cost"],
                    [[r["value"], si(r["total_time_s"], "s"), si(r["quantum_time_s"], "s"), si(r["queue_time_s"], "s"),
                      si(r["transfer_time_s"], "s"), si(r["classical_time_s"], "s"), si(r["total_energy_j"], "J"),
                      f"{r['total_cost_jpy']:.0f} JPY"] for r in frame.to_dict(orient="records")])
        return
    result = run_scenario(path, overrides)
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


def _vqe(
    problem: str = typer.Argument("h2", help="h2 (STO-3G, 0.735 A, 2 qubits) or heisenberg (open chain)."),
    spins: int = typer.Option(4, help="Spins of the Heisenberg chain."),
    reps: int = typer.Option(None, help="Ansatz layers (default: 1 for h2, the spin count for heisenberg)."),
    optimizer: str = typer.Option("L-BFGS-B", help="L-BFGS-B (parameter-shift gradients) or COBYLA."),
    maxiter: int = typer.Option(500, help="Optimiser iterations at most."),
    seed: int = typer.Option(0, help="Seed of the initial parameters and the primitives."),
    json_out: bool = typer.Option(False, "--json", help="JSON on stdout."),
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


def _crossover(
    machines: List[str] = typer.Option(["fugaku"], "--machine", help="Catalog machine (repeatable)."),
    qpu: str = typer.Option("heron-r2", help="QPU model: heron-r2, h2-ions, neutral-atom."),
    placement: str = typer.Option("co-located", help="co-located or cloud."),
    min_qubits: int = typer.Option(10, help="Smallest qubit count."),
    max_qubits: int = typer.Option(46, help="Largest qubit count."),
    depth: int = typer.Option(20, help="Circuit layers."),
    shots: int = typer.Option(4000, help="Shots per circuit."),
    circuits: int = typer.Option(1, help="Circuits per job."),
    plot: str = typer.Option(None, help="Write the time/energy plot to this file (.png, .svg, .pdf)."),
    json_out: bool = typer.Option(False, "--json", help="JSON on stdout."),
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


def register(quantum_app: typer.Typer, app: typer.Typer) -> None:
    """Add the hybrid-workflow commands to ``fsw quantum`` and ``fsw anneal`` to the root app."""
    app.command("anneal")(_anneal)
    quantum_app.command("hybrid")(_hybrid)
    quantum_app.command("vqe")(_vqe)
    quantum_app.command("crossover")(_crossover)
