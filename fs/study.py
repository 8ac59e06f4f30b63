"""A study, resolved: machines loaded, quantities in SI, defaults filled in, sources collected.

:func:`load_study` turns a study file (or a built-in study's name) into a frozen :class:`Study`
that the evaluation functions take. Machine references resolve to a file next to the study, else
to a catalog name (``archmodels.load_machine``).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from archmodels.errors import InputError, SpecError
from archmodels.quantities import read_quantity
from fs import spec as _spec
from fs.ecosystems import TABLE_SOURCE, default_uncertainties, ecosystem_problems, ecosystem_sources

SECONDS_PER_YEAR = 365.25 * 86400.0


@dataclass(frozen=True)
class Source:
    """A citation: id, title and URL (may be empty)."""

    id: str
    title: str
    url: str = ""


@dataclass(frozen=True)
class Grid:
    """The site's electricity: carbon intensity [g CO2/kWh] and price [JPY/kWh]."""

    name: str
    carbon_intensity_g_per_kwh: float
    price_jpy_per_kwh: float


@dataclass(frozen=True)
class Storage:
    """The checkpoint target: node-local flash or the parallel file system [B/s, B]."""

    tier: str
    node_flash_bandwidth_bytes_per_s: float
    node_flash_capacity_bytes: float
    pfs_bandwidth_bytes_per_s: float
    pfs_capacity_bytes: float


@dataclass(frozen=True)
class Operating:
    """How the centre is run in the operations engine: the scheduling policy (``ops.policies``) and
    its parameters, a battery [J, W], on-site renewables [W of nameplate] and an off-site PPA
    (an ``ops.ppa.PPA``), ``None``/0 where absent; and which carbon the scorecard takes
    (``carbon_accounting``: ``location``, the grid's, or ``market``, PPA energy at 0 g/kWh)."""

    policy: str = "easy"
    policy_params: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    battery_capacity_j: float | None = None
    battery_power_w: float | None = None
    solar_w: float = 0.0
    wind_w: float = 0.0
    ppa: object | None = None  #: an ops.ppa.PPA
    carbon_accounting: str = "location"

    @property
    def measures(self) -> tuple[str, ...]:
        """The measures beyond plain EASY on the grid alone: ``policy``, ``battery``, ``onsite``, ``ppa``."""
        out = []
        if self.policy != "easy":
            out.append("policy")
        if self.battery_capacity_j is not None:
            out.append("battery")
        if self.solar_w > 0 or self.wind_w > 0:
            out.append("onsite")
        if self.ppa is not None and self.ppa.nameplate_w > 0:
            out.append("ppa")
        return tuple(out)


@dataclass(frozen=True)
class Uncertainty:
    """A multiplier on ``kind:selector:parameter`` drawn from ``distribution`` (a dict of floats)."""

    target: str
    kind: str
    selector: str
    parameter: str
    distribution: MappingProxyType
    source: str | None = None  #: where a default uncertainty comes from (None: the study's [[uncertainty]])

    @property
    def nominal(self) -> float:
        """The multiplier of the nominal case: 1, or the mode/mean when 1 lies outside the range."""
        d = self.distribution
        if d["kind"] in ("uniform", "triangular"):
            return min(max(1.0, d["low"]), d["high"])
        return 1.0 if d["kind"] == "lognormal" else d["mean"]


@dataclass(frozen=True)
class Requirement:
    """A bound every candidate is checked against before it is scored (SI units).

    ``bound`` is ``"at_least"`` or ``"at_most"``; ``required`` the bound's value in SI, ``text``
    as the study wrote it; ``workload`` names one workload of the portfolio (None: the portfolio;
    required for ``time_to_solution``, allowed for ``speedup`` and ``capability_speedup``);
    ``source`` the id of the citation in the study's ``[sources]``.
    """

    quantity: str
    bound: str
    required: float
    text: str
    workload: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Candidate:
    """A machine in the study, with the node count it asks for (None: sized by the study)."""

    label: str
    machine: object  # archmodels Machine
    nodes: int | None
    ref: str
    #: the machine file's ``[projection]`` table when the study projected it to its delivery year
    #: (fs.projected_candidates), else None
    projection: MappingProxyType | None = None

    @property
    def projection_label(self) -> str:
        """``projected 2023→2030, iso-power``, or empty when not projected."""
        from fs.projected_candidates import projection_label

        return projection_label(self.projection)


