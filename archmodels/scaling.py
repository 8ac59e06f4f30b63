"""Strong and weak scaling of a workload over node counts, with the network model of ``predict``.

* **Strong scaling** (Amdahl, "Validity of the single processor approach to achieving large scale
  computing capabilities", AFIPS 1967, https://doi.org/10.1145/1465482.1465560): a fixed total
  problem ``U`` is cut into ``U / n`` units per node. Speedup ``S(n) = T(n₀) / T(n)``, parallel
  efficiency ``E(n) = S(n) · n₀ / n``. The per-node problem shrinks, so its working set may drop into
  a cache (the memory bound moves inward, even super-linear speedup) while the halo/allreduce terms
  of the network model stop shrinking as fast: the ``bound`` column shows where ``network`` takes over.
* **Weak scaling** (Gustafson, "Reevaluating Amdahl's law", CACM 31(5), 1988,
  https://doi.org/10.1145/42411.42415): the default problem per node on every node. Efficiency
  ``E(n) = T(n₀) / T(n)``; scaled speedup ``S(n) = (n / n₀) · E(n)`` (work rate relative to n₀ nodes).

Each row is one :func:`archmodels.predict` call, so the node time is the hierarchical roofline, the
network time the alpha-beta collectives over the machine's topology (no overlap), and power/energy
the energy roofline of the whole job.
"""

from __future__ import annotations

from typing import Iterable, Literal

from archmodels.errors import InputError
from archmodels.loaders import load_machine
from archmodels.machine import Machine
from archmodels.prediction import predict
from archmodels.workload import Workload, load_workload

COLUMNS = ("mode", "machine", "workload", "nodes", "units_per_node", "total_units", "time_s",
           "node_time_s", "network_time_s", "network_fraction", "speedup", "parallel_efficiency",
           "bound", "flop_per_s", "power_w", "energy_j")


def strong_speedup(time_s, time_base_s):
    """Strong-scaling speedup ``S = T(n₀) / T(n)`` [-] (Amdahl 1967)."""
    return time_base_s / time_s


def strong_efficiency(time_s, time_base_s, nodes, nodes_base):
    """Strong-scaling parallel efficiency ``E = T(n₀)·n₀ / (T(n)·n)`` [-]; 1 is perfect."""
    return time_base_s * nodes_base / (time_s * nodes)


def weak_efficiency(time_s, time_base_s):
    """Weak-scaling efficiency ``E = T(n₀) / T(n)`` [-] (same work per node; Gustafson 1988)."""
    return time_base_s / time_s


def weak_speedup(time_s, time_base_s, nodes, nodes_base):
    """Scaled speedup ``S = (n / n₀) · T(n₀) / T(n)`` [-]: work per second relative to n₀ nodes."""
    return nodes / nodes_base * time_base_s / time_s


def _node_counts(nodes: Iterable[int]) -> list[int]:
    out = []
    for n in nodes:
        if isinstance(n, bool) or int(n) != n or n < 1:
            raise InputError(f"node counts must be positive integers, got {n!r}", location="nodes")
        out.append(int(n))
    if not out:
        raise InputError("give at least one node count", location="nodes")
    return sorted(set(out))


