"""Compare machines on the workload portfolio: one prediction per (machine, workload).

The orchestrator behind ``fsw compare``: it chains :func:`archmodels.predict` over machines and
workloads and returns a tidy DataFrame (one row per case). A workload that cannot run on a machine
(too little memory, a missing precision) gives a row with ``feasible = False`` and the reason, never a
silently missing row.

Problem size (column ``problem``):

- ``"same"`` (default): every machine runs the same problem in total, so times compare across
  machines — the size given (``total_units``), else the largest common problem of
  :func:`archmodels.problem_size.common_total_units` (the smallest of the machines' own default
  problems), split evenly over each machine's nodes (with one node each: the same problem per node);
- ``"per-machine"``: each machine runs its own default problem (a share of its memory: weak-scaling
  style); times then differ with the problem, and only rates (``units_per_s``) compare.
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from archmodels.errors import InputError
from archmodels.loaders import load_machine, machine_names
from archmodels.prediction import predict
from archmodels.problem_size import PROBLEM_MODES, common_total_units, footprint_bytes_per_node
from archmodels.workload import load_workload, workload_names

COLUMNS = ["machine", "workload", "problem", "nodes", "units_per_node", "total_units", "unit",
           "footprint_bytes_per_node", "processor", "precision", "feasible", "time_s", "flop_per_s",
           "units_per_s", "bandwidth_bytes_per_s", "bound", "power_w", "energy_j", "flop_per_j", "reason"]


def compare(machines: Iterable[str] | None = None, workloads: Iterable[str] | None = None,
            nodes: int | None = 1, problem: str = "same",
            total_units: float | None = None) -> pd.DataFrame:
    """Predict every workload on every machine.

    Parameters
    ----------
    machines : iterable of str, optional
        Catalog names or spec paths; default the whole catalog.
    workloads : iterable of str, optional
        Portfolio names or workload files; default the whole portfolio.
    nodes : int or None
        Nodes per machine [-]; ``1`` compares nodes (default), ``None`` each machine's full system.
    problem : {"same", "per-machine"}
        ``"same"``: one problem per node for every machine (see the module docstring);
        ``"per-machine"``: each machine's own default problem.
    total_units : float, optional
        The problem on each machine [each workload's unit] for ``problem="same"``, over all its
        nodes (with ``nodes=1``: per node); default the largest common problem of each workload.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, one row per (machine, workload), in input order. ``total_units``
        is ``units_per_node · nodes`` (one step); ``units_per_s`` counts every step.

    Raises
    ------
    archmodels.errors.InputError
        An unknown ``problem``, a non-positive ``total_units`` or one given with ``"per-machine"``.
    """
    if problem not in PROBLEM_MODES:
        raise InputError(f"problem must be one of {', '.join(PROBLEM_MODES)}, got {problem!r}", location="problem")
    if total_units is not None:
        if problem != "same":
            raise InputError("a problem size (total_units) means the same problem on every machine: "
                             "use problem='same'", location="total_units")
        if not total_units > 0:
            raise InputError(f"total_units must be positive, got {total_units!r}", location="total_units")
    ms = [load_machine(m) for m in (machines or machine_names())]
    ws = [load_workload(w) for w in (workloads or workload_names())]
    sizes = {w.name: None for w in ws}
    if problem == "same":
        sizes = {w.name: total_units or common_total_units(ms, w, nodes) for w in ws}
    rows = []
    for m in ms:
        for w in ws:
            n = nodes or m.nodes
            total = sizes[w.name]
            upn = None if total is None else total / n
            base = {"machine": m.name, "workload": w.name, "problem": problem, "unit": w.unit}
            try:
                if problem == "same" and upn is None:  # no machine runs it: say why this one cannot
                    predict(m, w, nodes=nodes)
                    raise InputError(f"workload {w.name!r} runs on none of the machines compared")
                p = predict(m, w, nodes=nodes, units_per_node=upn)
            except InputError as err:
                rows.append({**base, "nodes": n, "units_per_node": upn,
                             "total_units": total, "feasible": False,
                             "reason": err.detail})
                continue
            rows.append({**base, "nodes": p.nodes, "units_per_node": p.units_per_node if upn is None else upn,
                         "total_units": p.units_per_node * p.nodes if total is None else total,
                         "footprint_bytes_per_node": footprint_bytes_per_node(m, w, p.processor, p.units_per_node),
                         "processor": p.processor, "precision": p.precision, "feasible": True,
                         "time_s": p.time_s, "flop_per_s": p.flop_per_s, "units_per_s": p.units_per_s,
                         "bandwidth_bytes_per_s": p.bandwidth_bytes_per_s, "bound": p.bound,
                         "power_w": p.power_w, "energy_j": p.energy_j, "flop_per_j": p.flop_per_j,
                         "reason": ""})
    return pd.DataFrame(rows, columns=COLUMNS)
