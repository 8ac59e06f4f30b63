"""Software ecosystems: the stated productivity and commercial-reach scores of a node's processors.

Each processor belongs to one ecosystem (``ecosystem`` in its machine file; absent, the first
ecosystem whose ``processors`` name patterns match the processor's name, else its ``type``'s
:data:`DEFAULT_ECOSYSTEM`: :func:`processor_ecosystem`), and each ecosystem of ``fs/data/ecosystems.toml`` has a
productivity and a commercial-reach score in [0, 1] with a spread ``low``..``high`` and its basis (a
source, or a labelled judgement). A node's score is its processors' scores weighted by their share
of the peak the portfolio uses (:func:`part_shares`, :func:`fs.metrics.part_score`).

A study's ``[assumptions]`` override a score by processor name, ecosystem name or processor type
(that order of precedence). The Monte Carlo carries each ecosystem's spread as a multiplier on its
score, target ``ecosystem:<name>:productivity|commercial_reach``: triangular from ``low / value``
through 1 to ``high / value`` (so the score itself is triangular low..value..high), added by
default (:func:`default_uncertainties`) for every ecosystem whose table score some candidate or the
reference uses, unless the study gives its own uncertainty on that target. A multiplied score is
clipped to 1.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from types import MappingProxyType

from archmodels.errors import InputError

#: The ecosystem of a processor whose machine file names none, by processor type.
DEFAULT_ECOSYSTEM = MappingProxyType({"cpu": "x86", "gpu": "cuda", "accelerator": "accelerator-sdk"})

#: The scorecard axes an ecosystem scores (also the parameters of an ``ecosystem:`` uncertainty).
ECOSYSTEM_AXES = ("productivity", "commercial_reach")

#: Where the default uncertainties come from (the report's uncertainty-inputs table).
TABLE_SOURCE = "ecosystems.toml"

#: Override keys of ``[assumptions]`` that are not a part: the factor on a hypothetical machine's reach.
NON_PART_KEYS = ("hypothetical_factor",)

_FILE = "fs/data/ecosystems.toml"


@cache
def ecosystems() -> MappingProxyType:
    """The ecosystems table of fs/data/ecosystems.toml, checked (:func:`checked_table`)."""
    return checked_table(tomllib.loads((resources.files("fs") / "data" / "ecosystems.toml").read_text(encoding="utf-8")))


def checked_table(data: dict) -> MappingProxyType:
    """An ecosystems table, checked: every score has ``value``, ``low`` and ``high`` with
    ``0 <= low <= value <= high <= 1`` and a ``source`` of its ``[sources]`` or
    ``basis = "judgement"`` with a ``reason``; an ``informed_by`` names one of its ``[sources]``.

    Returns
    -------
    MappingProxyType
        ``ecosystems`` (name -> table) and ``sources`` (id -> title and url).

    Raises
    ------
    InputError
        Naming the table's field that breaks these rules.
    """
    data = dict(data)
    sources = data.pop("sources", {})
    for name, eco in data.items():
        for axis in ECOSYSTEM_AXES:
            field = f"{name}.{axis}"
            s = eco.get(axis)
            if not isinstance(s, dict) or not all(isinstance(s.get(k), (int, float)) for k in ("value", "low", "high")):
                raise InputError("expected a table with numbers value, low and high", file=_FILE, location=field)
            if not 0 <= s["low"] <= s["value"] <= s["high"] <= 1:
                raise InputError(f"expected 0 <= low <= value <= high <= 1, got {s}", file=_FILE, location=field)
            cited = s.get("source") in sources
            judged = s.get("basis") == "judgement" and bool(s.get("reason"))
            if not (cited or judged):
                raise InputError('expected a source of [sources] or basis = "judgement" with a reason',
                                 file=_FILE, location=field)
            if s.get("informed_by") is not None and s["informed_by"] not in sources:
                raise InputError(f"{s['informed_by']!r} is not in [sources]", file=_FILE, location=f"{field}.informed_by")
    return MappingProxyType({"ecosystems": MappingProxyType(data), "sources": MappingProxyType(sources)})


def ecosystem_names() -> list[str]:
    """The ecosystems of the table, sorted."""
    return sorted(ecosystems()["ecosystems"])


def processor_ecosystem(processor) -> str:
    """A processor's ecosystem: its machine file's ``ecosystem``; else the first ecosystem of the
    table (in file order) with a ``processors`` pattern (``fnmatch``, case-insensitive) matching
    its name; else :data:`DEFAULT_ECOSYSTEM` of its type."""
    from fnmatch import fnmatchcase

    if processor.ecosystem:
        return processor.ecosystem
    name = processor.name.lower()
    for eco, entry in ecosystems()["ecosystems"].items():
        if any(fnmatchcase(name, pattern.lower()) for pattern in entry.get("processors", ())):
            return eco
    return DEFAULT_ECOSYSTEM[processor.type]


def part_shares(machine, workloads: Sequence, weights: Sequence[float]) -> list[float]:
    """Each processor's share of the node's peak at the precisions the portfolio uses [FLOP/s].

    ``c_k = count_k * sum_w f_w * peak_k(w) / sum_w f_w`` over the portfolio's workloads ``w`` with
    weights ``f_w``, ``peak_k(w)`` being processor ``k``'s peak in the precision it runs ``w``'s
    precision in (``Processor.precision_for``, matrix units only for a matrix workload,
    ``Processor.peak_for``), 0 where it runs no such format.
    """
    total = float(sum(weights))
    shares = []
    for p in machine.node.processors:
        peak = 0.0
        for w, f in zip(workloads, weights):
            prec = p.precision_for(w.precision, matrix=w.matrix)
            peak += f * (p.peak_for(prec, w.matrix) if prec is not None else 0.0)
        shares.append(p.count * peak / total)
    return shares


def ecosystem_factor(multipliers: Mapping[str, float], ecosystem: str, axis: str) -> float:
    """The product of the case's ``ecosystem:<name or *>:<axis>`` multipliers for ``ecosystem``."""
    factor = 1.0
    for target, f in multipliers.items():
        kind, selector, parameter = (target.split(":") + ["", "", ""])[:3]
        if kind == "ecosystem" and parameter == axis and selector in ("*", ecosystem):
            factor *= f
    return factor


