"""Workloads: what a unit of work costs in FLOPs, bytes per memory level and communication.

A workload file (schema ``fs-workbench/workload/1``, see ``docs/specs.md``) states:

- ``flop_per_unit`` [FLOP] and the ``precision`` it runs in; ``matrix = true`` if matrix units apply;
- the problem per processor (``units_per_processor``) or as a share of the processor's outermost
  memory (``memory_fraction``), its ``footprint_per_unit`` [B] plus a fixed ``footprint``;
- a **reuse description**: ``[[traffic]]`` points ``(working set, bytes per unit)``. The bytes per unit
  that cross the boundary below a cache of capacity *C* are those of the last point whose working set is
  ``<= C`` — a non-increasing step function of *C*, so a larger cache (or stacked SRAM) can only lower the
  traffic below it. A working set is absolute (``working_set = "14 GB"``) or scales with the problem:
  ``working_set_per_unit * units ** exponent`` (exponent 1/3 for a row, 2/3 for a plane of a cube);
- ``[[communication]]`` per step: pattern (``halo``, ``allreduce``, ``alltoall``, ``broadcast``) and
  bytes per node, absolute or ``bytes_per_unit * units ** exponent``, and a count per step.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from archmodels.loaders import WORKLOAD_DIR
from archmodels.references import resolve_reference
from archmodels.spec import Q, SourceSpec, SpecQuantity, read_toml, validate_spec_dict

WORKLOAD_SCHEMA = "fs-workbench/workload/1"
WORKLOAD_CLASSES = ("stream", "dense", "hpl", "hpcg", "sparse", "stencil", "fft", "particle", "graph",
                    "llm-train", "llm-decode")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class TrafficSpec(_Strict):
    working_set: Q("bytes") | None = None
    working_set_per_unit: float | None = Field(default=None, ge=0)
    exponent: float = Field(default=1.0, gt=0, le=1)
    bytes_per_unit: float = Field(ge=0)
    note: str | None = None

    @model_validator(mode="after")
    def _one_working_set(self):
        if (self.working_set is None) == (self.working_set_per_unit is None):
            if self.working_set is None and self.working_set_per_unit is None:
                raise ValueError("give `working_set` (a size) or `working_set_per_unit` (bytes), not neither")
            raise ValueError("give `working_set` or `working_set_per_unit`, not both")
        return self


class CommunicationSpec(_Strict):
    pattern: Literal["halo", "allreduce", "alltoall", "broadcast"]
    bytes: Q("bytes") | None = None
    bytes_per_unit: float | None = Field(default=None, ge=0)
    exponent: float = Field(default=1.0, gt=0, le=1)
    count: float = Field(default=1.0, gt=0)
    note: str | None = None

    @model_validator(mode="after")
    def _one_volume(self):
        if (self.bytes is None) == (self.bytes_per_unit is None):
            raise ValueError("give exactly one of `bytes` (a size per node) or `bytes_per_unit`")
        return self


class WorkloadSpec(_Strict):
    schema_: Literal["fs-workbench/workload/1"] = Field(alias="schema")
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    title: str
    workload_class: Literal[WORKLOAD_CLASSES] = Field(alias="class")  # type: ignore[valid-type]
    precision: Literal["fp64", "fp32", "tf32", "fp16", "bf16", "fp8", "fp4", "int8"]
    matrix: bool = False
    unit: str
    flop_per_unit: float = Field(ge=0)
    units_per_processor: float | None = Field(default=None, gt=0)
    memory_fraction: float | None = Field(default=None, gt=0, le=1)
    footprint_per_unit: float = Field(default=0.0, ge=0)
    footprint: Q("bytes") | None = None
    steps: int = Field(default=1, gt=0)
    bandwidth_bound: bool = False
    source: str | None = None
    notes: str | None = None
    traffic: list[TrafficSpec] = Field(min_length=1)
    communication: list[CommunicationSpec] = []
    sources: dict[str, SourceSpec] = {}

    @model_validator(mode="after")
    def _checks(self):
        if (self.units_per_processor is None) == (self.memory_fraction is None):
            raise ValueError("give exactly one of `units_per_processor` or `memory_fraction`")
        if self.memory_fraction is not None and self.footprint_per_unit <= 0:
            raise ValueError("`memory_fraction` sizing needs a positive `footprint_per_unit`")
        return self


def fixed_or_scaled(fixed: float | None, per_unit: float, units: float, exponent: float) -> float:
    """A workload quantity: ``fixed`` when the spec states it, else ``per_unit * units**exponent``
    (a power law in the problem units) [the quantity's unit]."""
    if fixed is not None:
        return fixed
    return per_unit * units ** exponent


@dataclass(frozen=True)
class TrafficPoint:
    working_set_bytes: float | None
    working_set_per_unit: float | None
    exponent: float
    bytes_per_unit: float

    def working_set(self, units: float) -> float:
        return fixed_or_scaled(self.working_set_bytes, self.working_set_per_unit, units, self.exponent)


@dataclass(frozen=True)
class Communication:
    pattern: str
    bytes_fixed: float | None
    bytes_per_unit: float | None
    exponent: float
    count: float

    def bytes_per_node(self, units_per_node: float) -> float:
        return fixed_or_scaled(self.bytes_fixed, self.bytes_per_unit, units_per_node, self.exponent)


@dataclass(frozen=True)
class Workload:
    """A workload in SI numbers; see the module docstring for the meaning of each field."""

    name: str
    title: str
    workload_class: str
    precision: str
    matrix: bool
    unit: str
    flop_per_unit: float
    units_per_processor: float | None
    memory_fraction: float | None
    footprint_per_unit: float
    footprint_bytes: float
    steps: int
    traffic: tuple[TrafficPoint, ...]
    communication: tuple[Communication, ...]
    bandwidth_bound: bool = False
    path: str | None = None

    def units_for(self, outer_capacity_bytes: float) -> float:
        """Default problem per processor [units]: fixed, or a share of its outermost memory."""
        if self.units_per_processor is not None:
            return self.units_per_processor
        usable = self.memory_fraction * outer_capacity_bytes - self.footprint_bytes
        return max(usable, 0.0) / self.footprint_per_unit

    def footprint_for(self, units: float) -> float:
        """Memory a processor needs for ``units`` of work [B]."""
        return self.footprint_bytes + self.footprint_per_unit * units

    def bytes_per_unit_below(self, capacity_bytes: float, units: float) -> float:
        """Bytes per unit that cross the boundary below a cache of ``capacity_bytes`` [B].

        Step function: the last traffic point whose working set fits in the capacity. Points are
        sorted by working set and their bytes are non-increasing, so this never rises with capacity.
        """
        from archmodels.physics import reuse_bytes_per_unit

        return float(reuse_bytes_per_unit(capacity_bytes, [p.working_set(units) for p in self.traffic],
                                          [p.bytes_per_unit for p in self.traffic]))


def workload_names() -> list[str]:
    """Names of the built-in workload portfolio."""
    return sorted(p.stem for p in WORKLOAD_DIR.glob("*.toml"))


def workload_from_spec(spec: WorkloadSpec, path: str | None = None) -> Workload:
    def q(x: SpecQuantity | None) -> float | None:
        return None if x is None else x.value

    return Workload(
        name=spec.name, title=spec.title, workload_class=spec.workload_class, precision=spec.precision,
        matrix=spec.matrix, unit=spec.unit, flop_per_unit=spec.flop_per_unit,
        units_per_processor=spec.units_per_processor, memory_fraction=spec.memory_fraction,
        footprint_per_unit=spec.footprint_per_unit, footprint_bytes=q(spec.footprint) or 0.0,
        steps=spec.steps, bandwidth_bound=spec.bandwidth_bound,
        traffic=tuple(TrafficPoint(q(t.working_set), t.working_set_per_unit, t.exponent, t.bytes_per_unit)
                      for t in spec.traffic),
        communication=tuple(Communication(c.pattern, q(c.bytes), c.bytes_per_unit, c.exponent, c.count)
                            for c in spec.communication),
        path=path)


def validate_workload_dict(raw: dict, file: str | None = None) -> WorkloadSpec:
    """Validate a workload spec already read from TOML; raise SpecError listing every problem."""
    return validate_spec_dict(WorkloadSpec, raw, file, _traffic_checks)


def _traffic_checks(spec: WorkloadSpec) -> list[tuple[str, str]]:
    problems = []
    if spec.traffic[0].working_set is None and spec.traffic[0].working_set_per_unit != 0:
        problems.append(("traffic[0]", "the first traffic point must have a zero working set "
                                       "(the traffic with no cache at all)"))
    last = None
    for i, t in enumerate(spec.traffic):
        if last is not None and t.bytes_per_unit > last:
            problems.append((f"traffic[{i}].bytes_per_unit", "traffic must not rise as the working set grows"))
        last = t.bytes_per_unit
    return problems


@lru_cache(maxsize=128)
def _load_workload_file(path: str, mtime_ns: int) -> Workload:
    return workload_from_spec(validate_workload_dict(read_toml(path), path), path)


def load_workload(ref: str | Path | Workload) -> Workload:
    """Load a workload from the built-in portfolio (``"hpcg"``) or a TOML file."""
    if isinstance(ref, Workload):
        return ref
    path = resolve_reference(ref, what="workload", shipped={n: WORKLOAD_DIR / f"{n}.toml" for n in workload_names()},
                             listing="portfolio", suffix=".toml")
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        mtime = 0
    return _load_workload_file(str(path), mtime)
