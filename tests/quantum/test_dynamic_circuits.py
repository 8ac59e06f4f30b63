"""Dynamic circuits (quantum.dynamic) against Qiskit Aer, exactly where outcomes are certain.

Distances. For two samples of N shots each from the same distribution over k outcomes,
E|p_i - q_i| <= sqrt(2 p_i / N), so E[TVD] <= 1/2 sum_i sqrt(2 p_i / N) <= sqrt(k / (2 N))
(Cauchy-Schwarz). One shot moves the TVD by at most 1/N, so by McDiarmid's inequality over the
2N shots P(TVD - E[TVD] >= t) <= exp(-N t**2); t = 3.7 / sqrt(N) makes that 1e-6. The bound
used is therefore TVD <= (sqrt(k / 2) + 3.7) / sqrt(N), k the outcomes either sample saw (at most
4.4 sqrt(k / N)). Every seed is fixed, so the tests are deterministic; the bound is what keeps them
true for other seeds. Each comparison with Aer is paired with a check that the bound rejects a
wrong answer where one is at hand.
"""

import math

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister, transpile
from qiskit.circuit import BreakLoopOp, Parameter
from qiskit.circuit.classical import expr, types
from qiskit.quantum_info import SparsePauliOp
from qiskit_aer import AerSimulator

from archmodels.errors import InputError, ResourceError
from quantum import EmulatorBackend, EmulatorEstimator, EmulatorSampler
from quantum.dynamic import compile_dynamic, is_dynamic, run_dynamic_shots

SHOTS = 20_000


def tvd(a: dict, b: dict) -> float:
    na, nb = sum(a.values()), sum(b.values())
    return 0.5 * sum(abs(a.get(k, 0) / na - b.get(k, 0) / nb) for k in set(a) | set(b))


def tvd_bound(a: dict, b: dict, shots: int = SHOTS) -> float:
    """Shot-noise bound of the module docstring."""
    k = len(set(a) | set(b))
    return (math.sqrt(k / 2) + 3.7) / math.sqrt(shots)


def ours(qc, shots=SHOTS, seed=7) -> dict:
    """Counts keyed as Aer keys them (registers last-first, space separated), from EmulatorBackend."""
    return EmulatorBackend().run(qc, shots=shots, seed_simulator=seed).result().get_counts()


def aer(qc, shots=SHOTS, seed=7) -> dict:
    sim = AerSimulator(method="statevector", seed_simulator=seed)
    return sim.run(transpile(qc, sim), shots=shots).result().get_counts()


def assert_matches_aer(qc, shots=SHOTS):
    a, b = ours(qc, shots), aer(qc, shots)
    assert sum(a.values()) == shots
    assert tvd(a, b) <= tvd_bound(a, b, shots), (tvd(a, b), tvd_bound(a, b, shots), a, b)
    return a, b


# --- each construct against Aer ----------------------------------------------------------------


def if_else_on_clbit(flip_condition: bool = False) -> QuantumCircuit:
    qc = QuantumCircuit(3, 3)
    qc.ry(1.1, 0)
    qc.h(2)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 0 if flip_condition else 1)) as else_:
        qc.ry(0.7, 1)
        qc.cx(2, 1)
    with else_:
        qc.h(1)
        qc.rz(0.3, 2)
    qc.h(2)
    qc.measure([1, 2], [1, 2])
    return qc


def test_if_else_on_a_clbit_matches_aer_and_the_bound_rejects_a_wrong_branch():
    a, b = assert_matches_aer(if_else_on_clbit())
    wrong = aer(if_else_on_clbit(flip_condition=True))
    assert tvd(a, wrong) > 3 * tvd_bound(a, wrong)


def test_if_on_register_value_and_expr_conditions_match_aer():
    cr = ClassicalRegister(3, "m")
    out = ClassicalRegister(3, "out")
    qc = QuantumCircuit(QuantumRegister(4), cr, out)
    qc.h([0, 1, 2])
    qc.ry(0.4, 3)
    qc.measure([0, 1, 2], cr)
    with qc.if_test((cr, 5)):  # m == 0b101
        qc.x(3)
    with qc.if_test(expr.logic_and(expr.lift(cr[1]), expr.logic_not(cr[2]))):
        qc.ry(1.3, 0)
    with qc.if_test(expr.less(cr, 3)):  # register read as an unsigned integer
        qc.h(1)
    with qc.if_test(expr.equal(expr.bit_xor(cr[0], cr[1]), True)):
        qc.rx(0.9, 2)
    qc.measure([0, 1, 3], out)
    assert_matches_aer(qc)


