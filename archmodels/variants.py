"""Variants: a candidate machine written as a base machine plus changes (format in ``docs/variants.md``).

A variant file has a top-level ``base`` (a catalog name, or a path relative to the variant file) and a
list of ``[[change]]`` tables, each of one kind:

* ``set = "<field path>"``, ``value = ...`` — replace one field of the base spec. Paths are dotted, and
  list items are picked by name or index: ``node.processors[A64FX].memory[HBM2].bandwidth``.
  Two fields are *technology swaps* that bring their numbers from a cited table:

  - ``...memory[X].technology`` — the memory keeps its number of units (stacks, channels; or ``units``,
    or ``capacity``, given in the change) and takes capacity, bandwidth and energy per bit from
    :mod:`archmodels.memtech`: ``C = u·c``, ``B = u·b`` (⌈C/c⌉ units when ``capacity`` is given);
  - ``network.technology`` — per-node static link power and energy per injected bit from the link
    table of :mod:`archmodels.links` for the machine's topology and size:
    ``P_static = Σ_links P_link / N`` and ``e_inj = P_dyn(u=1) / (8·N·B_inj)`` (every link of the
    network in the new technology);

* ``add_memory = "node.processors[P]"`` with ``name``, ``technology``, ``capacity`` (and optionally
  ``bandwidth``, ``energy_per_bit``, ``above``) — insert a level above the outermost memory (or above
  the level named by ``above``); missing bandwidth and energy come from :mod:`archmodels.memtech`;
* ``remove = "<path of a list item>"`` — drop a memory level, processor or link;
* ``power_cap = "1500 W"`` — set ``node.power_max``; when the cap is below the processors' summed TDP,
  their TDPs are dropped so that :mod:`archmodels.power` shares the cap among them, and the cap then
  limits their FLOP rate (the same rule as :func:`archmodels.transforms.cap_power`).

Every number a change sets must name a source: the change's ``source``, or the variant's top-level
``source`` (the default for its changes only — the base's numbers keep the base's sources). The
variant's ``[sources]`` are merged over the base's. Each applied change is recorded, with its source,
in the expanded machine's ``notes``.

The result is a complete machine dict (schema ``fs-workbench/machine/1``), validated here; problems
are reported as :class:`~archmodels.errors.SpecError` naming the variant file and ``change[i]``.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from archmodels.errors import InputError, SpecError, validation_problems
from archmodels.quantities import QuantityError, parse, parse_quantity
from archmodels.spec import SourceSpec, read_toml, validate_machine_dict

VARIANT_SCHEMA = "fs-workbench/variant/1"

_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[([^\]]+)\])?")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChangeSpec(_Strict):
    set: str | None = None
    value: bool | int | float | str | None = None
    add_memory: str | None = None
    remove: str | None = None
    power_cap: str | None = None
    name: str | None = None
    technology: str | None = None
    capacity: str | None = None
    bandwidth: str | None = None
    energy_per_bit: str | None = None
    latency: str | None = None
    above: str | None = None
    units: int | None = Field(default=None, gt=0)
    source: str | None = None
    note: str | None = None


class VariantSpec(_Strict):
    schema_: Literal["fs-workbench/variant/1"] = Field(default=VARIANT_SCHEMA, alias="schema")
    base: str = Field(min_length=1)
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    title: str
    year: int | None = None
    hypothetical: bool = True
    notes: str | None = None
    source: str | None = None
    sources: dict[str, SourceSpec] = {}
    change: list[ChangeSpec] = Field(min_length=1)


class _ChangeError(Exception):
    """A problem with one change: (field inside the change, message)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


# ------------------------------------------------------------------------------------- field paths

