"""Candidates at the study's delivery year: projecting a catalog machine, and the projection's bands
as default uncertainties.

A study is a comparison of machines delivered in one year, its ``[lifetime] start_year`` (the first
year of operation is the year the machine is delivered; default 2030). A candidate whose machine's
datasheet ``year`` is earlier is projected to that year (a candidate's own ``year`` replaces the
study's) through :func:`archmodels.roadmap.project_machine` under the study's ``project_candidates``
rule (``iso-power``, the default, ``iso-performance``, or ``none``); a candidate with
``project = false``, a machine dated at (or after) its delivery year, and the study's reference (the
measured baseline every speedup is taken against) are left as they are. The projected machine is
the one :func:`archmodels.roadmap.project_machine` returns, equations and assumptions in that
module's docstring and docs/roadmap.md.

Uncertainty (:func:`projection_uncertainties`). The projection's ``[projection] ratios`` holds each
roadmap entry applied as ``[r, low, high]``: the ratio of the delivery year's value to the datasheet
year's and the band of the delivery year's value over the datasheet year's. A value ``x · r``
(or ``x / r``) moved by that entry takes a multiplier ``m`` drawn from a triangular distribution of
mode 1 between ``low / r`` and ``high / r`` (``r / high`` and ``r / low`` for a value divided by
``r``): the roadmap's central value is its best estimate, the band its stated range. Per machine,
on a target naming that machine's part (source :data:`SOURCE`):

=========================  ===============================================  =================
entry                      target (rule)                                    multiplier
=========================  ===============================================  =================
``logic_energy``           ``processor:<m>/<p>:energy_per_flop`` (both)     ``[low, high] / r``
``logic_energy``           ``processor:<m>/<p>:peak`` (iso-power)           ``r / [high, low]``
``logic_energy``           ``processor:<m>/<p>:tdp`` (iso-performance)      ``[low, high] / r``
``sram_bitcell_area``      ``memory:<m>/<p>/<level>:capacity`` (SRAM)       ``r / [high, low]``
``link_energy.<tech>``     ``network:<m>/*:energy_per_bit`` and             ``[low, high] / r``
                           ``:link_static_power`` (the network's technology)
=========================  ===============================================  =================

The HBM generation is a step with no band (its per-stack figures are memory_technologies.toml's),
and the price curves move cost, which a ``cost:`` target scales only whole: neither becomes a
default; a study states its own ``[[uncertainty]]`` for them. A study's own uncertainty of the same
kind and parameter on the same part replaces the default (:func:`fs.implied_uncertainty.covered`).
"""

from __future__ import annotations

from types import MappingProxyType

#: ``Uncertainty.source`` of these defaults.
SOURCE = "roadmap projection"


def delivery_year(study_year: int, candidate_year: int | None) -> int:
    """A candidate's delivery year: its own ``year``, else the study's ``[lifetime] start_year``."""
    return study_year if candidate_year is None else candidate_year


def needs_projection(machine, year: int, rule: str, project: bool) -> bool:
    """Whether a candidate's machine is projected: a rule other than ``none``, ``project`` true and a
    datasheet year before ``year`` (a machine without a year is refused by the caller)."""
    return rule != "none" and project and machine.year is not None and machine.year < year


def projected_machine(machine, year: int, rule: str):
    """``machine`` (loaded from a file, ``machine.path``) projected to ``year`` under ``rule``:
    ``(Machine, [projection] table)``; the Machine keeps the source file's ``path`` (its digest is
    the run's input; the projection is a function of it, the roadmap and the code)."""
    from archmodels.machine import machine_from_spec
    from archmodels.roadmap import project_machine
    from archmodels.spec import validate_machine_dict

    raw = project_machine(machine.path, year, rule)
    spec = validate_machine_dict(raw, f"{machine.name} projected to {year}")
    return machine_from_spec(spec, machine.path), MappingProxyType(raw["projection"])


def projection_label(projection) -> str:
    """``projected 2023→2030, iso-power`` (empty for None)."""
    if not projection:
        return ""
    return f"projected {projection['from_year']}→{projection['to_year']}, {projection['rule']}"


def _triangular(low: float, high: float) -> dict | None:
    if not low < high or not low <= 1.0 <= high or low <= 0:
        return None  # a band without width (a ratio the roadmap gives no spread for)
    return {"kind": "triangular", "low": float(low), "mode": 1.0, "high": float(high)}


def projected_values(machine, projection) -> list[tuple[str, tuple[str, ...], dict]]:
    """The defaults of one projected machine as ``(target, part names, distribution)`` (module table)."""
    ratios = projection["ratios"]
    rule = projection["rule"]
    name = machine.name
    out = []

    def up(entry):      # a value multiplied by r
        r, lo, hi = ratios[entry]
        return _triangular(lo / r, hi / r)

    def down(entry):    # a value divided by r
        r, lo, hi = ratios[entry]
        return _triangular(r / hi, r / lo)

    if "logic_energy" in ratios:
        for p in machine.node.processors:
            for parameter, dist in (("energy_per_flop", up("logic_energy")),
                                    ("peak" if rule == "iso-power" else "tdp",
                                     down("logic_energy") if rule == "iso-power" else up("logic_energy"))):
                if dist is not None and (parameter != "tdp" or p.tdp_w is not None):
                    out.append((f"processor:{name}/{p.name}:{parameter}", (p.name,), dist))
    if "sram_bitcell_area" in ratios and down("sram_bitcell_area") is not None:
        from archmodels.memtech import memory_technology

        for p in machine.node.processors:
            for lv in p.memory:
                if lv.technology is None or memory_technology(lv.technology).kind == "sram":
                    out.append((f"memory:{name}/{p.name}/{lv.name}:capacity", (p.name, lv.name),
                                down("sram_bitcell_area")))
    net = machine.network
    entry = f"link_energy.{(net.technology or 'electrical') if net is not None else ''}"
    if net is not None and entry in ratios and up(entry) is not None:
        for parameter, value in (("energy_per_bit", net.energy_per_bit_j), ("link_static_power", net.link_static_power_w)):
            if value is not None:
                out.append((f"network:{name}/*:{parameter}", (net.name,), up(entry)))
    return out


def projection_uncertainties(systems, explicit) -> list[tuple[str, dict]]:
    """The roadmap bands of a study's projected candidates as (target, distribution) pairs.

    Parameters
    ----------
    systems : sequence of fs.study.Candidate
        The candidates (the reference is never projected); those with a ``projection`` count.
    explicit : sequence of fs.study.Uncertainty
        The study's own uncertainties; a default they cover is left out.
    """
    from fs.implied_uncertainty import covered

    out: dict[str, dict] = {}
    for c in systems:
        if getattr(c, "projection", None) is None:
            continue
        for target, parts, dist in projected_values(c.machine, c.projection):
            if not covered(target, c.machine, [c.label], parts, explicit):
                out.setdefault(target, dist)
    return list(out.items())
