"""Technology by year: the cited roadmap table and the projection of a machine to a delivery year.

``archmodels/data/roadmap.toml`` holds curves of the quantities that move with time (logic energy per
operation and density by process node, SRAM bitcell area, DRAM die density, the HBM generation of
each year, SerDes lane rate, link energy per bit and reach, prices per GB and per processor). Each
point has a value, an uncertainty band and a source or a labelled assumption (docs/roadmap.md).

Interpolation (:func:`value_at`) is log-linear in the year between an entry's points,

    v(y) = v_0 · (v_1 / v_0) ^ ((y − y_0) / (y_1 − y_0)),  y_0 ≤ y ≤ y_1,

and so is each band multiplier; a year outside an entry's first and last point is refused, never
extrapolated. The HBM generation (:func:`hbm_generation`) is a step: the latest with year ≤ y.

:func:`project_machine` projects a catalog machine from its datasheet ``year`` to a delivery year
under one of two rules, both "the same design (the same die area and units) on the technology of the
delivery year":

* ``iso-power`` (default): the same power envelope. Energy per operation falls by
  ``s = E(y)/E(y_0)`` (``logic_energy``), so every FLOP peak rises by ``1/s`` at the same TDP and
  node power; the node's logic density gain (``logic_density``, about ``1/s``) holds the extra units.
  On-die memory levels keep their bytes per FLOP (bandwidth ``× 1/s``).
* ``iso-performance``: the same peaks at ``s`` times the processor power (TDP ``× s``, the node's
  maximum and idle power lowered by what the processors save).

In both: each processor's FP64 energy floor becomes ``s · ε_fp64`` (a processor ``energy_per_flop``
the energy model reads, :meth:`archmodels.technology.Technology.processor_energy_per_flop_floor_j`),
so its predicted dynamic energy per FLOP, ``max(ε_floor, (TDP − P_static) / P_peak)``, is ``s`` times
the datasheet-year one in every precision. An HBM level keeps its stacks and, when a newer generation is current at
the delivery year than at the datasheet year, takes the per-stack bandwidth, capacity and pJ/bit
ratios of that generation over its own (memory_technologies.toml); SRAM capacity scales with the bitcell density; the network's and node
links' energy per bit follows the link technology's curve (their bandwidth is the design's, kept);
a package's quoted price scales with its class's package-price curve, the memory beyond what that
price covers with the price-per-GB curves. What is not
projected (DRAM generations, storage, latencies, topology) is listed in the output's
``projection.assumptions``.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from archmodels.errors import InputError, SpecError
from archmodels.spec import read_toml

ROADMAP_FILE = Path(__file__).parent / "data" / "roadmap.toml"
RULES = ("iso-power", "iso-performance")
_LINK_ENTRY = {None: "electrical", "electrical": "electrical", "pluggable-optics": "pluggable-optics",
               "co-packaged-optics": "co-packaged-optics"}


@dataclass(frozen=True)
class RoadmapValue:
    """An entry's value at a year, its band and the points it came from."""

    entry: str
    year: float
    value: float   #: in the entry's ``unit``
    low: float     #: low end of the band [same unit]
    high: float    #: high end of the band [same unit]
    points: tuple  #: the one or two points of roadmap.toml it was interpolated between


def _entries_of(table: dict, prefix: str = "") -> dict[str, dict]:
    out = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and "points" in value:
            out[name] = value
        elif isinstance(value, dict):
            out.update(_entries_of(value, f"{name}."))
    return out


def _point_problems(name: str, points, sources: dict, numeric: bool) -> list[tuple[str, str]]:
    problems = []
    years = []
    for i, p in enumerate(points):
        where = f"{name}.points[{i}]"
        if not isinstance(p.get("year"), int):
            problems.append((where, "needs an integer `year`"))
            continue
        years.append(p["year"])
        src = p.get("source")
        if src == "assumption":
            if not str(p.get("assumption", "")).strip():
                problems.append((where, "source = \"assumption\" needs an `assumption` saying why"))
        elif src not in sources:
            problems.append((where, f"source {src!r} is not defined in [sources] (or use source = \"assumption\")"))
        if numeric:
            v = p.get("value")
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not v > 0:
                problems.append((where, f"`value` must be a positive number, got {v!r}"))
            band = p.get("band")
            if (not isinstance(band, list) or len(band) != 2
                    or not all(isinstance(b, (int, float)) and b > 0 for b in band) or not band[0] <= 1.0 <= band[1]):
                problems.append((where, f"`band` must be [low, high] multipliers with low <= 1 <= high, got {band!r}"))
    if years != sorted(set(years)):
        problems.append((name, f"points must be in increasing year order without repeats, got {years}"))
    return problems