def test_while_loop_repeat_until_success_matches_aer():
    qc = QuantumCircuit(2, 2)
    qc.ry(1.2, 0)
    qc.measure(0, 0)
    with qc.while_loop((qc.clbits[0], 0)):  # until qubit 0 reads 1
        qc.rx(0.5, 1)  # q1 records how many rounds ran
        qc.reset(0)
        qc.ry(1.2, 0)
        qc.measure(0, 0)
    qc.measure(1, 1)
    a, _ = assert_matches_aer(qc)
    assert set(a) == {"01", "11"}  # it ends only when bit 0 is 1


def test_for_loop_binds_its_parameter_and_feeds_forward_like_aer():
    cr = ClassicalRegister(3, "c")
    qc = QuantumCircuit(QuantumRegister(2), cr, ClassicalRegister(1, "last"))
    with qc.for_loop(range(3)) as i:
        qc.ry(0.4 + 0.5 * i, 0)
        qc.measure(0, cr[0])
        with qc.if_test((cr[0], 1)):
            qc.rx(0.6, 1)
        qc.reset(0)
    qc.measure(1, qc.cregs[1][0])
    a, b = assert_matches_aer(qc)
    # the same loop with the parameter ignored (angle 0.4 every round) is a different answer
    fixed = QuantumCircuit(QuantumRegister(2), ClassicalRegister(3, "c"), ClassicalRegister(1, "last"))
    for _ in range(3):
        fixed.ry(0.4, 0)
        fixed.measure(0, 0)
        with fixed.if_test((fixed.clbits[0], 1)):
            fixed.rx(0.6, 1)
        fixed.reset(0)
    fixed.measure(1, 3)
    wrong = aer(fixed)
    assert tvd(a, wrong) > 3 * tvd_bound(a, wrong)


def test_switch_case_with_default_matches_aer():
    cr = ClassicalRegister(2, "sel")
    qc = QuantumCircuit(QuantumRegister(3), cr, ClassicalRegister(2, "out"))
    qc.h([0, 1])
    qc.measure([0, 1], cr)
    with qc.switch(cr) as case:
        with case(0):
            qc.x(2)
        with case(1, 2):
            qc.ry(1.0, 2)
        with case(case.DEFAULT):  # 3
            qc.h(2)
            qc.x(0)
    with qc.switch(qc.clbits[0]) as case:  # on one bit
        with case(True):
            qc.rz(0.8, 2)
            qc.h(2)
    qc.measure([0, 2], qc.cregs[1])
    assert_matches_aer(qc)


def break_continue_circuit(use_break: bool = True) -> QuantumCircuit:
    qc = QuantumCircuit(2, 2)
    with qc.for_loop(range(4)):
        qc.reset(0)
        qc.ry(1.4, 0)
        qc.measure(0, 0)
        with qc.if_test((qc.clbits[0], 1)):
            if use_break:
                qc.break_loop()
            else:
                qc.continue_loop()
        qc.rx(0.45, 1)  # counts the rounds that did not break or continue
    qc.measure(1, 1)
    return qc


@pytest.mark.parametrize("use_break", [True, False])
def test_break_and_continue_match_aer(use_break):
    a, _ = assert_matches_aer(break_continue_circuit(use_break))
    other = aer(break_continue_circuit(not use_break))
    assert tvd(a, other) > 3 * tvd_bound(a, other)


def test_break_and_continue_in_a_while_loop_match_aer():
    qc = QuantumCircuit(3, 3)
    qc.x(2)
    qc.measure(2, 2)  # bit 2 = 1: the loop condition
    with qc.while_loop((qc.clbits[2], 1)):
        qc.reset(0)
        qc.h(0)
        qc.measure(0, 0)
        with qc.if_test((qc.clbits[0], 0)):
            qc.rx(0.6, 1)
            qc.continue_loop()
        qc.ry(0.8, 1)
        qc.measure(1, 1)
        with qc.if_test((qc.clbits[1], 1)):
            qc.break_loop()
    qc.measure(1, 1)
    assert_matches_aer(qc)


