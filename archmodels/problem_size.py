"""Problem sizes that compare across machines.

By default :func:`archmodels.predict` sizes a workload to each machine (a share of the processor's
outermost memory, or a fixed size per processor times the processors of a node), so two machines'
times are for different problems: a node with twice the memory runs twice the HPL FLOPs and "takes"
twice as long at the same FLOP rate. Times compare only when every machine runs the same problem.

The rule here: the **largest common problem** is the smallest of the machines' own default
problems,

    U_common = min_m n_m · U_default(m),

on ``n_m`` nodes of machine m (one node each, or each machine's whole system), the largest problem
that every compared machine runs within the workload's memory share (HPL's 80%, HPCG's 25%...).
Machine m runs it as ``U_common / n_m`` per node: pass that as ``predict(..., units_per_node=...)``.
It fits every machine that can run the workload at all, since the processor type that ran
``U_default(m)`` holds any smaller share.
"""

from __future__ import annotations

from typing import Iterable

from archmodels.errors import InputError
from archmodels.loaders import load_machine
from archmodels.machine import Machine
from archmodels.prediction import predict
from archmodels.workload import Workload, load_workload

#: ``problem`` values: one problem for every machine, or each machine's own default problem.
PROBLEM_MODES = ("same", "per-machine")


def default_units_per_node(machine: Machine | str, workload: Workload | str,
                           precision: str | None = None) -> float | None:
    """The problem per node [workload units] that :func:`archmodels.predict` runs by default.

    Returns ``None`` when the workload cannot run on the machine (no processor with the precision or
    the memory).
    """
    try:
        return predict(machine, workload, nodes=1, precision=precision).units_per_node
    except InputError:
        return None


def common_total_units(machines: Iterable[Machine | str], workload: Workload | str, nodes: int | None = 1,
                       precision: str | None = None) -> float | None:
    """The largest problem [workload units] that runs on every machine: ``min_m n_m · U_default(m)``.

    Parameters
    ----------
    machines : iterable of Machine or str
        Machines, catalog names or spec paths.
    workload : Workload or str
        A workload, a portfolio name or a workload file.
    nodes : int or None
        Nodes of every machine [-]; ``None`` each machine's ``system.nodes``.
    precision : str, optional
        Override of the workload's precision.

    Returns
    -------
    float or None
        The common problem in total [units]; with ``nodes=1`` the problem per node. Machines that
        cannot run the workload at all do not constrain it; ``None`` when none can run it.
    """
    wl = load_workload(workload)
    sizes = []
    for ref in machines:
        m = load_machine(ref)
        u = default_units_per_node(m, wl, precision)
        if u is not None and u > 0:
            sizes.append(u * (m.nodes if nodes is None else nodes))
    return min(sizes) if sizes else None


def footprint_bytes_per_node(machine: Machine | str, workload: Workload | str, processor: str,
                             units_per_node: float) -> float:
    """Memory a node's processors of type ``processor`` hold for ``units_per_node`` [B].

    ``count · (F₀ + f · U / count)`` with the workload's fixed footprint F₀ [B] per processor and its
    footprint per unit f [B].
    """
    m = load_machine(machine)
    wl = load_workload(workload)
    proc = next((p for p in m.node.processors if p.name == processor), None)
    if proc is None:
        raise InputError(f"machine {m.name!r} has no processor {processor!r}", location="processor")
    return proc.count * wl.footprint_for(units_per_node / proc.count)
