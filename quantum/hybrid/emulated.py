"""The quantum device as a state-vector emulator on a catalog machine (via quantum.emulation_cost).

One emulated job of C circuits costs C (T_circuit + T_pass) + T_launch: each circuit is applied
once to the state (``emulation_cost``'s passes over memory and global-qubit exchanges), and one
more pass over the state draws its shots (cumulative probabilities), whatever the shot count.
The emulator is part of the HPC system, so it is reached like a co-located device without
outside tenants; it draws the power of its nodes at their maximum and costs their node-hours.
"""

from __future__ import annotations

from dataclasses import replace

from quantum.hybrid.qpu import CO_LOCATED, Placement
from quantum.hybrid.workflow import Workflow

#: Launch of an emulation job on already-allocated nodes (assumption: 0.1 s, an MPI job step).
EMULATION_LAUNCH_S = 0.1


def emulated_circuit(machine, qubits: int, depth: int, nodes: int | None = None):
    """``quantum.emulation_cost.EmulationCost`` of one layered circuit of ``depth`` layers."""
    from quantum.emulation_cost import CircuitShape, emulation_cost

    return emulation_cost(machine, CircuitShape.layered(qubits, max(depth, 1)), nodes=nodes)


def emulated_job_time(cost, circuits: int) -> float:
    """Time of one emulated job [s]: C (T_circuit + T_pass) + T_launch (module docstring)."""
    return circuits * (cost.time_s + cost.pass_time_s) + EMULATION_LAUNCH_S


def emulated_device(machine_name: str, nodes: int | None, wf: Workflow, file: str | None = None):
    """``(name, placement, job_time_s, jobs_per_iteration, power_w, emulator_nodes)`` for the simulation.

    ``nodes`` None takes the fewest nodes that hold the state; the caller prices the emulator's
    node-hours like the users' own.
    """
    from archmodels.errors import InputError
    from archmodels.loaders import load_machine

    machine = load_machine(machine_name)
    cost = emulated_circuit(machine, wf.qubits, max(wf.depth_2q, wf.depth_1q), nodes)
    if not cost.fits:
        raise InputError(
            f"{wf.qubits} qubits need {cost.nodes} nodes of {machine.name}, which has {machine.nodes}",
            file=file, location="qpu.emulator_nodes",
        )
    placement: Placement = replace(CO_LOCATED, kind="emulated", price_jpy_per_s=None)
    return (f"emulator:{machine.name}x{cost.nodes}", placement, emulated_job_time(cost, wf.circuits), 1,
            cost.power_w, cost.nodes)
