"""Machine and workload descriptions for people and for JSON: every quantity with its text and
source, and the validation of spec files with every problem reported."""

from __future__ import annotations

from archmodels.errors import InputError, SpecError
from archmodels.loaders import load_machine
from archmodels.spec import read_toml, validate_machine_dict


def describe_machine(ref: str) -> dict:
    """A JSON-ready description of a machine: headline figures, quantities with sources, sources."""
    m = load_machine(ref)
    quantities = []
    for field_path, (text, source_id) in m.provenance.items():
        src = m.sources.get(source_id) if source_id else None
        quantities.append({"field": field_path, "text": text, "source": source_id,
                           "source_title": src.title if src else None})
    processors = []
    for p in m.node.processors:
        processors.append({
            "name": p.name, "type": p.type, "count": p.count, "cores": p.cores, "clock_hz": p.clock_hz,
            "tdp_w": p.tdp_w, "peak_flop_per_s": dict(p.peak_flop_per_s),
            "peak_matrix_flop_per_s": dict(p.peak_matrix_flop_per_s),
            "memory": [{"name": lv.name, "technology": lv.technology, "capacity_bytes": lv.capacity_bytes,
                        "bandwidth_bytes_per_s": lv.bandwidth_bytes_per_s,
                        "energy_per_bit_j": lv.energy_per_bit_j, "latency_s": lv.latency_s,
                        "measured": lv.measured} for lv in p.memory]})
    net = m.network
    return {
        "name": m.name, "title": m.title, "year": m.year, "nodes": m.nodes, "hypothetical": m.hypothetical,
        "site": m.site, "file": m.path, "node": {"power_max_w": m.node.power_max_w, "power_idle_w": m.node.power_idle_w,
                                 "memory_bytes": m.node.memory_bytes,
                                 "memory_bandwidth_bytes_per_s": m.node.memory_bandwidth_bytes_per_s,
                                 "processors": processors},
        "network": None if net is None else {
            "name": net.name, "topology": net.topology, "dimensions": net.dimensions, "levels": net.levels,
            "technology": net.technology, "injection_bandwidth_bytes_per_s": net.injection_bandwidth_bytes_per_s,
            "latency_s": net.latency_s, "energy_per_bit_j": net.energy_per_bit_j,
            "link_static_power_w": net.link_static_power_w},
        "quantities": quantities,
        "sources": {k: {"title": s.title, "url": s.url, "note": s.note} for k, s in m.sources.items()},
    }


def validate_files(files: list[str]) -> list[dict]:
    """Validate machine spec files; one result per file with every problem (path, message)."""
    results = []
    for f in files:
        try:
            raw = read_toml(f)
            if "base" in raw:  # a variant: expanded (and validated) first, problems named by change
                from archmodels.variants import expand_variant

                raw = expand_variant(raw, f)
            spec = validate_machine_dict(raw, f)
            results.append({"file": f, "ok": True, "name": spec.name, "problems": []})
        except SpecError as err:
            results.append({"file": f, "ok": False, "name": None,
                            "problems": [{"path": p, "message": msg} for p, msg in err.problems]})
        except InputError as err:
            results.append({"file": f, "ok": False, "name": None,
                            "problems": [{"path": err.location or "", "message": err.detail}]})
    return results


#: Workload fields that name the file rather than state a number: shown without a source.
_IDENTITY_FIELDS = frozenset({"schema", "name", "title", "source", "notes"})


def _comment_of(line: str) -> str | None:
    """The ``# comment`` ending a TOML line, ignoring ``#`` inside quoted strings."""
    quote = None
    escaped = False
    for i, ch in enumerate(line):
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\" and quote == '"':
                escaped = True
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return line[i + 1:].strip() or None
    return None


def _inline_comments(text: str) -> dict[str, str]:
    """Field path (``traffic[1].bytes_per_unit``) -> the comment written beside its value."""
    comments: dict[str, str] = {}
    counts: dict[str, int] = {}
    prefix = ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("[["):
            table = stripped[2:stripped.index("]]")].strip()
            counts[table] = counts.get(table, -1) + 1
            prefix = f"{table}[{counts[table]}]."
        elif stripped.startswith("["):
            prefix = stripped[1:stripped.index("]")].strip() + "."
        elif "=" in stripped and not stripped.startswith("#"):
            key = stripped.split("=", 1)[0].strip()
            comment = _comment_of(stripped.split("=", 1)[1])
            if comment:
                comments[prefix + key] = comment
    return comments


def _toml_text(value) -> str:
    """A TOML scalar as a person reads it: ``true``, ``134217728``, ``1.4e+10``, ``0.008``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def _spec_attribute(model, key: str):
    """The validated value of raw TOML key ``key`` (by alias) on a pydantic spec model."""
    for name, info in type(model).model_fields.items():
        if (info.alias or name) == key:
            return getattr(model, name)
    raise KeyError(key)


def describe_workload(ref: str) -> dict:
    """A JSON-ready description of a workload: every field as written, its SI value, its source.

    A field's source is its own (a quantity table ``{ value, source }``) or the file's default
    ``source``; ``note`` is the comment written beside the value in the file (its derivation).
    """
    from pathlib import Path

    from archmodels.spec import SpecQuantity
    from archmodels.workload import load_workload, validate_workload_dict

    w = load_workload(ref)
    path = Path(w.path)
    raw = read_toml(path)
    spec = validate_workload_dict(raw, str(path))
    comments = _inline_comments(path.read_text(encoding="utf-8"))
    default = raw.get("source")
    sources = {k: {"title": s.title, "url": s.url, "note": s.note} for k, s in spec.sources.items()}
    fields = []

    def add(field_path: str, raw_value, value) -> None:
        if isinstance(value, SpecQuantity):
            text, si_value, source = value.text, value.value, value.source or default
        else:
            text = _toml_text(raw_value)
            si_value, source = value, default
        if field_path in _IDENTITY_FIELDS:
            source = None
        fields.append({"field": field_path, "text": text, "value": si_value, "source": source,
                       "source_title": sources[source]["title"] if source in sources else None,
                       "note": comments.get(field_path)})

    for key, raw_value in raw.items():
        if key == "sources":
            continue
        value = _spec_attribute(spec, key)
        if isinstance(raw_value, list):
            for i, (raw_item, item) in enumerate(zip(raw_value, value)):
                for sub_key, sub_raw in raw_item.items():
                    add(f"{key}[{i}].{sub_key}", sub_raw, _spec_attribute(item, sub_key))
        else:
            add(key, raw_value, value)
    return {"name": w.name, "title": w.title, "class": w.workload_class, "precision": w.precision,
            "unit": w.unit, "file": str(path), "source": default, "fields": fields, "sources": sources}
