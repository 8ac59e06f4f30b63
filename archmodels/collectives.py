"""Time of MPI/NCCL-style collectives in the alpha-beta (Hockney) model with bisection congestion.

Every algorithm costs ``a·α + b·β`` with α the end-to-end latency [s] and β = 1/B the inverse
injection bandwidth [s/B] (Hockney, "The communication challenge for MPP: Intel Paragon and Meiko
CS-2", Parallel Computing 20(3), 389-398, 1994); LogGP's ``L + 2o`` collapses into α and its G
into β (Alexandrov, Ionescu, Schauser, Scheiman, "LogGP: incorporating long messages into the LogP
model", SPAA 1995, https://doi.org/10.1145/215399.215427). The algorithm costs follow Thakur, Rabenseifner, Gropp,
"Optimization of collective communication operations in MPICH", IJHPCA 19(1), 2005,
https://doi.org/10.1177/1094342005051521 (cited below as *TRG05*), with the reduction arithmetic
(their γ term) left out: it runs at memory bandwidth, far above the network's.

Congestion. A step in which every node exchanges with a partner ``d`` ranks away loads the
bisection of each block of 2d ranks; if that block's bisection fraction is f (see
:func:`archmodels.topology.bisection_fraction`) its bytes move at f·B, so the step's β term is
multiplied by max(1, 1/f). Ring and neighbour (halo) traffic embed in every topology here and see
no congestion. An explicit ``bisection_fraction`` applies at every scale (a uniformly tapered tree).

Every cost is non-decreasing in α and in β, and the chosen algorithm is the minimum over the
offered ones, so predicted time never falls when bandwidth falls or latency rises.
"""

from __future__ import annotations

import math

from archmodels.errors import InputError
from archmodels.topology import bisection_fraction as _topology_bisection_fraction
from archmodels.topology import canonical_topology

ALGORITHMS = {
    "halo": ("dimension-exchange",),
    "allreduce": ("ring", "recursive-doubling", "rabenseifner", "binomial-tree", "double-binary-tree"),
    "alltoall": ("bruck", "pairwise"),
    "broadcast": ("binomial-tree", "scatter-allgather", "pipelined-chain"),
}
"""Algorithms offered for each pattern, in tie-breaking order."""

PATTERNS = tuple(ALGORITHMS)
"""Communication patterns :func:`communication_time_s` accepts."""


def _lg_floor(p: int) -> int:
    return p.bit_length() - 1


def _lg_ceil(p: int) -> int:
    return (p - 1).bit_length()


def _pipelined_time_s(stages: float, alpha: float, beta: float, per_segment_bytes: float) -> float:
    """min over segment counts k ≥ 1 of (stages + k)·(α + per_segment_bytes·β/k) [s].

    The objective is convex in k; its real minimiser is k* = sqrt(stages·per_segment_bytes·β/α)
    (Pješivac-Grbović et al., "Performance analysis of MPI collective operations", Cluster
    Computing 10, 2007, https://doi.org/10.1007/s10586-007-0012-0), so the integer optimum is
    ⌊k*⌋ or ⌈k*⌉. With α = 0 the infimum (k → ∞) is per_segment_bytes·β; for k* beyond 1e12 the
    continuous optimum (sqrt(stages·α) + sqrt(per_segment_bytes·β))² is used (relative difference
    below 1e-12). The segment count is not capped by the message size, so the time is
    non-decreasing in the bytes as well as in α and β.
    """
    wb = per_segment_bytes * beta
    if wb <= 0.0:
        return (stages + 1.0) * alpha
    if alpha <= 0.0:
        return wb
    if stages <= 0.0:
        return alpha + wb
    k_star = math.sqrt(stages * wb / alpha)
    if k_star > 1e12:
        return (math.sqrt(stages * alpha) + math.sqrt(wb)) ** 2
    lo = max(1, int(k_star))
    return min((stages + k) * (alpha + wb / k) for k in (lo, lo + 1))


class _Net:
    """The numbers every algorithm needs: α, β and congestion by block size."""

    def __init__(self, nodes, injection_bandwidth_bytes_per_s, latency_s, topology, dimensions, bisection_fraction):
        if int(nodes) != nodes or nodes < 1:
            raise InputError(f"nodes must be a positive integer, got {nodes!r}", location="nodes")
        if not injection_bandwidth_bytes_per_s > 0.0 or math.isinf(injection_bandwidth_bytes_per_s):
            raise InputError("injection bandwidth must be a positive finite number of bytes/s, got "
                             f"{injection_bandwidth_bytes_per_s!r}", location="network.injection_bandwidth")
        if not latency_s >= 0.0 or math.isinf(latency_s):
            raise InputError(f"latency must be a finite number of seconds >= 0, got {latency_s!r}",
                             location="network.latency")
        if bisection_fraction is not None and not 0.0 < bisection_fraction <= 1.0:
            raise InputError(f"bisection_fraction must be in (0, 1], got {bisection_fraction!r}",
                             location="bisection_fraction")
        self.p = int(nodes)
        self.alpha = float(latency_s)
        self.beta = 1.0 / float(injection_bandwidth_bytes_per_s)
        self.topology = canonical_topology(topology) if self.p > 1 else str(topology)
        self.dimensions = dimensions
        self.fixed_fraction = bisection_fraction
        self._cache: dict[int, float] = {}

    def congestion(self, block: int) -> float:
        """β multiplier for a step whose traffic crosses the bisection of ``block`` ranks."""
        if block <= 1:
            return 1.0
        if self.fixed_fraction is not None:
            return 1.0 / self.fixed_fraction
        if block not in self._cache:
            f = _topology_bisection_fraction(self.topology, block, dimensions=self.dimensions)
            self._cache[block] = max(1.0, 1.0 / f)
        return self._cache[block]


