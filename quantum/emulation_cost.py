"""What state-vector emulation costs on a machine: memory, nodes, time and energy.

The model of a distributed state-vector emulator (the scheme of JUQCS, De Raedt et al.,
"Massively parallel quantum computer simulator, eleven years later", Comput. Phys. Commun. 237
(2019) 47, https://doi.org/10.1016/j.cpc.2018.11.005, and of mpiQulacs, Imamura et al.,
arXiv:2203.16044, https://arxiv.org/abs/2203.16044):

* the state of n qubits holds ``S = 2**n * b`` bytes (b = 16 for complex128, 8 for complex64, 2
  for JUQCS-50's byte encoding);
* it is split over ``N = 2**g`` nodes, the smallest power of two whose usable memory holds it; the
  g highest qubits are *global* (their index bit selects the node), the ``l = n - g`` others local;
* a pass over memory reads and writes the local slice once:
  ``t_pass = max(2 S / (N B_mem), F_pass / P_node)`` with ``B_mem`` the node's memory bandwidth,
  ``P_node`` its fp64 peak and ``F_pass = 2**l * sum_gates 8 * 2**k`` the flops of the pass's dense
  k-qubit gates (a complex multiply-add is 8 flops);
* a gate that mixes amplitudes across a global qubit needs a pairwise exchange of half the local
  slice with the partner node: ``t_x = latency + (S / N / 2) / B_inj`` per global qubit and gate
  (diagonal gates on global qubits need none);
* passes come from this package's own planner (:mod:`quantum.fusion`): dense fusion into gates of
  <= k qubits, then cache blocking of the local gates;
* energy ``E = N * P_node_max * T + 8 * bytes_exchanged * e_bit`` (assumption: emulation keeps
  memory saturated, so nodes draw their maximum power; network energy where the spec has it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from quantum.fusion import PAD_QUBITS, greedy_blocks
from quantum.memory import USABLE_FRACTION, nodes_to_hold

DIAGONAL_GATES = frozenset(
    {"rz", "z", "s", "sdg", "t", "tdg", "p", "u1", "cz", "cp", "cu1", "crz", "rzz", "ccz", "cs", "csdg", "id"}
)
"""Gates diagonal in the computational basis: no exchange when they touch global qubits."""

BYTES_PER_AMPLITUDE = {"double": 16, "single": 8, "byte": 2}
"""Bytes per amplitude; "byte" is JUQCS-50's adaptive byte encoding (8x less than double)."""


def state_vector_bytes(n_qubits: int, bytes_per_amplitude: float) -> float:
    """Bytes of the state vector: ``S = 2**n * b`` [B]."""
    return float(2**n_qubits) * bytes_per_amplitude


def pass_time_s(local_bytes: float, bandwidth_bytes_per_s: float, flops: float = 0.0, peak_flop_per_s: float = float("inf")) -> float:
    """Time of one pass over a node's local slice [s]: ``max(2 S_local / B, F / P)``.

    Parameters
    ----------
    local_bytes : float
        Bytes of the node's slice of the state [B].
    bandwidth_bytes_per_s : float
        Node memory bandwidth [B/s].
    flops : float
        Arithmetic of the pass on the node [FLOP].
    peak_flop_per_s : float
        Node fp64 peak [FLOP/s].
    """
    return max(2.0 * local_bytes / bandwidth_bytes_per_s, flops / peak_flop_per_s)


def exchange_time_s(local_bytes: float, injection_bandwidth_bytes_per_s: float, latency_s: float) -> float:
    """Pairwise exchange of half the local slice: ``t = latency + (S_local / 2) / B_inj`` [s]."""
    return latency_s + 0.5 * local_bytes / injection_bandwidth_bytes_per_s


@dataclass(frozen=True)
class CircuitShape:
    """What the cost model needs of a circuit: each gate's qubits and whether it is diagonal."""

    n_qubits: int
    gate_qubits: tuple[tuple[int, ...], ...]
    diagonal: tuple[bool, ...]
    layers: int | None = None

    @classmethod
    def layered(cls, n_qubits: int, depth: int) -> CircuitShape:
        """``depth`` layers of a single-qubit gate on every qubit and cx on alternating
        neighbour pairs (the layered benchmark circuit of the issue and of compare_aer)."""
        gates, diag = [], []
        for layer in range(depth):
            for q in range(n_qubits):
                gates.append((q,))
                diag.append(False)
            for q in range(layer % 2, n_qubits - 1, 2):
                gates.append((q, q + 1))
                diag.append(False)
        return cls(n_qubits, tuple(gates), tuple(diag), depth)

    @classmethod
    def from_circuit(cls, circuit) -> CircuitShape:
        """From a Qiskit circuit (measurements, barriers and resets are not gates here)."""
        gates, diag = [], []
        for ins in circuit.data:
            name = ins.operation.name
            if name in ("measure", "reset", "barrier", "delay", "global_phase"):
                continue
            gates.append(tuple(circuit.find_bit(q).index for q in ins.qubits))
            diag.append(name in DIAGONAL_GATES)
        return cls(circuit.num_qubits, tuple(gates), tuple(diag))


