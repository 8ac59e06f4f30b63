"""Dynamic circuits: classical control flow and classical expressions, run by shot branching.

A circuit is *dynamic* when it holds a control-flow operation (``if_else``, ``while_loop``,
``for_loop``, ``switch_case``, ``box``, ``break_loop``, ``continue_loop``), a ``store`` or a
classical variable. It is compiled (:func:`compile_dynamic`) into nested blocks: runs of gates
planned once into passes (:func:`quantum.engine.plan_gates`, reused by every branch and every loop
iteration), measurements, resets, stores and control-flow nodes whose conditions are compiled
Python closures over the classical state.

Running it (:func:`run_dynamic_shots`) follows *branches*: a branch is one state vector, its
classical values (clbits and variables), the shots that follow it and where it is in the program.
The first branch holds every shot. At a mid-circuit measurement or reset with m shots and P(1) = p,
k ~ Binomial(m, p) shots (a two-outcome multinomial, drawn from the sampler's seeded generator)
take outcome 1 and m - k outcome 0; an outcome no shot takes is dropped, so a branch is a distinct
classical history that at least one shot follows: there are never more branches than shots, and
a measurement whose outcome is certain (P below :data:`quantum.circuits.PROBABILITY_FLOOR`) does
not branch. Control flow is then evaluated once per branch on its own classical values. This is
exact sampling of the measurement process ("shot branching", Li et al., arXiv:2105.06437,
https://arxiv.org/abs/2105.06437). Measurements at the top level that nothing touches, reads or
writes afterwards are *terminal*: they do not branch but are sampled per branch from its final
state (:func:`quantum.engine.sample_indices`).

Memory: branches are walked depth first, the branch with fewer shots first and its sibling kept
as a collapsed copy on a stack. A kept sibling has at least half the shots of the branch it split
from, so while the stack is d deep the running branch has at most shots / 2**d shots: at most
floor(log2(shots)) copies wait at once, and never more than the branching measurements and resets
one path through the program can meet (:attr:`DynamicProgram.branching_bound`; unbounded through
a ``while_loop`` that measures). :meth:`DynamicProgram.live_states` is that bound plus the running
state; callers check it against the memory guard (:func:`quantum.memory.check_state_memory`) before
the first state exists.

Classical expressions (:mod:`qiskit.circuit.classical.expr`): ``Var`` (a clbit, a classical
register read as an unsigned integer with bit j = register[j], or a declared variable), ``Value``,
``Unary`` (bit_not, logic_not, negate), ``Binary`` (bitwise, logical, comparisons, shifts, add,
sub, mul, div), ``Cast`` and ``Index``, with the types ``Bool``, ``Uint(w)`` (arithmetic modulo
2**w, shifts fill with zeros, division of unsigned integers truncates) and ``Float``; conditions
may also be ``(Clbit, value)`` or ``(ClassicalRegister, value)`` tuples. Timing types (``Duration``,
``Stretch``) and input variables (no value to run with) are refused with an
:class:`archmodels.errors.InputError`.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from quantum.circuits import CPU_OPS, IGNORED, StateOps, _branch, _gate_matrix, _one_probability
from quantum.engine import DEFAULT_CHUNK_QUBITS, DEFAULT_FUSED_QUBITS, Plan, plan_gates

MAX_WHILE_ITERATIONS = 1_000_000
"""Most ``while_loop`` iterations one branch may run before the circuit is refused as not ending
(assumption: far above any repeat-until-success loop, whose iterations are geometric)."""


def is_dynamic(circuit) -> bool:
    """Whether ``circuit`` holds control flow, a ``store`` or classical variables.

    Asked of every bound circuit the sampler runs, so it uses Qiskit's own (Rust) counts rather
    than walking ``circuit.data`` (4 us against 1.5 ms for a 380-instruction circuit)."""
    if circuit.num_vars or circuit.has_control_flow_op():
        return True
    return not {"store", _BREAK, _CONTINUE}.isdisjoint(circuit.count_ops())


def _error(message: str):
    from archmodels.errors import InputError

    return InputError(message)


class _Classical:
    """Classical values of a branch: clbits as one int (bit i = clbit i) and declared variables."""

    __slots__ = ("bits", "vars")

    def __init__(self, bits: int = 0, variables: dict | None = None):
        self.bits = bits
        self.vars = {} if variables is None else variables

    def copy(self) -> _Classical:
        return _Classical(self.bits, dict(self.vars))

    def set_bit(self, index: int, value) -> None:
        if value:
            self.bits |= 1 << index
        else:
            self.bits &= ~(1 << index)

    def read(self, key, name: str):
        try:
            return self.vars[key]
        except KeyError:
            raise _error(f"classical variable '{name}' is read before any value is stored in it") from None


# --- classical expressions -----------------------------------------------------------------------


def _kind(t) -> tuple[str, int]:
    """('bool', 1), ('uint', width) or ('float', 0) of a classical type; refuses the others."""
    from qiskit.circuit.classical import types

    if isinstance(t, types.Bool):
        return "bool", 1
    if isinstance(t, types.Uint):
        return "uint", t.width
    if isinstance(t, types.Float):
        return "float", 0
    raise _error(
        f"classical type {t} is not supported by the emulator (timing types only schedule; use Bool, Uint or Float)"
    )


def _coerce(value, t):
    """``value`` as a value of classical type ``t`` (unsigned integers wrap modulo 2**width)."""
    kind, width = _kind(t)
    if kind == "bool":
        return bool(value)
    if kind == "uint":
        return int(value) & ((1 << width) - 1)
    return float(value)


def _register_reader(indices: list[int]) -> Callable[[_Classical], int]:
    def read(cl: _Classical) -> int:
        bits = cl.bits
        return sum(((bits >> i) & 1) << j for j, i in enumerate(indices))

    return read


def _clbit_indices(register, cmap) -> list[int]:
    try:
        return [cmap[b] for b in register]
    except KeyError:
        raise _error(f"classical register '{register.name}' is not among the bits of the block that reads it") from None


def _binary(op, a, b, t):
    """Closure of a binary expression of result type ``t`` over operand closures ``a``, ``b``."""
    from qiskit.circuit.classical import expr

    O = expr.Binary.Op
    kind, width = _kind(t)
    mask = (1 << width) - 1
    if op in (O.LOGIC_AND, O.LOGIC_OR):
        both = all if op == O.LOGIC_AND else any
        return lambda cl: both((bool(a(cl)), bool(b(cl))))
    compare = {O.EQUAL: operator.eq, O.NOT_EQUAL: operator.ne, O.LESS: operator.lt, O.LESS_EQUAL: operator.le,
               O.GREATER: operator.gt, O.GREATER_EQUAL: operator.ge}
    if op in compare:
        f = compare[op]
        return lambda cl: f(a(cl), b(cl))
    bitwise = {O.BIT_AND: operator.and_, O.BIT_OR: operator.or_, O.BIT_XOR: operator.xor}
    if op in bitwise:
        f = bitwise[op]
        if kind == "bool":
            return lambda cl: bool(f(bool(a(cl)), bool(b(cl))))
        return lambda cl: f(a(cl), b(cl)) & mask
    if op == O.SHIFT_LEFT:
        return lambda cl: (a(cl) << b(cl)) & mask
    if op == O.SHIFT_RIGHT:
        return lambda cl: a(cl) >> b(cl)
    arith = {O.ADD: operator.add, O.SUB: operator.sub, O.MUL: operator.mul}
    if op in arith:
        f = arith[op]
        if kind == "uint":
            return lambda cl: f(a(cl), b(cl)) & mask
        return lambda cl: float(f(a(cl), b(cl)))
    if op == O.DIV:

        def divide(cl):
            x, y = a(cl), b(cl)
            if y == 0:
                raise _error("division by zero in a classical expression")
            return (x // y) & mask if kind == "uint" else x / y

        return divide
    raise _error(f"binary operation {op.name} is not supported by the emulator")


def compile_expr(node, cmap: dict) -> Callable[[_Classical], object]:
    """A closure giving the value of classical expression ``node`` for a branch's classical values.

    ``cmap`` maps the Clbit objects of the enclosing block to global clbit indices.
    """
    from qiskit.circuit import Clbit, ClassicalRegister
    from qiskit.circuit.classical import expr

    if isinstance(node, expr.Value):
        value = _coerce(node.value, node.type)
        return lambda cl: value
    if isinstance(node, expr.Var):
        var = node.var
        if isinstance(var, Clbit):
            if var not in cmap:
                raise _error("a condition reads a clbit that is not among the bits of its block")
            i = cmap[var]
            return lambda cl: bool((cl.bits >> i) & 1)
        if isinstance(var, ClassicalRegister):
            return _register_reader(_clbit_indices(var, cmap))
        _kind(node.type)
        key, name = var, node.name
        return lambda cl: cl.read(key, name)
    if isinstance(node, expr.Unary):
        a = compile_expr(node.operand, cmap)
        O = expr.Unary.Op
        kind, width = _kind(node.type)
        if node.op == O.LOGIC_NOT:
            return lambda cl: not a(cl)
        if node.op == O.BIT_NOT:
            if kind == "bool":
                return lambda cl: not a(cl)
            mask = (1 << width) - 1
            return lambda cl: ~a(cl) & mask
        if node.op == O.NEGATE:
            return lambda cl: -a(cl)
        raise _error(f"unary operation {node.op.name} is not supported by the emulator")
    if isinstance(node, expr.Binary):
        return _binary(node.op, compile_expr(node.left, cmap), compile_expr(node.right, cmap), node.type)
    if isinstance(node, expr.Cast):
        a = compile_expr(node.operand, cmap)
        t = node.type
        _kind(t)
        return lambda cl: _coerce(a(cl), t)
    if isinstance(node, expr.Index):
        target, index = compile_expr(node.target, cmap), compile_expr(node.index, cmap)
        return lambda cl: bool((target(cl) >> index(cl)) & 1)
    raise _error(f"classical expression {node!r} is not supported by the emulator")


def compile_condition(condition, cmap: dict) -> Callable[[_Classical], object]:
    """An ``if_else``/``while_loop`` condition (``(Clbit|ClassicalRegister, value)`` or an expr)."""
    from qiskit.circuit.classical import expr

    if isinstance(condition, tuple):
        condition = expr.lift_legacy_condition(condition)
    return compile_expr(condition, cmap)


def compile_store(lvalue, rvalue, cmap: dict) -> Callable[[_Classical], None]:
    """A closure that writes ``rvalue``'s value into ``lvalue`` (a clbit, register, variable, or
    one bit of a register or unsigned variable)."""
    from qiskit.circuit import Clbit, ClassicalRegister
    from qiskit.circuit.classical import expr

    value = compile_expr(rvalue, cmap)
    if isinstance(lvalue, expr.Index):
        target, index = lvalue.target, compile_expr(lvalue.index, cmap)
        if isinstance(target.var, ClassicalRegister):
            indices = _clbit_indices(target.var, cmap)

            def store_register_bit(cl):
                cl.set_bit(indices[index(cl)], value(cl))

            return store_register_bit
        key, name, width = target.var, target.name, _kind(target.type)[1]

        def store_variable_bit(cl):
            old, j = cl.read(key, name), index(cl)
            cl.vars[key] = (old | (1 << j)) if value(cl) else (old & ~(1 << j) & ((1 << width) - 1))

        return store_variable_bit
    var = lvalue.var
    if isinstance(var, Clbit):
        i = cmap[var]
        return lambda cl: cl.set_bit(i, value(cl))
    if isinstance(var, ClassicalRegister):
        indices = _clbit_indices(var, cmap)

        def store_register(cl):
            v = value(cl)
            for j, i in enumerate(indices):
                cl.set_bit(i, (v >> j) & 1)

        return store_register
    key, t = var, lvalue.type

    def store_variable(cl):
        cl.vars[key] = _coerce(value(cl), t)

    return store_variable


# --- compiled program --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Measure:
    qubit: int
    clbit: int


@dataclass(frozen=True)
class _Reset:
    qubit: int


@dataclass(frozen=True)
class _Store:
    apply: Callable


@dataclass(frozen=True)
class _If:
    condition: Callable
    true_body: tuple
    false_body: tuple


@dataclass(frozen=True)
class _While:
    condition: Callable
    body: tuple


@dataclass(frozen=True)
class _For:
    bodies: tuple  # one compiled body per iteration (the same object when the index is unused)


@dataclass(frozen=True)
class _Switch:
    selector: Callable
    cases: dict
    default: tuple | None


_BREAK, _CONTINUE = "break_loop", "continue_loop"


@dataclass(frozen=True)
class DynamicProgram:
    """A bound dynamic circuit ready to run.

    ``body`` holds :class:`quantum.engine.Plan` objects and the compiled measurement, reset,
    store and control-flow nodes; ``terminal`` the terminal measurements ``(qubit, clbit)``;
    ``branching_bound`` the most branching measurements and resets one path can meet (``inf``
    through a measuring ``while_loop``).
    """

    n_qubits: int
    n_clbits: int
    body: tuple
    terminal: tuple[tuple[int, int], ...]
    branching_bound: float
    passes: int

    def live_states(self, shots: int | None = None) -> int:
        """Most states alive at once in :func:`run_dynamic_shots` with ``shots`` shots (module
        docstring): the running one plus min(branching_bound, floor(log2(shots)))."""
        if shots is None:
            raise ValueError("a dynamic circuit is run by shots; give their number")
        pending = min(self.branching_bound, int(math.floor(math.log2(shots))) if shots > 1 else 0)
        return 1 + int(pending)


def _bound(items: tuple) -> float:
    """Most branching operations one path through ``items`` meets."""
    total = 0.0
    for item in items:
        if isinstance(item, (_Measure, _Reset)):
            total += 1
        elif isinstance(item, _If):
            total += max(_bound(item.true_body), _bound(item.false_body))
        elif isinstance(item, _Switch):
            total += max([_bound(b) for b in item.cases.values()] + [_bound(item.default or ())])
        elif isinstance(item, _For):
            total += sum(_bound(b) for b in item.bodies)
        elif isinstance(item, _While):
            total += math.inf if _bound(item.body) else 0.0
    return total


def _expr_clbits(node, cmap) -> set[int]:
    """Global indices of the clbits a classical expression (or legacy condition) reads."""
    from qiskit.circuit import Clbit, ClassicalRegister
    from qiskit.circuit.classical import expr

    if node is None:
        return set()
    if isinstance(node, tuple):
        node = expr.lift_legacy_condition(node)
    out = set()
    for var in expr.iter_vars(node):
        if isinstance(var.var, Clbit):
            out.add(cmap[var.var])
        elif isinstance(var.var, ClassicalRegister):
            out.update(_clbit_indices(var.var, cmap))
    return out


def _terminal_measurements(circuit, qmap, cmap) -> set[int]:
    """Indices of top-level measurements after which nothing touches the qubit and nothing reads
    or writes the bit (control flow touches its qubits and uses its clbits and condition bits)."""
    from qiskit.circuit import IfElseOp, Store, SwitchCaseOp, WhileLoopOp

    touched: set[int] = set()
    used: set[int] = set()
    terminal = set()
    for k in range(len(circuit.data) - 1, -1, -1):
        ins = circuit.data[k]
        op = ins.operation
        qs = {qmap[q] for q in ins.qubits}
        cs = {cmap[c] for c in ins.clbits}
        if op.name == "measure":
            (q,), (c,) = qs, cs
            if q not in touched and c not in used:
                terminal.add(k)
        elif isinstance(op, Store):
            cs |= _expr_clbits(op.lvalue, cmap) | _expr_clbits(op.rvalue, cmap)
        elif isinstance(op, (IfElseOp, WhileLoopOp)):
            cs |= _expr_clbits(op.condition, cmap)
        elif isinstance(op, SwitchCaseOp):
            from qiskit.circuit.classical import expr

            cs |= _expr_clbits(expr.lift(op.target) if not isinstance(op.target, expr.Expr) else op.target, cmap)
        touched |= qs
        used |= cs
    return terminal


class _Compiler:
    def __init__(self, n_qubits: int, fused_qubits: int, chunk_qubits: int):
        self.n = n_qubits
        self.fused_qubits = fused_qubits
        self.chunk_qubits = chunk_qubits
        self.passes = 0

    def plan(self, gates: list) -> Plan:
        """Plan a run of ``(qubits, matrix)`` gates into passes (counted in ``self.passes``)."""
        plan = plan_gates(gates, self.n, fused_qubits=self.fused_qubits, chunk_qubits=self.chunk_qubits)
        self.passes += plan.passes
        return plan

    def block(self, circuit, qmap: dict, cmap: dict, in_loop: bool, skip=frozenset()) -> tuple:
        """The compiled items of ``circuit``'s instructions (those at indices in ``skip`` left out)."""
        raw: list = []
        self._emit(circuit, qmap, cmap, in_loop, skip, raw)
        return self._finish(raw)

    def _finish(self, raw: list) -> tuple:
        """Plan the gate runs of ``raw``. The run of gates right after an ``if_else`` or
        ``switch_case`` is moved to the end of each of its bodies (an empty one included), so a
        branch applies its body's gates and the following ones in the same passes: it runs after
        the node exactly when a body ends normally, so the result is the same."""
        out: list = []
        gates: list = []
        i = 0
        while i < len(raw):
            item = raw[i]
            i += 1
            if isinstance(item, tuple):
                gates.append(item)
                continue
            if gates:
                out.append(self.plan(gates))
                gates = []
            if isinstance(item, (_If, _Switch)):
                tail = []
                while i < len(raw) and isinstance(raw[i], tuple):
                    tail.append(raw[i])
                    i += 1
                item = self._finish_bodies(item, tail)
            out.append(item)
        if gates:
            out.append(self.plan(gates))
        return tuple(out)

    def _finish_bodies(self, node, tail: list):
        if isinstance(node, _If):
            return _If(node.condition, self._finish(node.true_body + tail), self._finish(node.false_body + tail))
        done: dict = {}  # several case values share one body
        cases = {}
        for value, body in node.cases.items():
            if id(body) not in done:
                done[id(body)] = self._finish(body + tail)
            cases[value] = done[id(body)]
        default = node.default
        if default is not None or tail:
            default = done[id(default)] if id(default) in done else self._finish((default or []) + tail)
        return _Switch(node.selector, cases, default)

    def _emit(self, circuit, qmap, cmap, in_loop, skip, raw: list) -> None:
        """Append ``circuit``'s instructions to ``raw``: gates as ``(qubits, matrix)`` tuples,
        the rest as nodes (if/switch bodies still raw lists, loop bodies compiled)."""
        from qiskit.circuit import BoxOp, ForLoopOp, IfElseOp, Store, SwitchCaseOp, WhileLoopOp

        for k, ins in enumerate(circuit.data):
            if k in skip:
                continue
            op = ins.operation
            name = op.name
            if name in IGNORED:
                continue
            qs = [qmap[q] for q in ins.qubits]
            if name == "measure":
                raw.append(_Measure(qs[0], cmap[ins.clbits[0]]))
            elif name == "reset":
                raw.append(_Reset(qs[0]))
            elif isinstance(op, Store):
                raw.append(_Store(compile_store(op.lvalue, op.rvalue, cmap)))
            elif isinstance(op, BoxOp):  # runs its body in place: its gates fuse with their neighbours
                body = op.blocks[0]
                self._emit(body, *self._maps(body, ins, qmap, cmap), in_loop, frozenset(), raw)
            elif isinstance(op, IfElseOp):
                bodies = []
                for body in op.blocks:
                    bodies.append([])
                    self._emit(body, *self._maps(body, ins, qmap, cmap), in_loop, frozenset(), bodies[-1])
                raw.append(_If(compile_condition(op.condition, cmap), bodies[0], bodies[1] if len(bodies) > 1 else []))
            elif isinstance(op, WhileLoopOp):
                body = op.blocks[0]
                condition = compile_condition(op.condition, cmap)
                raw.append(_While(condition, self.block(body, *self._maps(body, ins, qmap, cmap), True)))
            elif isinstance(op, ForLoopOp):
                indexset, parameter, body = op.params
                maps = self._maps(body, ins, qmap, cmap)
                values = list(indexset)
                if parameter is None or parameter not in body.parameters:
                    bodies = (self.block(body, *maps, True),) * len(values)
                else:
                    bodies = tuple(
                        # assign_parameters(inplace=False) keeps the body's bit objects, so the maps hold
                        self.block(body.assign_parameters({parameter: v}, inplace=False), *maps, True)
                        for v in values
                    )
                raw.append(_For(bodies))
            elif isinstance(op, SwitchCaseOp):
                raw.append(self._switch(op, ins, qmap, cmap, in_loop))
            elif name in (_BREAK, _CONTINUE):
                if not in_loop:
                    raise _error(f"'{name}' outside a for_loop or while_loop")
                raw.append(name)
            elif getattr(op, "blocks", None):
                raise _error(f"control-flow operation '{name}' is not supported by the emulator")
            else:
                raw.append((qs, _gate_matrix(op)))

    @staticmethod
    def _maps(body, ins, qmap, cmap) -> tuple[dict, dict]:
        """Bit maps of a control-flow body: its bits are the instruction's, in order."""
        return (
            {b: qmap[o] for b, o in zip(body.qubits, ins.qubits)},
            {b: cmap[o] for b, o in zip(body.clbits, ins.clbits)},
        )

    def _switch(self, op, ins, qmap, cmap, in_loop) -> _Switch:
        from qiskit.circuit import CASE_DEFAULT, Clbit, ClassicalRegister
        from qiskit.circuit.classical import expr

        target = op.target
        if isinstance(target, Clbit):
            selector = compile_expr(expr.lift(target), cmap)
        elif isinstance(target, ClassicalRegister):
            selector = _register_reader(_clbit_indices(target, cmap))
        else:
            selector = compile_expr(target, cmap)
        cases: dict = {}
        default = None
        for values, block in op.cases_specifier():
            compiled: list = []  # raw: finished with the gates that follow (_finish)
            self._emit(block, *self._maps(block, ins, qmap, cmap), in_loop, frozenset(), compiled)
            for v in values:
                if v is CASE_DEFAULT:
                    default = compiled
                else:
                    cases.setdefault(int(v), compiled)  # bools are 0/1: the selector's ints match
        return _Switch(selector, cases, default)


