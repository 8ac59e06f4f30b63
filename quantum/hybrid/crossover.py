"""Crossover: for which circuits does emulating on a supercomputer beat a quantum processor?

For one job of C circuits x S shots with D layers on n qubits:

* QPU: ``job_time`` of :mod:`quantum.hybrid.qpu` plus the placement's transfers and outside
  queue median; energy = device power x job time.
* emulation: :mod:`quantum.hybrid.emulated` on the fewest nodes of the machine that hold 2^n
  amplitudes (``quantum.emulation_cost``); energy = its nodes at maximum power x time (plus the
  network energy the cost model counts). Infinite when the state does not fit the machine.

Emulation time grows as 2^n while the QPU's grows with S and D only, so for each machine there is a
largest n at which emulation is still faster (and one at which it still uses less energy).
"""

from __future__ import annotations

import math
from pathlib import Path

from archmodels.atomic import atomic_path
from archmodels.errors import InputError
from quantum.hybrid.emulated import emulated_circuit, emulated_job_time
from quantum.hybrid.qpu import get_placement, get_qpu, job_time, jobs_needed, transfer_time
from quantum.hybrid.workflow import BYTES_PER_CIRCUIT


def crossover_table(machines=("fugaku",), qpu: str = "heron-r2", placement: str = "co-located",
                    qubits=range(10, 46, 2), depth: int = 20, shots: int = 4000, circuits: int = 1):
    """One row per (machine, qubit count): QPU and emulation time [s] and energy [J].

    Columns: machine, qubits, depth, shots, circuits, qpu_time_s, qpu_energy_j, emulation_time_s,
    emulation_energy_j, emulation_nodes, emulation_faster, emulation_less_energy.
    """
    import pandas as pd

    from archmodels.loaders import load_machine

    if depth < 1 or shots < 1 or circuits < 1:
        raise InputError("depth, shots and circuits must be >= 1")
    device = get_qpu(qpu)
    place = get_placement(placement)
    jobs = jobs_needed(device, circuits)
    per_job = -(-circuits // jobs)
    rows = []
    for name in machines:
        m = load_machine(name)
        for n in qubits:
            if n > device.qubits:
                raise InputError(f"{n} qubits exceed {device.name} ({device.qubits} qubits)", location="qubits")
            busy = jobs * job_time(device, per_job, shots, depth, depth)
            link = (jobs * place.submit_overhead_s + transfer_time(circuits * BYTES_PER_CIRCUIT, place)
                    + transfer_time(circuits * shots * -(-n // 8), place))
            qpu_time = busy + link + jobs * place.queue_median_s
            cost = emulated_circuit(m, n, depth)
            if cost.fits:
                emu_time = emulated_job_time(cost, circuits)
                emu_energy = circuits * cost.energy_j + cost.power_w * (emu_time - circuits * cost.time_s)
                nodes = cost.nodes
            else:
                emu_time = emu_energy = math.inf
                nodes = cost.nodes
            rows.append({
                "machine": m.name, "qubits": n, "depth": depth, "shots": shots, "circuits": circuits,
                "qpu": device.name, "placement": place.kind,
                "qpu_time_s": qpu_time, "qpu_energy_j": device.power_w * busy,
                "emulation_time_s": emu_time, "emulation_energy_j": emu_energy, "emulation_nodes": nodes,
                "emulation_faster": emu_time < qpu_time, "emulation_less_energy": emu_energy < device.power_w * busy,
            })
    return pd.DataFrame(rows)


def crossover_points(table) -> dict:
    """Per machine, the largest qubit count at which emulation is faster / uses less energy (None: never)."""
    out = {}
    for name, group in table.groupby("machine", sort=False):
        faster = group.loc[group["emulation_faster"], "qubits"]
        greener = group.loc[group["emulation_less_energy"], "qubits"]
        out[name] = {
            "time_crossover_qubits": int(faster.max()) if len(faster) else None,
            "energy_crossover_qubits": int(greener.max()) if len(greener) else None,
        }
    return out


def plot_crossover(table, path: str | Path) -> Path:
    """Time and energy against qubits, QPU against each machine's emulation; written atomically (PNG/SVG/PDF)."""
    from matplotlib.figure import Figure  # no pyplot: the caller's backend is left alone

    path = Path(path)
    fig = Figure(figsize=(11, 4.2))
    ax_t, ax_e = fig.subplots(1, 2)
    first = table[table["machine"] == table["machine"].iloc[0]]
    for ax, qcol, ecol, label in ((ax_t, "qpu_time_s", "emulation_time_s", "time [s]"),
                                  (ax_e, "qpu_energy_j", "emulation_energy_j", "energy [J]")):
        ax.plot(first["qubits"], first[qcol], "k-", lw=2, label=f"QPU ({first['qpu'].iloc[0]}, {first['placement'].iloc[0]})")
        for name, group in table.groupby("machine", sort=False):
            ax.plot(group["qubits"], group[ecol], "o-", ms=3, label=f"emulation on {name}")
        ax.set_yscale("log")
        ax.set_xlabel("qubits")
        ax.set_ylabel(label)
        ax.grid(True, which="both", alpha=0.3)
    row = table.iloc[0]
    ax_t.set_title(f"one job: {row['circuits']} circuit(s) x {row['shots']} shots, depth {row['depth']}")
    ax_e.set_title("energy of the job")
    ax_t.legend(fontsize=8)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120)
    return path
