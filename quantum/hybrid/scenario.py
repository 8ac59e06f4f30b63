"""Hybrid scenario files (TOML): schema, loading, and resolution into a :class:`Scenario`.

Quantities are strings with units (``"20 ms"``, ``"10 GB/s"``, ``"300 JPY"``), parsed once here.
See ``quantum/hybrid/data/example-vqe-cloud.toml`` and docs/hybrid.md for every field.
"""

from __future__ import annotations

import copy
import tomllib
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from archmodels.errors import InputError, SpecError, validation_problems
from archmodels.quantities import read_quantity
from archmodels.references import resolve_reference
from quantum.hybrid.qpu import get_placement, get_qpu, job_time, jobs_needed
from quantum.hybrid.simulation import Scenario
from quantum.hybrid.workflow import Workflow, qaoa_workflow, sqd_workflow, vqe_workflow

#: Price of one HPC node-hour when the scenario gives none (assumption: 100 JPY, the order of
#: published academic node-hour fees of Japanese national supercomputers).
DEFAULT_NODE_HOUR_JPY = 100.0

Quantity = str | float | int


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HPCSpec(_Strict):
    machine: str = "fugaku"
    nodes_per_user: int = Field(1, gt=0)
    node_hour_price: Quantity | None = None


class QPUSection(_Strict):
    model: str = "heron-r2"
    placement: Literal["co-located", "cloud", "emulated"] = "cloud"
    session: bool = False
    link_latency: Quantity | None = None
    bandwidth: Quantity | None = None
    submit_overhead: Quantity | None = None
    queue_median: Quantity | None = None
    queue_sigma: float | None = Field(None, ge=0)
    shot_overhead: Quantity | None = None
    emulator_machine: str | None = None
    emulator_nodes: int | None = Field(None, gt=0)


class WorkflowSpec(_Strict):
    kind: Literal["vqe", "qaoa", "sqd"]
    qubits: int = Field(gt=0)
    shots: int = Field(gt=0)
    iterations: int = Field(gt=0)
    classical_step: Quantity | None = None
    layers: int | None = Field(None, gt=0)
    measurement_groups: int = Field(1, gt=0)
    evaluations: int = Field(1, gt=0)
    p: int | None = Field(None, gt=0)
    max_degree: int | None = Field(None, gt=0)
    subspace_dimension: float | None = Field(None, gt=0)
    nnz_per_row: float = Field(1000.0, gt=0)
    davidson_iterations: int = Field(30, gt=0)
    depth_2q: int | None = Field(None, gt=0)


class ScenarioSpec(_Strict):
    title: str = "hybrid scenario"
    seed: int = Field(0, ge=0)
    users: int = Field(1, gt=0)
    policy: Literal["fair-share", "fifo"] = "fair-share"
    hpc: HPCSpec = HPCSpec()
    qpu: QPUSection = QPUSection()
    workflow: WorkflowSpec


def _q(value, kind: str, file: str | None, where: str) -> float | None:
    return None if value is None else read_quantity(value, kind, location=where, file=file)


def validate_scenario(raw: dict, file: str | None = None) -> ScenarioSpec:
    """Check a scenario mapping against the schema; every problem is reported (SpecError)."""
    try:
        return ScenarioSpec.model_validate(raw)
    except ValidationError as err:
        raise SpecError(file, validation_problems(err)) from None


def _workflow(spec: ScenarioSpec, file: str | None) -> Workflow:
    w = spec.workflow
    step = _q(w.classical_step, "time_s", file, "workflow.classical_step")

    def need(name, value):
        if value is None:
            raise InputError(f"required for kind = {w.kind!r}", file=file, location=f"workflow.{name}")
        return value

    if w.kind == "vqe":
        return vqe_workflow(w.qubits, need("layers", w.layers), w.shots, w.iterations,
                            need("classical_step", step), w.measurement_groups, w.evaluations)
    if w.kind == "qaoa":
        return qaoa_workflow(w.qubits, need("p", w.p), need("max_degree", w.max_degree), w.shots, w.iterations,
                             need("classical_step", step), w.evaluations)
    return sqd_workflow(w.qubits, w.shots, w.iterations, spec.hpc.machine, spec.hpc.nodes_per_user,
                        need("subspace_dimension", w.subspace_dimension), w.nnz_per_row, w.davidson_iterations,
                        w.depth_2q)


