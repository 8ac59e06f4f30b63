"""Node power: processor TDPs, static power, the rest of the node, idle and maximum.

Model (assumptions in ``archmodels/data/energy.toml``):

- a processor draws ``P_static = f_s · TDP`` whenever powered, plus ``ε_flop · F + Σ ε_bit · 8 · Q``
  while working, and never more than its TDP (the cap of the energy roofline, Choi et al. 2013);
- a processor without a published TDP is given its share of the node's ``power_max`` (after 10% for
  the rest of the node), or, with no node power either, the power that runs its FP64 vector peak:
  ``TDP = ε_flop · peak / (1 − f_s)``;
- the rest of the node (NIC, board, fans, share of network and storage) draws
  ``power_max − Σ TDP`` when the spec gives ``power_max``, else ``f_o · Σ TDP``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from archmodels.machine import Machine, Node, Processor
from archmodels.physics import energy_per_flop_j, node_power_split_w, processors_power_budget_w, tdp_from_peak_w
from archmodels.technology import Technology, default_technology


@dataclass(frozen=True)
class NodePower:
    """Power figures of a node [W]; ``tdp_w`` per processor name."""

    tdp_w: dict
    static_w: dict
    counts: dict
    other_w: float
    idle_w: float
    max_w: float


def _vector_tdp_w(proc: Processor, tech: Technology) -> float:
    prec = proc.precision_for("fp64") or next(iter(proc.peak_flop_per_s))
    peak = proc.peak_flop_per_s.get(prec) or max(proc.peak_flop_per_s.values())
    return float(tdp_from_peak_w(peak, tech.processor_energy_per_flop_floor_j(proc, prec), tech.static_fraction))


def node_power(node: Node, technology: Technology | None = None) -> NodePower:
    """TDP, static, rest-of-node, idle and maximum power of a node [W] (see module docstring).

    ``P_static = f_s · TDP``; a processor without a TDP gets ``(P_max / (1 + f_o) − Σ TDP_known)``
    shared by ``ε_flop · peak`` weights, or ``TDP = ε_flop · peak / (1 − f_s)`` with no ``P_max``;
    ``P_other = P_max − Σ TDP`` (else ``f_o · Σ TDP``); ``P_idle = P_other + Σ P_static`` unless the
    spec gives it. The TDP caps the energy roofline (J. W. Choi et al., "A roofline model of
    energy", IPDPS 2013, https://doi.org/10.1109/IPDPS.2013.77).

    Parameters
    ----------
    node : Node
        Its processors' ``tdp_w`` [W] and peaks [FLOP/s], and ``power_max_w``, ``power_idle_w`` [W]
        when the spec gives them.
    technology : Technology, optional
        Static share ``f_s`` [-], rest-of-node share ``f_o`` [-] and FLOP energy floor ``ε_flop`` [J]
        (default: the shipped tables, archmodels/data/energy.toml).

    Returns
    -------
    NodePower
        TDP and static power per processor name [W], rest of node, idle and maximum [W].

    Examples
    --------
    Two 100 W CPUs in a 260 W node: the rest of the node is 260 − 200 = 60 W, idle is
    60 + 2 · 0.3 · 100 = 120 W.

    >>> from archmodels.machine import MemoryLevel, Node, Processor
    >>> hbm = (MemoryLevel("HBM", "hbm3e", 2**35, 1e12),)
    >>> cpu = Processor("cpu", "cpu", 2, {"fp64": 1e12}, {}, hbm, tdp_w=100.0)
    >>> p = node_power(Node((cpu,), power_max_w=260.0))
    >>> p.static_w, round(p.other_w, 6), round(p.idle_w, 6), p.max_w
    ({'cpu': 30.0}, 60.0, 120.0, 260.0)
    """
    return _node_power(node, technology or default_technology())


@lru_cache(maxsize=512)
def _node_power(node: Node, tech: Technology) -> NodePower:
    fs = tech.static_fraction
    known = {p.name: p.tdp_w for p in node.processors if p.tdp_w}
    unknown = [p for p in node.processors if not p.tdp_w]
    tdp = dict(known)
    known_total = sum(known[p.name] * p.count for p in node.processors if p.name in known)
    if unknown:
        if node.power_max_w:
            budget = float(processors_power_budget_w(node.power_max_w, tech.node_other_fraction, known_total))
            weights = {p.name: _vector_tdp_w(p, tech) * p.count for p in unknown}
            total = sum(weights.values())
            for p in unknown:
                share = budget * weights[p.name] / total if budget > 0 else _vector_tdp_w(p, tech) * p.count
                tdp[p.name] = share / p.count
        else:
            for p in unknown:
                tdp[p.name] = _vector_tdp_w(p, tech)
    proc_total = sum(tdp[p.name] * p.count for p in node.processors)
    static = {name: fs * value for name, value in tdp.items()}
    static_total = sum(static[p.name] * p.count for p in node.processors)
    p_max = ((1.0 + tech.node_other_fraction) * proc_total if node.power_max_w is None  # no maximum: the cited share
             else node.power_max_w)
    idle_w = np.nan if node.power_idle_w is None else node.power_idle_w  # NaN: derive it from the split
    other, max_w, idle = (float(x) for x in node_power_split_w(p_max, proc_total, static_total, idle_w))
    counts = {p.name: p.count for p in node.processors}
    return NodePower(tdp, static, counts, other, idle, max_w)


def processor_energy_per_flop_j(node: Node, proc: Processor, precision: str,
                                technology: Technology | None = None) -> float:
    """Dynamic energy of one FLOP of ``proc`` in ``precision`` as the energy roofline charges it [J].

    ``ε = max(ε_floor, max(TDP − P_static, 0) / P_any)`` (:func:`archmodels.physics.energy_per_flop_j`)
    with this node's TDP and static power (:func:`node_power`), the processor's highest peak in the
    precision, matrix units included, and its floor
    (:meth:`archmodels.technology.Technology.processor_energy_per_flop_floor_j`).

    Parameters
    ----------
    node : Node
        The node ``proc`` belongs to.
    proc : Processor
        One of its processors.
    precision : str
        ``fp64``, ``fp32``, ``bf16``, ``fp8``...; the processor must have a peak in it.
    technology : Technology, optional
        Default: the shipped tables.
    """
    tech = technology or default_technology()
    power = node_power(node, tech)
    peak = proc.peak_for(precision, True)
    if not peak > 0:
        raise KeyError(f"processor {proc.name!r} has no {precision} peak")
    return float(energy_per_flop_j(power.tdp_w[proc.name], power.static_w[proc.name], peak,
                                   tech.processor_energy_per_flop_floor_j(proc, precision)))


def node_power_range_w(machine: Machine) -> tuple[float, float]:
    """(idle, maximum) power of one node of ``machine`` [W]; defaults are the cited assumptions above.

    Parameters
    ----------
    machine : Machine
        Its ``node`` is passed to :func:`node_power` with the shipped technology tables.
    """
    p = node_power(machine.node)
    return p.idle_w, p.max_w