def compile_dynamic(
    circuit, *, fused_qubits: int = DEFAULT_FUSED_QUBITS, chunk_qubits: int = DEFAULT_CHUNK_QUBITS
) -> DynamicProgram:
    """Turn a bound dynamic circuit (instructions in the emulator's set) into a :class:`DynamicProgram`.

    Raises :class:`archmodels.errors.InputError` for input variables, timing types, unknown
    control flow and ``break_loop``/``continue_loop`` outside a loop.
    """
    inputs = [v.name for v in circuit.iter_input_vars()]
    if inputs:
        raise _error(
            f"input variables ({', '.join(inputs)}) have no value to run with; declare them with "
            "QuantumCircuit.add_var and an initial value"
        )
    if circuit.num_parameters:
        raise _error(f"circuit has unbound parameters ({', '.join(p.name for p in circuit.parameters)})")
    qmap = {q: i for i, q in enumerate(circuit.qubits)}
    cmap = {c: i for i, c in enumerate(circuit.clbits)}
    terminal_idx = _terminal_measurements(circuit, qmap, cmap)
    compiler = _Compiler(circuit.num_qubits, fused_qubits, chunk_qubits)
    body = compiler.block(circuit, qmap, cmap, False, frozenset(terminal_idx))
    terminal = tuple((qmap[circuit.data[k].qubits[0]], cmap[circuit.data[k].clbits[0]]) for k in sorted(terminal_idx))
    return DynamicProgram(circuit.num_qubits, circuit.num_clbits, body, terminal, _bound(body), compiler.passes)


