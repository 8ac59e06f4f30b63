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
* passes come from the emulator's own planner (:func:`quantum.fusion.fusion_groups`,
  :func:`quantum.engine.pass_count`): dense fusion into gates of <= k qubits, then cache blocking of
  the local gates;
* energy ``E = N * P_node_max * T + 8 * bytes_exchanged * e_bit`` (assumption: emulation keeps
  memory saturated, so nodes draw their maximum power; network energy where the spec has it).

Its checks against published runs and the host are in :mod:`quantum.emulation_validation`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from quantum.engine import DEFAULT_CHUNK_QUBITS, DEFAULT_FUSED_QUBITS, pass_count
from quantum.fusion import fusion_groups
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

    @classmethod
    def from_file(cls, path: str) -> CircuitShape:
        """From an OpenQASM 2 or 3 file, prepared as the emulator runs it."""
        from quantum.circuit_files import load_circuit
        from quantum.circuits import prepare_circuit

        return cls.from_circuit(prepare_circuit(load_circuit(path), where=path))


@dataclass(frozen=True)
class PassCount:
    """Passes over memory of a circuit split into ``local_qubits`` local and the rest global."""

    n_gates: int
    fused_gates: int
    passes: int
    global_exchanges: int
    flops_per_amplitude: float


def count_passes(shape: CircuitShape, local_qubits: int, fused_qubits: int = DEFAULT_FUSED_QUBITS,
                 chunk_qubits: int = DEFAULT_CHUNK_QUBITS) -> PassCount:
    """Fuse, cache-block and count exchanges with the emulator's own planner.

    Gates are fused as :func:`quantum.fusion.fuse_gates` fuses them; fused gates that touch only
    local qubits take the passes :func:`quantum.engine.plan_gates` makes on a state of
    ``local_qubits`` (:func:`quantum.engine.pass_count`); a fused gate that touches a global qubit
    is its own pass and costs one exchange per global qubit on which it is not diagonal.
    """
    local_sets, n_global_passes, exchanges, flops = [], 0, 0, 0.0
    blocks = fusion_groups(shape.gate_qubits, fused_qubits)
    for block in blocks:
        qubits = sorted({q for g in block for q in shape.gate_qubits[g]})
        flops += 8.0 * 2 ** len(qubits)
        mixing = {q for g in block if not shape.diagonal[g] for q in shape.gate_qubits[g] if q >= local_qubits}
        if any(q >= local_qubits for q in qubits):
            n_global_passes += 1
            exchanges += len(mixing)
        else:
            local_sets.append(tuple(qubits))
    local_passes = pass_count(local_sets, local_qubits, chunk_qubits=chunk_qubits)
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
    fused_qubits: int = DEFAULT_FUSED_QUBITS,
    chunk_qubits: int = DEFAULT_CHUNK_QUBITS,
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