def _from_table(processor, overrides: Mapping[str, float]) -> bool:
    """Whether a processor's score comes from the ecosystem (the table or an ecosystem override)
    rather than from a name or type override."""
    return processor.name.lower() not in overrides and (
        processor_ecosystem(processor) in overrides or processor.type.lower() not in overrides)


def processor_score(processor, axis: str, overrides: Mapping[str, float],
                    multipliers: Mapping[str, float] | None = None) -> float:
    """One processor's stated ``axis`` score [0..1].

    The study's override by the processor's name, else by its ecosystem, else by its type, else the
    ecosystem's table value; an ecosystem's score (override or table) is multiplied by the case's
    ``ecosystem:`` multipliers (:func:`ecosystem_factor`) and clipped to 1.
    """
    eco = processor_ecosystem(processor)
    if not _from_table(processor, overrides):
        return float(overrides.get(processor.name.lower(), overrides.get(processor.type.lower())))
    value = overrides.get(eco, ecosystems()["ecosystems"][eco][axis]["value"])
    return min(1.0, float(value) * ecosystem_factor(multipliers or {}, eco, axis))


def stated_score(machine, axis: str, overrides: Mapping[str, float], workloads: Sequence, weights: Sequence[float],
                 multipliers: Mapping[str, float] | None = None) -> float:
    """A node's stated ``axis`` score: its processors' scores (:func:`processor_score`) weighted by
    their share of the portfolio's peak (:func:`part_shares`, :func:`fs.metrics.part_score`); the
    plain mean when no processor runs the portfolio's precisions. A hypothetical machine's score is
    multiplied by ``overrides["hypothetical_factor"]`` where given (fs/data/defaults.toml)."""
    import numpy as np

    from fs.metrics import part_score

    shares = part_shares(machine, workloads, weights)
    scores = [processor_score(p, axis, overrides, multipliers) for p in machine.node.processors]
    score = part_score(shares, scores) if sum(shares) > 0 else float(np.mean(scores))
    if getattr(machine, "hypothetical", False) and "hypothetical_factor" in overrides:
        score *= overrides["hypothetical_factor"]
    return score