def parse_path(path: str) -> list[tuple[str, str | None]]:
    """Split ``node.processors[A64FX].memory[0].capacity`` into (key, selector) segments."""
    parts, pos = [], 0
    while True:
        m = _SEGMENT.match(path, pos)
        if not m:
            raise _ChangeError("", f"cannot read the field path {path!r} at {path[pos:]!r} "
                                   "(expected key, key[name] or key[index] joined by dots)")
        parts.append((m.group(1), m.group(2)))
        pos = m.end()
        if pos == len(path):
            return parts
        if path[pos] != ".":
            raise _ChangeError("", f"cannot read the field path {path!r} at {path[pos:]!r}")
        pos += 1


def _select(items: Any, selector: str, where: str) -> int:
    if not isinstance(items, list):
        raise _ChangeError("", f"{where} is not a list, so [{selector}] cannot select from it")
    if re.fullmatch(r"-?\d+", selector):
        idx = int(selector)
        if not -len(items) <= idx < len(items):
            raise _ChangeError("", f"{where}[{selector}]: index out of range ({len(items)} items)")
        return idx % len(items)
    names = [it.get("name") if isinstance(it, dict) else None for it in items]
    hits = [i for i, n in enumerate(names) if n == selector]
    if len(hits) != 1:
        raise _ChangeError("", f"{where} has no item named {selector!r} (have {[n for n in names if n]})")
    return hits[0]


def _walk(raw: dict, parts: list[tuple[str, str | None]]) -> tuple[Any, str]:
    """Follow ``parts``; return (object reached, its path with indices)."""
    node: Any = raw
    where = ""
    for key, sel in parts:
        if not isinstance(node, dict) or key not in node:
            have = sorted(node) if isinstance(node, dict) else []
            raise _ChangeError("", f"{(where + '.' if where else '') + key}: no such field in the base (have {have})")
        where = f"{where}.{key}" if where else key
        node = node[key]
        if sel is not None:
            idx = _select(node, sel, where)
            node = node[idx]
            where = f"{where}[{idx}]"
    return node, where


def _quantity_text(item: Any) -> str | None:
    if isinstance(item, dict):
        item = item.get("value")
    return item if isinstance(item, str) else None


