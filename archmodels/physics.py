"""The prediction's physics, written once: numbers (or numpy arrays) in, numbers out, SI units.

Everything :func:`archmodels.predict` and the design sweep (:mod:`fs.sweep`) compute about how a
processor runs a step of work, how much power a node draws and how long a step's communication
takes lives here, and only here. The functions take plain numbers or numpy arrays of any leading
shape (the memory-level axis last where there is one) and broadcast; they look nothing up (no
``Machine``, no technology table): the callers translate their inputs into these arguments.

Model (per processor of the type that runs the work, one step):

1. energy per FLOP ``ε = max(ε_floor, (TDP − P_static) / P_any)`` — a datasheet peak run within the
   TDP implies at least the energy the TDP pays for, and no processor beats its technology's floor;
2. driven rate ``R = min(P_peak, (P_cap − P_static) / ε)`` — the compute ceiling of the energy
   roofline with a power cap (Choi et al. 2013, sec. V); ``bound = power`` when ``R < P_peak``;
3. compute time ``T_c = W / (η_c · R)``;
4. level times ``T_k = Q_k / (min(η_k, 1) · B_k)`` for every memory level k (innermost first);
5. step time ``T = max(T_c, max_k T_k)`` (hierarchical roofline, Williams et al. 2009), the bound
   being the first term that attains the maximum;
6. dynamic power ``P_dyn = min(P_cap − P_static, (ε · R · T_c + 8 · Σ_k ε_k · Q_k) / T)`` — busy
   compute units draw ε·R, stalls included (η is lost time, not saved power).

References
----------
S. Williams, A. Waterman, D. Patterson, "Roofline: an insightful visual performance model for
multicore architectures", CACM 52(4), 2009, https://doi.org/10.1145/1498765.1498785.
J. W. Choi, D. Bedard, R. Fowler, R. Vuduc, "A roofline model of energy", IPDPS 2013,
https://doi.org/10.1109/IPDPS.2013.77.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

#: Bound codes of :func:`processor_step`: compute, power, then memory level k is ``BOUND_MEMORY + k``.
BOUND_COMPUTE = 0
BOUND_POWER = 1
BOUND_MEMORY = 2


class ProcessorStep(NamedTuple):
    """Result of :func:`processor_step` (arrays of the broadcast leading shape)."""

    time_s: np.ndarray           #: step time T [s]
    compute_time_s: np.ndarray   #: T_c [s]
    level_time_s: np.ndarray     #: T_k, memory-level axis last [s]
    bound: np.ndarray            #: BOUND_COMPUTE, BOUND_POWER or BOUND_MEMORY + k [-]
    dynamic_w: np.ndarray        #: mean dynamic power while the step runs [W]
    driven_flop_per_s: np.ndarray  #: R [FLOP/s]
    energy_per_flop_j: np.ndarray  #: ε [J]


def energy_per_flop_j(tdp_w, static_w, peak_any_flop_per_s, energy_per_flop_floor_j):
    """Dynamic energy of one FLOP: ``ε = max(ε_floor, max(TDP − P_static, 0) / P_any)`` [J].

    Parameters
    ----------
    tdp_w : array_like
        Processor TDP [W].
    static_w : array_like
        Its static power [W].
    peak_any_flop_per_s : array_like
        Its highest peak in the precision, matrix units included [FLOP/s].
    energy_per_flop_floor_j : array_like
        The technology's floor [J].

    Examples
    --------
    >>> float(energy_per_flop_j(300.0, 90.0, 7.0e12, 8.7e-12))  # V100-like: the TDP sets it
    3e-11
    """
    budget = np.maximum(np.subtract(tdp_w, static_w), 0.0)
    return np.maximum(energy_per_flop_floor_j, budget / np.asarray(peak_any_flop_per_s, dtype=float))


def processor_step(flops, level_bytes, *, peak_flop_per_s, peak_any_flop_per_s, compute_efficiency,
                   memory_efficiency, bandwidth_bytes_per_s, energy_per_bit_j, tdp_w, static_w,
                   power_cap_w, energy_per_flop_floor_j) -> ProcessorStep:
    """Power-capped hierarchical energy roofline of one processor running one step (module docstring).

    Parameters
    ----------
    flops : array_like
        FLOPs of the step on this processor, W [FLOP].
    level_bytes : array_like
        Bytes through each memory level, Q_k, level axis last (innermost first) [B]. An absent
        level carries 0 bytes.
    peak_flop_per_s : array_like
        Peak the work can use (vector, or matrix units where the work uses them), P_peak [FLOP/s].
    peak_any_flop_per_s : array_like
        Highest peak in the precision, matrix units included, P_any [FLOP/s].
    compute_efficiency : array_like
        Achievable fraction of the driven rate, η_c [-].
    memory_efficiency : array_like
        Achievable fraction of each level's bandwidth, η_k (capped at 1), level axis last [-].
    bandwidth_bytes_per_s : array_like
        Bandwidth of each level, B_k, level axis last [B/s].
    energy_per_bit_j : array_like
        Energy to move one bit through each level, ε_k, level axis last [J].
    tdp_w, static_w : array_like
        Processor TDP and static power [W].
    power_cap_w : array_like
        Power the processor may draw, P_cap ≤ TDP [W].
    energy_per_flop_floor_j : array_like
        Technology floor of ε [J].

    Returns
    -------
    ProcessorStep

    Examples
    --------
    A memory-bound step: 1 GFLOP and 1 GB through one 100 GB/s level at η = 1 on a 1 TFLOP/s part.

    >>> s = processor_step(1e9, [1e9], peak_flop_per_s=1e12, peak_any_flop_per_s=1e12,
    ...                    compute_efficiency=1.0, memory_efficiency=[1.0], bandwidth_bytes_per_s=[1e11],
    ...                    energy_per_bit_j=[1e-12], tdp_w=300.0, static_w=90.0, power_cap_w=300.0,
    ...                    energy_per_flop_floor_j=1e-11)
    >>> float(s.time_s), int(s.bound) == BOUND_MEMORY
    (0.01, True)
    """
    flops = np.asarray(flops, dtype=float)
    q = np.asarray(level_bytes, dtype=float)
    peak = np.asarray(peak_flop_per_s, dtype=float)
    static = np.asarray(static_w, dtype=float)
    eps = energy_per_flop_j(tdp_w, static_w, peak_any_flop_per_s, energy_per_flop_floor_j)
    headroom = np.maximum(np.subtract(power_cap_w, static), 0.0)
    driven = np.minimum(peak, headroom / eps)
    with np.errstate(divide="ignore", invalid="ignore"):
        compute_t = np.where(flops > 0, flops / (np.multiply(compute_efficiency, driven)), 0.0)
        level_t = np.where(q > 0, q / (np.minimum(memory_efficiency, 1.0) * np.asarray(bandwidth_bytes_per_s, dtype=float)),
                           0.0)
    # hierarchical roofline: a running maximum over the levels (first term attaining it wins)
    first = np.zeros(np.broadcast_shapes(compute_t.shape, level_t.shape[:-1]), dtype=np.int64)
    time_s = np.broadcast_to(compute_t, first.shape)
    for k in range(level_t.shape[-1]):
        later = level_t[..., k] > time_s
        first = np.where(later, k + 1, first)
        time_s = np.where(later, level_t[..., k], time_s)
    power_bound = driven < peak * (1.0 - 1e-9)
    bound = np.where(first == 0, np.where(power_bound, BOUND_POWER, BOUND_COMPUTE), BOUND_MEMORY + first - 1)
    memory_j = 8.0 * np.sum(q * np.asarray(energy_per_bit_j, dtype=float), axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        dynamic = np.minimum(headroom, (eps * driven * compute_t + memory_j) / time_s)
    return ProcessorStep(time_s, compute_t, level_t, bound, dynamic, driven, eps)


def tdp_from_peak_w(peak_flop_per_s, energy_per_flop_floor_j, static_fraction):
    """TDP of a processor with no published one, from its peak at the technology's floor [W].

    ``TDP = ε_floor · R_peak / (1 − f_s)``: the peak drawn at the floor energy per FLOP is the
    dynamic share ``1 − f_s`` of the TDP (the inverse of :func:`energy_per_flop_j` at the floor).

    Parameters
    ----------
    peak_flop_per_s : array_like
        Peak in the precision the floor is given for [FLOP/s].
    energy_per_flop_floor_j : array_like
        The technology's floor in that precision [J].
    static_fraction : array_like
        Static share of the TDP [-].

    Examples
    --------
    >>> round(float(tdp_from_peak_w(1.0e12, 20e-12, 0.3)), 6)  # 1 TFLOP/s at 20 pJ, 30 % static
    28.571429
    """
    return np.multiply(energy_per_flop_floor_j, peak_flop_per_s) / (1.0 - np.asarray(static_fraction, dtype=float))


def processors_power_budget_w(node_power_max_w, other_fraction, known_tdp_w=0.0):
    """Power left for the processors without a published TDP when a node's maximum is given [W].

    ``P_proc = P_max / (1 + f_o) − Σ TDP_known``: the rest of the node (NIC, board, fans, share of
    network and storage) draws ``f_o`` of the processors' power (archmodels/data/energy.toml).

    Examples
    --------
    >>> float(processors_power_budget_w(2200.0, 0.25))
    1760.0
    """
    return np.divide(node_power_max_w, 1.0 + np.asarray(other_fraction, dtype=float)) - known_tdp_w


def node_power_split_w(node_power_max_w, processors_tdp_w, processors_static_w, idle_w=np.nan):
    """Rest-of-node, maximum and idle power of a node whose maximum is given [W].

    ``P_other = max(P_max − Σ TDP, 0)``, ``P_node,max = max(P_max, Σ TDP)`` and, unless a measured
    idle power is given, ``P_idle = P_other + Σ P_static`` (every processor idle at its static power).

    Parameters
    ----------
    node_power_max_w : array_like
        The node's maximum power, P_max [W].
    processors_tdp_w, processors_static_w : array_like
        Sum over the node's processors of their TDP and of their static power [W].
    idle_w : array_like, optional
        A published idle power [W]; NaN where there is none.

    Returns
    -------
    tuple of ndarray
        ``(other_w, max_w, idle_w)`` [W].

    Examples
    --------
    >>> [float(x) for x in node_power_split_w(2200.0, 1760.0, 528.0)]
    [440.0, 2200.0, 968.0]
    """
    other = np.maximum(np.subtract(node_power_max_w, processors_tdp_w), 0.0)
    max_w = np.maximum(node_power_max_w, processors_tdp_w)
    idle = np.where(np.isnan(idle_w), other + np.asarray(processors_static_w, dtype=float), idle_w)
    return other, max_w, idle


def processor_cap_w(tdp_w, node_power_max_w, other_w, idle_others_w, count):
    """Power one active processor may draw [W]: its TDP, or less when the node's maximum minus the
    rest of the node and the idle processors leaves less per processor.

    ``P_cap = min(TDP, (P_max − P_other − Σ_idle P_static) / n_active)``; NaN ``node_power_max_w``
    means no node maximum.

    Examples
    --------
    >>> float(processor_cap_w(500.0, 1800.0, 200.0, 100.0, 4))
    375.0
    """
    share = np.divide(np.subtract(np.subtract(node_power_max_w, other_w), idle_others_w), count)
    return np.where(np.isnan(share), tdp_w, np.fmin(tdp_w, share))


def running_node_power_w(*, other_w, idle_others_w, count, static_w, dynamic_w, node_time_s, step_time_s,
                         network_bytes=0.0, network_energy_per_bit_j=0.0, link_static_w=0.0):
    """Mean power of a node while a step runs [W].

    ``P = P_other + Σ_idle P_static + n·(P_static + P_dyn·T_node/T_step) + 8·Q_net·ε_net/T_step
    + P_link``: the active processors draw their dynamic power while the node computes and only
    their static power while it communicates; the network's energy per bit and its links' static
    power are added per node (energy roofline, Choi et al. 2013).

    Parameters
    ----------
    other_w : array_like
        Rest of the node [W].
    idle_others_w : array_like
        Static power of the processor types that idle [W].
    count : array_like
        Active processors per node [-].
    static_w, dynamic_w : array_like
        Static and dynamic power of one active processor [W].
    node_time_s, step_time_s : array_like
        Node (compute and memory) time and whole step time including communication [s].
    network_bytes : array_like
        Bytes a node injects per step [B].
    network_energy_per_bit_j : array_like
        Network energy per injected bit [J].
    link_static_w : array_like
        Static link power per node [W].

    Examples
    --------
    >>> float(running_node_power_w(other_w=100.0, idle_others_w=0.0, count=2, static_w=90.0,
    ...                            dynamic_w=210.0, node_time_s=1.0, step_time_s=1.0))
    700.0
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        busy = np.where(np.asarray(step_time_s) > 0, np.divide(node_time_s, step_time_s), 0.0)
        net = np.where(np.asarray(network_bytes) > 0,
                       8.0 * np.multiply(network_bytes, network_energy_per_bit_j) / step_time_s, 0.0)
    return (np.add(other_w, idle_others_w) + np.multiply(count, np.add(static_w, np.multiply(dynamic_w, busy)))
            + net + link_static_w)