def _processors(systems):
    for c in systems:
        yield from c.machine.node.processors


def ecosystem_problems(systems, overrides: Mapping[str, Mapping[str, float]], uncertainties) -> list[tuple[str, str]]:
    """A study's ecosystem problems as (field, message): a processor naming an ecosystem not in the
    table, an ``[assumptions]`` key that is no ecosystem, processor name or type, an ``ecosystem:``
    uncertainty whose selector is no ecosystem (or ``*``) or that no candidate nor the reference uses.

    ``systems`` are the study's candidates and reference (:class:`fs.study.Candidate`), ``overrides``
    the ``[assumptions]`` tables by axis, ``uncertainties`` the spec's ``[[uncertainty]]``.
    """
    known = ecosystem_names()
    problems = []
    for c in systems:
        for j, p in enumerate(c.machine.node.processors):
            if processor_ecosystem(p) not in known:
                problems.append((f"machine {c.ref!r} node.processors[{j}].ecosystem",
                                 f"unknown ecosystem {p.ecosystem!r}; expected one of {known}"))
    parts = {n.lower() for p in _processors(systems) for n in (p.name, p.type)}
    for axis, table in overrides.items():
        for key in table:
            if key.lower() not in {*known, *parts, *DEFAULT_ECOSYSTEM, *NON_PART_KEYS}:
                problems.append((f"assumptions.{axis}.{key}",
                                 f"{key!r} is no ecosystem ({', '.join(known)}), processor name or type of the study's machines"))
    used = {processor_ecosystem(p) for p in _processors(systems)}
    for i, u in enumerate(uncertainties):
        kind, selector, _ = u.target.split(":")
        if kind != "ecosystem":
            continue
        if selector != "*" and selector not in known:
            problems.append((f"uncertainty[{i}].target", f"unknown ecosystem {selector!r}; expected one of {known} or '*'"))
        elif selector != "*" and selector not in used:
            problems.append((f"uncertainty[{i}].target", f"{u.target!r} picks nothing: no candidate nor the reference "
                                                         f"has a processor of ecosystem {selector!r} (they use {sorted(used)})"))
    return problems


def default_uncertainties(systems, overrides: Mapping[str, Mapping[str, float]], explicit) -> list[tuple[str, dict]]:
    """The table's spreads as (target, triangular distribution) pairs, one per ecosystem and axis
    whose table score some processor of ``systems`` uses (no name, ecosystem or type override) and
    that has a spread, unless an ``explicit`` uncertainty (:class:`fs.study.Uncertainty`) targets it
    (its selector being the ecosystem or ``*``). Sorted by target."""
    table = ecosystems()["ecosystems"]
    covered = {(u.selector, u.parameter) for u in explicit if u.kind == "ecosystem"}
    out = {}
    for axis in ECOSYSTEM_AXES:
        given = {k.lower(): v for k, v in overrides.get(axis, {}).items()}
        for p in _processors(systems):
            eco = processor_ecosystem(p)
            if eco in given or not _from_table(p, given) or {(eco, axis), ("*", axis)} & covered:
                continue
            s = table[eco][axis]
            if s["high"] > s["low"] and s["value"] > 0:
                low = max(s["low"] / s["value"], 1e-3)
                out[f"ecosystem:{eco}:{axis}"] = {"kind": "triangular", "low": low, "mode": 1.0,
                                                  "high": s["high"] / s["value"]}
    return sorted(out.items())


def ecosystem_sources() -> dict[str, tuple[str, str]]:
    """The table's sources: id -> (title, url)."""
    return {k: (v["title"], v.get("url", "")) for k, v in ecosystems()["sources"].items()}