def scaling(machine: Machine | str, workload: Workload | str, nodes: Iterable[int],
            mode: Literal["strong", "weak"] = "strong", total_units: float | None = None,
            precision: str | None = None):
    """Predicted strong or weak scaling of ``workload`` on ``machine`` over node counts.

    Parameters
    ----------
    machine : Machine or str
        Machine, catalog name or spec path (variants included).
    workload : Workload or str
        Workload or portfolio name.
    nodes : iterable of int
        Node counts [-]; sorted and de-duplicated; the smallest is the baseline ``n₀``.
    mode : {"strong", "weak"}
        Strong: fixed total problem; weak: fixed problem per node.
    total_units : float, optional
        Strong scaling only: the total problem [workload units]; default the workload's default
        problem per node on ``n₀`` nodes.
    precision : str, optional
        Precision override passed to :func:`~archmodels.predict`.

    Returns
    -------
    pandas.DataFrame
        One row per node count with :data:`COLUMNS`: ``time_s`` [s] of the whole run,
        ``node_time_s`` and ``network_time_s`` [s] (their sum is ``time_s``), ``network_fraction``
        [-], ``speedup`` and ``parallel_efficiency`` [-] (definitions in the module docstring),
        ``bound`` (``compute``, ``power``, ``memory:<level>`` or ``network``), ``flop_per_s``
        [FLOP/s], ``power_w`` [W] and ``energy_j`` [J] of the whole job.

    Raises
    ------
    archmodels.errors.InputError
        Unknown mode, bad node counts or total, a multi-node count on a machine without a network,
        or a per-node share that fits no processor's memory.
    """
    import pandas as pd

    if mode not in ("strong", "weak"):
        raise InputError(f"mode must be 'strong' or 'weak', got {mode!r}", location="mode")
    if total_units is not None and mode == "weak":
        raise InputError("total_units applies to strong scaling only", location="total_units")
    if total_units is not None and not total_units > 0:
        raise InputError(f"total_units must be positive, got {total_units!r}", location="total_units")
    m = load_machine(machine)
    wl = load_workload(workload)
    counts = _node_counts(nodes)
    n0 = counts[0]
    default_per_node = predict(m, wl, nodes=n0, precision=precision).units_per_node
    total = total_units if total_units is not None else default_per_node * n0

    rows = []
    for n in counts:
        upn = total / n if mode == "strong" else default_per_node
        try:
            p = predict(m, wl, nodes=n, precision=precision, units_per_node=upn)
        except InputError as err:
            raise InputError(f"{mode} scaling of {wl.name!r} on {m.name!r} at {n} nodes: {err.detail}",
                             location="nodes") from None
        rows.append({"mode": mode, "machine": m.name, "workload": wl.name, "nodes": n,
                     "units_per_node": p.units_per_node, "total_units": p.units_per_node * n,
                     "time_s": p.time_s, "node_time_s": p.time_s - p.network_time_s,
                     "network_time_s": p.network_time_s, "network_fraction": p.network_time_s / p.time_s,
                     "bound": p.bound, "flop_per_s": p.flop_per_s, "power_w": p.power_w,
                     "energy_j": p.energy_j})
    t0 = rows[0]["time_s"]
    for r in rows:
        if mode == "strong":
            r["speedup"] = strong_speedup(r["time_s"], t0)
            r["parallel_efficiency"] = strong_efficiency(r["time_s"], t0, r["nodes"], n0)
        else:
            r["speedup"] = weak_speedup(r["time_s"], t0, r["nodes"], n0)
            r["parallel_efficiency"] = weak_efficiency(r["time_s"], t0)
    return pd.DataFrame(rows, columns=list(COLUMNS))


def bound_changes(df) -> list[dict]:
    """Where the bound changes along a scaling table: ``[{nodes, from, to}]``, in node order.

    ``nodes`` is the first node count with the new bound (e.g. where ``network`` takes over from
    ``memory:HBM2``).
    """
    out = []
    prev = None
    for n, bound in zip(df["nodes"], df["bound"]):
        if prev is not None and bound != prev:
            out.append({"nodes": int(n), "from": prev, "to": bound})
        prev = bound
    return out


def portfolio_scaling(machine: Machine | str, nodes: Iterable[int], mode: Literal["strong", "weak"] = "strong",
                      workloads: Iterable[str] | None = None, precision: str | None = None):
    """Where each workload of the portfolio stops scaling on a machine.

    Runs :func:`scaling` for every workload and summarises it: the bound at the smallest and the
    largest node count, the first node count at which the network is the bound (NaN if never), and
    the parallel efficiency at the largest count.

    Returns
    -------
    pandas.DataFrame
        One row per workload: ``workload, mode, first_nodes, last_nodes, first_bound, last_bound,
        network_bound_from_nodes, efficiency_at_last, bound_changes`` (the list of
        :func:`bound_changes`).
    """
    import pandas as pd

    from archmodels.workload import workload_names

    rows = []
    for wl in (list(workloads) if workloads is not None else workload_names()):
        df = scaling(machine, wl, nodes, mode, precision=precision)
        network = df.loc[df["bound"] == "network", "nodes"]
        rows.append({"workload": df["workload"].iloc[0], "mode": mode, "first_nodes": int(df["nodes"].iloc[0]),
                     "last_nodes": int(df["nodes"].iloc[-1]), "first_bound": df["bound"].iloc[0],
                     "last_bound": df["bound"].iloc[-1],
                     "network_bound_from_nodes": float(network.iloc[0]) if len(network) else float("nan"),
                     "efficiency_at_last": float(df["parallel_efficiency"].iloc[-1]),
                     "bound_changes": bound_changes(df)})
    return pd.DataFrame(rows)
