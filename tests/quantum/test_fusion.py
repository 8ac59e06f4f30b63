"""quantum.fusion: the greedy blocking rule, fused matrices and cache blocks with pad qubits, by hand."""

import numpy as np
import pytest

from quantum import reference
from quantum.engine import apply_plan, plan_gates, zero_state
from quantum.fusion import PAD_QUBITS, cache_blocks, cache_groups, fuse_matrices, fusion_groups, greedy_blocks

from haar_random import RNG, random_unitary

X = np.array([[0, 1], [1, 0]])
Z = np.diag([1, -1])


def test_single_qubit_gates_ride_with_the_two_qubit_gate_that_follows():
    gates = [[0], [1], [0, 1], [2], [1, 2]]
    assert greedy_blocks(gates, 2) == [[0, 1, 2], [3, 4]]
    assert greedy_blocks(gates, 3) == [[0, 1, 2, 3, 4]]
    assert greedy_blocks([[0, 1], [2, 3], [1, 2]], 2) == [[0], [1], [2]]   # (1, 2) waits for both
    with pytest.raises(ValueError, match="gate 1 acts on 3 qubits"):
        greedy_blocks([[0], [0, 1, 2]], 2)


def test_fused_matrix_is_the_product_in_circuit_order():
    zx = fuse_matrices([([0], X), ([0], Z)], [0, 1])        # X first, then Z: Z @ X
    assert zx.qubits == (0,) and not zx.diagonal
    assert np.array_equal(zx.matrix, [[0, 1], [-1, 0]])
    zz = fuse_matrices([([0], Z), ([1], Z)], [0, 1])        # diag over index b1 b0: (+1)(+1), (-1), (-1), (+1)
    assert zz.qubits == (0, 1) and zz.diagonal
    assert np.array_equal(zz.matrix, [1, -1, -1, 1])
    x1 = fuse_matrices([([1], X)], [0])                     # a gate alone keeps its matrix
    assert x1.qubits == (1,) and np.array_equal(x1.matrix, X)


def test_fusion_limit_is_checked():
    with pytest.raises(ValueError, match="max_qubits must be 1..5"):
        fusion_groups([[0]], 6)
    assert fusion_groups([[0], [1], [0, 1]], 1) == [[0, 1, 2]]   # the limit rises to the widest gate


def test_pads_only_when_the_chunk_spares_eight_qubits_beside_them():
    assert cache_groups([[0, 1]], 14, 11) == ([[0]], PAD_QUBITS)   # 11 - 3 = 8 qubits left for gates
    assert cache_groups([[0, 1]], 14, 10) == ([[0]], 0)            # 10 - 3 = 7 < 8: no pads


def test_chunk_layout_of_one_gate_by_hand():
    # a gate on qubits 0 and 5 of 12 in chunks of 11: bit 0 runs contiguously, the lowest free
    # qubits 1, 2, 3 are pads, and 4, 5 (the gate's), 6 ... 10 complete the chunk
    g = fuse_matrices([([0, 5], np.eye(4))], [0])
    (block,) = cache_blocks([g], 12, 11)
    assert block.low_bits == 1 and block.pad_qubits == (1, 2, 3)
    assert block.high_qubits == (4, 5, 6, 7, 8, 9, 10)


def test_cache_blocks_with_pad_qubits_match_reference():
    n = 14
    gates = []
    for _ in range(60):
        k = int(RNG.integers(1, 4))
        qubits = [int(q) for q in RNG.choice(n, k, replace=False)]
        gates.append((qubits, random_unitary(k)))
    plan = plan_gates(gates, n, fused_qubits=3, chunk_qubits=11)
    assert any(len(b.pad_qubits) == PAD_QUBITS for b in plan.blocks)
    for b in plan.blocks:  # no gate acts on a pad, every gate lies inside its chunk
        chunk = set(range(b.low_bits)) | set(b.high_qubits) | set(b.pad_qubits)
        assert len(chunk) == 11
        for g in b.gates:
            assert set(g.qubits) <= chunk and not set(g.qubits) & set(b.pad_qubits)
    expected = zero_state(n)
    for qubits, m in gates:
        expected = reference.apply_unitary(expected, qubits, m)
    state = zero_state(n)
    apply_plan(state, plan)
    assert np.abs(state - expected).max() < 1e-11