def test_nested_control_flow_matches_aer():
    qc = QuantumCircuit(3, 3)
    with qc.for_loop(range(2)):
        qc.h(0)
        qc.measure(0, 0)
        with qc.if_test((qc.clbits[0], 1)) as else_:
            qc.ry(0.9, 1)
            qc.measure(1, 1)
            with qc.while_loop((qc.clbits[1], 1)):
                qc.rx(0.7, 2)
                qc.reset(1)
                qc.ry(0.9, 1)
                qc.measure(1, 1)
        with else_:
            with qc.switch(qc.clbits[1]) as case:
                with case(0):
                    qc.ry(0.5, 2)
                with case(case.DEFAULT):
                    qc.x(2)
    qc.measure(2, 2)
    assert_matches_aer(qc)


def test_box_runs_its_body_as_the_inlined_circuit_does_on_aer():
    boxed = QuantumCircuit(2, 2)
    boxed.h(0)
    with boxed.box():
        boxed.cx(0, 1)
        boxed.ry(0.5, 1)
    boxed.measure(0, 0)
    with boxed.if_test((boxed.clbits[0], 1)):
        with boxed.box():
            boxed.x(1)
    boxed.measure(1, 1)
    inlined = QuantumCircuit(2, 2)  # Aer refuses box: the same circuit without it
    inlined.h(0)
    inlined.cx(0, 1)
    inlined.ry(0.5, 1)
    inlined.measure(0, 0)
    with inlined.if_test((inlined.clbits[0], 1)):
        inlined.x(1)
    inlined.measure(1, 1)
    a, b = ours(boxed), aer(inlined)
    assert tvd(a, b) <= tvd_bound(a, b)


def test_variables_and_stores_match_aer_on_the_clbit_form():
    """Aer refuses Bool variables: the same logic with a variable against Aer with clbits only."""

    def build(with_variable: bool) -> QuantumCircuit:
        qc = QuantumCircuit(3, 3)
        qc.h([0, 1])
        qc.measure([0, 1], [0, 1])
        parity = expr.bit_xor(qc.clbits[0], qc.clbits[1])
        if with_variable:
            v = qc.add_var("v", False)
            qc.store(v, parity)
            parity = v
        with qc.if_test(parity):
            qc.ry(1.1, 2)
        qc.store(qc.clbits[1], expr.logic_not(parity))  # a store into a clbit
        qc.measure(2, 2)
        return qc

    a, b = ours(build(True)), aer(build(False))
    assert tvd(a, b) <= tvd_bound(a, b)
    # qubit 2 turns only where the parity is 1, and there bit 1 (not parity) is 0
    assert all(key[1] == "0" for key in a if key[0] == "1") and set(a) == set(b)


# --- exact cases ---------------------------------------------------------------------------------


def test_certain_outcomes_are_exact():
    shots = 1000
    qc = QuantumCircuit(4, 4)
    qc.x(0)
    qc.measure(0, 0)  # certain: 1
    with qc.if_test((qc.clbits[0], 1)) as else_:
        qc.x(1)
    with else_:
        qc.x(2)
    qc.measure(1, 1)
    with qc.if_test(expr.logic_and(qc.clbits[0], qc.clbits[1])):
        qc.x(3)
    qc.measure([2, 3], [2, 3])
    assert ours(qc, shots) == {"1011": shots}
    res = EmulatorSampler(seed=1).run([qc], shots=shots).result()[0]
    assert res.data.c.get_counts() == {"1011": shots}
    assert res.metadata["branches"] == 1  # certain outcomes never branch


def test_for_loop_angles_sum_to_a_certain_outcome():
    qc = QuantumCircuit(1, 1)
    with qc.for_loop(range(1, 4)) as i:  # rx(pi i / 6) for i = 1, 2, 3: rx(pi) = x in all
        qc.rx(math.pi * i / 6, 0)
    qc.measure(0, 0)
    assert ours(qc, 500) == {"1": 500}


def test_switch_picks_the_case_of_a_prepared_register_exactly():
    for value in range(4):
        sel = ClassicalRegister(2, "sel")
        out = ClassicalRegister(3, "out")
        qc = QuantumCircuit(QuantumRegister(5), sel, out)
        for j in range(2):
            if value >> j & 1:
                qc.x(j)
        qc.measure([0, 1], sel)
        with qc.switch(sel) as case:
            with case(0):
                qc.x(2)
            with case(1, 2):
                qc.x(3)
            with case(case.DEFAULT):
                qc.x(4)
        qc.measure([2, 3, 4], out)
        expected_out = {0: "001", 1: "010", 2: "010", 3: "100"}[value]
        assert ours(qc, 200) == {f"{expected_out} {value:02b}": 200}


