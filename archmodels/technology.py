"""Cited technology defaults: achievable fractions of peak and energy per operation.

Read once from ``archmodels/data/efficiency.toml`` and ``archmodels/data/energy.toml``, and the
energy per bit of each memory technology from ``archmodels/data/memory_technologies.toml``
(:mod:`archmodels.memtech`, the one table of a memory technology's facts); each entry carries its
source. These are the model's only constants, and they are keyed by processor type,
workload class, precision and memory technology — never by system — so that the model applies to
machines described in files it has never seen.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from archmodels.errors import InputError
from archmodels.memtech import memory_technologies, memory_technology
from archmodels.quantities import parse_quantity
from archmodels.references import check_name

_DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Efficiency:
    """Achievable fractions of peak for one processor type and workload class."""

    compute: float
    memory: float
    source: str


@lru_cache(maxsize=1)
def _efficiency_table() -> dict:
    with (_DATA / "efficiency.toml").open("rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=1)
def _energy_table() -> dict:
    with (_DATA / "energy.toml").open("rb") as fh:
        return tomllib.load(fh)


class Technology:
    """The technology tables as one value, so that a caller can pass changed ones.

    :func:`archmodels.predict`, :func:`archmodels.power.node_power` and the design sweep take a
    ``technology=`` argument (default :func:`default_technology`, the shipped tables). A study, a
    sensitivity analysis or a user varies an efficiency or an energy with :meth:`replaced`.

    Parameters
    ----------
    efficiency_table : dict
        ``{workload_class: {processor_type: {compute, memory, source}}}`` (efficiency.toml).
    energy_table : dict
        energy.toml's tables: ``energy_per_flop_fp64``, ``precision_scale``,
        ``untyped_memory_level``, ``static``.
    memory_energy_per_bit_j : dict
        ``{memory technology: energy to move one bit [J]}`` (memory_technologies.toml).
    """

    def __init__(self, efficiency_table: dict, energy_table: dict, memory_energy_per_bit_j: dict):
        self._efficiency = efficiency_table
        self._energy = energy_table
        self._memory_energy = dict(memory_energy_per_bit_j)
        self._cache: dict = {}

    def efficiency(self, processor_type: str, workload_class: str) -> Efficiency:
        """Fractions of peak compute and memory bandwidth a workload class sustains on a processor type."""
        key = ("eff", processor_type, workload_class)
        if key not in self._cache:
            classes = [k for k, v in self._efficiency.items() if k != "sources" and isinstance(v, dict)]
            check_name("workload class", workload_class, classes, "efficiency table")
            check_name("processor type", processor_type, list(self._efficiency[workload_class]),
                       f"efficiency table's {workload_class!r} rows")
            entry = self._efficiency[workload_class][processor_type]
            self._cache[key] = Efficiency(float(entry["compute"]), float(entry["memory"]), entry["source"])
        return self._cache[key]

    def energy_per_flop_floor_j(self, processor_type: str, precision: str) -> float:
        """Technology floor of the dynamic energy of one FLOP [J], by processor type and precision."""
        key = ("eps", processor_type, precision)
        if key not in self._cache:
            check_name("processor type", processor_type, list(self._energy["energy_per_flop_fp64"]), "energy table")
            check_name("precision", precision, [k for k in self._energy["precision_scale"] if k != "source"],
                       "energy table")
            fp64 = parse_quantity(self._energy["energy_per_flop_fp64"][processor_type]["value"], "energy_j")
            self._cache[key] = fp64 * float(self._energy["precision_scale"][precision])
        return self._cache[key]

    def processor_energy_per_flop_floor_j(self, proc, precision: str) -> float:
        """Floor of the dynamic energy of one FLOP [J] for one processor in ``precision``.

        ``ε_floor = ε_fp64 · s_precision``: ``ε_fp64`` is the processor's own ``energy_per_flop``
        (a projected machine carries one, :mod:`archmodels.roadmap`) or, absent, energy.toml's figure
        for its type; ``s_precision`` is energy.toml's ``precision_scale`` (Horowitz 2014).

        Parameters
        ----------
        proc : archmodels.machine.Processor
            Its ``type`` and ``energy_per_flop_fp64_j`` [J] (None: the type's floor).
        precision : str
            ``fp64``, ``fp32``, ``bf16``, ``fp8``...
        """
        own = getattr(proc, "energy_per_flop_fp64_j", None)
        if own is None:
            return self.energy_per_flop_floor_j(proc.type, precision)
        return own * self.precision_scale(precision)

    def precision_scale(self, precision: str) -> float:
        """Energy of one FLOP in ``precision`` relative to FP64 [-] (energy.toml ``precision_scale``)."""
        check_name("precision", precision, [k for k in self._energy["precision_scale"] if k != "source"],
                   "energy table")
        return float(self._energy["precision_scale"][precision])

    def memory_energy_per_bit_j(self, technology: str | None) -> float:
        """Energy to move one bit from a memory of this technology [J]; a level that names no
        technology (an on-chip cache) takes energy.toml's ``untyped_memory_level`` figure."""
        if technology is None:
            key = ("mem", None)
            if key not in self._cache:
                entry = self._energy["untyped_memory_level"]["energy_per_bit"]
                self._cache[key] = parse_quantity(entry["value"], "energy_j")
            return self._cache[key]
        if technology not in self._memory_energy:
            raise InputError(f"unknown memory technology {technology!r}; expected one of "
                             f"{', '.join(self._memory_energy)}", location="memory.technology")
        return self._memory_energy[technology]

    @property
    def static_fraction(self) -> float:
        """Static share of a processor's TDP [-]."""
        return float(self._energy["static"]["processor_fraction"])

    @property
    def node_other_fraction(self) -> float:
        """Rest-of-node power as a share of the processors' TDP when the spec gives no node power [-]."""
        return float(self._energy["static"]["node_other_fraction"])

    def replaced(self, *, efficiency: dict | None = None, static_fraction: float | None = None,
                 node_other_fraction: float | None = None, energy_per_flop_fp64: dict | None = None,
                 memory_energy_per_bit_j: dict | None = None) -> Technology:
        """A copy with some entries changed.

        Parameters
        ----------
        efficiency : dict, optional
            ``{(workload_class, processor_type): {"compute": c, "memory": m}}`` [-].
        static_fraction, node_other_fraction : float, optional
            New shares [-].
        energy_per_flop_fp64 : dict, optional
            ``{processor_type: energy [J]}``.
        memory_energy_per_bit_j : dict, optional
            ``{memory technology: energy per bit [J]}``.
        """
        eff = {k: {t: dict(e) for t, e in v.items()} for k, v in self._efficiency.items() if isinstance(v, dict)}
        for (wclass, ptype), change in (efficiency or {}).items():
            entry = eff.setdefault(wclass, {}).setdefault(ptype, {"source": "changed by the caller"})
            entry.update(change)
        energy = {k: (dict(v) if isinstance(v, dict) else v) for k, v in self._energy.items()}
        energy["static"] = dict(energy["static"])
        if static_fraction is not None:
            energy["static"]["processor_fraction"] = static_fraction
        if node_other_fraction is not None:
            energy["static"]["node_other_fraction"] = node_other_fraction
        if energy_per_flop_fp64:
            energy["energy_per_flop_fp64"] = {k: dict(v) for k, v in energy["energy_per_flop_fp64"].items()}
            for ptype, value in energy_per_flop_fp64.items():
                energy["energy_per_flop_fp64"].setdefault(ptype, {})["value"] = f"{value!r} J"
        return Technology(eff, energy, {**self._memory_energy, **(memory_energy_per_bit_j or {})})


@lru_cache(maxsize=1)
def default_technology() -> Technology:
    """The shipped tables (archmodels/data/efficiency.toml, energy.toml, memory_technologies.toml)."""
    return Technology(_efficiency_table(), _energy_table(),
                      {name: memory_technology(name).energy_per_bit_j for name in memory_technologies()})


def efficiency(processor_type: str, workload_class: str) -> Efficiency:
    """Fractions of peak compute and memory bandwidth a workload class sustains on a processor type."""
    return default_technology().efficiency(processor_type, workload_class)


def energy_per_flop_floor_j(processor_type: str, precision: str) -> float:
    """Technology floor of the dynamic energy of one FLOP [J] (energy.toml), by type and precision."""
    return default_technology().energy_per_flop_floor_j(processor_type, precision)


def memory_energy_per_bit_j(technology: str | None) -> float:
    """Energy to move one bit from a memory of this technology [J] (memory_technologies.toml)."""
    return default_technology().memory_energy_per_bit_j(technology)


def static_fraction() -> float:
    """Static share of a processor's TDP [-]."""
    return default_technology().static_fraction


def node_other_fraction() -> float:
    """Rest-of-node power as a share of the processors' TDP when the spec gives no node power [-]."""
    return default_technology().node_other_fraction


def sources() -> dict[str, dict]:
    """Every source cited by the technology tables, by id."""
    out = dict(_efficiency_table().get("sources", {}))
    out.update(_energy_table().get("sources", {}))
    return out