def network_step(communications, units_per_node, nodes, *, injection_bandwidth_bytes_per_s, latency_s,
                 topology, dimensions=None):
    """Time and bytes per node of one step's communication: ``T_net = Σ count · t(pattern, bytes, N)``.

    Parameters
    ----------
    communications : sequence of (pattern, count, bytes_per_node_fn)
        Each collective of the step: its pattern (``allreduce``, ``halo``...), how many per step,
        and a function of the units per node giving its bytes per node [B].
    units_per_node : array_like
        Problem per node [units]; an array gives one answer per element.
    nodes : int
        Nodes of the job [-]; one node communicates nothing.
    injection_bandwidth_bytes_per_s, latency_s : float
        Per-node injection bandwidth [B/s] and latency [s].
    topology : str
        Topology of :mod:`archmodels.collectives`.
    dimensions : int, optional
        Torus dimensions.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Time [s] and bytes per node [B] of the step, shaped like ``units_per_node``. The alpha-beta
        costs are those of :func:`archmodels.collectives.communication_time_s`.
    """
    from archmodels.collectives import communication_time_s

    upn = np.asarray(units_per_node, dtype=float)
    time_s = np.zeros(upn.shape)
    moved = np.zeros(upn.shape)
    if nodes <= 1 or not communications:
        return time_s, moved
    flat_t, flat_b = time_s.reshape(-1), moved.reshape(-1)
    for i, u in enumerate(upn.reshape(-1)):
        for pattern, count, bytes_fn in communications:
            nbytes = bytes_fn(float(u))
            flat_t[i] += count * communication_time_s(
                pattern, nbytes, nodes, injection_bandwidth_bytes_per_s=injection_bandwidth_bytes_per_s,
                latency_s=latency_s, topology=topology, dimensions=dimensions)
            flat_b[i] += count * nbytes
    return time_s, moved