def _check_bytes(nbytes: float) -> float:
    if not nbytes >= 0.0 or math.isinf(nbytes):
        raise InputError(f"bytes per node must be a finite number >= 0, got {nbytes!r}", location="bytes_per_node")
    return float(nbytes)


def _allreduce(n: float, net: _Net) -> dict[str, float]:
    p, a, b = net.p, net.alpha, net.beta
    lg = _lg_floor(p)
    p2 = 1 << lg  # largest power of two <= p
    extra = p != p2  # TRG05 §4.4: excess ranks fold in first and receive the result last
    fold = 2.0 * (a + n * b) if extra else 0.0
    times = {}
    # ring: reduce-scatter then allgather around a ring, 2(p−1) steps of n/p (TRG05 §4.4; Patarasuk &
    # Yuan, JPDC 69(2), 2009, bandwidth-optimal)
    times["ring"] = 2.0 * (p - 1) * a + 2.0 * (p - 1) / p * n * b
    # recursive doubling: lg p steps exchanging the whole vector with the rank 2^k away (TRG05 §4.4)
    times["recursive-doubling"] = fold + sum(a + n * b * net.congestion(2 << k) for k in range(lg))
    # Rabenseifner: recursive-halving reduce-scatter + recursive-doubling allgather; the step with
    # partner distance p'/2^j moves n/2^j (TRG05 §4.4; Rabenseifner, "Optimization of collective
    # reduction operations", ICCS 2004)
    moved = sum((n / (1 << j)) * b * net.congestion(p2 >> (j - 1)) for j in range(1, lg + 1))
    times["rabenseifner"] = fold + 2.0 * lg * a + 2.0 * moved
    # binomial-tree reduce then binomial-tree broadcast, whole vector each step (TRG05 §4.4, MPICH-1)
    times["binomial-tree"] = 2.0 * _lg_ceil(p) * (a + n * b)
    # double binary tree, pipelined in k segments, reduce and broadcast overlapped; each rank moves
    # 2n/k per stage (Sanders, Speck, Träff, "Two-tree algorithms for full bandwidth broadcast,
    # reduction and scan", Parallel Computing 35(12), 2009; NCCL ≥ 2.4)
    depth = _lg_floor(p)
    times["double-binary-tree"] = _pipelined_time_s(2.0 * depth - 1.0, a, b, 2.0 * n)
    return times


def _alltoall(n: float, net: _Net) -> dict[str, float]:
    p, a, b = net.p, net.alpha, net.beta
    per_peer = n / (p - 1)
    times = {}
    # Bruck: ⌈lg p⌉ steps, each sends about half of all blocks, p·m/2 bytes (TRG05 §4.6; Bruck et al.,
    # IEEE TPDS 8(11), 1997)
    times["bruck"] = sum(a + per_peer * p / 2.0 * b * net.congestion(min(p, 2 << k)) for k in range(_lg_ceil(p)))
    # pairwise exchange: p−1 steps of m bytes (TRG05 §4.6). Under uniform traffic p/(2(p−1)) of each
    # node's bytes cross the bisection, which carries f·(p/2)·B per direction.
    f_inverse = net.congestion(p)
    cross = p / (2.0 * (p - 1)) * f_inverse
    times["pairwise"] = (p - 1) * a + n * b * max(1.0, cross)
    return times


def _broadcast(n: float, net: _Net) -> dict[str, float]:
    p, a, b = net.p, net.alpha, net.beta
    times = {}
    # binomial tree: ⌈lg p⌉ steps of the whole message (TRG05 §4.1)
    times["binomial-tree"] = _lg_ceil(p) * (a + n * b)
    # scatter + ring allgather (van de Geijn; TRG05 §4.1)
    times["scatter-allgather"] = (_lg_ceil(p) + p - 1) * a + 2.0 * (p - 1) / p * n * b
    # pipelined chain in k segments: p−1 hops, (p−2+k) stages
    times["pipelined-chain"] = _pipelined_time_s(p - 2.0, a, b, n)
    return times


