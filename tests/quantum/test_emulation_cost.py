"""Cost of emulation: equations, pass counting."""

import pytest
from qiskit import QuantumCircuit

from archmodels import load_machine
from quantum.emulation_cost import (
    CircuitShape,
    count_passes,
    emulation_cost,
    exchange_time_s,
    max_qubits,
    pass_time_s,
    state_vector_bytes,
)


def test_equations():
    assert state_vector_bytes(30, 16) == 2**34
    assert pass_time_s(1e9, 1e11) == pytest.approx(0.02)
    assert pass_time_s(1e9, 1e11, flops=1e12, peak_flop_per_s=1e12) == pytest.approx(1.0)
    assert exchange_time_s(2e9, 1e10, 1e-6) == pytest.approx(0.1 + 1e-6)


def test_pass_counts_follow_fusion_and_globality():
    shape = CircuitShape.layered(10, 4)
    all_local = count_passes(shape, local_qubits=10, fused_qubits=2, chunk_qubits=10)
    assert all_local.global_exchanges == 0
    assert all_local.passes < all_local.fused_gates  # cache blocks group the fused gates
    split = count_passes(shape, local_qubits=8, fused_qubits=2, chunk_qubits=8)
    assert split.global_exchanges > 0
    assert split.passes > all_local.passes
    assert all_local.fused_gates < shape_gates(shape)


def shape_gates(shape):
    return len(shape.gate_qubits)


def test_diagonal_gates_on_global_qubits_need_no_exchange():
    qc = QuantumCircuit(6)
    for q in range(6):
        qc.rz(0.1, q)
    qc.cz(4, 5)
    shape = CircuitShape.from_circuit(qc)
    assert count_passes(shape, local_qubits=4).global_exchanges == 0
    qc.h(5)
    assert count_passes(CircuitShape.from_circuit(qc), local_qubits=4).global_exchanges == 1


def test_cost_on_fugaku_scales_and_fits():
    fugaku = load_machine("fugaku")
    c36 = emulation_cost(fugaku, CircuitShape.layered(36, 10))
    c40 = emulation_cost(fugaku, CircuitShape.layered(40, 10))
    assert (c36.nodes, c40.nodes) == (64, 1024)
    assert c36.local_qubits == c40.local_qubits == 30
    assert c40.energy_j > c36.energy_j
    assert c36.time_s == pytest.approx(c36.passes * c36.pass_time_s + c36.communication_time_s)
    assert c36.power_w == pytest.approx(64 * 188.0)
    assert max_qubits(fugaku) == 47  # 2**47 * 16 B = 2 PiB < 158,976 x 32 GiB x 0.9
    single = emulation_cost(fugaku, CircuitShape.layered(36, 10), precision="single")
    assert single.nodes == 32


def test_model_counts_the_passes_the_emulator_makes():
    # the planner is shared: on one node the modelled passes are the emulator's own (no state needed)
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from bench_quantum import layered_gates

    from quantum.engine import plan_gates

    for n, depth in ((16, 4), (24, 10)):
        for chunk_qubits in (0, 10, 15):  # 0: no cache blocking, one pass per fused gate
            plan = plan_gates(layered_gates(n, depth), n, chunk_qubits=chunk_qubits)
            counts = count_passes(CircuitShape.layered(n, depth), local_qubits=n, chunk_qubits=chunk_qubits)
            assert counts.passes == plan.passes
            assert counts.fused_gates == plan.fused_gates
