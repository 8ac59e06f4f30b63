"""Machine spec files (schema ``fs-workbench/machine/1``): the pydantic boundary.

A spec is TOML (see ``docs/specs.md`` and the catalog in ``archmodels/catalog``). Quantities are
strings with units, or tables ``{ value = "...", source = "id" }``; they are parsed once here into SI
floats (:mod:`archmodels.quantities`) and checked for dimension and sign. Unknown keys are refused
(``extra="forbid"``). Every problem in a file is reported, each with its field path, in one
:class:`~archmodels.errors.SpecError`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from archmodels.errors import SpecError, validation_problems
from archmodels.quantities import KINDS, QuantityError, parse_quantity

MACHINE_SCHEMA = "fs-workbench/machine/1"

_Spec = TypeVar("_Spec", bound=BaseModel)


@dataclass(frozen=True)
class SpecQuantity:
    """A parsed quantity: SI value, the text it came from, and its own source id (if any)."""

    value: float
    text: str
    source: str | None = None


def _quantity_validator(kind: str):
    desc = KINDS[kind][1]

    def convert(raw: Any) -> SpecQuantity:
        if isinstance(raw, SpecQuantity):
            return raw
        source = None
        if isinstance(raw, dict):
            extra = set(raw) - {"value", "source"}
            if extra or "value" not in raw:
                raise ValueError(
                    f"a quantity table needs `value` (and optionally `source`), got keys {sorted(raw)}")
            source = raw.get("source")
            if source is not None and not isinstance(source, str):
                raise ValueError("`source` must be a source id (a string)")
            raw = raw["value"]
        if not isinstance(raw, str):
            raise ValueError(f"expected {desc} as a string with a unit, got {raw!r}")
        try:
            value = parse_quantity(raw, kind)
        except QuantityError as err:
            raise ValueError(str(err)) from None
        if not value > 0:
            raise ValueError(f"must be positive, got {raw!r}")
        return SpecQuantity(value, raw, source)

    return BeforeValidator(convert)


def Q(kind: str):  # noqa: N802 - reads as a type
    """Annotated type of a positive quantity of ``kind`` (see :data:`archmodels.quantities.KINDS`)."""
    return Annotated[SpecQuantity, _quantity_validator(kind)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


PositiveInt = Annotated[int, Field(gt=0, strict=True)]
Precision = Literal["fp64", "fp32", "tf32", "fp16", "bf16", "fp8", "fp4", "int8"]


class SourceSpec(_Strict):
    title: str
    url: str | None = None
    note: str | None = None
    date: str | None = None


class SystemSpec(_Strict):
    nodes: PositiveInt


class NodeSpec(_Strict):
    power_max: Q("power_w") | None = None
    power_idle: Q("power_w") | None = None
    processors: list["ProcessorSpec"] = Field(min_length=1)
    links: list["LinkSpec"] = []
    source: str | None = None


def _known_memory_technology(name: str) -> str:
    """A memory technology named in archmodels/data/memory_technologies.toml (the one list)."""
    from archmodels.memtech import memory_technologies

    if name not in memory_technologies():
        raise ValueError(f"unknown memory technology {name!r}; expected one of {', '.join(memory_technologies())}")
    return name


MemoryTechnology = Annotated[str, AfterValidator(_known_memory_technology)]


#: A processor's or memory level's name: an uncertainty target's selector names it
#: (``memory:<machine>/<processor>/<level>:bandwidth``), so it holds no ``:`` nor ``/``.
PartName = Annotated[str, Field(min_length=1, pattern=r"^[^:/]+$")]


class MemorySpec(_Strict):
    name: PartName
    technology: MemoryTechnology | None = None
    capacity: Q("bytes")
    bandwidth: Q("bytes_per_s")
    energy_per_bit: Q("energy_j") | None = None
    latency: Q("time_s") | None = None
    measured: bool = False
    #: price of this level on one processor, for what the part's stock on-package memory (cost.toml
    #: [parts]) does not cover; absent: that capacity x the memory table's price per GB (a projection
    #: writes it from the roadmap's price-per-GB curve, archmodels.roadmap)
    price: Q("jpy") | None = None
    source: str | None = None


class ProcessorSpec(_Strict):
    name: PartName
    type: Literal["cpu", "gpu", "accelerator"]
    count: PositiveInt = 1
    clock: Q("frequency_hz") | None = None
    cores: PositiveInt | None = None
    tdp: Q("power_w") | None = None
    peak: dict[Precision, Q("flop_per_s")] = Field(min_length=1)
    peak_matrix: dict[Precision, Q("flop_per_s")] = {}
    memory: list[MemorySpec] = Field(min_length=1)
    #: the software ecosystem the processor is programmed in (a table of fs/data/ecosystems.toml,
    #: e.g. "cuda", "rocm", "arm-sve-fujitsu"); absent: inferred from ``type`` (fs.ecosystems)
    ecosystem: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]*$")
    #: this processor's technology floor of the dynamic energy of one FP64 FLOP (other precisions by
    #: energy.toml's precision_scale); absent: energy.toml's figure for its type
    energy_per_flop: Q("energy_j") | None = None
    #: list price of one package, replacing cost.toml's part or generic price (what that price covers,
    #: its stock on-package memory or a whole node, still applies); absent: cost.toml's
    price: Q("jpy") | None = None
    source: str | None = None


class LinkSpec(_Strict):
    name: str
    between: tuple[str, str]
    bandwidth: Q("bytes_per_s")
    latency: Q("time_s") | None = None
    energy_per_bit: Q("energy_j") | None = None
    source: str | None = None


class NetworkSpec(_Strict):
    name: str
    topology: Literal["torus", "fat-tree", "dragonfly", "optical-high-radix", "none"]
    dimensions: PositiveInt | None = None
    levels: PositiveInt | None = None
    technology: Literal["electrical", "pluggable-optics", "co-packaged-optics"] | None = None
    injection_bandwidth: Q("bytes_per_s")
    latency: Q("time_s")
    energy_per_bit: Q("energy_j") | None = None
    link_static_power: Q("power_w") | None = None
    source: str | None = None


StorageKind = Literal["node-local", "burst-buffer", "parallel-fs", "object"]
StorageMedia = Literal["nvme", "ssd", "hdd", "hybrid"]


class StorageTierSpec(_Strict):
    """One storage tier; capacity, bandwidths, power and price are per unit (a node, a group, the system)."""

    name: str
    kind: StorageKind
    media: StorageMedia = "nvme"
    scope: Literal["node", "group", "system"]
    nodes_per_unit: PositiveInt = 1
    capacity: Q("bytes")
    read_bandwidth: Q("bytes_per_s")
    write_bandwidth: Q("bytes_per_s")
    metadata_rate: Annotated[float, Field(gt=0, strict=True)] | None = None  # file operations per second per unit
    power: Q("power_w") | None = None
    price: Q("jpy") | None = None
    annual_failure_rate: Annotated[float, Field(gt=0, lt=1, strict=True)] | None = None  # per unit per year
    drives: PositiveInt | None = None
    source: str | None = None


class StorageSpec(_Strict):
    tiers: list[StorageTierSpec] = Field(min_length=1)
    source: str | None = None


class ProjectionSpec(_Strict):
    """How a projected machine was made from a catalog machine (archmodels.roadmap.project_machine)."""

    from_machine: str
    from_year: int
    to_year: int
    rule: str
    roadmap: str
    assumptions: list[str] = []
    #: roadmap entry -> [ratio, low, high] applied (the band of the delivery year's value)
    ratios: dict[str, Annotated[list[float], Field(min_length=3, max_length=3)]] = {}


class MachineSpec(_Strict):
    schema_: Literal["fs-workbench/machine/1"] = Field(alias="schema")
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    title: str
    year: int | None = None
    source: str | None = None
    hypothetical: bool = False
    notes: str | None = None
    system: SystemSpec
    node: NodeSpec
    network: NetworkSpec | None = None
    storage: StorageSpec | None = None
    site: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]*$")
    projection: ProjectionSpec | None = None
    sources: dict[str, SourceSpec] = {}


NodeSpec.model_rebuild()


def _source_problems(raw: dict) -> list[tuple[str, str]]:
    """Every `source` reference in the file must name an entry of `[sources]`."""
    defined = set(raw.get("sources", {}) or {}) if isinstance(raw.get("sources"), dict) else set()
    problems = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if path == "" and key == "sources":
                    continue
                sub = f"{path}.{key}" if path else key
                if key == "source" and isinstance(value, str) and value not in defined:
                    problems.append((sub, f"source {value!r} is not defined in [sources]"))
                else:
                    walk(value, sub)
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{path}[{i}]")

    walk(raw, "")
    return problems


def read_toml(path: str | Path) -> dict:
    """Read a TOML file; a syntax error becomes a SpecError naming the file and line."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise SpecError(str(path), [("", "file not found")]) from None
    except IsADirectoryError:
        raise SpecError(str(path), [("", "is a directory, expected a TOML file")]) from None
    except tomllib.TOMLDecodeError as err:
        raise SpecError(str(path), [("", f"invalid TOML: {err}")]) from None