def _halo(n: float, net: _Net, halo_dimensions: int) -> dict[str, float]:
    # dimension by dimension: d phases, each sends to the − and + neighbour at once, all phases
    # together move the n bytes through the node's injection port (Hockney 1994)
    return {"dimension-exchange": halo_dimensions * net.alpha + n * net.beta}


def algorithm_times_s(pattern: str, bytes_per_node: float, nodes: int, *, injection_bandwidth_bytes_per_s: float,
                      latency_s: float, topology: str = "fat-tree", dimensions: int | None = None,
                      bisection_fraction: float | None = None, halo_dimensions: int = 3) -> dict[str, float]:
    """Time of every algorithm offered for ``pattern`` [s], keyed by algorithm name.

    Parameters are those of :func:`communication_time_s`. Allreduce offers ``ring``,
    ``recursive-doubling``, ``rabenseifner``, ``binomial-tree`` and ``double-binary-tree``;
    alltoall ``bruck`` and ``pairwise``; broadcast ``binomial-tree``, ``scatter-allgather`` and
    ``pipelined-chain``; halo ``dimension-exchange``. With one node every entry is 0.

    Returns
    -------
    dict[str, float]
        Algorithm name → time [s].
    """
    name = str(pattern).strip().lower()
    if name not in PATTERNS:
        raise InputError(f"unknown communication pattern {pattern!r}; expected one of {', '.join(PATTERNS)}",
                         location="pattern")
    n = _check_bytes(bytes_per_node)
    if int(halo_dimensions) != halo_dimensions or halo_dimensions < 1:
        raise InputError(f"halo_dimensions must be a positive integer, got {halo_dimensions!r}",
                         location="halo_dimensions")
    net = _Net(nodes, injection_bandwidth_bytes_per_s, latency_s, topology, dimensions, bisection_fraction)
    if net.p == 1:
        return dict.fromkeys(ALGORITHMS[name], 0.0)
    if name == "allreduce":
        times = _allreduce(n, net)
    elif name == "alltoall":
        times = _alltoall(n, net)
    elif name == "broadcast":
        times = _broadcast(n, net)
    else:
        times = _halo(n, net, int(halo_dimensions))
    return {algorithm: times[algorithm] for algorithm in ALGORITHMS[name]}


def best_algorithm(pattern: str, bytes_per_node: float, nodes: int, **network) -> tuple[str, float]:
    """The fastest algorithm for ``pattern`` and its time: ``(name, time_s)``.

    Keyword arguments are those of :func:`algorithm_times_s`. Ties go to the name first in the
    order the algorithms are listed there.
    """
    times = algorithm_times_s(pattern, bytes_per_node, nodes, **network)
    name = min(times, key=times.__getitem__)
    return name, times[name]


def communication_time_s(pattern: str, bytes_per_node: float, nodes: int, *, injection_bandwidth_bytes_per_s: float,
                         latency_s: float, topology: str = "fat-tree", dimensions: int | None = None,
                         bisection_fraction: float | None = None, halo_dimensions: int = 3) -> float:
    """Time of one collective over ``nodes`` nodes with the fastest algorithm offered [s].

    Parameters
    ----------
    pattern : {"halo", "allreduce", "alltoall", "broadcast"}
        ``halo``: ``bytes_per_node`` is what each node sends to its 2·d neighbours per step, in d
        dimension phases; ``allreduce`` and ``broadcast``: the vector/message size [B];
        ``alltoall``: the bytes each node sends in total, spread over the others.
    bytes_per_node : float
        Bytes, as above [B].
    nodes : int
        Participating nodes p [-]; 1 gives 0.
    injection_bandwidth_bytes_per_s : float
        Per-node injection bandwidth B, one direction [B/s].
    latency_s : float
        End-to-end small-message latency α [s].
    topology : str
        ``fat-tree``, ``dragonfly``, ``torus`` or ``optical`` (sets bisection congestion).
    dimensions : int, optional
        Torus dimensions (default 3; 6 is laid out as Tofu).
    bisection_fraction : float, optional
        Override of the topology's bisection fraction, in (0, 1], applied at every scale.
    halo_dimensions : int
        Decomposed dimensions d of a halo exchange (default 3: 2·3 = 6 neighbours).

    Returns
    -------
    float
        min over algorithms of a·α + b·β·c [s] (TRG05; Hockney 1994); see :func:`algorithm_times_s`.

    Examples
    --------
    >>> round(communication_time_s("allreduce", 8.0, 1024, injection_bandwidth_bytes_per_s=25e9,
    ...                            latency_s=1e-6) * 1e6, 3)   # 10 recursive-doubling steps
    10.003
    """
    times = algorithm_times_s(pattern, bytes_per_node, nodes,
                              injection_bandwidth_bytes_per_s=injection_bandwidth_bytes_per_s, latency_s=latency_s,
                              topology=topology, dimensions=dimensions, bisection_fraction=bisection_fraction,
                              halo_dimensions=halo_dimensions)
    return min(times.values())
