"""Cited technology defaults: achievable fractions of peak and energy per operation.

Read once from ``archmodels/data/efficiency.toml`` and ``archmodels/data/energy.toml``; each entry
carries its source. These are the model's only constants, and they are keyed by processor type,
workload class, precision and memory technology — never by system — so that the model applies to
machines described in files it has never seen.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from archmodels.quantities import parse_quantity

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


@lru_cache(maxsize=256)
def efficiency(processor_type: str, workload_class: str) -> Efficiency:
    """Fractions of peak compute and memory bandwidth a workload class sustains on a processor type."""
    entry = _efficiency_table()[workload_class][processor_type]
    return Efficiency(float(entry["compute"]), float(entry["memory"]), entry["source"])


@lru_cache(maxsize=256)
def energy_per_flop_floor_j(processor_type: str, precision: str) -> float:
    """Technology floor of the dynamic energy of one FLOP [J] (energy.toml), by type and precision."""
    table = _energy_table()
    fp64 = parse_quantity(table["energy_per_flop_fp64"][processor_type]["value"], "energy_j")
    return fp64 * float(table["precision_scale"][precision])


def energy_per_flop_j(processor_type: str, precision: str, dynamic_budget_w: float | None = None,
                      peak_flop_per_s: float | None = None) -> float:
    """Dynamic energy of one FLOP on a processor [J].

    ``ε = max(ε_floor, (TDP − P_static) / P_peak)``: a datasheet peak run within the TDP implies at
    least the energy the TDP can pay for (older processors, e.g. V100: 27 pJ at FP64), but no
    processor beats its technology's floor — where a vendor's peak would need less than the floor,
    the peak cannot be sustained within the TDP and the power cap sets the ceiling (AMD's FP64
    matrix peaks in HPL).

    Parameters
    ----------
    processor_type : str
        ``cpu``, ``gpu`` or ``accelerator``.
    precision : str
        ``fp64``, ``fp32``, ``bf16``...
    dynamic_budget_w : float, optional
        TDP minus static power [W].
    peak_flop_per_s : float, optional
        Highest peak of the processor in this precision, matrix units included [FLOP/s].
    """
    floor = energy_per_flop_floor_j(processor_type, precision)
    if dynamic_budget_w and peak_flop_per_s:
        return max(floor, dynamic_budget_w / peak_flop_per_s)
    return floor


@lru_cache(maxsize=64)
def memory_energy_per_bit_j(technology: str | None) -> float:
    """Energy to move one bit from a memory of this technology [J] (energy.toml)."""
    table = _energy_table()["memory_energy_per_bit"]
    entry = table.get(technology or "cache", table["cache"])
    return parse_quantity(entry["value"], "energy_j")


def static_fraction() -> float:
    """Static share of a processor's TDP [-]."""
    return float(_energy_table()["static"]["processor_fraction"])


def node_other_fraction() -> float:
    """Rest-of-node power as a share of the processors' TDP when the spec gives no node power [-]."""
    return float(_energy_table()["static"]["node_other_fraction"])


def sources() -> dict[str, dict]:
    """Every source cited by the technology tables, by id."""
    out = dict(_efficiency_table().get("sources", {}))
    out.update(_energy_table().get("sources", {}))
    return out