@dataclass(frozen=True)
class Study:
    """Everything a study evaluation needs, in SI units."""

    name: str
    title: str
    seed: int
    file: str
    reference: Candidate
    candidates: tuple[Candidate, ...]
    workloads: tuple[str, ...]
    workload_weights: tuple[float, ...]
    axis_weights: MappingProxyType
    power_budget_w: float | None
    capital_budget_jpy: float | None
    scale_mode: str
    lifetime_years: float
    pue: float
    start_year: int            #: first year of operation
    grid_trajectory: str       #: "none" or a plan of ops/data/grid_trajectories.toml
    grid: Grid
    storage: Storage
    node_mtbf_years_at_reference: float
    mtbf_reference_power_w: float
    utilisation: float
    node_mtbf_s: float | None
    trace: str | None
    productivity: MappingProxyType
    commercial_reach: MappingProxyType
    uncertainties: tuple[Uncertainty, ...]
    sources: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    requirements: tuple[Requirement, ...] = ()
    operating: Operating = Operating()
    #: the switches of ``[uncertainty_defaults]``: ``assumptions`` and ``model_error`` (both default True)
    uncertainty_defaults: MappingProxyType = field(
        default_factory=lambda: MappingProxyType({"assumptions": True, "model_error": True, "projections": True}))
    #: the rule candidates are projected to their delivery year by, or "none" (fs.projected_candidates)
    project_candidates: str = "none"


def _operating(ops_spec, grid_name: str, qty, problems: list, file: str) -> Operating:
    """The ``[operations]`` policy, battery and on-site renewables in SI units (problems appended)."""
    from ops.grid import GRIDS
    from ops.policies import make_policy

    battery = ops_spec.battery
    capacity = qty(battery.capacity, "energy_j", "operations.battery.capacity") if battery else None
    power = qty(battery.power, "power_w", "operations.battery.power") if battery else None
    generation = {}
    for name in ("solar", "wind"):
        fp = f"operations.onsite.{name}"
        text = getattr(ops_spec.onsite, name) if ops_spec.onsite else "0 W"
        try:
            generation[name] = read_quantity(text, "power_w", location=fp, file=file)
        except SpecError as err:
            problems.extend(err.problems)
            generation[name] = 0.0
            continue
        if not generation[name] >= 0:
            problems.append((fp, f"must be >= 0, got {text!r}"))
    operating = Operating(policy=ops_spec.policy, policy_params=MappingProxyType(dict(ops_spec.policy_params)),
                          battery_capacity_j=capacity, battery_power_w=power,
                          solar_w=max(generation["solar"], 0.0), wind_w=max(generation["wind"], 0.0),
                          ppa=_ppa(ops_spec.ppa, problems, file), carbon_accounting=ops_spec.carbon_accounting)
    try:
        make_policy(operating.policy, **operating.policy_params)
    except InputError as err:
        problems.append(("operations.policy_params", err.detail))
    if operating.measures and grid_name not in GRIDS:
        problems.append(("operations", f"a policy other than easy, a battery or on-site renewables need a grid the "
                                       f"operations engine ships ({', '.join(sorted(GRIDS))}), not {grid_name!r}"))
    return operating


def _ppa(spec, problems: list, file: str):
    """``[operations.ppa]`` as an ``ops.ppa.PPA`` (None where absent or unreadable; problems appended)."""
    from ops.ppa import PPA

    if spec is None:
        return None
    values, kinds = {}, {"solar": "power_w", "wind": "power_w", "price": "jpy_per_j", "wheeling": "jpy_per_j"}
    bad = False
    for name, kind in kinds.items():
        text = getattr(spec, name)
        values[name] = None
        if text is None:
            continue
        fp = f"operations.ppa.{name}"
        try:
            v = read_quantity(text, kind, location=fp, file=file)
        except SpecError as err:
            problems.extend(err.problems)
            bad = True
            continue
        if not (math.isfinite(v) and v >= 0):
            problems.append((fp, f"must be a finite quantity >= 0, got {text!r}"))
            bad = True
            continue
        values[name] = v * 3.6e6 if kind == "jpy_per_j" else v  # JPY/J -> JPY/kWh
    if bad:
        return None
    return PPA(solar_w=values["solar"], wind_w=values["wind"], price_jpy_per_kwh=values["price"], kind=spec.kind,
               route=spec.route, wheeling_jpy_per_kwh=values["wheeling"], surplus=spec.surplus)


