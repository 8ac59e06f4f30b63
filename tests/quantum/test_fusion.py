"""quantum.fusion: cache blocks with pad qubits."""

import numpy as np

from quantum import reference
from quantum.engine import apply_plan, plan_gates, zero_state
from quantum.fusion import PAD_QUBITS

from haar_random import RNG, random_unitary


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
