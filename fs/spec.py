"""Study specs: the TOML format of a feasibility study, validated at the boundary.

A study names candidate machines, the application portfolio (workloads weighted by their share of
node-hours), constraints (facility power, capital budget), the evaluation axes and their weights,
the site's lifetime and grid, and the uncertain technology parameters. The format is that of
the project's example ``study-fugakunext.toml`` (schema ``fs-workbench/study/1``); the tables ``[storage]``,
``[operations]``, ``[assumptions]``, ``[[requirement]]``, ``[uncertainty_defaults]`` and ``[sources]``, the top-level
``project_candidates`` and a candidate's ``nodes``, ``label``, ``year`` and ``project`` are optional additions. Everything is parsed once, here, into the frozen dataclasses of :mod:`fs.study_model`;
bad input raises :class:`archmodels.errors.SpecError` naming every offending field.
"""

from __future__ import annotations

import math
import tomllib
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator, model_validator

from archmodels.errors import InputError, SpecError, validation_problems
from archmodels.references import resolve_reference
from fs.ecosystems import ECOSYSTEM_AXES

SCHEMA = "fs-workbench/study/1"

#: The evaluation axes of a study, in report order.
AXES = (
    "performance",
    "performance_per_watt",
    "io",
    "cost",
    "operability",
    "productivity",
    "commercial_reach",
    "carbon",
)

#: Parameters an ``[[uncertainty]]`` target may scale, by kind of part.
TARGET_PARAMETERS = {
    "memory": ("bandwidth", "energy_per_bit", "capacity", "latency"),
    "network": ("bandwidth", "energy_per_bit", "latency", "link_static_power"),
    "processor": ("peak", "tdp", "energy_per_flop"),
    "node": ("power",),
    "grid": ("carbon_intensity", "price"),
    "cost": ("capital", "embodied_carbon"),
    "storage": ("bandwidth",),
    "reliability": ("node_mtbf",),
    "ecosystem": ECOSYSTEM_AXES,  # a software ecosystem's stated score (fs.ecosystems)
    "model": ("compute", "memory", "power"),  # the model's own error by workload class (fs.model_error)
}


#: Quantities a ``[[requirement]]`` may bound, and the kind of quantity (archmodels.quantities) its
#: bound is read as. Peaks, memory, power and capital are system totals; see fs.requirements.
REQUIREMENT_QUANTITIES = {
    "fp64_peak": "flop_per_s",
    "bf16_peak": "flop_per_s",
    "fp8_peak": "flop_per_s",
    "memory_bandwidth": "bytes_per_s",
    "memory_capacity": "bytes",
    "power": "power_w",
    "capital_cost": "jpy",
    "checkpoint_time": "time_s",
    "speedup": "dimensionless",
    "time_to_solution": "time_s",
    "capability_speedup": "dimensionless",
}

#: The quantities that may name a workload of the portfolio, and those that must.
WORKLOAD_QUANTITIES = ("speedup", "capability_speedup", "time_to_solution")
WORKLOAD_REQUIRED = ("time_to_solution",)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Distribution(_Strict):
    """A distribution of a multiplier: uniform, triangular, normal (truncated to (0, ∞), see
    :mod:`fs.uncertainty`) or lognormal; none can reach zero or below."""

    kind: Literal["uniform", "triangular", "normal", "lognormal"]
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _complete(self):
        need = {
            "uniform": ("low", "high"),
            "triangular": ("low", "mode", "high"),
            "normal": ("mean", "sd"),
            "lognormal": ("mean", "sd"),
        }[self.kind]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {self.kind} distribution needs {', '.join(missing)}")
        if self.kind in ("uniform", "triangular"):
            mode = self.mode if self.mode is not None else self.low
            if not (0 < self.low <= mode <= self.high and self.low < self.high):
                raise ValueError("expected 0 < low <= mode <= high and low < high (a multiplier stays positive)")
        if self.kind == "lognormal" and self.mean <= 0:
            raise ValueError("a lognormal distribution needs mean > 0 (the median multiplier)")
        if self.kind == "normal" and self.mean <= 0:
            raise ValueError("a normal distribution needs mean > 0 (it is truncated to (0, inf))")
        return self


class UncertaintySpec(_Strict):
    """A multiplier on one technology's parameter in every candidate that has it."""

    target: str = Field(description="kind:selector:parameter, e.g. memory:hbm3e:energy_per_bit")
    distribution: Distribution

    @field_validator("target")
    @classmethod
    def _target(cls, value: str) -> str:
        parts = value.split(":")
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"expected 'kind:selector:parameter' (selector may be '*'), got {value!r}")
        kind, _, parameter = parts
        if kind not in TARGET_PARAMETERS:
            raise ValueError(f"unknown kind {kind!r}; expected one of {sorted(TARGET_PARAMETERS)}")
        if parameter not in TARGET_PARAMETERS[kind]:
            raise ValueError(f"unknown {kind} parameter {parameter!r}; expected one of {list(TARGET_PARAMETERS[kind])}")
        from archmodels.transforms import MACHINE_KINDS, split_selector

        if kind in MACHINE_KINDS:
            split_selector(kind, parts[1])  # part, machine/part (memory: machine/processor/level)
        return value


