"""Machine descriptions for people and for JSON: every quantity with its text and source, and the
validation of spec files with every problem reported."""

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
        "file": m.path, "node": {"power_max_w": m.node.power_max_w, "power_idle_w": m.node.power_idle_w,
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
