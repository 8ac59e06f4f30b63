"""Gate fusion and cache blocking: fewer passes over the state vector.

Applying one gate streams the whole 2**n-amplitude vector through memory (16 * 2**n bytes read and
written for complex128): on a memory-bound emulator the number of such passes is the cost. Two
levels cut it:

1. **Dense fusion** (:func:`fuse_gates`): consecutive gates are merged into one dense gate of at most
   ``k <= 5`` qubits whose matrix is the product of theirs. This is the fusion of Qiskit Aer
   (https://qiskit.github.io/qiskit-aer/apidocs/aer_simulator.html, ``fusion_max_qubit``) and
   qsim (https://quantumai.google/qsim/tutorials/q32d14, "gate fusion").
2. **Cache blocking** (:func:`cache_blocks`): consecutive fused gates that together touch at most
   ``m`` qubits (m ~ 15) are applied chunk by chunk: each chunk of 2**m amplitudes (every index that
   agrees outside those m qubits) is gathered into a buffer that stays in cache, all the block's
   gates are applied to it, and it is written back. One block is one pass over memory however many
   gates it holds (the scheme of JUQCS, De Raedt et al., Comput. Phys. Commun. 237 (2019) 47,
   https://doi.org/10.1016/j.cpc.2018.11.005, and of Häner & Steiger, "0.5 petabyte simulation of a
   45-qubit quantum circuit", SC17, https://doi.org/10.1145/3126908.3126947).

Both levels use the same greedy rule (:func:`greedy_blocks`): a block grows from the earliest
unplaced gate by taking any gate that is at the front of all its qubits (everything before it on
those qubits is placed), first those that add no new qubit, then those that add the fewest, while
the block's qubits stay within the limit. Gates on disjoint qubits commute, so any such order is
the same circuit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from quantum.kernels import MAX_DENSE_QUBITS


def greedy_blocks(gate_qubits: Sequence[Sequence[int]], max_qubits: int) -> list[list[int]]:
    """Partition gates into blocks of at most ``max_qubits`` qubits, keeping circuit order legal.

    A gate is a candidate when, on each of its qubits, only single-qubit gates stand before it;
    taking it takes those too (so single-qubit gates ride along with the multi-qubit gate that
    follows them, as in qsim's fuser). A block starts at the earliest unplaced gate, absorbs every
    candidate inside its qubits, then grows by the candidate adding the fewest new qubits
    (multi-qubit gates first, earliest on ties) while it stays within ``max_qubits``.

    Parameters
    ----------
    gate_qubits : sequence of sequences of int
        The qubits of each gate, in circuit order.
    max_qubits : int
        Most distinct qubits a block may touch.

    Returns
    -------
    list of list of int
        Gate indices of each block, in an order that applies them legally.

    Examples
    --------
    Gates 0 and 1 on qubits 0 and 1 ride with gate 2 on both; gate 3 on qubit 2 rides with gate 4
    on qubits 1 and 2. Within two qubits that is two blocks; within three, one:

    >>> gates = [[0], [1], [0, 1], [2], [1, 2]]
    >>> greedy_blocks(gates, 2)
    [[0, 1, 2], [3, 4]]
    >>> greedy_blocks(gates, 3)
    [[0, 1, 2, 3, 4]]

    Gates on (0, 1), (2, 3), then (1, 2): no two fit in two qubits, so each is a block.

    >>> greedy_blocks([[0, 1], [2, 3], [1, 2]], 2)
    [[0], [1], [2]]
    """
    n_gates = len(gate_qubits)
    for i, qs in enumerate(gate_qubits):
        if len(qs) > max_qubits:
            raise ValueError(f"gate {i} acts on {len(qs)} qubits, more than the block limit {max_qubits}")
    queues: dict[int, list[int]] = {}
    position: dict[tuple[int, int], int] = {}
    for i, qs in enumerate(gate_qubits):
        for q in qs:
            position[(i, q)] = len(queues.setdefault(q, []))
            queues[q].append(i)
    head = {q: 0 for q in queues}
    placed = np.zeros(n_gates, dtype=bool)
    next_unplaced = 0
    blocks: list[list[int]] = []

    def pending(g: int) -> list[int] | None:
        """Gates to place to place ``g``: single-qubit predecessors, then ``g``; None if blocked."""
        before: list[int] = []
        for q in gate_qubits[g]:
            for h in queues[q][head[q] : position[(g, q)]]:
                if len(gate_qubits[h]) > 1:
                    return None
                before.append(h)
        return sorted(before) + [g]

    def place(gates: list[int], block: list[int], qubits: set[int]) -> None:
        for g in gates:
            placed[g] = True
            block.append(g)
            qubits.update(gate_qubits[g])
            for q in gate_qubits[g]:
                head[q] += 1

    def candidates(qubits: set[int]):
        """(gate, its pending list) for the first multi-qubit gate ahead on each qubit, or a
        trailing single-qubit gate."""
        seen = set()
        for q in queues:
            for h in queues[q][head[q] :]:
                if len(gate_qubits[h]) > 1 or h == queues[q][-1]:
                    if h not in seen:
                        seen.add(h)
                        todo = pending(h)
                        if todo is not None:
                            yield h, todo
                    break

    while True:
        while next_unplaced < n_gates and placed[next_unplaced]:
            next_unplaced += 1
        if next_unplaced == n_gates:
            break
        block: list[int] = []
        qubits: set[int] = set()
        place([next_unplaced], block, qubits)
        while True:
            grown = True
            while grown:  # absorb everything that fits inside the block's qubits
                grown = False
                for q in sorted(qubits):
                    while head[q] < len(queues[q]):
                        g = queues[q][head[q]]
                        todo = pending(g)
                        if todo is None or not all(set(gate_qubits[h]) <= qubits for h in todo):
                            break
                        place(todo, block, qubits)
                        grown = True
            if len(qubits) >= max_qubits:
                break
            best, best_key = None, None
            for g, todo in candidates(qubits):
                new = {q for h in todo for q in gate_qubits[h]} - qubits
                if len(qubits) + len(new) > max_qubits:
                    continue
                key = (len(new), len(gate_qubits[g]) == 1, g)
                if best_key is None or key < best_key:
                    best, best_key = todo, key
            if best is None:
                break
            place(best, block, qubits)
        blocks.append(block)
    return blocks


@dataclass(frozen=True)
class FusedGate:
    """A dense (or diagonal) gate: ``qubits`` in matrix order, ``matrix`` 2**k x 2**k, or the
    ``2**k`` diagonal entries when ``diagonal`` is true."""

    qubits: tuple[int, ...]
    matrix: np.ndarray
    diagonal: bool


_I2 = np.eye(2, dtype=np.complex128)
_SWAP = np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]], dtype=np.complex128)


def _embed(qubits: Sequence[int], matrix: np.ndarray, target: Sequence[int]) -> np.ndarray:
    """The matrix of a gate on ``qubits`` as a gate on the superset ``target`` (matrix order)."""
    k = len(target)
    j = len(qubits)
    if list(qubits) == list(target):
        return matrix
    if k == 2 and j == 1:  # the common cases, without the general axis shuffle
        return np.kron(_I2, matrix) if qubits[0] == target[0] else np.kron(matrix, _I2)
    if k == 2 and j == 2:  # same pair, other order: swap the two qubits
        return _SWAP @ matrix @ _SWAP
    pos = [list(target).index(q) for q in qubits]
    rest = [i for i in range(k) if i not in pos]
    # tensor axes of a k-qubit operator: outputs (bit k-1 ... 0), then inputs (bit k-1 ... 0)
    full = np.kron(np.eye(2 ** (k - j)), matrix).reshape((2,) * (2 * k))
    # in `full`, gate bit i sits at local bit i (i < j) and identity bits at j.. k-1
    order = pos + rest  # local bit b of `full` goes to target bit order[b]
    src_axes = [k - 1 - b for b in range(k)] + [2 * k - 1 - b for b in range(k)]
    dst_axes = [k - 1 - order[b] for b in range(k)] + [2 * k - 1 - order[b] for b in range(k)]
    return np.moveaxis(full, src_axes, dst_axes).reshape(2**k, 2**k)


def fuse_matrices(gates: Sequence[tuple[Sequence[int], np.ndarray]], block: Sequence[int]) -> FusedGate:
    """Product of the gates ``block`` (indices into ``gates``, applied in that order) as one gate.

    The fused gate acts on the sorted union of their qubits; the result is flagged diagonal when
    every off-diagonal entry is exactly zero (products of diagonal gates stay exactly diagonal).
    """
    target = sorted({q for i in block for q in gates[i][0]})
    dim = 2 ** len(target)
    total = np.eye(dim, dtype=np.complex128)
    for i in block:
        qs, m = gates[i]
        total = _embed(qs, np.asarray(m, dtype=np.complex128), target) @ total
    off = total - np.diag(np.diag(total))
    if not off.any():
        return FusedGate(tuple(target), np.diag(total).copy(), True)
    return FusedGate(tuple(target), total, False)


def fuse_gates(
    gates: Sequence[tuple[Sequence[int], np.ndarray]], max_qubits: int = 2
) -> list[FusedGate]:
    """Merge consecutive gates into dense gates of at most ``max_qubits`` (<= 5) qubits.

    Parameters
    ----------
    gates : sequence of (qubits, matrix)
        Gates in circuit order; ``matrix`` is 2**k x 2**k in Qiskit's order for ``qubits``.
    max_qubits : int
        Largest fused gate, 1 to 5, or the widest gate's width when that is more
        (:func:`fusion_groups`).
    """
    return [fuse_matrices(gates, b) for b in fusion_groups([g[0] for g in gates], max_qubits)]


def fusion_groups(gate_qubits: Sequence[Sequence[int]], max_qubits: int = 2) -> list[list[int]]:
    """Which gates (indices, in order) :func:`fuse_gates` merges into each dense gate.

    Parameters
    ----------
    gate_qubits : sequence of sequence of int
        Each gate's qubits, in circuit order.
    max_qubits : int
        Largest fused gate, 1 to 5. A circuit with a wider gate raises the limit to that gate's
        width for the whole circuit (the engine applies such a gate densely anyway), so narrower
        gates may fold into it: ``fusion_groups([[0, 1, 2], [0]], 2)`` is ``[[0, 1]]``.
    """
    if not 1 <= max_qubits <= MAX_DENSE_QUBITS:
        raise ValueError(f"max_qubits must be 1..{MAX_DENSE_QUBITS}, got {max_qubits}")
    return greedy_blocks(gate_qubits, max(max_qubits, max((len(q) for q in gate_qubits), default=1)))


@dataclass(frozen=True)
class CacheBlock:
    """Fused gates applied in one pass over memory, chunk by chunk.

    A chunk is every index that agrees outside the chunk's qubits: ``0 .. low_bits-1`` (read as
    contiguous runs), ``pad_qubits`` and ``high_qubits`` (both ascending, all >= ``low_bits``).
    No gate acts on a pad qubit; the pads take the lowest positions of the in-cache buffer, so that
    every gate's lowest qubit sits at buffer stride >= 2**len(pad_qubits) and its loops vectorise.
    """

    gates: tuple[FusedGate, ...]
    low_bits: int
    high_qubits: tuple[int, ...]
    pad_qubits: tuple[int, ...] = ()


PAD_QUBITS = 3
"""Buffer positions kept free of gates (stride 8 for every gate: full AVX-512 vectors of float64)."""


def cache_blocks(gates: Sequence[FusedGate], n_qubits: int, chunk_qubits: int) -> list[CacheBlock]:
    """Group fused gates into cache blocks of ``chunk_qubits`` qubits: one pass over memory each.

    Gates of a block touch at most ``chunk_qubits - PAD_QUBITS`` qubits (all of them when the chunk
    is too small to spare pads); the chunk is completed with the lowest qubits no gate uses: the
    first ``PAD_QUBITS`` of them become pads, the rest high qubits.
    """
    m = min(chunk_qubits, n_qubits)
    groups, pads = cache_groups([g.qubits for g in gates], n_qubits, chunk_qubits)
    out = []
    for grp in groups:
        used = {q for i in grp for q in gates[i].qubits}
        low = 0
        while low in used:
            low += 1
        free = [q for q in range(n_qubits) if q not in used][: m - len(used)]
        pad = tuple(free[:pads])
        high = tuple(sorted((used - set(range(low))) | set(free[pads:])))
        out.append(CacheBlock(tuple(gates[i] for i in grp), low, high, pad))
    return out


def cache_groups(gate_qubits: Sequence[Sequence[int]], n_qubits: int, chunk_qubits: int) -> tuple[list[list[int]], int]:
    """Which fused gates (indices, in order) :func:`cache_blocks` applies in each pass, and the pad
    qubits of every chunk.

    Gates of a group touch at most ``m - PAD_QUBITS`` qubits, with ``m = min(chunk_qubits, n_qubits)``,
    when ``m - PAD_QUBITS`` still holds the widest gate and at least 8 qubits; otherwise ``m`` and no pads.
    """
    m = min(chunk_qubits, n_qubits)
    biggest = max((len(q) for q in gate_qubits), default=1)
    pads = PAD_QUBITS if m - PAD_QUBITS >= max(biggest, 8) else 0
    return greedy_blocks(gate_qubits, m - pads), pads