@pytest.mark.parametrize(
    "build, expected",
    [
        (lambda r: expr.add(r, expr.lift(7, types.Uint(3))), (5 + 7) % 8),  # wraps modulo 2**3
        (lambda r: expr.sub(r, expr.lift(6, types.Uint(3))), (5 - 6) % 8),
        (lambda r: expr.mul(r, expr.lift(3, types.Uint(3))), (5 * 3) % 8),
        (lambda r: expr.div(r, expr.lift(2, types.Uint(3))), 5 // 2),
        (lambda r: expr.shift_left(r, 1), (5 << 1) % 8),
        (lambda r: expr.shift_right(r, 2), 5 >> 2),
        (lambda r: expr.bit_not(r), ~5 % 8),
        (lambda r: expr.bit_and(r, 6), 5 & 6),
        (lambda r: expr.bit_or(r, 2), 5 | 2),
        (lambda r: expr.cast(expr.index(r, 2), types.Uint(3)), 1),  # bit 2 of 0b101
        (lambda r: expr.cast(expr.greater_equal(r, 5), types.Uint(3)), 1),
    ],
)
def test_unsigned_expressions_follow_their_definitions(build, expected):
    r = ClassicalRegister(3, "r")
    qc = QuantumCircuit(QuantumRegister(3), r)
    qc.x([0, 2])
    qc.measure([0, 1, 2], r)  # r = 0b101 = 5
    qc.store(r, build(r))
    assert ours(qc, 50) == {f"{expected:03b}": 50}


def test_uint_variable_counts_loop_rounds_and_indexed_stores():
    qc = QuantumCircuit(1, 3)
    n = qc.add_var("n", expr.lift(0, types.Uint(3)))
    with qc.for_loop(range(5)):
        qc.store(n, expr.add(n, expr.lift(1, types.Uint(3))))
    creg = ClassicalRegister(3, "count")
    qc.add_register(creg)
    qc.store(creg, n)  # 5
    qc.store(expr.index(creg, 1), True)  # set bit 1: 0b111
    qc.store(qc.clbits[0], expr.equal(n, 5))
    assert ours(qc, 20) == {"111 001": 20}


# --- per-shot memory, registers and parameters -----------------------------------------------------


def feed_forward_copy() -> QuantumCircuit:
    """Bit ``b[0]`` copies ``a[0]`` through an if (a random 50/50 value), ``b[1]`` its opposite."""
    a, b = ClassicalRegister(1, "a"), ClassicalRegister(2, "b")
    qc = QuantumCircuit(QuantumRegister(3), a, b)
    qc.h(0)
    qc.measure(0, a[0])
    with qc.if_test((a[0], 1)) as else_:
        qc.x(1)
    with else_:
        qc.x(2)
    qc.measure([1, 2], b)
    return qc


def test_per_shot_memory_keeps_registers_aligned_shot_by_shot():
    qc = feed_forward_copy()
    shots = 2000
    memory = EmulatorBackend().run(qc, shots=shots, memory=True, seed_simulator=2).result().get_memory()
    aer_memory = AerSimulator(seed_simulator=2).run(qc, shots=shots, memory=True).result().get_memory()
    assert len(memory) == shots
    assert set(memory) == set(aer_memory) == {"01 1", "10 0"}  # Aer's format: 'b a'
    ones = sum(m == "01 1" for m in memory)
    assert abs(ones / shots - 0.5) < 5 * math.sqrt(0.25 / shots)
    assert "01 1" in memory[:50] and "10 0" in memory[:50]  # shots come in random order, not by branch
    res = EmulatorSampler(seed=2).run([qc], shots=shots).result()[0]
    a_bits, b_bits = res.data.a.get_bitstrings(), res.data.b.get_bitstrings()
    assert all(bb == ("01" if aa == "1" else "10") for aa, bb in zip(a_bits, b_bits))


def test_qiskits_backend_sampler_runs_dynamic_circuits_on_the_backend():
    from qiskit.primitives import BackendSamplerV2

    qc = feed_forward_copy()
    sampler = BackendSamplerV2(backend=EmulatorBackend(), options={"seed_simulator": 3})
    res = sampler.run([qc], shots=1000).result()[0]
    a_bits, b_bits = res.data.a.get_bitstrings(), res.data.b.get_bitstrings()
    assert len(a_bits) == 1000 and set(a_bits) == {"0", "1"}
    assert all(bb == ("01" if aa == "1" else "10") for aa, bb in zip(a_bits, b_bits))


def test_outer_parameters_bind_inside_bodies():
    theta = Parameter("theta")
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)):
        qc.ry(theta, 1)
    qc.measure(1, 1)
    values = [[0.5], [2.5]]
    res = EmulatorSampler(seed=4).run([(qc, values)], shots=SHOTS).result()[0]
    for j, v in enumerate(values):
        a = res.data.c[j].get_counts()
        b = aer(qc.assign_parameters(v))
        assert tvd(a, b) <= tvd_bound(a, b)