@cache
def defaults() -> dict:
    """The study layer's defaults (fs/data/defaults.toml)."""
    text = (resources.files("fs") / "data" / "defaults.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _default_sources() -> dict[str, Source]:
    return {k: Source(k, v["title"], v.get("url", "")) for k, v in defaults()["sources"].items()}


def _positive(value: float, field_path: str, text: str, file: str) -> float:
    if not value > 0:
        raise SpecError(file, [(field_path, f"must be positive, got {text!r}")])
    return value


def _load_machine(ref: str, base: Path, field_path: str, file: str):
    import archmodels

    local = base / ref
    target = str(local) if local.is_file() else ref
    if not local.is_file() and (ref.endswith(".toml") or "/" in ref):
        raise SpecError(file, [(field_path, f"no machine file {ref!r} next to the study ({base})")])
    try:
        return archmodels.load_machine(target)
    except SpecError:
        raise
    except InputError as err:
        raise SpecError(file, [(field_path, f"cannot load machine {ref!r}: {err}")]) from None


def _scores(table: dict, overrides: dict) -> MappingProxyType:
    merged = {k.lower(): float(v) for k, v in table.items() if k != "source"}
    merged.update({k.lower(): float(v) for k, v in overrides.items()})
    return MappingProxyType(merged)


def _dead_selectors(uncertainties, systems: list[Candidate], grid_name: str) -> list[tuple[str, str]]:
    """``uncertainty[i].target`` problems for targets whose selector picks no part of any candidate
    nor of the reference (machine kinds: :func:`archmodels.transforms.scale_parts` changes nothing;
    the system-wide kinds: no label, machine name or processor name/type matches; ``grid``: neither
    ``*`` nor the study grid's name)."""
    from archmodels.transforms import MACHINE_KINDS, scale_parts, selector_matches, system_names

    problems = []
    for i, u in enumerate(uncertainties):
        kind, selector, _ = u.target.split(":")
        if kind == "ecosystem":
            continue  # fs.ecosystems.ecosystem_problems
        if kind == "model":
            from fs.model_error import selector_names

            alive = any(selector_matches(selector, *selector_names(c.label, c.machine)) for c in systems)
        elif kind in MACHINE_KINDS:
            alive = any(u.target in scale_parts(c.machine, {u.target: 2.0})[1] for c in systems)
        elif kind == "grid":
            alive = selector_matches(selector, grid_name)
        else:
            alive = any(selector_matches(selector, c.label, *system_names(c.machine)) for c in systems)
        if not alive:
            what = ("label, machine name or dominant processor type" if kind == "model"
                    else f"{kind} part or name")
            problems.append((f"uncertainty[{i}].target",
                             f"{u.target!r} picks nothing: no candidate nor the reference has a {what} "
                             f"matching {selector!r}" + (f" (the grid is {grid_name!r})" if kind == "grid" else "")))
    return problems


def _default_uncertainties(switches, systems: list[Candidate], explicit) -> tuple[Uncertainty, ...]:
    """The defaults ``[uncertainty_defaults]`` switches on, after the study's own and the ecosystem
    table's: the roadmap bands of projected candidates (:mod:`fs.projected_candidates`), the spreads
    of hypothetical machines' assumptions (:mod:`fs.implied_uncertainty`), then the model's error
    (:mod:`fs.model_error`); a study's own uncertainty on a value replaces its default."""
    from fs import implied_uncertainty, model_error, projected_candidates

    out = []
    if switches.projections:
        out += [Uncertainty(t, *t.split(":"), MappingProxyType(d), source=projected_candidates.SOURCE)
                for t, d in projected_candidates.projection_uncertainties(systems, explicit)]
    if switches.assumptions:
        dist = _spec.Distribution.model_validate(defaults()["uncertainty_defaults"]["assumption"]).model_dump(exclude_none=True)
        out += [Uncertainty(t, *t.split(":"), MappingProxyType(d), source=implied_uncertainty.SOURCE)
                for t, d in implied_uncertainty.implied_uncertainties(systems, explicit, dist)]
    if switches.model_error:
        out += [Uncertainty(t, *t.split(":"), MappingProxyType(d), source=model_error.SOURCE)
                for t, d in model_error.model_uncertainties(systems, explicit)]
    return tuple(out)


def load_study(name_or_path: str | Path) -> Study:
    """Load, validate and resolve a study file or built-in study.

    Raises
    ------
    archmodels.errors.SpecError
        For a spec that breaks the schema, an unknown metric, weights that do not sum to 1, a
        machine or workload that cannot be found, a non-positive budget. Every problem names its field.
    """
    import archmodels

    path = _spec.locate_study(name_or_path)
    file = str(path)
    s = _spec.read_spec(path)
    base = path.parent
    d = defaults()
    problems: list[tuple[str, str]] = []
    overrides = {"productivity": s.assumptions.productivity, "commercial_reach": s.assumptions.commercial_reach}

    machines: dict[str, object] = {}

    def machine(ref: str, fp: str):
        if ref not in machines:
            machines[ref] = _load_machine(ref, base, fp, file)
        return machines[ref]

    from fs.projected_candidates import delivery_year, needs_projection, projected_machine

    projections: dict[tuple, tuple] = {}

    def projected(m, year: int, rule: str):
        if (m.path, year, rule) not in projections:
            projections[(m.path, year, rule)] = projected_machine(m, year, rule)
        return projections[(m.path, year, rule)]

    candidates = []
    for i, c in enumerate(s.candidates):
        try:
            m = machine(c.machine, f"candidates[{i}].machine")
        except SpecError as err:
            problems.extend(err.problems)
            continue
        year = delivery_year(s.lifetime.start_year, c.year)
        fp = f"candidates[{i}]" + (".year" if c.year is not None else ".machine")
        if s.project_candidates != "none" and c.project and m.year is None:
            problems.append((fp, f"machine {m.name} has no `year` (its datasheet year), so it cannot be projected "
                                 f"to the delivery year {year}; give the machine a year or the candidate project = false"))
            continue
        if c.year is not None and m.year is not None and c.year < m.year:
            problems.append((fp, f"delivery year {c.year} is before machine {m.name}'s datasheet year {m.year}: "
                                 "a projection only goes forward"))
            continue
        projection = None
        if needs_projection(m, year, s.project_candidates, c.project):
            try:
                m, projection = projected(m, year, s.project_candidates)
            except InputError as err:
                problems.append((fp, f"cannot project machine {m.name} to {year}: {err.detail}"))
                continue
        candidates.append(Candidate(c.label or m.name, m, c.nodes, c.machine, projection))
    try:
        ref_m = machine(s.reference, "reference")
        reference = Candidate(ref_m.name, ref_m, None, s.reference)
    except SpecError as err:
        problems.extend(err.problems)
        reference = None
    labels = [c.label for c in candidates]
    if len(set(labels)) != len(labels):
        problems.append(("candidates", f"two candidates share a label {labels}; give one a distinct `label`"))

    for i, p in enumerate(s.portfolio):
        try:
            archmodels.load_workload(p.workload)
        except InputError as err:
            problems.append((f"portfolio[{i}].workload", f"unknown workload {p.workload!r}: {err.detail}"))

    grids, sites = d["grids"], d.get("sites", {})
    grid_name = s.lifetime.grid
    site = s.lifetime.site
    if site is None and grid_name is None and reference is not None and reference.machine.site in sites:
        site = reference.machine.site  # the study stands where its reference does
    if site is not None:
        if site not in sites:
            problems.append(("lifetime.site", f"unknown site {site!r}; expected one of {sorted(sites)}"))
        elif grid_name is None:
            grid_name = sites[site]["grid"]
        elif grid_name != sites[site]["grid"]:
            problems.append(("lifetime.grid", f"grid {grid_name!r} is not the grid of site {site!r} "
                                              f"({sites[site]['grid']!r}); give one of them"))
    grid_name = grid_name or "tokyo-2025"
    if grid_name not in grids:
        problems.append(("lifetime.grid", f"unknown grid {grid_name!r}; expected one of {sorted(grids)}"))
    from ops.grid_trajectory import default_plan, trajectory_table

    plan = s.lifetime.grid_trajectory
    if plan not in (None, "none") and grid_name not in trajectory_table()[plan]["grids"]:
        problems.append(("lifetime.grid_trajectory", f"trajectory {plan!r} has no base year for grid {grid_name!r}; "
                                                     f"it applies to {sorted(trajectory_table()[plan]['grids'])}"))

    def qty(text, unit, fp):
        if text is None:
            return None
        try:
            return _positive(read_quantity(text, unit, location=fp, file=file), fp, text, file)
        except SpecError as err:
            problems.extend(err.problems)
            return None

    power_w = qty(s.constraints.power, "power_w", "constraints.power")
    capital = qty(s.constraints.capital_cost, "jpy", "constraints.capital_cost")
    if s.scale.mode == "fit-constraints" and s.constraints.power is None and s.constraints.capital_cost is None:
        if any(c.nodes is None for c in s.candidates):
            problems.append(("scale.mode", "fit-constraints needs a power or capital_cost constraint, or `nodes` on every candidate"))

    st, ds = s.storage, d["storage"]
    storage = Storage(
        tier=st.tier,
        node_flash_bandwidth_bytes_per_s=qty(st.node_flash_bandwidth, "bytes_per_s", "storage.node_flash_bandwidth") or ds["node_flash_bandwidth_bytes_per_s"],
        node_flash_capacity_bytes=qty(st.node_flash_capacity, "bytes", "storage.node_flash_capacity") or ds["node_flash_capacity_bytes"],
        pfs_bandwidth_bytes_per_s=qty(st.pfs_bandwidth, "bytes_per_s", "storage.pfs_bandwidth") or ds["pfs_bandwidth_bytes_per_s"],
        pfs_capacity_bytes=qty(st.pfs_capacity, "bytes", "storage.pfs_capacity") or ds["pfs_capacity_bytes"],
    )
    node_mtbf_s = qty(s.operations.node_mtbf, "time_s", "operations.node_mtbf")
    operating = _operating(s.operations, grid_name, qty, problems, file)
    requirements = []
    for i, r in enumerate(s.requirement):
        text = getattr(r, r.bound)
        required = qty(text, _spec.REQUIREMENT_QUANTITIES[r.quantity], f"requirement[{i}].{r.bound}")
        if r.workload is not None and r.workload not in {p.workload for p in s.portfolio}:
            problems.append((f"requirement[{i}].workload", f"workload {r.workload!r} is not in the portfolio "
                                                           f"{[p.workload for p in s.portfolio]}"))
        if r.source is not None and r.source not in s.sources:
            problems.append((f"requirement[{i}].source", f"source {r.source!r} is not in the study's [sources] "
                                                         f"{sorted(s.sources)}"))
        written = text if isinstance(text, str) else f"{text:g}"
        requirements.append(Requirement(r.quantity, r.bound, required, written, r.workload, r.source))

    if reference is not None:
        problems.extend(_dead_selectors(s.uncertainty, [reference, *candidates], grid_name))
        problems.extend(ecosystem_problems([reference, *candidates], overrides, s.uncertainty))
    if problems:
        raise SpecError(file, problems)

    g = grids[grid_name]
    grid = Grid(grid_name, float(g["carbon_intensity_g_per_kwh"]), float(g["price_jpy_per_kwh"]))
    uncertainties = tuple(
        Uncertainty(u.target, *u.target.split(":"), MappingProxyType(u.distribution.model_dump(exclude_none=True)))
        for u in s.uncertainty
    )
    explicit = uncertainties
    uncertainties += tuple(Uncertainty(t, *t.split(":"), MappingProxyType(dist), source=TABLE_SOURCE)
                           for t, dist in default_uncertainties([reference, *candidates], overrides, explicit))
    uncertainties += _default_uncertainties(s.uncertainty_defaults, [reference, *candidates], explicit)
    sources = _default_sources()
    sources.update({k: Source(k, title, url) for k, (title, url) in ecosystem_sources().items()})
    sources.update({k: Source(k, v.title, v.url) for k, v in s.sources.items()})
    for m in [*machines.values(), *(c.machine for c in candidates if c.projection is not None)]:
        for sid, src in (getattr(m, "sources", None) or {}).items():
            sources[f"{m.name}:{sid}"] = Source(f"{m.name}:{sid}", getattr(src, "title", str(src)), getattr(src, "url", "") or "")
    return Study(
        name=s.name,
        title=s.title,
        seed=s.seed,
        file=file,
        reference=reference,
        candidates=tuple(candidates),
        workloads=tuple(p.workload for p in s.portfolio),
        workload_weights=tuple(p.weight for p in s.portfolio),
        axis_weights=MappingProxyType({a: getattr(s.metrics, a) for a in _spec.AXES}),
        power_budget_w=power_w,
        capital_budget_jpy=capital,
        scale_mode=s.scale.mode,
        lifetime_years=s.lifetime.years,
        pue=s.lifetime.pue,
        start_year=s.lifetime.start_year,
        grid_trajectory=s.lifetime.grid_trajectory or default_plan(grid.name),
        grid=grid,
        storage=storage,
        node_mtbf_years_at_reference=float(d["reliability"]["node_mtbf_years"]),
        mtbf_reference_power_w=float(d["reliability"]["reference_power_w"]),
        utilisation=s.operations.utilisation or float(d["operations"]["utilisation"]),
        node_mtbf_s=node_mtbf_s,
        trace=s.operations.trace,
        productivity=_scores(d["productivity"], s.assumptions.productivity),
        commercial_reach=_scores(d["commercial_reach"], s.assumptions.commercial_reach),
        uncertainties=uncertainties,
        sources=MappingProxyType(sources),
        requirements=tuple(requirements),
        operating=operating,
        uncertainty_defaults=MappingProxyType(s.uncertainty_defaults.model_dump()),
        project_candidates=s.project_candidates,
    )