def _is_quantity(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        _, dim = parse(value)
    except QuantityError:
        return False
    return any(dim)


def _si(item: Any, kind: str, field: str) -> float:
    try:
        return parse_quantity(_quantity_text(item), kind)
    except QuantityError as err:
        raise _ChangeError(field, str(err)) from None


def _text(value: float, kind: str) -> str:
    """A quantity string that parses back to ``value`` exactly (binary prefixes for whole sizes)."""
    if kind == "bytes":
        for unit, scale in (("GiB", 2.0**30), ("MiB", 2.0**20), ("KiB", 2.0**10)):
            if value >= scale and value % scale == 0:
                return f"{value / scale:.12g} {unit}"
        return f"{value:.12g} B"
    unit, scale = {"bytes_per_s": ("GB/s", 1e9), "energy_j": ("pJ", 1e-12), "power_w": ("W", 1.0)}[kind]
    return f"{value / scale:.12g} {unit}"


# ----------------------------------------------------------------------------------- the expansion

class _Expansion:
    def __init__(self, raw: dict, sources: dict, default_source: str | None):
        self.raw = raw
        self.sources = sources
        self.default_source = default_source
        self.log: list[tuple[int, str]] = []
        self.touched: list[tuple[str, int]] = []
        self.link_swap: tuple[int, str, str] | None = None

    def source_for(self, change: ChangeSpec) -> str:
        sid = change.source or self.default_source
        if sid is None:
            raise _ChangeError("source", "a change that sets a number must name a `source` "
                                         "(or give the variant a top-level `source`)")
        if sid not in self.sources:
            raise _ChangeError("source", f"source {sid!r} is not defined in [sources] of the variant or its base")
        return sid

    def table_source(self, sid: str, title: str) -> str:
        self.sources.setdefault(sid, {"title": title})
        return sid

    def record(self, index: int, where: str, text: str, sid: str | None) -> None:
        self.touched.append((where, index))
        self.log.append((index, f"change[{index}]: {text}" + (f" (source: {sid})" if sid else "")))

    # --- kinds ---------------------------------------------------------------------------------
    def apply(self, index: int, ch: ChangeSpec) -> None:
        kinds = [k for k in ("set", "add_memory", "remove", "power_cap") if getattr(ch, k) is not None]
        if len(kinds) != 1:
            raise _ChangeError("", "a change needs exactly one of `set`, `add_memory`, `remove`, `power_cap`"
                                   + (f" (got {kinds})" if kinds else ""))
        getattr(self, f"_{kinds[0]}")(index, ch)

    def _set(self, index: int, ch: ChangeSpec) -> None:
        if ch.value is None:
            raise _ChangeError("value", "`set` needs a `value`")
        parts = parse_path(ch.set)
        key, sel = parts[-1]
        if sel is not None:
            raise _ChangeError("set", "`set` replaces a field; to drop a list item use `remove`")
        parent, where = _walk(self.raw, parts[:-1])
        if not isinstance(parent, dict):
            raise _ChangeError("set", f"{where} is not a table")
        where = f"{where}.{key}" if where else key
        if key == "technology" and len(parts) >= 2 and parts[-2][0] == "memory":
            self._swap_memory(index, ch, parent, where)
            return
        if where == "network.technology":
            parent[key] = ch.value
            self.link_swap = (index, where, str(ch.value))
            self.touched.append((where, index))
            return
        extras = [f for f in ("units", "capacity", "name", "technology", "bandwidth", "energy_per_bit",
                              "latency", "above") if getattr(ch, f) is not None]
        if extras:
            raise _ChangeError(extras[0], f"`{extras[0]}` is not used by a plain `set` of {where}")
        numeric = _is_quantity(ch.value) or (isinstance(ch.value, (int, float)) and not isinstance(ch.value, bool))
        sid = self.source_for(ch) if numeric else ch.source
        if sid is not None and sid not in self.sources:
            raise _ChangeError("source", f"source {sid!r} is not defined in [sources]")
        parent[key] = {"value": ch.value, "source": sid} if _is_quantity(ch.value) else ch.value
        self.record(index, where, f"{where} = {ch.value!r}", sid)

    def _swap_memory(self, index: int, ch: ChangeSpec, level: dict, where: str) -> None:
        from archmodels.memtech import memory_technology, units_for_capacity

        try:
            new = memory_technology(str(ch.value))
        except InputError as err:
            raise _ChangeError("value", err.detail) from None
        if ch.units is not None and ch.capacity is not None:
            raise _ChangeError("units", "give `units` or `capacity`, not both")
        if ch.capacity is not None:
            capacity = _si(ch.capacity, "bytes", "capacity")
            units = units_for_capacity(capacity, new.capacity_per_unit_bytes)
            cap_source = self.source_for(ch)
        else:
            if ch.units is not None:
                units = ch.units
            else:
                old = level.get("technology")
                try:
                    old_tech = memory_technology(old) if old else None
                except InputError:
                    old_tech = None
                if old_tech is None:
                    raise _ChangeError("units", f"the base level's technology {old!r} is not in the memory "
                                                "table, so its unit count is unknown: give `units` or `capacity`")
                units = units_for_capacity(_si(level["capacity"], "bytes", "set"), old_tech.capacity_per_unit_bytes)
            capacity = None
            cap_source = None
        from archmodels.transforms import memory_level_figures

        unit_capacity, bandwidth, e_bit = memory_level_figures(new.name, units)
        capacity = unit_capacity if capacity is None else capacity
        tid = self.table_source(f"memtech-{new.name}", "archmodels memory technology table "
                                f"(archmodels/data/memory_technologies.toml), {new.title}: "
                                + "; ".join(f"{f}: {t}" for f, t in new.sources))
        old_name, old_tech_name = level.get("name", ""), level.get("technology")
        if old_tech_name and str(old_name).lower() == str(old_tech_name).lower():
            level["name"] = new.name.upper()
        level["technology"] = new.name
        level["capacity"] = {"value": _text(capacity, "bytes"), "source": cap_source or tid}
        level["bandwidth"] = {"value": _text(bandwidth, "bytes_per_s"),
                              "source": tid}
        level["energy_per_bit"] = {"value": _text(e_bit, "energy_j"), "source": tid}
        for stale in ("latency", "measured"):  # properties of the old part, not of the new technology
            level.pop(stale, None)
        self.record(index, where.rsplit(".", 1)[0],
                    f"{where} = {new.name!r}: {units} {new.unit}(s), {level['capacity']['value']}, "
                    f"{level['bandwidth']['value']}, {level['energy_per_bit']['value']}/bit", cap_source or tid)

    def _add_memory(self, index: int, ch: ChangeSpec) -> None:
        from archmodels.memtech import memory_technology, units_for_capacity

        proc, where = _walk(self.raw, parse_path(ch.add_memory))
        if not isinstance(proc, dict) or "memory" not in proc:
            raise _ChangeError("add_memory", f"{where} is not a processor (it has no memory list)")
        for f in ("name", "technology", "capacity"):
            if getattr(ch, f) is None:
                raise _ChangeError(f, f"`add_memory` needs `{f}`")
        if ch.value is not None or ch.units is not None:
            raise _ChangeError("value" if ch.value is not None else "units", "not used by `add_memory`")
        levels = proc["memory"]
        if any(lv.get("name") == ch.name for lv in levels):
            raise _ChangeError("name", f"{where} already has a memory level named {ch.name!r}")
        pos = len(levels) - 1 if ch.above is None else _select(levels, ch.above, f"{where}.memory")
        try:
            tech = memory_technology(ch.technology)
        except InputError as err:
            raise _ChangeError("technology", err.detail) from None
        sid = self.source_for(ch)
        tid = self.table_source(f"memtech-{tech.name}", "archmodels memory technology table "
                                f"(archmodels/data/memory_technologies.toml), {tech.title}: "
                                + "; ".join(f"{f}: {t}" for f, t in tech.sources))
        capacity = _si(ch.capacity, "bytes", "capacity")
        level: dict = {"name": ch.name, "technology": tech.name, "capacity": {"value": ch.capacity, "source": sid}}
        if ch.bandwidth is not None:
            _si(ch.bandwidth, "bytes_per_s", "bandwidth")
            level["bandwidth"] = {"value": ch.bandwidth, "source": sid}
        else:
            units = units_for_capacity(capacity, tech.capacity_per_unit_bytes)
            from archmodels.transforms import memory_level_figures

            level["bandwidth"] = {"value": _text(memory_level_figures(tech.name, units)[1], "bytes_per_s"),
                                  "source": tid}
        if ch.energy_per_bit is not None:
            _si(ch.energy_per_bit, "energy_j", "energy_per_bit")
            level["energy_per_bit"] = {"value": ch.energy_per_bit, "source": sid}
        else:
            level["energy_per_bit"] = {"value": _text(tech.energy_per_bit_j, "energy_j"), "source": tid}
        if ch.latency is not None:
            _si(ch.latency, "time_s", "latency")
            level["latency"] = {"value": ch.latency, "source": sid}
        levels.insert(pos, level)
        self.record(index, f"{where}.memory[{pos}]",
                    f"add {ch.name} ({tech.name}, {ch.capacity}, {level['bandwidth']['value']}) to {where} "
                    f"above {levels[pos + 1].get('name')}", sid)

    def _remove(self, index: int, ch: ChangeSpec) -> None:
        parts = parse_path(ch.remove)
        key, sel = parts[-1]
        if sel is None:
            raise _ChangeError("remove", "`remove` drops a list item: end the path with [name] or [index]")
        parent, where = _walk(self.raw, parts[:-1])
        items = parent.get(key) if isinstance(parent, dict) else None
        where = f"{where}.{key}" if where else key
        idx = _select(items, sel, where)
        dropped = items.pop(idx)
        self.record(index, where, f"remove {where}[{idx}] ({dropped.get('name')})", ch.source)

    def _power_cap(self, index: int, ch: ChangeSpec) -> None:
        cap = _si(ch.power_cap, "power_w", "power_cap")
        sid = self.source_for(ch)
        node = self.raw["node"]
        tdp_total = sum(_si(p["tdp"], "power_w", "power_cap") * p.get("count", 1)
                        for p in node["processors"] if "tdp" in p)
        node["power_max"] = {"value": ch.power_cap, "source": sid}
        if "power_idle" in node and _si(node["power_idle"], "power_w", "power_cap") > cap:
            del node["power_idle"]  # an idle power above the cap no longer describes the node
        dropped = []
        if cap < tdp_total:
            for p in node["processors"]:
                if p.pop("tdp", None) is not None:
                    dropped.append(p["name"])
        self.record(index, "node.power_max", f"node power cap {ch.power_cap}"
                    + (f" (below the summed TDP {_text(tdp_total, 'power_w')}: the cap is shared by "
                       f"{', '.join(dropped)})" if dropped else ""), sid)

    def finish_link_swap(self) -> None:
        if self.link_swap is None:
            return
        from archmodels.links import link_technology
        from archmodels.transforms import link_swap_figures

        index, where, name = self.link_swap
        net = self.raw.get("network")
        try:
            tech = link_technology(name)
            nodes = int(self.raw["system"]["nodes"])
            inj = _si(net["injection_bandwidth"], "bytes_per_s", "set")
            e_inj, static = link_swap_figures(tech.name, net["topology"], nodes, inj, net.get("dimensions"))
        except InputError as err:
            raise _ChangeError("value", err.detail) from None
        tid = self.table_source(f"linktech-{tech.name}", "archmodels link technology table "
                                f"(archmodels/data/link_technologies.toml), {tech.title}: "
                                + "; ".join(f"{f}: {t}" for f, t in tech.sources))
        net["energy_per_bit"] = {"value": f"{e_inj * 1e12:.4g} pJ", "source": tid}
        net["link_static_power"] = {"value": f"{static:.4g} W", "source": tid}
        self.record(index, "network", f"{where} = {name!r}: {net['energy_per_bit']['value']} per injected bit, "
                    f"{net['link_static_power']['value']} static link power per node ({net['topology']}, {nodes} nodes)", tid)


def _read_base(ref: str, variant_path: Path, seen: tuple[str, ...]) -> tuple[dict, str]:
    from archmodels.loaders import is_path_reference, resolve_machine_path

    path = (variant_path.parent / ref) if is_path_reference(ref) else resolve_machine_path(ref)
    key = str(path.resolve())
    if key in seen:
        raise SpecError(str(variant_path), [("base", f"variants form a cycle: {' -> '.join(seen + (key,))}")])
    if not path.is_file():
        raise SpecError(str(variant_path), [("base", f"base machine {ref!r} not found (looked for {path})")])
    raw = read_toml(path)
    if "base" in raw:
        raw = _expand(raw, path, seen + (key,))
    return raw, str(path)


def expand_variant(raw: dict, path: str) -> dict:
    """Expand a variant (base machine plus changes) into a complete, validated machine dict.

    Parameters
    ----------
    raw : dict
        The variant file as read from TOML (it has a top-level ``base``).
    path : str
        The variant file; a relative ``base`` path is resolved against its folder.

    Returns
    -------
    dict
        A machine spec dict (schema ``fs-workbench/machine/1``) in the catalog's format.

    Raises
    ------
    archmodels.errors.SpecError
        Naming the variant file and ``change[i].<field>`` for a bad change, or ``base`` for a base
        that cannot be found.
    """
    return _expand(raw, Path(path), (str(Path(path).resolve()),))


def _expand(raw: dict, path: Path, seen: tuple[str, ...]) -> dict:
    file = str(path)
    try:
        spec = VariantSpec.model_validate(raw)
    except ValidationError as err:
        raise SpecError(file, validation_problems(err)) from None
    base, base_file = _read_base(spec.base, path, seen)
    out = copy.deepcopy(base)
    sources = dict(out.get("sources", {}))
    sources.update({k: s.model_dump(exclude_none=True) for k, s in spec.sources.items()})
    if spec.source is not None and spec.source not in sources:
        raise SpecError(file, [("source", f"source {spec.source!r} is not defined in [sources]")])
    exp = _Expansion(out, sources, spec.source)
    problems = []
    for i, ch in enumerate(spec.change):
        try:
            exp.apply(i, ch)
        except _ChangeError as err:
            problems.append((f"change[{i}]" + (f".{err.field}" if err.field else ""), err.message))
    if not problems and exp.link_swap is not None:
        try:
            exp.finish_link_swap()
        except _ChangeError as err:
            problems.append((f"change[{exp.link_swap[0]}].{err.field}", err.message))
    if problems:
        raise SpecError(file, problems)
    out["schema"] = "fs-workbench/machine/1"
    out["name"] = spec.name
    out["title"] = spec.title
    if spec.year is not None:
        out["year"] = spec.year
    out["hypothetical"] = spec.hypothetical
    out["sources"] = sources
    head = spec.notes or f"Variant of {base.get('name', spec.base)}."
    log = "; ".join(text for _, text in sorted(exp.log))
    out["notes"] = (head + f" Base: {spec.base} ({Path(base_file).name}). Changes: {log}."
                    + (f" Base notes: {base['notes']}" if base.get("notes") else ""))
    try:
        validate_machine_dict(out, file)
    except SpecError as err:
        raise SpecError(file, [(_blame(p, exp.touched), msg) for p, msg in err.problems]) from None
    return out


def _blame(field_path: str, touched: list[tuple[str, int]]) -> str:
    """Name the change that produced a field the machine schema refused."""
    for where, index in reversed(touched):
        if field_path == where or field_path.startswith(where + ".") or field_path.startswith(where + "["):
            return f"change[{index}] ({field_path})"
    return f"(after the changes) {field_path}"


# ------------------------------------------------------------------------- one knob, many values

def capacity_sweep(machine, workloads, capacities_bytes, level: str = "SRAM-3D", nodes: int = 1):
    """Predicted time of each workload as the capacity of one memory level varies.

    Parameters
    ----------
    machine : Machine or str
        A machine with a memory level named ``level`` (e.g. a stacked-SRAM candidate).
    workloads : iterable of str
        Portfolio names.
    capacities_bytes : iterable of float
        Capacities of the level per processor [B].
    level : str
        Memory level to vary.
    nodes : int
        Node count of each prediction [-].

    Returns
    -------
    pandas.DataFrame
        ``machine, workload, capacity_bytes, time_s, energy_j, bound, relative_time`` (time over the
        time at the smallest capacity [-]).
    """
    import pandas as pd

    from archmodels.prediction import predict

    caps = sorted(float(c) for c in capacities_bytes)
    from archmodels.loaders import load_machine
    from archmodels.transforms import set_level_capacity

    base = load_machine(machine)
    machines = [set_level_capacity(base, level, c) for c in caps]
    rows = []
    for wl in workloads:
        first = None
        for c, m in zip(caps, machines):
            p = predict(m, wl, nodes=nodes)
            first = p.time_s if first is None else first
            rows.append({"machine": m.name, "workload": p.workload, "capacity_bytes": c, "time_s": p.time_s,
                         "energy_j": p.energy_j, "bound": p.bound, "relative_time": p.time_s / first})
    return pd.DataFrame(rows)