# --- random dynamic circuits ---------------------------------------------------------------------


def random_dynamic_circuit(n: int, depth: int, rng) -> QuantumCircuit:
    """Gates, mid-circuit measurements and resets, and if_else on registers, clbits and expressions."""
    mid = ClassicalRegister(3, "mid")
    out = ClassicalRegister(n, "out")
    qc = QuantumCircuit(QuantumRegister(n), mid, out)

    def gates(k):
        for _ in range(k):
            r = rng.random()
            qs = [int(q) for q in rng.choice(n, 2, replace=False)]
            if r < 0.5:
                qc.u(*rng.uniform(-np.pi, np.pi, 3), qs[0])
            elif r < 0.8:
                qc.cx(*qs)
            else:
                qc.rzz(float(rng.uniform(-np.pi, np.pi)), *qs)

    def condition():
        kind = rng.integers(4)
        if kind == 0:
            return (mid, int(rng.integers(8)))
        if kind == 1:
            return (mid[int(rng.integers(3))], int(rng.integers(2)))
        if kind == 2:
            return expr.logic_or(expr.lift(mid[int(rng.integers(3))]), expr.logic_not(mid[int(rng.integers(3))]))
        return expr.greater(mid, int(rng.integers(7)))

    gates(2 * n)
    for _ in range(depth):
        q = int(rng.integers(n))
        if rng.random() < 0.75:
            qc.measure(q, mid[int(rng.integers(3))])
        else:
            qc.reset(q)
        with qc.if_test(condition()) as else_:
            gates(int(rng.integers(1, 4)))
        if rng.random() < 0.5:
            with else_:
                gates(int(rng.integers(1, 3)))
        gates(int(rng.integers(1, n + 1)))
    qc.measure(range(n), out)
    return qc


@pytest.mark.parametrize("case", range(8))
def test_random_dynamic_circuits_match_aer(case):
    rng = np.random.default_rng(1800 + case)
    n = 3 + case % 3
    qc = random_dynamic_circuit(n, 4, rng)
    assert is_dynamic(qc)
    assert_matches_aer(qc)


# --- memory bound, refusals, the backend and the static path ------------------------------------------


def test_held_states_stay_within_log2_shots_and_the_branching_bound():
    import tracemalloc

    n = 11
    qc = QuantumCircuit(n, n)
    for k in range(12):  # 12 fair measurements: 4096 branches for enough shots
        qc.h(k % n)
        qc.measure(k % n, k % n)
        with qc.if_test((qc.clbits[k % n], 1)):
            qc.ry(0.3, (k + 1) % n)
    program = compile_dynamic(qc)
    assert program.branching_bound == 12
    assert program.live_states(10_000) == 13 and program.live_states(256) == 9 and program.live_states(1) == 1
    state_bytes = 16 * 2**n
    EmulatorSampler().run([qc], shots=4).result()  # kernels compiled before tracing
    tracemalloc.start()
    try:
        res = EmulatorSampler(seed=3).run([qc], shots=256).result()[0]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert res.metadata["branches"] <= 256
    # smaller branch first: at most log2(256) = 8 copies wait (12 with the larger first)
    assert peak < (9 + 2) * state_bytes


def test_a_measuring_while_loop_is_bounded_by_log2_shots_and_refused_up_front(monkeypatch):
    import quantum.memory
    import quantum.primitives

    qc = QuantumCircuit(18, 1)
    qc.h(0)
    qc.measure(0, 0)
    with qc.while_loop((qc.clbits[0], 1)):
        qc.h(0)
        qc.measure(0, 0)
    program = compile_dynamic(qc)
    assert program.branching_bound == math.inf
    assert program.live_states(10_000) == 1 + 13
    monkeypatch.setattr(quantum.memory, "available_memory", lambda: (40 * 2**20, "test budget"))
    allocated = []
    monkeypatch.setattr(quantum.primitives, "zero_state", lambda *a: allocated.append(a))
    with pytest.raises(ResourceError, match="14 live copies of a 18-qubit state"):
        EmulatorSampler().run([qc], shots=10_000).result()
    assert allocated == []


