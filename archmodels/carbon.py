"""Embodied and operational carbon, ACT-style.

Embodied carbon follows ACT (Gupta et al., "ACT: Designing Sustainable Computer Systems with an
Architectural Carbon Modeling Tool", ISCA 2022, https://doi.org/10.1145/3470496.3527408):

* a logic die of area A on process p:  C = A · (CI_fab · EPA_p + GPA_p + MPA) / Y  (+ packaging per IC);
* DRAM and flash:  C = capacity · CPS / Y  with CPS the carbon per GB of the technology;
* HBM: its DRAM dies (with a TSV area overhead) plus a logic base die;
* SRAM (on-chip or stacked): the logic area it occupies.

Operational carbon over a lifetime:  C_op = P̄ · PUE · T · CI_grid.

Numbers come from ``archmodels/data/carbon.toml`` (ACT's tables, cited; the rest assumption-labelled).
Model functions take SI numbers (mm² is kept for areas, as foundries quote them); one thin function,
:func:`node_embodied_carbon_g`, reads an ``archmodels`` Machine.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from archmodels.errors import InputError
from archmodels.memtech import memory_technologies, memory_technology
from archmodels.quantities import GB, GIB, parse_quantity

_TABLE = Path(__file__).parent / "data" / "carbon.toml"

J_PER_KWH = 3.6e6


@lru_cache(maxsize=1)
def _table() -> dict:
    with _TABLE.open("rb") as fh:
        return tomllib.load(fh)


def process_nodes_nm() -> tuple[int, ...]:
    """Process nodes [nm] with ACT fab data."""
    return tuple(sorted(int(k) for k in _table()["logic"]["epa_kwh_per_cm2"]))


def _process_key(process_nm: float) -> str:
    nodes = process_nodes_nm()
    key = str(int(process_nm)) if float(process_nm).is_integer() else None
    if key is None or int(key) not in nodes:
        raise InputError(f"no fab data for a {process_nm} nm process; ACT covers {', '.join(map(str, nodes))} nm",
                         location="process_nm")
    return key


def carbon_per_area_g_per_mm2(process_nm: float, *, fab_carbon_intensity_g_per_kwh: float | None = None,
                              fab_yield: float | None = None, gas_abatement: str = "97") -> float:
    """Embodied carbon per good die area [g CO2e/mm²] (ACT logic model).

    CPA = (CI_fab · EPA + GPA + MPA) / Y, with EPA [kWh/cm²], GPA and MPA [g/cm²] from ACT's tables
    for ``process_nm``; divided by 100 to give per mm².

    Parameters
    ----------
    process_nm : float
        Process node [nm], one of :func:`process_nodes_nm`.
    fab_carbon_intensity_g_per_kwh : float, optional
        Grid intensity of the fab [g CO2e/kWh]; default Taiwan, 583 (ACT).
    fab_yield : float, optional
        Fraction of good dies Y in (0, 1]; default 0.875 (ACT).
    gas_abatement : {"95", "99", "97"}
        Abatement of process gases; "97" is ACT's default, the mean of the 95% and 99% tables.

    Returns
    -------
    float
        [g CO2e/mm²].
    """
    logic = _table()["logic"]
    key = _process_key(process_nm)
    ci = (parse_quantity(logic["fab_carbon_intensity"], "grams_per_j") * J_PER_KWH
          if fab_carbon_intensity_g_per_kwh is None else float(fab_carbon_intensity_g_per_kwh))
    y = float(logic["fab_yield"]) if fab_yield is None else float(fab_yield)
    if not 0.0 < y <= 1.0:
        raise InputError(f"fab yield must be in (0, 1], got {fab_yield!r}", location="fab_yield")
    if ci < 0:
        raise InputError(f"fab carbon intensity must be >= 0, got {ci!r}", location="fab_carbon_intensity")
    gpa = {"95": logic["gpa95_g_per_cm2"][key], "99": logic["gpa99_g_per_cm2"][key],
           "97": (logic["gpa95_g_per_cm2"][key] + logic["gpa99_g_per_cm2"][key]) / 2.0}
    if gas_abatement not in gpa:
        raise InputError(f"gas_abatement must be '95', '97' or '99', got {gas_abatement!r}", location="gas_abatement")
    per_cm2 = (ci * logic["epa_kwh_per_cm2"][key] + gpa[gas_abatement] + logic["mpa_g_per_cm2"]) / y
    return per_cm2 / 100.0


def die_embodied_carbon_g(area_mm2: float, process_nm: float, *, packaged: bool = True, **fab) -> float:
    """Embodied carbon of one logic die [g CO2e] = A · CPA (+ ACT's 150 g packaging per IC).

    ``fab`` passes ``fab_carbon_intensity_g_per_kwh``, ``fab_yield``, ``gas_abatement`` to
    :func:`carbon_per_area_g_per_mm2`.
    """
    if not area_mm2 >= 0:
        raise InputError(f"die area must be >= 0 mm2, got {area_mm2!r}", location="area_mm2")
    package = float(_table()["logic"]["packaging_g_per_ic"]) if packaged else 0.0
    return area_mm2 * carbon_per_area_g_per_mm2(process_nm, **fab) + package


def memory_carbon_per_gb_g(technology: str) -> float:
    """Embodied carbon per GB of capacity of a memory technology [g CO2e/GB], yield included.

    DRAM/flash: CPS / Y (ACT). HBM: (DRAM CPS·(1 + TSV overhead))/Y per GB plus its base die spread
    over a stack's capacity (the stack size of :mod:`archmodels.memtech`). SRAM (``sram``,
    ``sram-3d``): logic carbon of the area it occupies.
    """
    table = _table()
    key = str(technology).strip().lower()
    y = float(table["logic"]["fab_yield"])
    if key in table["memory_g_per_gb"]:
        return float(table["memory_g_per_gb"][key]["value"]) / y
    tech = memory_technology(key) if key in memory_technologies() else None
    if tech is not None and tech.kind == "hbm":
        hbm = table["hbm"]
        stack_gb = tech.capacity_per_unit_bytes / GB
        dram = float(hbm["dram_g_per_gb"]["value"]) * (1.0 + float(hbm["tsv_area_overhead"]["value"])) / y
        base = die_embodied_carbon_g(float(hbm["base_die_area_mm2"]["value"]),
                                     float(hbm["base_die_process_nm"]["value"]))
        return dram + base / stack_gb
    if key in table["sram"]:
        entry = table["sram"][key]
        area_per_gb = float(entry["area_mm2_per_gib"]) * GB / GIB
        return area_per_gb * carbon_per_area_g_per_mm2(float(entry["process_nm"]))
    known = sorted(set(table["memory_g_per_gb"]) | set(table["sram"])
                   | {n for n in memory_technologies() if memory_technology(n).kind == "hbm"})
    raise InputError(f"no embodied-carbon figure for memory technology {technology!r}; expected one of "
                     f"{', '.join(known)}", location="memory.technology")


def memory_embodied_carbon_g(capacity_bytes: float, technology: str) -> float:
    """Embodied carbon of ``capacity_bytes`` of a memory technology [g CO2e] = C/1e9 · g/GB."""
    if not capacity_bytes >= 0:
        raise InputError(f"capacity must be >= 0, got {capacity_bytes!r}", location="memory.capacity")
    return capacity_bytes / GB * memory_carbon_per_gb_g(technology)


def energy_carbon_g(energy_j, carbon_intensity_g_per_kwh):
    """Carbon of drawing ``energy_j`` from a grid [g CO2e] = E / 3.6e6 · CI (numbers or arrays).

    Location-based scope 2 (GHG Protocol Scope 2 Guidance, https://ghgprotocol.org/scope-2-guidance).

    Parameters
    ----------
    energy_j : array_like
        Energy drawn at the facility meter [J].
    carbon_intensity_g_per_kwh : array_like
        Grid carbon intensity [g CO2e/kWh].

    Examples
    --------
    >>> float(energy_carbon_g(3.6e9, 450.0))  # 1 MWh at 450 g/kWh
    450000.0
    """
    return np.asarray(energy_j, dtype=float) / J_PER_KWH * np.asarray(carbon_intensity_g_per_kwh, dtype=float)


def operational_carbon_g(average_power_w, lifetime_s, carbon_intensity_g_per_kwh, pue=1.0):
    """Operational carbon over a lifetime [g CO2e] = P̄ · PUE · T / 3.6e6 · CI.

    Parameters
    ----------
    average_power_w : numeric
        Mean IT power [W].
    lifetime_s : numeric
        Service life [s].
    carbon_intensity_g_per_kwh : numeric
        Grid carbon intensity [g CO2e/kWh].
    pue : numeric
        Facility power usage effectiveness, ≥ 1 [-].

    Returns
    -------
    numeric
        [g CO2e].
    """
    return energy_carbon_g(np.multiply(np.multiply(average_power_w, pue), lifetime_s), carbon_intensity_g_per_kwh)


@dataclass(frozen=True)
class LifetimeCarbon:
    """Embodied plus operational carbon of a system over its life [g CO2e]."""

    embodied_g: float
    operational_g: float

    @property
    def total_g(self) -> float:
        return self.embodied_g + self.operational_g

    @property
    def embodied_share(self) -> float:
        """Embodied over total [-]: high on clean grids, which is when hardware choice matters most."""
        return self.embodied_g / self.total_g if self.total_g > 0 else 0.0


def lifetime_carbon(embodied_g: float, average_power_w: float, lifetime_s: float, carbon_intensity_g_per_kwh: float,
                    pue: float = 1.0) -> LifetimeCarbon:
    """Embodied plus operational carbon (:func:`operational_carbon_g`) of one system."""
    if pue < 1.0:
        raise InputError(f"PUE must be >= 1, got {pue!r}", location="pue")
    return LifetimeCarbon(float(embodied_g),
                          float(operational_carbon_g(average_power_w, lifetime_s, carbon_intensity_g_per_kwh, pue)))


def processor_die(processor_type: str) -> tuple[float, float]:
    """Default (area [mm²], process [nm]) of a processor type when a spec gives none (carbon.toml)."""
    defaults = _table()["processor_defaults"]
    if processor_type not in defaults:
        raise InputError(f"no default die for processor type {processor_type!r}; expected one of "
                         f"{', '.join(defaults)}", location="processors.type")
    entry = defaults[processor_type]
    return float(entry["area_mm2"]), float(entry["process_nm"])


def node_embodied_carbon_g(machine) -> float:
    """Embodied carbon of one node of an ``archmodels`` Machine [g CO2e].

    Processors: default die area and process by type (:func:`processor_die`) with ACT packaging;
    memory: every level with a technology, capacity × g/GB (on-die SRAM, with no technology or
    ``sram``, is part of the die area); rest of node (boards, power, chassis) from carbon.toml. Network switches
    and cables are not included.
    """
    rest = _table()["rest_of_node"]
    total = float(rest["per_node_g"]["value"])
    for proc in machine.node.processors:
        area, process = processor_die(proc.type)
        per_processor = die_embodied_carbon_g(area, process) + float(rest["per_processor_g"]["value"])
        for level in proc.memory:
            if level.technology and level.technology != "sram":
                per_processor += memory_embodied_carbon_g(level.capacity_bytes, level.technology)
        total += proc.count * per_processor
    return total