# --- running --------------------------------------------------------------------------------------


def _end_of_block(frame, cl: _Classical):
    """Where a branch goes when it reaches the end of ``frame``'s block: the next loop iteration,
    or the instruction after the block."""
    _, _, loop, parent = frame
    if loop is None:
        return parent
    if isinstance(loop[0], _For):
        node, k = loop
        k += 1
        return (node.bodies[k], 0, (node, k), parent) if k < len(node.bodies) else parent
    node = loop[0]
    return (node.body, 0, loop, parent) if node.condition(cl) else parent


def _count_iteration(frame, iterations: int) -> int:
    """The branch's while_loop iterations after leaving ``frame``'s block (one more when it is a
    while_loop body); refuses a branch past :data:`MAX_WHILE_ITERATIONS`."""
    loop = frame[2]
    if loop is None or isinstance(loop[0], _For):
        return iterations
    if iterations >= MAX_WHILE_ITERATIONS:
        raise _error(f"a while_loop ran {MAX_WHILE_ITERATIONS:,} iterations on one branch without ending")
    return iterations + 1


def _loop_frame(frame):
    while frame[2] is None:
        frame = frame[3]
    return frame


def run_dynamic_shots(
    program: DynamicProgram, state: np.ndarray, shots: int, rng: np.random.Generator, ops: StateOps = CPU_OPS
) -> tuple[np.ndarray, dict]:
    """Classical bits of ``shots`` shots, shape (shots, n_clbits), uint8, in random shot order,
    and run figures ``{"branches", "passes"}``; ``state`` is consumed (module docstring).

    A frame is ``(items, next index, loop, parent frame)``; ``loop`` is ``(for node, iteration)``
    or ``(while node,)`` for a loop body, None for any other block.
    """
    out = np.zeros((shots, program.n_clbits), dtype=np.uint8)
    row = branches = passes = 0
    stack = [(state, shots, _Classical(), (program.body, 0, None, None), 0)]
    while stack:
        st, m, cl, frame, iterations = stack.pop()
        while frame is not None:
            items, i, loop, parent = frame
            if i == len(items):
                iterations = _count_iteration(frame, iterations)
                frame = _end_of_block(frame, cl)
                continue
            item = items[i]
            frame = (items, i + 1, loop, parent)
            if isinstance(item, Plan):
                ops.apply_plan(st, item)
                passes += item.passes
            elif isinstance(item, (_Measure, _Reset)):
                reset = isinstance(item, _Reset)
                q = item.qubit
                p1 = _one_probability(st, q, ops)
                k1 = int(rng.binomial(m, p1))
                if 0 < k1 < m:
                    # the sibling with more shots waits as a copy; this branch goes on with fewer
                    small, large = (1, 0) if k1 <= m - k1 else (0, 1)
                    shots_of = (m - k1, k1)
                    prob_of = (1.0 - p1, p1)
                    waiting = cl.copy()
                    if not reset:
                        waiting.set_bit(item.clbit, large)
                    copy = _branch(st, q, large, prob_of[large], reset, True, ops)
                    stack.append((copy, shots_of[large], waiting, frame, iterations))
                    outcome, m = small, shots_of[small]
                else:
                    outcome = 1 if k1 else 0
                st = _branch(st, q, outcome, p1 if outcome else 1.0 - p1, reset, False, ops)
                if not reset:
                    cl.set_bit(item.clbit, outcome)
            elif isinstance(item, _Store):
                item.apply(cl)
            elif isinstance(item, _If):
                body = item.true_body if item.condition(cl) else item.false_body
                if body:
                    frame = (body, 0, None, frame)
            elif isinstance(item, _Switch):
                body = item.cases.get(int(item.selector(cl)), item.default)
                if body:
                    frame = (body, 0, None, frame)
            elif isinstance(item, _For):
                if item.bodies:
                    frame = (item.bodies[0], 0, (item, 0), frame)
            elif isinstance(item, _While):
                if item.condition(cl):
                    frame = (item.body, 0, (item,), frame)
            elif item == _BREAK:
                frame = _loop_frame(frame)[3]
            else:  # _CONTINUE
                loop_frame = _loop_frame(frame)
                iterations = _count_iteration(loop_frame, iterations)
                frame = _end_of_block(loop_frame, cl)
        bits = cl.bits
        for c in range(program.n_clbits):
            if (bits >> c) & 1:
                out[row : row + m, c] = 1
        if program.terminal:
            idx = ops.sample_indices(st, m, rng)
            for q, c in program.terminal:
                out[row : row + m, c] = (idx >> q) & 1
        row += m
        branches += 1
    return out[rng.permutation(shots)], {"branches": branches, "passes": passes}