@lru_cache(maxsize=4)
def load_roadmap(path: str | None = None) -> dict:
    """The roadmap table (default ``archmodels/data/roadmap.toml``), checked.

    Raises
    ------
    archmodels.errors.SpecError
        A point without a year, a positive value, a band ``[low ≤ 1 ≤ high]``, or a source that is
        defined in ``[sources]`` (or ``source = "assumption"`` with its reason).
    """
    file = str(path or ROADMAP_FILE)
    raw = read_toml(file)
    sources = raw.get("sources", {})
    problems: list[tuple[str, str]] = []
    for name, entry in _entries_of(raw.get("entries", {})).items():
        problems += _point_problems(f"entries.{name}", entry["points"], sources, numeric=True)
    problems += _point_problems("hbm_generations", raw.get("hbm_generations", {}).get("points", []), sources,
                                numeric=False)
    if raw.get("energy_per_flop", {}).get("source") not in sources:
        problems.append(("energy_per_flop.source", "must name an entry of [sources]"))
    if problems:
        raise SpecError(file, problems)
    return raw


def roadmap_entries(path: str | None = None) -> dict[str, dict]:
    """Every numeric entry of the roadmap by dotted name (``logic_energy``, ``link_energy.electrical``)."""
    return _entries_of(load_roadmap(path).get("entries", {}))


def window(path: str | None = None) -> tuple[int, int]:
    """(first, last) delivery year :func:`project_machine` accepts [year]."""
    w = load_roadmap(path)["window"]
    return int(w["first_year"]), int(w["last_year"])


def _entry(name: str, path: str | None = None) -> dict:
    entries = roadmap_entries(path)
    if name not in entries:
        from archmodels.errors import did_you_mean

        raise InputError(f"no roadmap entry {name!r}.{did_you_mean(name, list(entries))}", file=str(path or ROADMAP_FILE))
    return entries[name]


def _log_interp(v0: float, v1: float, t: float) -> float:
    return math.exp(math.log(v0) + t * (math.log(v1) - math.log(v0)))


def value_at(name: str, year: float, path: str | None = None) -> RoadmapValue:
    """An entry's value and band at ``year``, log-linear between its points (module docstring).

    Parameters
    ----------
    name : str
        Entry of roadmap.toml (``logic_energy``, ``price_per_gb.hbm``, ...).
    year : float
        Year [year]; within the entry's first and last point.

    Raises
    ------
    archmodels.errors.InputError
        Unknown entry, or a year outside the entry's points (nothing is extrapolated).

    Examples
    --------
    Half way in log between 2020 (1.0) and 2022 (0.70): sqrt(0.70).

    >>> round(value_at("logic_energy", 2021).value, 6)
    0.83666
    """
    entry = _entry(name, path)
    pts = entry["points"]
    first, last = pts[0]["year"], pts[-1]["year"]
    if not first <= year <= last:
        raise InputError(f"year {year:g} is outside roadmap entry {name!r}'s points {first}..{last}; "
                         "the roadmap does not extrapolate", file=str(path or ROADMAP_FILE), location=f"entries.{name}")
    for a, b in zip(pts, pts[1:] or pts):
        if a["year"] <= year <= b["year"]:
            t = 0.0 if b["year"] == a["year"] else (year - a["year"]) / (b["year"] - a["year"])
            v = _log_interp(a["value"], b["value"], t)
            lo = _log_interp(a["band"][0], b["band"][0], t)
            hi = _log_interp(a["band"][1], b["band"][1], t)
            used = (a,) if t == 0.0 or a is b else ((b,) if t == 1.0 else (a, b))
            return RoadmapValue(name, float(year), v, v * lo, v * hi, used)
    raise AssertionError("unreachable: the year lies within the points")


