"""Design spaces of whole machines: every node kind of a study, decoded into real machine specs.

A design space is a list of node *families*, one per base machine (by default each candidate of the
study). A family's base is the catalog machine projected to the study's delivery year with
:func:`archmodels.roadmap.project_machine` (rule ``iso-power``; a base from that year or later is
taken as it is), so the device class of a GPU or accelerator node is the one of the delivery year.
Its knobs, each optional, act on the spec dict of the base (the schema of archmodels/catalog files):

========================  ================================================================
knob                      what it changes (the *main* processor: the first of the node)
========================  ================================================================
``devices = [lo, hi]``    processors (sockets, GPUs, accelerators) per node (integer); the node's
                          ``power_max`` (and ``power_idle``) move by ``Δn · TDP`` (by ``n/n₀``
                          without a TDP: assumption, the node power proportional to its devices)
``cores = [lo, hi]``      ratio of the cores; every FLOP peak scales with it (CPU)
``vector_width``          ratio of the vector width: the vector peaks (``peak``) scale (CPU)
``clock = [lo, hi]``      ratio of the clock; every peak scales with it
``memory = [..]``         technology of the outermost memory level (``memory_technologies.toml``)
``stacks = [lo, hi]``     units (stacks, packages, channels) of it per processor (integer):
                          capacity, bandwidth and pJ/bit from :func:`archmodels.transforms.memory_level_figures`
``sram = ["0 B", "2 GiB"]``  stacked SRAM (``sram-3d``) per processor; 0 removes it; a level is
                          added above the main memory when the base has none
``l2 = [lo, hi]``         ratio of the innermost on-die level's capacity (GPU L2)
``injection_bandwidth``   ratio of the network injection bandwidth
``topology = [..]``       network topology
``link = [..]``           network link technology; energy per bit and static power by
                          :func:`archmodels.transforms.link_swap_figures` at the design's node
                          count, the cable reach enforced (:func:`archmodels.transforms.check_reach`):
                          a design whose links cannot span its machine room is infeasible
``power_cap = [lo, hi]``  ratio of the node's ``power_max``; processor TDPs above it are dropped
                          (they share the cap), as :func:`archmodels.transforms.cap_power`
``nodes = [lo, hi]``      node count; absent: the study sizes the system to its budgets
========================  ================================================================

Every design variable is a gene ``u ∈ [0, 1)``: a range maps linearly (integers by ``floor``), a
list of options by ``floor(u · k)``. The genome is ``[family, family 1's genes, family 2's, ...]``;
a design reads its family's slice. Changed quantities cite ``[sources.design-space]``, which states
the design point; the decoded dict is a machine file (:func:`archmodels.toml_writer.dumps_toml`) that
loads back to the same machine.

The space is a ``[design_space]`` table of the study file or a separate TOML file the study names
(``design_space = "file.toml"``, relative to the study), with ``[[design_space.node]]`` families
(``base`` = a catalog name or machine file) and optional ``year`` (default: the study's
``lifetime.start_year``) and ``requirements`` (``"constraints"``, the default, or ``"report"``).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from pathlib import Path

from archmodels.errors import InputError

#: Knobs that take a [lo, hi] range of ratios, integers or quantities, and those that take options.
RATIO_KNOBS = ("cores", "vector_width", "clock", "l2", "injection_bandwidth", "power_cap")
INTEGER_KNOBS = ("devices", "stacks", "nodes")
QUANTITY_KNOBS = {"sram": "bytes"}
OPTION_KNOBS = ("memory", "topology", "link")
KNOBS = RATIO_KNOBS + INTEGER_KNOBS + tuple(QUANTITY_KNOBS) + OPTION_KNOBS
#: The order genes of a family take (fixed, so a genome means the same design in every run).
GENE_ORDER = ("devices", "cores", "vector_width", "clock", "memory", "stacks", "sram", "l2",
              "injection_bandwidth", "topology", "link", "power_cap", "nodes")
TOPOLOGIES = ("fat-tree", "dragonfly", "optical-high-radix")
LINKS = ("electrical", "pluggable-optics", "co-packaged-optics")
SOURCE_ID = "design-space"


@dataclass(frozen=True)
class Knob:
    name: str
    low: float | None = None
    high: float | None = None
    options: tuple[str, ...] = ()

    def decode(self, u: float):
        """The knob's value at gene ``u`` in [0, 1]."""
        u = min(max(float(u), 0.0), 1.0 - 1e-12)
        if self.options:
            return self.options[int(u * len(self.options))]
        if self.name in INTEGER_KNOBS:
            return int(math.floor(self.low + u * (self.high - self.low + 1)))
        return self.low + u * (self.high - self.low)