@dataclass(frozen=True)
class PassCount:
    """Passes over memory of a circuit split into ``local_qubits`` local and the rest global."""

    n_gates: int
    fused_gates: int
    passes: int
    global_exchanges: int
    flops_per_amplitude: float


def count_passes(shape: CircuitShape, local_qubits: int, fused_qubits: int = 2, chunk_qubits: int = 15) -> PassCount:
    """Fuse, cache-block and count exchanges with :mod:`quantum.fusion`'s greedy planner.

    Fused gates that touch only local qubits are grouped into cache blocks of ``chunk_qubits``
    (less the pad qubits the emulator keeps free, as :func:`quantum.fusion.cache_blocks` does;
    one pass each); a fused gate that touches a global qubit is its own pass and costs one
    exchange per global qubit on which it is not diagonal.
    """
    biggest = max((len(q) for q in shape.gate_qubits), default=1)
    blocks = greedy_blocks(shape.gate_qubits, max(fused_qubits, biggest))
    local_sets, n_global_passes, exchanges, flops = [], 0, 0, 0.0
    for block in blocks:
        qubits = sorted({q for g in block for q in shape.gate_qubits[g]})
        flops += 8.0 * 2 ** len(qubits)
        mixing = {q for g in block if not shape.diagonal[g] for q in shape.gate_qubits[g] if q >= local_qubits}
        if any(q >= local_qubits for q in qubits):
            n_global_passes += 1
            exchanges += len(mixing)
        else:
            local_sets.append(tuple(qubits))
    widest = max((len(s) for s in local_sets), default=1)
    m = max(min(chunk_qubits, local_qubits - 3), widest)  # as quantum.engine.plan_gates
    if m - PAD_QUBITS >= max(widest, 8):  # the emulator keeps pad qubits free of gates
        m -= PAD_QUBITS
    local_passes = len(greedy_blocks(local_sets, max(m, widest))) if local_sets else 0
    return PassCount(len(shape.gate_qubits), len(blocks), local_passes + n_global_passes, exchanges, flops)


@dataclass(frozen=True)
class EmulationCost:
    """Cost of emulating one circuit on ``nodes`` nodes of ``machine`` (SI units)."""

    machine: str
    n_qubits: int
    precision: str
    state_bytes: float
    nodes: int
    machine_nodes: int
    fits: bool
    local_qubits: int
    global_qubits: int
    n_gates: int
    fused_gates: int
    passes: int
    global_exchanges: int
    pass_time_s: float
    exchange_time_s: float
    memory_time_s: float
    compute_time_s: float
    communication_time_s: float
    time_s: float
    time_per_layer_s: float | None
    node_power_w: float
    power_w: float
    energy_j: float
    bandwidth_bytes_per_s: float

    def as_dict(self) -> dict:
        """Plain dict (JSON-ready)."""
        return asdict(self)


def _node_peak_fp64(machine) -> float:
    return sum(p.peak_flop_per_s.get("fp64", 0.0) * p.count for p in machine.node.processors) or float("inf")