def ratio(name: str, from_year: float, to_year: float, path: str | None = None) -> float:
    """``v(to_year) / v(from_year)`` of an entry [-] (:func:`value_at` at both years)."""
    return value_at(name, to_year, path).value / value_at(name, from_year, path).value


def hbm_generation(year: float, path: str | None = None) -> str:
    """The HBM generation (a memory_technologies.toml name) current at ``year``: the latest whose
    ``year`` ≤ ``year`` in roadmap.toml ``[hbm_generations]``."""
    pts = load_roadmap(path)["hbm_generations"]["points"]
    current = [p for p in pts if p["year"] <= year]
    if not current:
        raise InputError(f"no HBM generation before {pts[0]['year']} in the roadmap (asked for {year:g})",
                         file=str(path or ROADMAP_FILE), location="hbm_generations")
    return current[-1]["technology"]


def _hbm_order(path: str | None = None) -> list[str]:
    return [p["technology"] for p in load_roadmap(path)["hbm_generations"]["points"]]


def energy_per_flop_floor_j(processor_type: str, precision: str, year: float, path: str | None = None) -> float:
    """Floor of the dynamic energy of one FLOP at ``year`` [J].

    ``ε(type, precision, y) = ε_fp64(type) · s_precision · E(y) / E(y_anchor)``: energy.toml's floor
    and precision scale (:mod:`archmodels.technology`), moved by the ``logic_energy`` curve from
    roadmap.toml's ``energy_per_flop.anchor_year`` (the middle of the floors' 2022-2025 fit set).

    Parameters
    ----------
    processor_type : str
        ``cpu``, ``gpu`` or ``accelerator``.
    precision : str
        ``fp64``, ``fp32``, ``bf16``, ``fp8``...
    year : float
        Year [year], within ``logic_energy``'s points.
    """
    from archmodels.technology import default_technology

    anchor = load_roadmap(path)["energy_per_flop"]["anchor_year"]
    return default_technology().energy_per_flop_floor_j(processor_type, precision) * ratio("logic_energy", anchor, year, path)


# ----------------------------------------------------------------------------- projection


def _q(value: float, unit: str, source: str) -> dict:
    return {"value": f"{value!r} {unit}", "source": source}


class _Projection:
    """Book-keeping of one projection: the sources it adds and the assumptions it relies on."""

    def __init__(self, spec_name: str, y0: int, y: int, path: str | None):
        self.name, self.y0, self.y, self.path = spec_name, y0, y, path
        self.roadmap = load_roadmap(path)
        self.sources: dict[str, dict] = {}
        self.assumptions: list[str] = []
        self.ratios: dict[str, list[float]] = {}

    def ratio(self, entry: str, from_year: float | None = None) -> tuple[float, str]:
        """(ratio of ``entry`` from ``from_year`` (default the datasheet year) to the delivery year, source id)."""
        start = self.y0 if from_year is None else from_year
        v0, v1 = value_at(entry, start, self.path), value_at(entry, self.y, self.path)
        r = v1.value / v0.value
        self.ratios[entry] = [r, v1.low / v0.value, v1.high / v0.value]
        sid = f"roadmap-{entry.replace('.', '-')}"
        if sid not in self.sources:
            e = _entry(entry, self.path)
            lo, hi = sorted((start, self.y))
            used = [p for p in e["points"] if lo <= p["year"] <= hi]
            used += [p for p in e["points"] if p["year"] < lo][-1:] + [p for p in e["points"] if p["year"] > hi][:1]
            cites = sorted({p["source"] for p in used if p["source"] != "assumption"})
            for p in sorted(used, key=lambda p: p["year"]):
                if p["source"] == "assumption":
                    self._assume(f"roadmap.toml {entry} {p['year']}: {p['assumption']}")
            titles = "; ".join(self.roadmap["sources"][c]["title"] for c in cites)
            self.sources[sid] = {
                "title": (f"Projected {start} -> {self.y} by archmodels/data/roadmap.toml entry {entry} "
                          f"(x {r:.4g}): {e['title']}. Sources: {titles or 'assumptions only'}"),
                **({"url": self.roadmap["sources"][cites[0]]["url"]} if cites else {}),
            }
        return r, sid

    def _assume(self, text: str) -> None:
        if text not in self.assumptions:
            self.assumptions.append(text)

    def hbm_source(self, old: str, new: str) -> str:
        sid = f"roadmap-hbm-{old}-{new}"
        if sid not in self.sources:
            pts = {p["technology"]: p for p in self.roadmap["hbm_generations"]["points"]}
            src = self.roadmap["sources"][pts[new]["source"]]
            self.sources[sid] = {
                "title": (f"Projected {self.y0} -> {self.y} by archmodels/data/roadmap.toml [hbm_generations]: "
                          f"{old} -> {new} (current from {pts[new]['year']}), the same stacks at the per-stack "
                          f"figures of memory_technologies.toml's {new}. Source: {src['title']}"),
                "url": src["url"]}
        return sid


