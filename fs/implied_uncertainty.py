"""Default spreads on a hypothetical candidate's assumptions, so that the winner's own guesses are tested.

A machine file gives every number a source; a guess points at a source labelled an assumption
(:func:`is_assumption`: its id or its title begins with "assumption", docs/catalog.md). For every
machine of a study flagged ``hypothetical = true`` (a candidate or the reference), each such value
that a study multiplier can scale gets a default uncertainty, a multiplier drawn from the stated
distribution of ``fs/data/defaults.toml [uncertainty_defaults] assumption`` (triangular 0.8, 1.0,
1.2: an assumption is taken to be good to about ±20 %, itself an assumption, source
``assumption-spread``), on a target that names that machine's part alone
(:func:`archmodels.transforms.split_selector`):

=================================================  ===========================================
value (machine file field)                          target
=================================================  ===========================================
a processor's ``peak`` / ``peak_matrix`` (any)      ``processor:<machine>/<processor>:peak``
a processor's ``tdp``                               ``processor:<machine>/<processor>:tdp``
a memory level's ``bandwidth``, ``capacity``,       ``memory:<machine>/<processor>/<level>:<parameter>``
``energy_per_bit``, ``latency``
the network's ``injection_bandwidth``, ``latency``,  ``network:<machine>/*:bandwidth|latency|energy_per_bit|link_static_power``
``energy_per_bit``, ``link_static_power``
the node's ``power_max`` or ``power_idle``          ``node:<machine>:power``
a storage tier's ``read_bandwidth`` or              ``storage:<machine>:bandwidth``
``write_bandwidth``
=================================================  ===========================================

A processor's peaks scale together (one multiplier for all its precisions: they come from one
assumed design). Values no multiplier scales (clock, core count, in-node links, storage capacity
and power) get none. A study's own ``[[uncertainty]]`` of the same kind and parameter whose
selector picks the same part replaces the default (:func:`covered`). A shipping machine
(not hypothetical) gets none, whatever its sources say.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from archmodels.transforms import selector_matches, split_selector, system_names

#: ``Uncertainty.source`` of these defaults (the report's uncertainty-inputs table).
SOURCE = "implied (assumption)"

#: Memory-level fields and the ``memory:`` parameter that scales each.
_MEMORY = {"bandwidth": "bandwidth", "capacity": "capacity", "energy_per_bit": "energy_per_bit", "latency": "latency"}
#: Network fields and the ``network:`` parameter that scales each.
_NETWORK = {"injection_bandwidth": "bandwidth", "latency": "latency", "energy_per_bit": "energy_per_bit",
            "link_static_power": "link_static_power"}


def is_assumption(machine, field_path: str) -> bool:
    """Whether a machine file's value at ``field_path`` traces to a source labelled an assumption:
    its id or its title begins with "assumption" (case-insensitive)."""
    entry = machine.provenance.get(field_path)
    if entry is None or entry[1] is None:
        return False
    source = machine.sources.get(entry[1])
    title = getattr(source, "title", "") or ""
    return entry[1].lower().startswith("assumption") or title.lower().startswith("assumption")


def assumed_values(machine) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """The scalable assumption-labelled values of ``machine`` (hypothetical or not) as
    ``(target, part names, field paths)``, in machine-file order, one per target (module docstring).

    ``part names`` are the processor and level (or network) names the target picks; ``field paths``
    the machine-file values it scales that are assumptions.
    """
    name = machine.name
    out: dict[str, tuple[tuple[str, ...], list[str]]] = {}

    def add(target: str, parts: tuple[str, ...], path: str) -> None:
        if is_assumption(machine, path):
            out.setdefault(target, (parts, []))[1].append(path)

    for key in ("power_max", "power_idle"):
        add(f"node:{name}:power", (), f"node.{key}")
    for i, p in enumerate(machine.node.processors):
        base = f"node.processors[{i}]"
        for table, peaks in (("peak", p.peak_flop_per_s), ("peak_matrix", p.peak_matrix_flop_per_s)):
            for prec in peaks:
                add(f"processor:{name}/{p.name}:peak", (p.name,), f"{base}.{table}.{prec}")
        add(f"processor:{name}/{p.name}:tdp", (p.name,), f"{base}.tdp")
        for j, lv in enumerate(p.memory):
            for key, parameter in _MEMORY.items():
                add(f"memory:{name}/{p.name}/{lv.name}:{parameter}", (p.name, lv.name), f"{base}.memory[{j}].{key}")
    if machine.network is not None:
        for key, parameter in _NETWORK.items():
            add(f"network:{name}/*:{parameter}", (machine.network.name,), f"network.{key}")
    if machine.storage is not None:
        for i, _ in enumerate(machine.storage.tiers):
            for key in ("read_bandwidth", "write_bandwidth"):
                add(f"storage:{name}:bandwidth", (), f"storage.tiers[{i}].{key}")
    return [(t, parts, tuple(paths)) for t, (parts, paths) in out.items()]


def covered(target: str, machine, labels: Sequence[str], parts: tuple[str, ...], explicit: Iterable) -> bool:
    """Whether one of the study's own uncertainties (``explicit``, :class:`fs.study.Uncertainty`)
    scales the value ``target`` scales: same kind and parameter, its selector picking the same part
    of ``machine`` (machine kinds, :func:`archmodels.transforms.split_selector`) or the same system
    (``node``, ``storage``: a label of ``labels``, the machine's name, a processor name or type)."""
    kind, _, parameter = target.split(":")
    for u in explicit:
        if u.kind != kind or u.parameter != parameter:
            continue
        if kind in ("node", "storage"):
            if selector_matches(u.selector, *labels, *system_names(machine)):
                return True
            continue
        machine_sel, proc_sel, part = split_selector(kind, u.selector)
        if not selector_matches(machine_sel, machine.name):
            continue
        if kind == "processor":
            p = next(x for x in machine.node.processors if x.name == parts[0])
            hit = selector_matches(part, p.name, p.type)
        elif kind == "memory":
            p = next(x for x in machine.node.processors if x.name == parts[0])
            lv = next(x for x in p.memory if x.name == parts[1])
            hit = selector_matches(proc_sel, p.name, p.type) and selector_matches(part, lv.technology, lv.name)
        else:  # network
            hit = selector_matches(part, machine.network.technology, machine.network.name)
        if hit:
            return True
    return False


def implied_uncertainties(systems, explicit, distribution: Mapping) -> list[tuple[str, dict]]:
    """The default spreads of a study's hypothetical machines as (target, distribution) pairs.

    Parameters
    ----------
    systems : sequence of fs.study.Candidate
        The reference and the candidates; a machine used by several is counted once.
    explicit : sequence of fs.study.Uncertainty
        The study's own uncertainties; a default they cover (:func:`covered`) is left out.
    distribution : mapping
        The multiplier's distribution (``fs/data/defaults.toml [uncertainty_defaults] assumption``).

    Returns
    -------
    list of (str, dict)
        In the order of the systems, then of the machine file.
    """
    out: dict[str, dict] = {}
    machines: dict[str, tuple[object, list[str]]] = {}
    for c in systems:
        if getattr(c.machine, "hypothetical", False):
            machines.setdefault(c.machine.name, (c.machine, []))[1].append(c.label)
    for machine, labels in machines.values():
        for target, parts, _ in assumed_values(machine):
            if not covered(target, machine, labels, parts, explicit):
                out.setdefault(target, dict(distribution))
    return list(out.items())
