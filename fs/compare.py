"""Compare machines on the workload portfolio: one prediction per (machine, workload).

The orchestrator behind ``fsw compare``: it chains :func:`archmodels.predict` over machines and
workloads and returns a tidy DataFrame (one row per case). A workload that cannot run on a machine
(too little memory, a missing precision) gives a row with ``feasible = False`` and the reason, never a
silently missing row.
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from archmodels.errors import InputError
from archmodels.loaders import load_machine, machine_names
from archmodels.prediction import predict
from archmodels.workload import load_workload, workload_names

COLUMNS = ["machine", "workload", "nodes", "processor", "precision", "feasible", "time_s", "flop_per_s",
           "units_per_s", "unit", "bandwidth_bytes_per_s", "bound", "power_w", "energy_j", "flop_per_j",
           "reason"]


def compare(machines: Iterable[str] | None = None, workloads: Iterable[str] | None = None,
            nodes: int | None = 1) -> pd.DataFrame:
    """Predict every workload on every machine.

    Parameters
    ----------
    machines : iterable of str, optional
        Catalog names or spec paths; default the whole catalog.
    workloads : iterable of str, optional
        Portfolio names or workload files; default the whole portfolio.
    nodes : int or None
        Nodes per machine [-]; ``1`` compares nodes (default), ``None`` each machine's full system.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, one row per (machine, workload), in input order.
    """
    ms = [load_machine(m) for m in (machines or machine_names())]
    ws = [load_workload(w) for w in (workloads or workload_names())]
    rows = []
    for m in ms:
        for w in ws:
            try:
                p = predict(m, w, nodes=nodes)
            except InputError as err:
                rows.append({"machine": m.name, "workload": w.name, "nodes": nodes or m.nodes,
                             "feasible": False, "reason": err.detail})
                continue
            rows.append({"machine": m.name, "workload": w.name, "nodes": p.nodes, "processor": p.processor,
                         "precision": p.precision, "feasible": True, "time_s": p.time_s,
                         "flop_per_s": p.flop_per_s, "units_per_s": p.units_per_s, "unit": p.unit,
                         "bandwidth_bytes_per_s": p.bandwidth_bytes_per_s, "bound": p.bound,
                         "power_w": p.power_w, "energy_j": p.energy_j, "flop_per_j": p.flop_per_j,
                         "reason": ""})
    return pd.DataFrame(rows, columns=COLUMNS)