def _raw_machine(ref) -> tuple[dict, str]:
    from archmodels.loaders import resolve_machine_path

    path = resolve_machine_path(ref)
    raw = read_toml(path)
    if "base" in raw:
        from archmodels.variants import expand_variant

        raw = expand_variant(raw, path)
    return raw, str(path)


def _check_years(name: str, y0, year, path: str | None) -> None:
    first, last = window(path)
    if y0 is None:
        raise InputError(f"machine {name} has no `year`: its datasheet year is needed to project it",
                         location="year")
    if not isinstance(year, int) or isinstance(year, bool):
        raise InputError(f"the delivery year must be an integer, got {year!r}", location="--year")
    if year < y0:
        raise InputError(f"year {year} is before machine {name}'s datasheet year {y0}: a projection only "
                         "goes forward", location="--year")
    if not first <= y0 <= last or not first <= year <= last:
        raise InputError(f"the roadmap covers {first}..{last}; cannot project machine {name} from {y0} to {year}",
                         location="--year")


def project_machine(machine_ref, year: int, rule: str = "iso-power", roadmap: str | None = None) -> dict:
    """A catalog machine (or spec file) projected to delivery ``year``, as a machine spec dict.

    Rules and equations are in the module docstring. The result is labelled: ``hypothetical = true``,
    ``year = year``, a ``[projection]`` table (``from_machine``, ``from_year``, ``to_year``, ``rule``,
    ``roadmap``, ``assumptions``, and ``ratios``: each entry used, ``[ratio, low, high]`` with the band
    of the delivery year's value over the datasheet year's, the input a study's uncertainty can vary) and, for every changed quantity, a source ``roadmap-<entry>`` that
    says "Projected <from> -> <to> by archmodels/data/roadmap.toml entry <entry> (x ratio)".

    Parameters
    ----------
    machine_ref : str or Path
        Catalog name or spec/variant file; it must carry ``year`` (its datasheet year).
    year : int
        Delivery year [year]: not before the datasheet year, within roadmap.toml ``[window]``.
    rule : str
        ``iso-power`` (default) or ``iso-performance``.
    roadmap : str, optional
        Another roadmap table (default archmodels/data/roadmap.toml).

    Returns
    -------
    dict
        A machine spec (schema ``fs-workbench/machine/1``), validated; write it with
        :func:`write_projected_machine` or :func:`archmodels.toml_writer.dumps_toml`.

    Raises
    ------
    archmodels.errors.InputError
        Unknown machine or rule, no datasheet year, a year before it or outside the window, or a
        technology a roadmap entry does not cover at those years.
    """
    from archmodels.cost import part_price, price_year, table_price_scale
    from archmodels.machine import machine_from_spec
    from archmodels.memtech import memory_technology
    from archmodels.power import node_power
    from archmodels.spec import validate_machine_dict
    from archmodels.technology import default_technology

    if rule not in RULES:
        raise InputError(f"unknown projection rule {rule!r}; expected one of {', '.join(RULES)}", location="--rule")
    raw, file = _raw_machine(machine_ref)
    spec = validate_machine_dict(raw, file)
    machine = machine_from_spec(spec, file)
    y0 = spec.year
    _check_years(spec.name, y0, year, roadmap)
    proj = _Projection(spec.name, y0, year, roadmap)
    tech = default_technology()
    out = copy.deepcopy(raw)
    out.pop("projection", None)
    iso_power = rule == "iso-power"
    s, s_src = proj.ratio("logic_energy")
    prices_at = price_year()
    scale = table_price_scale()
    power = node_power(machine.node, tech)
    saved_w = saved_static_w = 0.0
    order = _hbm_order(roadmap)
    hbm_now = hbm_generation(year, roadmap)
    hbm_step = order.index(hbm_now) > order.index(hbm_generation(y0, roadmap))  # a new generation since y0
    for p_raw, proc in zip(out["node"]["processors"], machine.node.processors):
        eps0 = tech.processor_energy_per_flop_floor_j(proc, "fp64")
        p_raw["energy_per_flop"] = _q(eps0 * s, "J", s_src)
        if iso_power:
            for table, peaks in (("peak", proc.peak_flop_per_s), ("peak_matrix", proc.peak_matrix_flop_per_s)):
                for prec, value in peaks.items():
                    p_raw[table][prec] = _q(value / s, "FLOP/s", s_src)
        else:
            tdp = power.tdp_w[proc.name]
            p_raw["tdp"] = _q(tdp * s, "W", s_src)
            saved_w += proc.count * tdp * (1.0 - s)
            saved_static_w += proc.count * power.static_w[proc.name] * (1.0 - s)
        part = part_price(proc.name, proc.type)
        base_jpy = part.price_jpy if proc.price_jpy is None else proc.price_jpy
        if base_jpy > 0:  # a part booked at 0 (Grace in GH200) stays so
            r, price_src = proj.ratio(f"processor_price.{proc.type}")
            p_raw["price"] = _q(base_jpy * r, "JPY", price_src)
        stock = part.stock_memory_bytes
        for m_raw, lv in zip(p_raw["memory"], proc.memory):
            kind = memory_technology(lv.technology).kind if lv.technology else "sram"
            capacity, bandwidth = lv.capacity_bytes, lv.bandwidth_bytes_per_s
            techname = lv.technology
            if (kind == "hbm" and hbm_step and lv.technology in order
                    and order.index(hbm_now) > order.index(lv.technology)):
                old, new = memory_technology(lv.technology), memory_technology(hbm_now)
                src = proj.hbm_source(lv.technology, hbm_now)
                capacity *= new.capacity_per_unit_bytes / old.capacity_per_unit_bytes
                bandwidth *= new.bandwidth_per_unit_bytes_per_s / old.bandwidth_per_unit_bytes_per_s
                m_raw["technology"] = techname = hbm_now
                if lv.name.lower() == lv.technology:  # a level named after its generation takes the new name
                    m_raw["name"] = hbm_now.upper()
                m_raw["capacity"] = _q(capacity, "B", src)
                m_raw["bandwidth"] = _q(bandwidth, "B/s", src)
                if lv.energy_per_bit_j is not None:
                    m_raw["energy_per_bit"] = _q(lv.energy_per_bit_j * new.energy_per_bit_j / old.energy_per_bit_j,
                                                 "J", src)
            elif kind == "sram":
                area, sram_src = proj.ratio("sram_bitcell_area")
                m_raw["capacity"] = _q(capacity / area, "B", sram_src)
                if iso_power:
                    m_raw["bandwidth"] = _q(bandwidth / s, "B/s", s_src)
                m_raw["energy_per_bit"] = _q((lv.energy_per_bit_j or tech.memory_energy_per_bit_j(lv.technology)) * s,
                                             "J", s_src)
            if kind in ("hbm", "dram") and memory_technology(techname).placement != "die":
                mt = memory_technology(techname)
                priced = capacity
                if mt.placement == "package" and stock > 0:  # the part's price covers its stock memory
                    priced, stock = capacity - stock, 0.0
                if priced > 0:
                    r, src = proj.ratio(f"price_per_gb.{kind}", prices_at)
                    m_raw["price"] = _q(priced / 1e9 * mt.cost_jpy_per_gb * scale * r, "JPY", src)
    if not iso_power:
        node = out["node"]
        if spec.node.power_max is not None:
            node["power_max"] = _q(spec.node.power_max.value - saved_w, "W", s_src)
        if spec.node.power_idle is not None:
            node["power_idle"] = _q(spec.node.power_idle.value - saved_static_w, "W", s_src)
    for link_raw, link in zip(out["node"].get("links", []), machine.node.links):
        if link.energy_per_bit_j is not None:
            e, e_src = proj.ratio("link_energy.electrical")
            link_raw["energy_per_bit"] = _q(link.energy_per_bit_j * e, "J", e_src)
    if machine.network is not None and machine.network.topology != "none":
        net, net_raw = machine.network, out["network"]
        if net.energy_per_bit_j is not None or net.link_static_power_w is not None:
            e, e_src = proj.ratio(f"link_energy.{_LINK_ENTRY[net.technology]}")
            if net.energy_per_bit_j is not None:
                net_raw["energy_per_bit"] = _q(net.energy_per_bit_j * e, "J", e_src)
            if net.link_static_power_w is not None:  # static power at the same line rate: energy per bit moved
                net_raw["link_static_power"] = _q(net.link_static_power_w * e, "W", e_src)
    for text in _RULE_ASSUMPTIONS[rule] + [load_roadmap(roadmap)["energy_per_flop"]["precision_assumption"]]:
        proj._assume(text)
    out["name"] = f"{spec.name}-{year}"
    out["title"] = f"{spec.title}, projected to {year} ({rule})"
    out["year"] = year
    out["hypothetical"] = True
    out["projection"] = {"from_machine": spec.name, "from_year": y0, "to_year": year, "rule": rule,
                         "roadmap": "archmodels/data/roadmap.toml" if roadmap is None else str(roadmap),
                         "assumptions": proj.assumptions, "ratios": proj.ratios}
    out["sources"] = {**out.get("sources", {}), **proj.sources}
    validate_machine_dict(out, f"{spec.name} projected to {year}")
    return out