def build_scenario(spec: ScenarioSpec, file: str | None = None) -> Scenario:
    """Resolve a validated spec: catalog look-ups, quantity parsing, per-job device time."""
    from dataclasses import replace

    from archmodels.loaders import load_machine
    from archmodels.power import node_power_range_w

    wf = _workflow(spec, file)
    machine = load_machine(spec.hpc.machine)
    idle_w, max_w = node_power_range_w(machine)
    node_hour = _q(spec.hpc.node_hour_price, "jpy", file, "hpc.node_hour_price")
    node_price_s = (DEFAULT_NODE_HOUR_JPY if node_hour is None else node_hour) / 3600.0
    q = spec.qpu
    if q.placement == "emulated":
        from quantum.hybrid.emulated import emulated_device

        device, placement, job_s, jobs, power_w, emu_nodes = emulated_device(
            q.emulator_machine or spec.hpc.machine, q.emulator_nodes, wf, file
        )
        price_s = emu_nodes * node_price_s
    else:
        qpu = get_qpu(q.model)
        if wf.qubits > qpu.qubits:
            raise InputError(f"{wf.qubits} qubits do not fit {qpu.name} ({qpu.qubits} qubits)", file=file,
                             location="workflow.qubits")
        shot_overhead = _q(q.shot_overhead, "time_s", file, "qpu.shot_overhead")
        if shot_overhead is not None:
            qpu = replace(qpu, shot_overhead_s=shot_overhead)
        placement = get_placement(
            q.placement,
            link_latency_s=_q(q.link_latency, "time_s", file, "qpu.link_latency"),
            bandwidth_bytes_per_s=_q(q.bandwidth, "bytes_per_s", file, "qpu.bandwidth"),
            submit_overhead_s=_q(q.submit_overhead, "time_s", file, "qpu.submit_overhead"),
            queue_median_s=_q(q.queue_median, "time_s", file, "qpu.queue_median"),
            queue_sigma=q.queue_sigma,
        )
        jobs = jobs_needed(qpu, wf.circuits)
        per_job = -(-wf.circuits // jobs)
        job_s = jobs * job_time(qpu, per_job, wf.shots, wf.depth_2q, wf.depth_1q)
        device, power_w = qpu.name, qpu.power_w
        price_s = placement.price_jpy_per_s if placement.price_jpy_per_s is not None else qpu.price_jpy_per_s
    return Scenario(
        title=spec.title,
        users=spec.users,
        seed=spec.seed,
        policy=spec.policy,
        workflow=wf,
        device=device,
        placement=placement,
        job_time_s=job_s,
        jobs_per_iteration=jobs,
        device_power_w=power_w,
        device_price_jpy_per_s=price_s,
        hpc_machine=machine.name,
        nodes_per_user=spec.hpc.nodes_per_user,
        node_active_power_w=max_w,
        node_idle_power_w=idle_w,
        node_price_jpy_per_s=node_price_s,
        session=q.session,
    )


def read_scenario_file(path: str | Path) -> dict:
    """The raw mapping of a scenario TOML file, or of the shipped one named ``example``."""
    path = resolve_reference(path, what="scenario", shipped={"example": example_scenario_path()},
                             listing="shipped scenarios", suffix=".toml")
    try:
        return tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"not valid TOML: {err}", file=str(path)) from None


def example_scenario_path() -> Path:
    """Path of the shipped example scenario (package data)."""
    return Path(str(resources.files("quantum.hybrid") / "data" / "example-vqe-cloud.toml"))


def with_overrides(raw: dict, overrides: dict) -> dict:
    """A copy of a raw scenario mapping with dotted-path overrides (``{"qpu.placement": "cloud"}``)."""
    out = copy.deepcopy(raw)
    for dotted, value in overrides.items():
        node = out
        *head, last = dotted.split(".")
        for key in head:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                raise InputError(f"cannot set {dotted!r}: {key!r} is not a table", location=dotted)
        node[last] = value
    return out


def load_scenario(path: str | Path, overrides: dict | None = None) -> Scenario:
    """Read, validate and resolve a scenario TOML file (optionally with dotted overrides)."""
    raw = read_scenario_file(path)
    if overrides:
        raw = with_overrides(raw, overrides)
    return build_scenario(validate_scenario(raw, str(path)), str(path))