def reuse_bytes_per_unit(capacity_bytes, working_set_bytes, bytes_per_unit):
    """Bytes per unit of work that cross the boundary below a cache of ``capacity_bytes`` [B].

    The workload's reuse step function: the traffic of the last point whose working set fits,
    ``q(C) = min(q_0, min{q_p : W_p ≤ C})`` (points sorted by working set, bytes non-increasing).

    Parameters
    ----------
    capacity_bytes : array_like
        Capacity above the boundary, C [B].
    working_set_bytes : array_like
        Working set of each traffic point, W_p, point axis last (broadcast against C) [B].
    bytes_per_unit : array_like
        Bytes per unit of each point, q_p, point axis last [B].

    Examples
    --------
    >>> float(reuse_bytes_per_unit(2e8, [1e6, 1e8, 1e10], [100.0, 10.0, 1.0]))
    10.0
    """
    cap = np.asarray(capacity_bytes, dtype=float)
    ws = np.asarray(working_set_bytes, dtype=float)
    q = np.asarray(bytes_per_unit, dtype=float)
    out = np.broadcast_to(q[..., 0], np.broadcast_shapes(cap.shape, ws.shape[:-1], q.shape[:-1])).copy()
    for p in range(ws.shape[-1]):  # one pass per traffic point: no (capacity x point) temporary
        out = np.where(ws[..., p] <= cap, np.minimum(out, q[..., p]), out)
    return out