def test_bad_constructs_give_clear_errors(monkeypatch):
    qc = QuantumCircuit(1, 1)
    flag = qc.add_input("flag", types.Bool())
    with qc.if_test(flag):
        qc.x(0)
    qc.measure(0, 0)
    with pytest.raises(InputError, match=r"input variables \(flag\) have no value"):
        EmulatorSampler().run([qc], shots=10).result()

    stray = QuantumCircuit(1, 1)
    stray.append(BreakLoopOp(1, 1), [0], [0])
    with pytest.raises(InputError, match="'break_loop' outside a for_loop or while_loop"):
        EmulatorSampler().run([stray], shots=10).result()

    import quantum.dynamic

    monkeypatch.setattr(quantum.dynamic, "MAX_WHILE_ITERATIONS", 500)
    forever = QuantumCircuit(1, 1)
    forever.x(0)
    forever.measure(0, 0)
    with forever.while_loop((forever.clbits[0], 1)):
        forever.z(0)
    with pytest.raises(InputError, match="while_loop ran 500 iterations on one branch"):
        EmulatorSampler().run([forever], shots=10).result()

    dynamic = QuantumCircuit(1, 1)
    dynamic.h(0)
    dynamic.measure(0, 0)
    with dynamic.if_test((dynamic.clbits[0], 1)):
        dynamic.x(0)
    with pytest.raises(InputError, match="EmulatorEstimator does not run dynamic circuits"):
        EmulatorEstimator().run([(dynamic, SparsePauliOp("Z"))]).result()


def test_backend_target_keeps_control_flow_through_transpile():
    backend = EmulatorBackend()
    names = set(backend.target.operation_names)
    assert {"if_else", "while_loop", "for_loop", "switch_case", "break_loop", "continue_loop", "box"} <= names
    qc = break_continue_circuit()
    tqc = transpile(qc, backend, optimization_level=1)
    assert "for_loop" in tqc.count_ops()
    counts = backend.run(tqc, shots=SHOTS, seed_simulator=5).result().get_counts()
    b = aer(qc)
    assert tvd(counts, b) <= tvd_bound(counts, b)


def test_gates_outside_the_set_inside_bodies_are_transpiled():
    from qiskit.circuit.library import MCXGate

    qc = QuantumCircuit(7, 2)
    qc.x(0)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)):
        qc.x(range(1, 5))
        qc.append(MCXGate(5), range(6))  # 6 qubits: decomposed by the transpiler; flips qubit 5
    qc.measure(5, 1)
    assert ours(qc, 100) == {"11": 100}


def test_static_circuits_keep_the_static_path():
    static = QuantumCircuit(2, 2)
    static.h(0)
    static.measure(0, 0)
    static.reset(0)
    static.measure([0, 1], [0, 1])
    assert not is_dynamic(static)
    assert "branches" not in EmulatorSampler(seed=1).run([static], shots=10).result()[0].metadata
    assert is_dynamic(feed_forward_copy())


def test_run_dynamic_shots_returns_every_shot_once():
    from quantum.engine import zero_state

    program = compile_dynamic(feed_forward_copy())
    bits, figures = run_dynamic_shots(program, zero_state(3), 1000, np.random.default_rng(0))
    assert bits.shape == (1000, 3) and figures["branches"] == 2
    # a[0] = bit 0, b = bits 1, 2: b[0] = a[0], b[1] = not a[0]
    assert np.array_equal(bits[:, 1], bits[:, 0]) and np.array_equal(bits[:, 2], 1 - bits[:, 0])


def test_cli_runs_an_openqasm2_if(tmp_path, capsys):
    import json

    from fs.cli import main

    path = tmp_path / "dynamic.qasm"
    path.write_text(
        'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\n'
        "measure q[0] -> c[0];\nif (c==1) x q[1];\nmeasure q[1] -> c[1];\n"
    )
    assert main(["quantum", "run", str(path), "--shots", "1000", "--seed", "2", "--json"]) == 0
    counts = json.loads(capsys.readouterr().out)["counts"]["c"]
    assert set(counts) == {"00", "11"} and sum(counts.values()) == 1000