@dataclass(frozen=True)
class Family:
    """One node family: a base machine spec (projected to the delivery year) and its knobs."""

    label: str
    base_ref: str
    base: dict
    kind: str  # cpu, gpu or accelerator: the main processor's type
    knobs: tuple[Knob, ...]


@dataclass(frozen=True)
class DesignSpace:
    year: int
    families: tuple[Family, ...]
    requirements: str  # "constraints" or "report"
    file: str

    @property
    def n_genes(self) -> int:
        return 1 + sum(len(f.knobs) for f in self.families)

    def decode(self, x) -> tuple[Family, dict]:
        """(family, knob values) of genome ``x``."""
        fam_i = min(int(float(x[0]) * len(self.families)), len(self.families) - 1)
        start = 1 + sum(len(f.knobs) for f in self.families[:fam_i])
        fam = self.families[fam_i]
        return fam, {k.name: k.decode(x[start + j]) for j, k in enumerate(fam.knobs)}


def _base_spec(ref: str, year: int, base_dir: Path) -> tuple[dict, str]:
    """The spec dict of ``ref`` at delivery ``year`` and the file it came from."""
    from archmodels.loaders import resolve_machine_path
    from archmodels.roadmap import project_machine
    from archmodels.spec import read_toml

    path = Path(ref) if ref.endswith(".toml") and not Path(ref).is_absolute() else None
    target = str(base_dir / path) if path is not None else ref
    resolved = resolve_machine_path(target)
    raw = read_toml(resolved)
    if "base" in raw:
        from archmodels.variants import expand_variant

        raw = expand_variant(raw, str(resolved))
    y0 = raw.get("year")
    if y0 is not None and y0 < year:
        raw = project_machine(target, year)
    return raw, str(resolved)


def _knob(name: str, value, where: str) -> Knob:
    from archmodels.quantities import parse_quantity

    if name not in KNOBS:
        raise InputError(f"unknown knob {name!r}; expected one of {sorted(KNOBS)}", location=where)
    if name in OPTION_KNOBS:
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise InputError(f"knob {name!r} takes a non-empty list of names, got {value!r}", location=where)
        allowed = {"topology": TOPOLOGIES, "link": LINKS}.get(name)
        if name == "memory":
            from archmodels.memtech import memory_technology

            for v in value:
                memory_technology(v)
        elif bad := [v for v in value if v not in allowed]:
            raise InputError(f"knob {name!r}: unknown {bad}; expected some of {list(allowed)}", location=where)
        return Knob(name, options=tuple(value))
    if not isinstance(value, list) or len(value) != 2:
        raise InputError(f"knob {name!r} takes a range [low, high], got {value!r}", location=where)
    if name in QUANTITY_KNOBS:
        lo, hi = (parse_quantity(str(v), QUANTITY_KNOBS[name]) for v in value)
    else:
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            raise InputError(f"knob {name!r} takes numbers [low, high], got {value!r}", location=where)
        lo, hi = float(value[0]), float(value[1])
        if name in INTEGER_KNOBS and (lo != int(lo) or hi != int(hi) or lo < 1):
            raise InputError(f"knob {name!r} takes whole numbers of at least 1, got {value!r}", location=where)
    if not (0 <= lo <= hi) or (name in RATIO_KNOBS and lo <= 0):
        raise InputError(f"knob {name!r}: expected 0 < low <= high, got {value!r}", location=where)
    return Knob(name, lo, hi)


def default_knobs(kind: str, base: dict) -> dict:
    """The knobs of a family built from a study's candidate (assumption: ranges around the base)."""
    main = base["node"]["processors"][0]
    count = int(main.get("count", 1))
    outer = main["memory"][-1].get("technology") or "ddr5"
    knobs = {"power_cap": [0.6, 1.2], "link": list(LINKS), "injection_bandwidth": [0.5, 4.0],
             "topology": list(TOPOLOGIES)}
    if outer.startswith("hbm"):
        knobs.update(memory=sorted({outer, "hbm4", "hbm4e", "hbm5"}), stacks=[4, 12])
    if kind == "cpu":
        knobs.update(devices=[1, max(2, count)], cores=[0.5, 2.0], vector_width=[0.5, 2.0], clock=[0.8, 1.25],
                     sram=["0 B", "4 GiB"])
    else:
        knobs.update(devices=[1, max(8, count)], clock=[0.8, 1.2], l2=[0.5, 4.0])
    return knobs