def emulation_cost(
    machine,
    shape: CircuitShape,
    *,
    precision: str = "double",
    nodes: int | None = None,
    fused_qubits: int = 2,
    chunk_qubits: int = 15,
    usable_fraction: float = USABLE_FRACTION,
) -> EmulationCost:
    """Bytes, nodes, passes, time and energy of emulating ``shape`` on ``machine``.

    Parameters
    ----------
    machine : archmodels Machine
        From :func:`archmodels.load_machine`; uses node memory, memory bandwidth, fp64 peak,
        network injection bandwidth and latency, node power and the system's node count.
    shape : CircuitShape
    precision : {"double", "single", "byte"}
    nodes : int, optional
        Power-of-two node count; default the smallest that holds the state.
    """
    from archmodels.errors import InputError
    from archmodels.power import node_power_range_w

    if precision not in BYTES_PER_AMPLITUDE:
        raise InputError(f"precision must be one of {sorted(BYTES_PER_AMPLITUDE)}, got {precision!r}", location="precision")
    n = shape.n_qubits
    total = state_vector_bytes(n, BYTES_PER_AMPLITUDE[precision])
    need = nodes_to_hold(total, machine.node.memory_bytes, usable_fraction)
    if nodes is None:
        nodes = need
    elif nodes & (nodes - 1) or nodes < need:
        raise InputError(f"nodes must be a power of two >= {need} to hold {total:.3e} bytes, got {nodes}", location="nodes")
    g = nodes.bit_length() - 1
    if g >= n:
        raise InputError(f"{nodes} nodes is more than 2**{n - 1}: no local qubits left", location="nodes")
    local = n - g
    local_bytes = total / nodes
    counts = count_passes(shape, local, fused_qubits, chunk_qubits)
    bw = machine.node.memory_bandwidth_bytes_per_s
    mem_t = 2.0 * local_bytes / bw
    flops_per_pass = (2.0**local) * counts.flops_per_amplitude / max(counts.passes, 1)
    t_pass = pass_time_s(local_bytes, bw, flops_per_pass, _node_peak_fp64(machine))
    net = machine.network
    if g and net is None:
        raise InputError(f"machine {machine.name!r} has no [network]; cannot spread over {nodes} nodes", location="network")
    t_x = exchange_time_s(local_bytes, net.injection_bandwidth_bytes_per_s, net.latency_s or 0.0) if g else 0.0
    comm = counts.global_exchanges * t_x
    time_s = counts.passes * t_pass + comm
    _, p_max = node_power_range_w(machine)
    net_energy = 0.0
    if g and net.energy_per_bit_j:
        net_energy = counts.global_exchanges * nodes * 0.5 * local_bytes * 8 * net.energy_per_bit_j
    energy = nodes * p_max * time_s + net_energy
    return EmulationCost(
        machine=machine.name,
        n_qubits=n,
        precision=precision,
        state_bytes=total,
        nodes=nodes,
        machine_nodes=machine.nodes,
        fits=nodes <= machine.nodes,
        local_qubits=local,
        global_qubits=g,
        n_gates=counts.n_gates,
        fused_gates=counts.fused_gates,
        passes=counts.passes,
        global_exchanges=counts.global_exchanges,
        pass_time_s=t_pass,
        exchange_time_s=t_x,
        memory_time_s=counts.passes * mem_t,
        compute_time_s=counts.passes * flops_per_pass / _node_peak_fp64(machine),
        communication_time_s=comm,
        time_s=time_s,
        time_per_layer_s=time_s / shape.layers if shape.layers else None,
        node_power_w=p_max,
        power_w=nodes * p_max,
        energy_j=energy,
        bandwidth_bytes_per_s=counts.passes * 2.0 * total / time_s if time_s > 0 else 0.0,
    )


def cost_for(
    machine: str,
    n_qubits: int,
    *,
    depth: int | None = None,
    circuit_file: str | None = None,
    precision: str = "double",
    nodes: int | None = None,
) -> EmulationCost:
    """What ``fsw quantum cost`` computes: a layered circuit of ``depth`` or a circuit file."""
    from archmodels import load_machine
    from archmodels.errors import InputError

    if (depth is None) == (circuit_file is None):
        raise InputError("give exactly one of --depth or --circuit", location="--depth/--circuit")
    m = load_machine(machine)
    if circuit_file is not None:
        from quantum.circuit_files import load_circuit
        from quantum.circuits import prepare_circuit

        shape = CircuitShape.from_circuit(prepare_circuit(load_circuit(circuit_file), where=circuit_file))
        if n_qubits and n_qubits != shape.n_qubits:
            raise InputError(f"--qubits {n_qubits} but the circuit has {shape.n_qubits}", file=circuit_file)
    else:
        if depth < 1 or n_qubits < 1:
            raise InputError("--qubits and --depth must be >= 1", location="--qubits/--depth")
        shape = CircuitShape.layered(n_qubits, depth)
    return emulation_cost(m, shape, precision=precision, nodes=nodes)


def max_qubits(machine, precision: str = "double", usable_fraction: float = USABLE_FRACTION) -> int:
    """Most qubits whose state fits in the whole machine's usable memory."""
    cap = machine.nodes * machine.node.memory_bytes * usable_fraction
    n = 1
    while state_vector_bytes(n + 1, BYTES_PER_AMPLITUDE[precision]) <= cap and (
        nodes_to_hold(state_vector_bytes(n + 1, BYTES_PER_AMPLITUDE[precision]), machine.node.memory_bytes, usable_fraction)
        <= machine.nodes
    ):
        n += 1
    return n


@dataclass(frozen=True)
class PublishedRun:
    """A published distributed state-vector run: qubits, amplitude encoding and nodes used."""

    name: str
    machine: str
    n_qubits: int
    precision: str
    nodes: int
    source: str