class UncertaintyDefaultsSpec(_Strict):
    """Switches of the default uncertainties a study adds to its own ``[[uncertainty]]``
    (docs/study.md, "Default uncertainties"): the spread of every assumption-labelled value of a
    hypothetical candidate (:mod:`fs.implied_uncertainty`), the model's own error from its
    out-of-sample validation (:mod:`fs.model_error`) and the roadmap bands of a candidate projected
    to the delivery year (:mod:`fs.projected_candidates`). All default on."""

    assumptions: StrictBool = True
    model_error: StrictBool = True
    #: the roadmap bands of each projected candidate's ratios (fs.projected_candidates)
    projections: StrictBool = True


class CandidateSpec(_Strict):
    machine: str
    nodes: int | None = Field(default=None, gt=0)
    label: str | None = None
    #: this candidate's delivery year (default the study's ``[lifetime] start_year``); its machine is
    #: projected from its datasheet ``year`` to it (fs.projected_candidates)
    year: int | None = Field(default=None, ge=2000, le=2100)
    #: false: never project this candidate, whatever ``project_candidates`` says
    project: StrictBool = True


class PortfolioSpec(_Strict):
    workload: str
    weight: float = Field(gt=0)


class ConstraintsSpec(_Strict):
    power: str | None = None
    capital_cost: str | None = None


class ScaleSpec(_Strict):
    mode: Literal["fit-constraints", "as-specified"] = "fit-constraints"


class MetricsSpec(_Strict):
    performance: float = Field(default=0.0, ge=0)
    performance_per_watt: float = Field(default=0.0, ge=0)
    io: float = Field(default=0.0, ge=0)
    cost: float = Field(default=0.0, ge=0)
    operability: float = Field(default=0.0, ge=0)
    productivity: float = Field(default=0.0, ge=0)
    commercial_reach: float = Field(default=0.0, ge=0)
    carbon: float = Field(default=0.0, ge=0)

    @model_validator(mode="after")
    def _sum_to_one(self):
        total = sum(getattr(self, a) for a in AXES)
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ValueError(f"metric weights must sum to 1, they sum to {total:.6g}")
        return self


class LifetimeSpec(_Strict):
    years: float = Field(gt=0)
    pue: float = Field(ge=1.0)
    grid: str | None = None   #: a grid of fs/data/defaults.toml; default the site's, else tokyo-2025
    site: str | None = None   #: a site of fs/data/defaults.toml [sites] (e.g. "kobe"): names the grid
    start_year: int = Field(default=2030, ge=2000, le=2100)  #: first year of operation (default 2030: FugakuNEXT's)
    #: the grid's carbon over the life (ops/data/grid_trajectories.toml); default the plan of the grid's country
    grid_trajectory: Literal["none", "japan-strategic-energy-plan"] | None = None


class StorageSpec(_Strict):
    """Where a checkpoint goes; bandwidths are write bandwidths (defaults in fs/data/defaults.toml)."""

    tier: Literal["node-local-flash", "parallel-fs"] = "node-local-flash"
    node_flash_bandwidth: str | None = None
    node_flash_capacity: str | None = None
    pfs_bandwidth: str | None = None
    pfs_capacity: str | None = None


class BatterySpec(_Strict):
    """A stationary battery at the site (``ops.storage.Battery``; its other parameters are the
    cited defaults there)."""

    capacity: str = Field(description="nominal capacity, e.g. '20 MWh'")
    power: str = Field(description="charge and discharge power limit, e.g. '10 MW'")


class OnsiteSpec(_Strict):
    """On-site renewables at the site, nameplate capacity (``ops.storage.OnsiteRenewables``)."""

    solar: str = "0 W"
    wind: str = "0 W"


class PPASpec(_Strict):
    """An off-site corporate PPA (``ops.ppa.PPA``): contracted nameplate, price and contract terms."""

    solar: str = "0 W"
    wind: str = "0 W"
    price: str = Field(description="contract (strike) price before consumption tax, e.g. '13 JPY/kWh'")
    kind: Literal["physical", "virtual"] = "physical"
    route: Literal["retail", "self-wheeling"] = "retail"  #: physical: through a retailer (surcharge) or 自己託送
    wheeling: str | None = None  #: network charge per kWh delivered; default the area's (ops/data/ppa.toml)
    surplus: Literal["resold", "curtailed"] = "resold"


class OperationsSpec(_Strict):
    node_mtbf: str | None = None
    trace: str | None = None
    utilisation: float | None = Field(default=None, gt=0, le=1)
    policy: str = Field(default="easy", description="an ops policy (ops.policies.POLICY_NAMES)")
    policy_params: dict[str, float | str] = Field(default_factory=dict)
    battery: BatterySpec | None = None
    onsite: OnsiteSpec | None = None
    ppa: PPASpec | None = None
    #: which carbon the scorecard's carbon axis takes: location-based (the grid's) or market-based (PPA at 0)
    carbon_accounting: Literal["location", "market"] = "location"

    @field_validator("policy")
    @classmethod
    def _known_policy(cls, value: str) -> str:
        from ops.policies import POLICY_NAMES

        if value not in POLICY_NAMES:
            raise ValueError(f"unknown policy {value!r}; expected one of {', '.join(POLICY_NAMES)}")
        return value