def validate_spec_dict(model: type[_Spec], raw: dict, file: str | None,
                       checks: Callable[[_Spec], list[tuple[str, str]]]) -> _Spec:
    """Validate a spec already read from TOML against the schema ``model``; raise SpecError listing
    every problem: the schema's, each ``source`` not in ``[sources]``, then ``checks(spec)`` (the
    checks across fields, run when the schema holds)."""
    problems: list[tuple[str, str]] = []
    spec = None
    try:
        spec = model.model_validate(raw)
    except ValidationError as err:
        problems.extend(validation_problems(err))
    problems.extend(_source_problems(raw))
    if spec is not None:
        problems.extend(checks(spec))
    if problems:
        raise SpecError(file, problems)
    return spec


def validate_machine_dict(raw: dict, file: str | None = None) -> MachineSpec:
    """Validate a machine spec already read from TOML; raise SpecError listing every problem."""
    return validate_spec_dict(MachineSpec, raw, file, _cross_checks)


def _cross_checks(spec: MachineSpec) -> list[tuple[str, str]]:
    problems = []
    names = [p.name for p in spec.node.processors]
    for i, name in enumerate(names):
        if names.index(name) != i:
            problems.append((f"node.processors[{i}].name", f"duplicate processor name {name!r}"))
    for i, link in enumerate(spec.node.links):
        for end in link.between:
            if end not in names:
                problems.append((f"node.links[{i}].between",
                                 f"{end!r} is not a processor of this node (have {names})"))
    for i, proc in enumerate(spec.node.processors):
        for prec, q in proc.peak_matrix.items():
            if prec in proc.peak and q.value < proc.peak[prec].value:
                problems.append((f"node.processors[{i}].peak_matrix.{prec}",
                                 "matrix peak is below the vector peak of the same precision"))
    if spec.node.power_idle and spec.node.power_max and spec.node.power_idle.value > spec.node.power_max.value:
        problems.append(("node.power_idle", "idle power exceeds power_max"))
    if spec.storage is not None:
        problems.extend(_storage_checks(spec.storage))
    return problems


def _storage_checks(storage: StorageSpec) -> list[tuple[str, str]]:
    problems = []
    names = [t.name for t in storage.tiers]
    for i, tier in enumerate(storage.tiers):
        base = f"storage.tiers[{i}]"
        if names.index(tier.name) != i:
            problems.append((f"{base}.name", f"duplicate tier name {tier.name!r}"))
        if tier.scope == "group" and tier.nodes_per_unit < 2:
            problems.append((f"{base}.nodes_per_unit", "a tier with scope = \"group\" needs nodes_per_unit >= 2"))
        if tier.scope != "group" and tier.nodes_per_unit != 1:
            problems.append((f"{base}.nodes_per_unit", f"only scope = \"group\" takes nodes_per_unit (scope is {tier.scope!r})"))
        if tier.kind == "node-local" and tier.scope == "system":
            problems.append((f"{base}.scope", "a node-local tier has scope \"node\" or \"group\", not \"system\""))
        if tier.kind in ("parallel-fs", "object") and tier.scope != "system":
            problems.append((f"{base}.scope", f"a {tier.kind} tier is shared: scope must be \"system\""))
    return problems
