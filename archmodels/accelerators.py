"""MN-Core-like matrix accelerators: the engine's balance, where it wins and loses, its Green500 run.

An MN-Core-class accelerator (Preferred Networks, https://projects.preferred.jp/mn-core/en/; MN-Core 2
hierarchy: MN-Core MLSDK "Hardware Specification",
https://dev.mn-core.com/sdk/0.5/MLSDK/docs/en/hardware_specification.html) is a SIMD matrix engine:

* no data caches — every on-chip memory is software-managed, so the compiler, not a replacement policy,
  decides what stays on chip (a level of technology ``sram`` in the catalog);
* a broadcast/reduction tree (chip > Group > L2B > L1B > MAB > PE) instead of a mesh or crossbar, so a
  broadcast or a reduction costs one pass up or down the tree;
* most of its silicon in arithmetic, hence high matrix FLOP/W, and little DRAM bandwidth per FLOP.

In ``predict`` such a device is a processor of type ``accelerator``: its on-chip SRAM is the level
above DRAM in the reuse description, and its achievable fractions per workload class are the
``accelerator`` rows of ``archmodels/data/efficiency.toml`` (:func:`efficiency_by_class`). This module
adds the views a study needs: the machine balance (bytes per FLOP, FLOP per watt) of
:func:`matrix_engine_view`, the portfolio against a GPU node and a CPU node
(:func:`portfolio_comparison`, :func:`wins_and_losses`), and MN-3's Green500 run decomposed into
rate, power and efficiency (:func:`green500_check`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from archmodels.errors import InputError
from archmodels.loaders import load_machine
from archmodels.machine import Machine
from archmodels.prediction import predict
from archmodels.technology import efficiency
from archmodels.workload import WORKLOAD_CLASSES, load_workload, workload_names

#: MN-3's Green500 run (November 2021), the published figures :func:`green500_check` compares with.
#: Green500 list, November 2021, entry No. 1 (TOP500 No. 301): "MN-3 - MN-Core Server, Xeon Platinum
#: 8260M 24C 2.4GHz, Preferred Networks MN-Core, MN-Core DirectConnect": 1,664 cores, Rmax 2,181.2
#: TFLOP/s, 55 kW, 39.379 GFLOPS/W (https://www.top500.org/lists/green500/list/2021/11/); measured on
#: 32 nodes with 128 MN-Core (Kobe University / PFN press release, 16 Nov 2021,
#: https://www.kobe-u.ac.jp/en/news/article/2021_11_16_01). The power is Rmax / efficiency (the list
#: rounds it to 55 kW).
MN3_GREEN500 = {
    "nodes": 32,
    "rmax_flop_per_s": 2181.2e12,
    "flop_per_j": 39.379e9,
    "power_w": 2181.2e12 / 39.379e9,
    "list": "Green500 November 2021",
    "source": "https://www.top500.org/lists/green500/list/2021/11/",
}


def bytes_per_flop(bandwidth_bytes_per_s, peak_flop_per_s):
    """Machine balance of a memory level: bytes it delivers per peak FLOP [B/FLOP] = B / P.

    A workload whose arithmetic intensity is below ``1 / balance`` is bound by that level
    (Williams, Waterman, Patterson, "Roofline", CACM 52(4), 2009, https://doi.org/10.1145/1498765.1498785).
    """
    return bandwidth_bytes_per_s / peak_flop_per_s


@dataclass(frozen=True)
class MatrixEngineView:
    """Balance of the fastest processor type of a node (per processor, SI units).

    Attributes
    ----------
    machine, processor, processor_type, precision : str
    count : int
        Processors of this type per node.
    peak_flop_per_s : float
        Peak in ``precision``, matrix units included [FLOP/s].
    tdp_w : float or None
        Processor (board) power [W].
    peak_flop_per_w : float or None
        ``peak / TDP`` [FLOP/J] — the datasheet efficiency.
    on_chip_bytes, on_chip_bandwidth_bytes_per_s : float
        Innermost level: capacity [B] and bandwidth [B/s].
    on_chip_software_managed : bool
        True for an ``accelerator`` whose innermost level is SRAM: in this catalog that type is the
        SIMD matrix engine whose on-chip memory the compiler manages (no data cache). GPU and CPU
        SRAM levels (L1, L2) are caches.
    dram_bytes, dram_bandwidth_bytes_per_s : float
        Outermost level [B], [B/s].
    dram_bytes_per_flop, on_chip_bytes_per_flop : float
        Balance of each [B/FLOP] (:func:`bytes_per_flop`).
    """

    machine: str
    processor: str
    processor_type: str
    precision: str
    count: int
    peak_flop_per_s: float
    tdp_w: float | None
    peak_flop_per_w: float | None
    on_chip_bytes: float
    on_chip_bandwidth_bytes_per_s: float
    on_chip_software_managed: bool
    dram_bytes: float
    dram_bandwidth_bytes_per_s: float
    dram_bytes_per_flop: float
    on_chip_bytes_per_flop: float


def matrix_engine_view(machine: Machine | str, precision: str = "fp64") -> MatrixEngineView:
    """The balance of a node's fastest processor type in ``precision`` (matrix units included).

    Raises
    ------
    InputError
        When no processor of the node has the precision (or a wider fallback).
    """
    m = load_machine(machine)
    best = None
    for proc in m.node.processors:
        prec = proc.precision_for(precision, matrix=True)
        if prec is None:
            continue
        peak = proc.peak_for(prec, True)
        if best is None or peak * proc.count > best[2] * best[0].count:
            best = (proc, prec, peak)
    if best is None:
        raise InputError(f"no processor of {m.name!r} runs {precision!r}", location="precision")
    proc, prec, peak = best
    inner, outer = proc.memory[0], proc.outer_memory
    return MatrixEngineView(
        machine=m.name, processor=proc.name, processor_type=proc.type, precision=prec, count=proc.count,
        peak_flop_per_s=peak, tdp_w=proc.tdp_w, peak_flop_per_w=peak / proc.tdp_w if proc.tdp_w else None,
        on_chip_bytes=inner.capacity_bytes, on_chip_bandwidth_bytes_per_s=inner.bandwidth_bytes_per_s,
        on_chip_software_managed=proc.type == "accelerator" and inner.technology == "sram",
        dram_bytes=outer.capacity_bytes, dram_bandwidth_bytes_per_s=outer.bandwidth_bytes_per_s,
        dram_bytes_per_flop=float(bytes_per_flop(outer.bandwidth_bytes_per_s, peak)),
        on_chip_bytes_per_flop=float(bytes_per_flop(inner.bandwidth_bytes_per_s, peak)))


def efficiency_by_class(processor_types: Iterable[str] = ("accelerator", "gpu", "cpu")):
    """Achievable fractions of peak compute and memory bandwidth per workload class and type.

    Returns
    -------
    pandas.DataFrame
        ``workload_class, processor_type, compute, memory, source`` (``archmodels/data/efficiency.toml``).
    """
    import pandas as pd

    rows = []
    for cls in WORKLOAD_CLASSES:
        for ptype in processor_types:
            e = efficiency(ptype, cls)
            rows.append({"workload_class": cls, "processor_type": ptype, "compute": e.compute,
                         "memory": e.memory, "source": e.source})
    return pd.DataFrame(rows)


def portfolio_comparison(machines: Iterable[str] = ("mn-3", "mn-core-2", "dgx-h100", "a64fx"),
                         workloads: Iterable[str] | None = None):
    """The portfolio on one node of each machine, every machine solving the same problem.

    The problem per node of each workload is the smallest of the machines' default sizes, so it fits
    every node. ``energy_j`` is the node's energy to solution, the fair figure across node sizes.

    Returns
    -------
    pandas.DataFrame
        One row per (workload, machine): ``workload, workload_class, machine, processor,
        units_per_node, time_s, energy_j, power_w, flop_per_s, flop_per_j, bound``.
    """
    import pandas as pd

    ms = [load_machine(m) for m in machines]
    if len(ms) < 2:
        raise InputError("compare at least two machines", location="machines")
    rows = []
    for name in (list(workloads) if workloads is not None else workload_names()):
        wl = load_workload(name)
        common = min(predict(m, wl, nodes=1).units_per_node for m in ms)
        for m in ms:
            p = predict(m, wl, nodes=1, units_per_node=common)
            rows.append({"workload": wl.name, "workload_class": wl.workload_class, "machine": m.name,
                         "processor": p.processor, "units_per_node": common, "time_s": p.time_s,
                         "energy_j": p.energy_j, "power_w": p.power_w, "flop_per_s": p.flop_per_s,
                         "flop_per_j": p.flop_per_j, "bound": p.bound})
    return pd.DataFrame(rows)


def wins_and_losses(comparison, accelerators: Iterable[str] = ("mn-3", "mn-core-2"),
                    references: Iterable[str] = ("dgx-h100", "a64fx")):
    """Where each accelerator node beats each reference node, in time and in energy to solution.

    Parameters
    ----------
    comparison : pandas.DataFrame
        Output of :func:`portfolio_comparison` holding all the machines named.

    Returns
    -------
    pandas.DataFrame
        One row per (accelerator, reference, workload): ``time_ratio`` = T_acc / T_ref and
        ``energy_ratio`` = E_acc / E_ref [-] (< 1: the accelerator wins), ``faster``,
        ``less_energy`` (bool), and both bounds.
    """
    import pandas as pd

    by = comparison.set_index(["workload", "machine"])
    rows = []
    for acc in accelerators:
        for ref in references:
            for wl in comparison["workload"].unique():
                a, r = by.loc[(wl, acc)], by.loc[(wl, ref)]
                rows.append({"accelerator": acc, "reference": ref, "workload": wl,
                             "time_ratio": a["time_s"] / r["time_s"], "energy_ratio": a["energy_j"] / r["energy_j"],
                             "faster": bool(a["time_s"] < r["time_s"]),
                             "less_energy": bool(a["energy_j"] < r["energy_j"]),
                             "accelerator_bound": a["bound"], "reference_bound": r["bound"]})
    return pd.DataFrame(rows)


def green500_check(machine: Machine | str = "mn-3") -> list[dict]:
    """MN-3's Green500 run (Nov 2021) recomputed: HPL rate, HPL power and GFLOPS/W, each with its error.

    The model runs ``hpl`` on the run's 32 nodes; ``error = model / published − 1``. Rate and power
    are reported separately because their errors can cancel in the ratio.

    Returns
    -------
    list of dict
        ``metric`` (``hpl``, ``hpl_power``, ``gflops_per_w``), ``model``, ``published`` (SI: FLOP/s,
        W, FLOP/J), ``error``, ``list``, ``source``.
    """
    m = load_machine(machine)
    p = predict(m, "hpl", nodes=MN3_GREEN500["nodes"])
    pairs = (("hpl", p.flop_per_s, MN3_GREEN500["rmax_flop_per_s"]),
             ("hpl_power", p.power_w, MN3_GREEN500["power_w"]),
             ("gflops_per_w", p.flop_per_j, MN3_GREEN500["flop_per_j"]))
    return [{"system": m.name, "metric": metric, "model": model, "published": pub, "error": model / pub - 1.0,
             "nodes": MN3_GREEN500["nodes"], "list": MN3_GREEN500["list"], "source": MN3_GREEN500["source"]}
            for metric, model, pub in pairs]