class AssumptionsSpec(_Strict):
    """User overrides of the stated productivity and commercial-reach scores (0..1) by part class."""

    productivity: dict[str, float] = Field(default_factory=dict)
    commercial_reach: dict[str, float] = Field(default_factory=dict)

    @field_validator("productivity", "commercial_reach")
    @classmethod
    def _unit_interval(cls, value: dict[str, float]) -> dict[str, float]:
        bad = {k: v for k, v in value.items() if not 0 <= v <= 1}
        if bad:
            raise ValueError(f"scores must lie in [0, 1], got {bad}")
        return value


class RequirementSpec(_Strict):
    """A bound a candidate must meet before it is scored: ``at_least`` or ``at_most`` a quantity."""

    quantity: str
    workload: str | None = Field(default=None, description="one workload of the portfolio (WORKLOAD_QUANTITIES)")
    at_least: str | float | None = None
    at_most: str | float | None = None
    source: str | None = Field(default=None, description="an id of the study's [sources]")

    @field_validator("quantity")
    @classmethod
    def _quantity(cls, value: str) -> str:
        if value not in REQUIREMENT_QUANTITIES:
            raise ValueError(f"unknown quantity {value!r}; expected one of {list(REQUIREMENT_QUANTITIES)}")
        return value

    @model_validator(mode="after")
    def _one_bound(self):
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError("give exactly one of at_least and at_most")
        if self.workload is not None and self.quantity not in WORKLOAD_QUANTITIES:
            raise ValueError(f"only {', '.join(WORKLOAD_QUANTITIES)} name a workload, not {self.quantity}")
        if self.workload is None and self.quantity in WORKLOAD_REQUIRED:
            raise ValueError(f"a {self.quantity} requirement names its workload")
        return self

    @property
    def bound(self) -> str:
        """``"at_least"`` or ``"at_most"``."""
        return "at_least" if self.at_least is not None else "at_most"


class SourceSpec(_Strict):
    title: str
    url: str = ""


class StudySpec(_Strict):
    schema_: Literal["fs-workbench/study/1"] = Field(alias="schema")
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    title: str = ""
    reference: str
    seed: int = Field(ge=0)
    constraints: ConstraintsSpec = ConstraintsSpec()
    scale: ScaleSpec = ScaleSpec()
    candidates: list[CandidateSpec] = Field(min_length=1)
    portfolio: list[PortfolioSpec] = Field(min_length=1)
    metrics: MetricsSpec
    lifetime: LifetimeSpec
    uncertainty: list[UncertaintySpec] = Field(default_factory=list)
    uncertainty_defaults: UncertaintyDefaultsSpec = UncertaintyDefaultsSpec()
    #: the roadmap rule (archmodels.roadmap.RULES) each candidate older than its delivery year is
    #: projected by, or "none" (docs/study.md, "Delivery year")
    project_candidates: Literal["iso-power", "iso-performance", "none"] = "iso-power"
    storage: StorageSpec = StorageSpec()
    operations: OperationsSpec = OperationsSpec()
    assumptions: AssumptionsSpec = AssumptionsSpec()
    requirement: list[RequirementSpec] = Field(default_factory=list)
    sources: dict[str, SourceSpec] = Field(default_factory=dict)
    #: the design space `fsw study optimise` searches: a table, or a TOML file beside the study
    #: (fs.design_space reads and checks it; absent: built from the candidates)
    design_space: dict | str | None = None

    @field_validator("portfolio")
    @classmethod
    def _portfolio_sums(cls, value: list[PortfolioSpec]) -> list[PortfolioSpec]:
        total = sum(p.weight for p in value)
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ValueError(f"portfolio weights must sum to 1, they sum to {total:.6g}")
        names = [p.workload for p in value]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"workloads listed twice: {dup}")
        return value


def parse_spec(data: dict, file: str | None = None) -> StudySpec:
    """Validate a study spec already read from TOML; raise SpecError listing every problem."""
    try:
        return StudySpec.model_validate(data)
    except ValidationError as err:
        raise SpecError(file, validation_problems(err, member_tags=("Distribution",),
                                                  choices={"metrics": ("metric", list(AXES))})) from None


def read_spec(path: str | Path) -> StudySpec:
    """Read and validate a study TOML file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise InputError(f"cannot read the study file: {err.strerror}", file=str(path)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"not valid TOML: {err}", file=str(path)) from None
    return parse_spec(data, str(path))


def builtin_studies() -> dict[str, Path]:
    """The studies shipped in ``fs/studies``: name -> path."""
    root = resources.files("fs") / "studies"
    return {Path(str(p)).stem: Path(str(p)) for p in root.iterdir() if str(p).endswith(".toml")}


def locate_study(name_or_path: str | Path) -> Path:
    """A study file: an existing path, else a built-in study name."""
    return resolve_reference(name_or_path, what="study", shipped=builtin_studies(), listing="built-in studies",
                             suffix=".toml")