_RULE_ASSUMPTIONS = {
    "iso-power": [
        "iso-power: the same die area and power envelope (TDP, node power) on the node of the delivery year; "
        "energy per operation falls by logic_energy's ratio s, so every FLOP peak rises by 1/s (the node's "
        "logic density gain, roadmap.toml logic_density, holds the extra units)",
        "on-die and stacked SRAM levels keep their area (capacity x SRAM density ratio) and their bytes per "
        "FLOP (bandwidth x 1/s); their energy per bit scales by s",
    ],
    "iso-performance": [
        "iso-performance: the same peaks at s times the processor power (TDP x s; node power_max and "
        "power_idle lowered by what the processors save), s = logic_energy's ratio",
        "on-die and stacked SRAM levels keep their area (capacity x SRAM density ratio) and bandwidth; "
        "their energy per bit scales by s",
    ],
}
for _texts in _RULE_ASSUMPTIONS.values():
    _texts += [
        "HBM levels keep their stack count and, when a newer generation is current at the delivery year than "
        "at the datasheet year, take its per-stack ratios (bandwidth, capacity, pJ/bit) over their own; DDR/LPDDR/GDDR levels keep their technology, capacity and "
        "bandwidth (no DRAM generation is projected)",
        "network and node-link bandwidth, latencies, topology, node count and storage tiers are unchanged (the "
        "design's ports: the cost model prices a network per bandwidth, so more lanes' worth would be charged as "
        "more NICs); only the links' energy per bit follows roadmap.toml link_energy.<technology>",
        "a package's quoted price (with the stock memory and node share it covers) scales with its class's "
        "package-price curve (roadmap.toml processor_price.<type>), not with the wafer price (a package's price "
        "is mostly margin); HBM and DRAM beyond that stock are priced at memory_technologies.toml's price per GB "
        "times the price-per-GB curve at the delivery year",
    ]


def write_projected_machine(machine_ref, year: int, out_path: str | Path, rule: str = "iso-power",
                            roadmap: str | None = None) -> dict:
    """Project a machine (:func:`project_machine`) and write the spec to ``out_path`` atomically.

    Returns the spec dict written. The file loads with :func:`archmodels.loaders.load_machine` and
    runs through ``fsw predict --machine FILE``.
    """
    from archmodels.atomic import write_text_atomic
    from archmodels.toml_writer import dumps_toml

    spec = project_machine(machine_ref, year, rule, roadmap)
    header = (f"# {spec['name']}: {spec['title']}\n# Written by archmodels.roadmap.project_machine "
              f"(fsw machines project); a projection, not a product. See [projection] and docs/roadmap.md.\n")
    write_text_atomic(out_path, header + dumps_toml(spec))
    return spec