PUBLISHED_RUNS = (
    PublishedRun(
        "mpiQulacs, 36 qubits on 64 A64FX nodes (Todoroki)",
        "a64fx",
        36,
        "double",
        64,
        "S. Imamura et al., mpiQulacs: A Distributed Quantum Computer Simulator for A64FX-based Cluster "
        "Systems, arXiv:2203.16044 (2022), https://arxiv.org/abs/2203.16044",
    ),
    PublishedRun(
        "JUQCS-50, 50 qubits, byte-encoded, on 16,384 GH200 (4,096 JUPITER nodes of 4)",
        "jupiter-booster",
        50,
        "byte",
        4096,
        "H. De Raedt et al., Universal Quantum Simulation of 50 Qubits on Europe's First Exascale "
        "Supercomputer Harnessing Its Heterogeneous CPU-GPU Architecture, arXiv:2511.03359 (2025), "
        "https://arxiv.org/abs/2511.03359",
    ),
)
"""Published runs whose node counts the capacity model must reproduce. (The papers' timings
depend on circuits and code paths we do not model gate by gate; they are not pinned here.)"""


def validate_published(runs=PUBLISHED_RUNS):
    """Predicted vs published node counts, one row per run (pandas DataFrame)."""
    import pandas as pd
    from archmodels import load_machine

    rows = []
    for run in runs:
        m = load_machine(run.machine)
        predicted = nodes_to_hold(state_vector_bytes(run.n_qubits, BYTES_PER_AMPLITUDE[run.precision]), m.node.memory_bytes)
        rows.append(
            {
                "run": run.name,
                "machine": run.machine,
                "n_qubits": run.n_qubits,
                "published_nodes": run.nodes,
                "predicted_nodes": predicted,
                "error": predicted / run.nodes - 1.0,
                "source": run.source,
            }
        )
    return pd.DataFrame(rows)


def validate_on_host(n_qubits: int = 22, depth: int = 4, threads: int | None = None, seed: int = 0) -> dict:
    """Measure this emulator on the host and compare with the model fed the host's measured profile.

    The host "machine" is one node with the STREAM-triad bandwidth and the fp64 FMA peak measured
    now (:func:`archmodels.bench.apps.run_triad`, :func:`archmodels.bench.peak.measure_peak`); the
    modelled time is ``passes * max(2 S / B_triad, F_pass / P_peak)`` with ``F`` the flops of the
    fused dense gates. Timings are noisy on a shared host; the result records them.
    """
    import time

    import numba
    import numpy as np
    from qiskit import QuantumCircuit

    from archmodels.bench.apps import run_triad
    from archmodels.bench.peak import measure_peak
    from quantum.circuits import compile_circuit
    from quantum.engine import apply_plan, zero_state
    from quantum.memory import check_state_memory

    threads = threads or numba.get_num_threads()
    rng = np.random.default_rng(seed)
    qc = QuantumCircuit(n_qubits)
    for layer in range(depth):
        for q in range(n_qubits):
            qc.u(*rng.uniform(0, 2 * np.pi, 3), q)
        for q in range(layer % 2, n_qubits - 1, 2):
            qc.cx(q, q + 1)
    check_state_memory(n_qubits)
    program = compile_circuit(qc)
    state = zero_state(n_qubits)
    for plan in program.body:  # warm-up compiles the kernels
        apply_plan(state, plan)
    state = zero_state(n_qubits)
    t0 = time.perf_counter()
    for plan in program.body:
        apply_plan(state, plan)
    measured = time.perf_counter() - t0
    triad = run_triad(1 << 24, threads)
    bw = triad.bytes / triad.spread.min_s
    flop, spread, _ = measure_peak(threads)
    peak = flop / spread.min_s
    flops_per_amplitude = sum(
        (6.0 if g.diagonal else 8.0 * 2 ** len(g.qubits)) for plan in program.body for b in plan.blocks for g in b.gates
    )
    flops = flops_per_amplitude * 2**n_qubits
    modelled = program.passes * pass_time_s(state_vector_bytes(n_qubits, 16), bw, flops / program.passes, peak)
    return {
        "n_qubits": n_qubits,
        "depth": depth,
        "threads": threads,
        "passes": program.passes,
        "measured_time_s": measured,
        "triad_bandwidth_bytes_per_s": bw,
        "peak_flop_per_s": peak,
        "flops": flops,
        "achieved_flop_per_s": flops / measured,
        "modelled_time_s": modelled,
        "error": modelled / measured - 1.0,
        "achieved_bandwidth_bytes_per_s": program.passes * 2 * state_vector_bytes(n_qubits, 16) / measured,
        "seed": seed,
    }
