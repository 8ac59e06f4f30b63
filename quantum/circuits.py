"""From a Qiskit circuit to what the engine runs, and running it (shot branching for measurements).

A bound circuit becomes a *program*: unitary segments (planned into passes by
:func:`quantum.engine.plan_gates`) separated by mid-circuit measurements and resets, followed by
terminal measurements (measurements after which nothing touches the qubit and nothing writes the
bit, sampled from the final state). Mid-circuit measurements and resets branch the state: with m shots left and outcome 1 of
probability p, Binomial(m, p) shots follow the |1> branch and the rest the |0> branch, each branch
a collapsed copy of the state (exact sampling of the measurement process; "shot branching",
Li et al., arXiv:2105.06437, https://arxiv.org/abs/2105.06437). Expectation values follow every
branch weighted by its probability.

Both walks are depth first: at a branching measurement or reset one collapsed copy waits on a stack
while the other branch runs to the end, so at most ``1 + Program.branching_ops`` states are alive
at once whatever the number of branches (``Program.live_states``); callers check that many
against memory before allocating the first.

Dynamic circuits (classical control flow, stores, variables) are compiled and run by
:mod:`quantum.dynamic`; :func:`prepare_circuit` checks and transpiles their bodies here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from quantum import kernels
from quantum.engine import (
    DEFAULT_CHUNK_QUBITS,
    DEFAULT_FUSED_QUBITS,
    Plan,
    apply_plan,
    pauli_sum_expectation,
    plan_gates,
    sample_indices,
)
from quantum.kernels import MAX_DENSE_QUBITS

NON_UNITARY = ("measure", "reset")
IGNORED = ("barrier", "delay", "global_phase", "id")
CONTROL_FLOW = ("if_else", "while_loop", "for_loop", "switch_case", "box", "break_loop", "continue_loop")

MAX_BRANCHES = 4096
"""Most measurement branches an expectation value follows (each costs a state copy in time)."""

PROBABILITY_FLOOR = 1e-14
"""An outcome of smaller probability is taken as impossible (rounding of a collapsed state), so
measuring a qubit whose value is already definite never branches."""


@dataclass(frozen=True)
class StateOps:
    """What the walks below do to a state, so the same walk runs on host or device states.

    ``apply_plan(state, plan)``, ``one_probability(state, qubit)`` (raw P(1)),
    ``collapse(state, qubit, outcome, scale, reset)`` in place, ``copy(state)``,
    ``sample_indices(state, shots, rng)`` and ``expectation(state, labels, coeffs)``;
    :data:`CPU_OPS` for numpy states, :func:`quantum.cuda_engine.cuda_ops` for device arrays.
    """

    apply_plan: Callable
    one_probability: Callable
    collapse: Callable
    copy: Callable
    sample_indices: Callable
    expectation: Callable


CPU_OPS = StateOps(
    apply_plan, kernels.qubit_one_probability, kernels.collapse_qubit, np.copy, sample_indices, pauli_sum_expectation
)


def supported_instruction_names() -> list[str]:
    """Instructions run as they are: Qiskit's standard gates on <= 5 qubits, unitary, measure,
    reset, barrier, delay."""
    from qiskit.circuit.library import get_standard_gate_name_mapping

    names = [
        name
        for name, op in get_standard_gate_name_mapping().items()
        if name in NON_UNITARY or name in IGNORED or op.num_qubits <= MAX_DENSE_QUBITS
    ]
    return sorted(set(names) | {"unitary", "barrier"})


def _needs_transpile(circuit) -> list[str]:
    """Names of the instructions, control-flow bodies included, outside the supported set."""
    from qiskit.circuit import ControlFlowOp, Gate

    supported = set(supported_instruction_names()) | set(CONTROL_FLOW) | {"store"}
    bad = []
    for ins in circuit.data:
        op = ins.operation
        name = op.name
        if isinstance(op, ControlFlowOp):
            for block in op.blocks:
                bad.extend(_needs_transpile(block))
            continue
        if name in supported:
            continue
        if isinstance(op, Gate) and op.num_qubits <= MAX_DENSE_QUBITS:
            continue  # has a matrix (checked when converted)
        bad.append(name)
    return sorted(set(bad))


def prepare_circuit(circuit, where: str | None = None):
    """Return ``circuit`` in the supported instruction set, transpiling what is outside it.

    Control flow stays as it is (:mod:`quantum.dynamic` runs it); the bodies of its blocks are
    checked and transpiled like the rest. Raises :class:`archmodels.errors.InputError` naming the
    instructions that cannot be translated.
    """
    from archmodels.errors import InputError

    bad = _needs_transpile(circuit)
    if not bad:
        return circuit
    from qiskit import transpile

    basis = [n for n in supported_instruction_names() if n not in ("unitary", "barrier")]
    try:
        out = transpile(circuit, basis_gates=basis, optimization_level=0)
    except Exception as err:  # transpiler errors come in several classes; report them all as input
        raise InputError(
            f"instructions {', '.join(bad)} are not supported and could not be transpiled to "
            f"the emulator's set ({err})",
            file=where,
        ) from err
    still = _needs_transpile(out)
    if still:
        raise InputError(f"instructions {', '.join(still)} are not supported by the emulator", file=where)
    return out


@dataclass(frozen=True)
class Program:
    """A bound circuit ready to run.

    ``body`` holds :class:`Plan` objects and ``("measure", qubit, clbit)`` / ``("reset", qubit)``
    tuples in order; ``terminal`` holds the terminal measurements ``(qubit, clbit)``.
    """

    n_qubits: int
    n_clbits: int
    body: tuple
    terminal: tuple[tuple[int, int], ...]
    passes: int = field(default=0)
    fused_gates: int = field(default=0)
    n_gates: int = field(default=0)
    branching_ops: int = field(default=0)

    @property
    def mid_circuit_ops(self) -> int:
        """Measurements and resets in the body."""
        return sum(1 for item in self.body if isinstance(item, tuple))

    def live_states(self, shots: int | None = None) -> int:
        """Most states alive at once in :func:`run_branches` (or :func:`run_shots` with ``shots``).

        One pending copy per branching measurement or reset on the current path plus the running
        state; with m shots at most m branches exist at all.
        """
        pending = self.branching_ops if shots is None else min(self.branching_ops, max(shots - 1, 0))
        return 1 + pending


def _gate_matrix(op):
    """The unitary of a gate on <= 5 qubits: its own ``to_matrix``, else its definition's.

    Gates without a matrix of their own (custom gates from ``to_gate()``, their inverses and
    controlled versions, ``DiagonalGate``, ``StatePreparation``, ...) go through
    ``qiskit.quantum_info.Operator``, which composes the definition recursively, global phase
    included, as ``Statevector`` does. ``PauliEvolutionGate.to_matrix`` exponentiates a sparse
    matrix and scipy warns about the sparse format; the result is exact, so that warning is muted.
    """
    import warnings

    from qiskit.quantum_info import Operator
    from scipy.sparse import SparseEfficiencyWarning

    from archmodels.errors import InputError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SparseEfficiencyWarning)
        try:
            return np.asarray(op.to_matrix(), dtype=np.complex128)
        except Exception:  # CircuitError for gates without a matrix, TypeError for unbound parameters
            pass
        try:
            return np.asarray(Operator(op).data, dtype=np.complex128)
        except Exception as err:  # QiskitError (no definition, non-unitary definition), TypeError, ...
            raise InputError(f"gate '{op.name}' has no matrix and no unitary definition the emulator can use ({err})") from err


def compile_circuit(
    circuit, *, fused_qubits: int = DEFAULT_FUSED_QUBITS, chunk_qubits: int = DEFAULT_CHUNK_QUBITS
) -> Program:
    """Turn a bound circuit (in the supported set) into a :class:`Program`."""
    n = circuit.num_qubits
    items: list = []
    for ins in circuit.data:
        name = ins.operation.name
        if name in IGNORED:
            continue
        qs = [circuit.find_bit(q).index for q in ins.qubits]
        if name == "measure":
            items.append(("measure", qs[0], circuit.find_bit(ins.clbits[0]).index))
        elif name == "reset":
            items.append(("reset", qs[0]))
        else:
            items.append(("gate", qs, _gate_matrix(ins.operation)))
    # terminal measurements: nothing acts on the qubit afterwards and nothing writes the bit
    # afterwards (a later write to the same bit makes this one a mid-circuit measurement, whose
    # value the later one overwrites)
    touched_later: set[int] = set()
    written_later: set[int] = set()
    terminal_idx = set()
    for i in range(len(items) - 1, -1, -1):
        item = items[i]
        if item[0] == "measure":
            if item[1] not in touched_later and item[2] not in written_later:
                terminal_idx.add(i)
            touched_later.add(item[1])
            written_later.add(item[2])
        else:
            touched_later.update(item[1] if item[0] == "gate" else [item[1]])
    terminal = tuple((items[i][1], items[i][2]) for i in sorted(terminal_idx))
    # a mid-circuit measurement or reset branches only if its qubit may be in superposition: a
    # qubit no gate touched since the start or since its last measurement/reset is definite
    definite = set(range(n))
    branching = 0
    for i, item in enumerate(items):
        if i in terminal_idx:
            continue
        if item[0] == "gate":
            definite.difference_update(item[1])
        else:
            branching += item[1] not in definite
            definite.add(item[1])
    body: list = []
    gates: list = []
    stats = [0, 0, 0]

    def flush():
        if gates:
            plan = plan_gates(gates, n, fused_qubits=fused_qubits, chunk_qubits=chunk_qubits)
            body.append(plan)
            stats[0] += plan.passes
            stats[1] += plan.fused_gates
            stats[2] += plan.n_gates
            gates.clear()

    for i, item in enumerate(items):
        if i in terminal_idx:
            continue
        if item[0] == "gate":
            gates.append((item[1], item[2]))
        else:
            flush()
            body.append(item)
    flush()
    return Program(n, circuit.num_clbits, tuple(body), terminal, stats[0], stats[1], stats[2], branching)


def _one_probability(state: np.ndarray, qubit: int, ops: StateOps = CPU_OPS) -> float:
    """P(qubit = 1), with outcomes below :data:`PROBABILITY_FLOOR` taken as impossible."""
    p1 = ops.one_probability(state, qubit)
    return 0.0 if p1 < PROBABILITY_FLOOR else 1.0 if p1 > 1.0 - PROBABILITY_FLOOR else float(p1)


def _branch(
    state: np.ndarray, qubit: int, outcome: int, p: float, reset: bool, copy: bool, ops: StateOps = CPU_OPS
) -> np.ndarray:
    st = ops.copy(state) if copy else state
    ops.collapse(st, qubit, outcome, 1.0 / np.sqrt(p), reset)
    return st


def _to_next_collapse(program: Program, state: np.ndarray, i: int, ops: StateOps):
    """Applies the gate plans from body item ``i`` on to ``state`` up to the next measurement or
    reset; returns that item and the index after it, or None at the end of the body."""
    while i < len(program.body):
        item = program.body[i]
        i += 1
        if not isinstance(item, Plan):
            return item, i
        ops.apply_plan(state, item)
    return None


def run_shots(
    program: Program, state: np.ndarray, shots: int, rng: np.random.Generator, ops: StateOps = CPU_OPS
) -> np.ndarray:
    """Classical bits of ``shots`` shots, shape (shots, n_clbits), uint8; ``state`` is consumed."""
    out = np.zeros((shots, program.n_clbits), dtype=np.uint8)
    row = 0
    stack = [(state, 0, shots, {})]
    while stack:
        st, i, m, bits = stack.pop()
        while (step := _to_next_collapse(program, st, i, ops)) is not None:
            item, i = step
            q = item[1]
            p1 = _one_probability(st, q, ops)
            k1 = int(rng.binomial(m, p1))
            outcomes = [(o, k) for o, k in ((0, m - k1), (1, k1)) if k > 0]
            reset = item[0] == "reset"
            if len(outcomes) == 2:
                o, k = outcomes[1]
                branch_bits = dict(bits)
                if not reset:
                    branch_bits[item[2]] = o
                stack.append((_branch(st, q, o, p1, reset, True, ops), i, k, branch_bits))
            o, k = outcomes[0]
            st = _branch(st, q, o, p1 if o else 1.0 - p1, reset, False, ops)
            m = k
            if not reset:
                bits = {**bits, item[2]: o}
        for c, v in bits.items():
            out[row : row + m, c] = v
        if program.terminal:
            idx = ops.sample_indices(st, m, rng)
            for q, c in program.terminal:
                out[row : row + m, c] = (idx >> q) & 1
        row += m
    return out[rng.permutation(shots)]


def run_branches(program: Program, state: np.ndarray, ops: StateOps = CPU_OPS):
    """Yield ``(weight, final_state)`` for every measurement branch of non-zero probability.

    ``state`` is consumed. Depth first: a yielded state is valid until the next one is asked for,
    and at most ``program.live_states()`` states exist at once (consume each as it comes).
    """
    from archmodels.errors import InputError

    stack = [(state, 0, 1.0)]
    count = 0
    while stack:
        st, i, w = stack.pop()
        while (step := _to_next_collapse(program, st, i, ops)) is not None:
            item, i = step
            q = item[1]
            p1 = _one_probability(st, q, ops)
            reset = item[0] == "reset"
            live = [(o, p) for o, p in ((0, 1.0 - p1), (1, p1)) if p > 0.0]
            if len(live) == 2:
                count += 1
                if count > MAX_BRANCHES:
                    raise InputError(f"more than {MAX_BRANCHES} measurement branches; use the sampler")
                o, p = live[1]
                stack.append((_branch(st, q, o, p, reset, True, ops), i, w * p))
            o, p = live[0]
            st = _branch(st, q, o, p, reset, False, ops)
            w *= p
        yield w, st