def load_design_space(study) -> DesignSpace:
    """The study's design space: its ``[design_space]`` (inline or a named file), else one family per candidate."""
    from archmodels.roadmap import window
    from archmodels.spec import read_toml

    raw = read_toml(study.file)
    table = raw.get("design_space")
    file = study.file
    base_dir = Path(study.file).parent
    if isinstance(table, str):
        path = (base_dir / table)
        if not path.is_file():
            raise InputError(f"design space file {table!r} not found beside the study", file=study.file,
                             location="design_space")
        file = str(path)
        table = read_toml(path).get("design_space")
        base_dir = path.parent
        if not isinstance(table, dict):
            raise InputError("expected a [design_space] table", file=file, location="design_space")
    table = dict(table or {})
    first, last = window()
    year = table.pop("year", min(max(study.start_year, first), last))
    if not isinstance(year, int) or not first <= year <= last:
        raise InputError(f"design_space.year must be a whole year in {first}..{last}, got {year!r}",
                         file=file, location="design_space.year")
    requirements = table.pop("requirements", "constraints")
    if requirements not in ("constraints", "report"):
        raise InputError(f"design_space.requirements must be 'constraints' or 'report', got {requirements!r}",
                         file=file, location="design_space.requirements")
    nodes = table.pop("node", None)
    if table:
        raise InputError(f"unknown design_space keys {sorted(table)}; expected year, requirements, node",
                         file=file, location="design_space")
    if nodes is None:
        nodes = [{"base": c.ref, "label": c.label} for c in study.candidates]
    families = []
    for i, spec in enumerate(nodes):
        where = f"design_space.node[{i}]"
        spec = dict(spec)
        ref = spec.pop("base", None)
        if not isinstance(ref, str):
            raise InputError(f"{where}.base must name a catalog machine or a machine file", file=file, location=where)
        label = spec.pop("label", Path(ref).stem)
        base, _ = _base_spec(ref, year, base_dir)
        kind = base["node"]["processors"][0]["type"]
        given = spec or default_knobs(kind, base)
        knobs = {name: _knob(name, value, f"{where}.{name}") for name, value in given.items()}
        if "network" not in base:
            knobs = {k: v for k, v in knobs.items() if k not in ("link", "topology", "injection_bandwidth")}
        families.append(Family(label, ref, base, kind, tuple(knobs[k] for k in GENE_ORDER if k in knobs)))
    if not families:
        raise InputError("the design space has no node family", file=file, location="design_space.node")
    return DesignSpace(int(year), tuple(families), requirements, file)


# ------------------------------------------------------------------------------ decoding into a spec

def _value(item) -> str:
    return item["value"] if isinstance(item, dict) else item


def quantity_si(item, kind: str) -> float:
    """A spec quantity (a string or a ``{value, source}`` table) in SI units."""
    from archmodels.quantities import parse_quantity

    return parse_quantity(str(_value(item)), kind)


def _q(value: float, unit: str) -> dict:
    return {"value": f"{float(value)!r} {unit}", "source": SOURCE_ID}


def _scale(table: dict, key: str, kind: str, unit: str, factor: float) -> None:
    if key in table:
        table[key] = _q(quantity_si(table[key], kind) * factor, unit)


def design_spec(family: Family, values: dict, name: str) -> dict:
    """The machine spec dict of one design point (the network figures at ``system.nodes`` are set
    later by :func:`with_network`, once the node count is known)."""
    from archmodels.memtech import memory_technology
    from archmodels.transforms import memory_level_figures

    raw = copy.deepcopy(family.base)
    raw["name"] = name
    raw["title"] = f"Design point of family {family.label} (base {family.base_ref} at {raw.get('year')})"
    raw["hypothetical"] = True
    node = raw["node"]
    main = node["processors"][0]
    peaks = [main.get("peak", {}), main.get("peak_matrix", {})]
    tdp = quantity_si(main["tdp"], "power_w") if "tdp" in main else None
    if "devices" in values:
        n0, n = int(main.get("count", 1)), int(values["devices"])
        for key in ("power_max", "power_idle"):
            if key in node:
                p = quantity_si(node[key], "power_w")
                node[key] = _q(p + (n - n0) * tdp if tdp is not None and key == "power_max" else p * n / n0, "W")
        main["count"] = n
    for knob, where in (("cores", peaks), ("vector_width", peaks[:1]), ("clock", peaks)):
        if knob in values:
            for table in where:
                for prec in list(table):
                    _scale(table, prec, "flop_per_s", "FLOP/s", values[knob])
    if "cores" in values and "cores" in main:
        main["cores"] = max(1, int(round(main["cores"] * values["cores"])))
    if "clock" in values and "clock" in main:
        _scale(main, "clock", "frequency_hz", "Hz", values["clock"])
    mem = main["memory"]
    if "memory" in values or "stacks" in values:
        outer = mem[-1]
        tech = values.get("memory", outer.get("technology"))
        units = values.get("stacks")
        if units is None:
            per_unit = memory_technology(tech).capacity_per_unit_bytes
            units = max(1, round(quantity_si(outer["capacity"], "bytes") / per_unit))
        cap, bw, e_bit = memory_level_figures(tech, units)
        mem[-1] = {"name": f"{tech.upper()} x{units}", "technology": tech, "capacity": _q(cap, "B"),
                   "bandwidth": _q(bw, "B/s"), "energy_per_bit": _q(e_bit, "J")}
    if "sram" in values:
        idx = [i for i, lv in enumerate(mem) if lv.get("technology") == "sram-3d"]
        size = float(values["sram"])
        if idx and size > 0:
            lv = mem[idx[0]]
            ratio = size / quantity_si(lv["capacity"], "bytes")
            lv["capacity"] = _q(size, "B")
            _scale(lv, "bandwidth", "bytes_per_s", "B/s", ratio)
        elif idx:
            del mem[idx[0]]
        elif size > 0:
            units = size / memory_technology("sram-3d").capacity_per_unit_bytes
            cap, bw, e_bit = memory_level_figures("sram-3d", units)
            mem.insert(len(mem) - 1, {"name": "SRAM-3D", "technology": "sram-3d", "capacity": _q(cap, "B"),
                                      "bandwidth": _q(bw, "B/s"), "energy_per_bit": _q(e_bit, "J")})
    if "l2" in values and len(mem) > 1:
        _scale(mem[0], "capacity", "bytes", "B", values["l2"])
    if "power_cap" in values:
        cap_w = quantity_si(node["power_max"], "power_w") * values["power_cap"]
        node["power_max"] = _q(cap_w, "W")
        procs = node["processors"]
        if cap_w < sum(quantity_si(p["tdp"], "power_w") * p.get("count", 1) for p in procs if "tdp" in p):
            for p in procs:
                p.pop("tdp", None)
        if "power_idle" in node and quantity_si(node["power_idle"], "power_w") > cap_w:
            del node["power_idle"]
    net = raw.get("network")
    if net is not None:
        if "injection_bandwidth" in values:
            _scale(net, "injection_bandwidth", "bytes_per_s", "B/s", values["injection_bandwidth"])
        if "topology" in values and values["topology"] != net["topology"]:
            net["topology"] = values["topology"]
            for key in ("levels", "dimensions"):
                net.pop(key, None)
    if "nodes" in values:
        raw.setdefault("system", {})["nodes"] = int(values["nodes"])
    text = ", ".join(f"{k} = {v!r}" for k, v in values.items())
    raw.setdefault("sources", {})[SOURCE_ID] = {
        "title": (f"Design point of fs.design_space, family {family.label!r} (base {family.base_ref} projected to "
                  f"{raw.get('year')} by archmodels.roadmap where older): {text}. Figures derived from the base's "
                  "cited values and archmodels' cited memory and link tables; the design itself is an assumption")}
    return raw


def with_network(raw: dict, link: str | None, nodes: int) -> tuple[dict, float]:
    """``raw`` at ``nodes`` nodes with its links rebuilt in ``link`` (None: kept), and the reach
    shortfall (cable needed over the technology's reach, minus 1; <= 0 when it reaches)."""
    from archmodels.links import link_technology
    from archmodels.transforms import link_swap_figures, longest_cable_m

    raw = copy.deepcopy(raw)
    raw.setdefault("system", {})["nodes"] = int(nodes)
    net = raw.get("network")
    if net is None or link is None:
        return raw, -1.0
    shortfall = longest_cable_m(nodes) / link_technology(link).reach_m - 1.0
    if shortfall > 0:
        return raw, shortfall
    inj = quantity_si(net["injection_bandwidth"], "bytes_per_s")
    e_bit, static = link_swap_figures(link, net["topology"], int(nodes), inj, net.get("dimensions"))
    net.update(technology=link, energy_per_bit=_q(e_bit, "J"), link_static_power=_q(static, "W"))
    return raw, shortfall


def machine_of(raw: dict, file: str | None = None):
    """The archmodels Machine of a spec dict (validated as a machine file is)."""
    from archmodels.machine import machine_from_spec
    from archmodels.spec import validate_machine_dict

    return machine_from_spec(validate_machine_dict(raw, file), file)
