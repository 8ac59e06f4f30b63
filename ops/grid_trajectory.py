"""A grid's carbon intensity over a machine's life: a national plan's power mix by year.

The plans are data (``ops/data/grid_trajectories.toml``, with sources): each plan year's mix is
by :mod:`ops.grid`'s source names and its intensity is the same life-cycle factors
(:data:`ops.grid.EMISSION_FACTORS_G_PER_KWH`) applied to the shares. The area's intensity runs
linearly from its measured value in the grid's base year to the plan value of each plan year, straight
between plan years, flat after the last (``assumption``, stated in the file).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from archmodels.errors import InputError
from archmodels.references import check_name
from ops.grid import EMISSION_FACTORS_G_PER_KWH

TRAJECTORY_FILE = Path(__file__).resolve().parent / "data" / "grid_trajectories.toml"


@cache
def trajectory_table() -> dict:
    """The trajectory file as a dict (plans by name, ``sources``)."""
    return tomllib.loads(TRAJECTORY_FILE.read_text(encoding="utf-8"))


def plan_names() -> list[str]:
    """Names of the shipped trajectories."""
    return [k for k in trajectory_table() if k != "sources"]


def plan_mix(plan: str, year: int) -> dict[str, float]:
    """A plan year's power mix [-] by source, the renewables split as the plan's ``renewable_split``."""
    check_name("grid trajectory", plan, plan_names(), "shipped trajectories")
    p = trajectory_table()[plan]
    entry = p["years"][str(year)]
    shares = {k: float(v) for k, v in entry.items() if k not in ("source", "renewables")}
    for source, part in p["renewable_split"].items():
        shares[source] = shares.get(source, 0.0) + float(entry["renewables"]) * float(part)
    unknown = set(shares) - set(EMISSION_FACTORS_G_PER_KWH)
    if unknown:
        raise InputError(f"trajectory {plan!r} {year} names sources without an emission factor: {sorted(unknown)}")
    return shares


def mix_intensity_g_per_kwh(shares: dict[str, float]) -> float:
    """Share-weighted life-cycle intensity [g/kWh] of a mix (the factors of :mod:`ops.grid`)."""
    return sum(EMISSION_FACTORS_G_PER_KWH[s][0] * f for s, f in shares.items()) / sum(shares.values())


@dataclass(frozen=True)
class GridTrajectory:
    """An area's intensity by year: linear through (base year, measured) and the plan years."""

    plan: str
    grid: str
    years: np.ndarray          #: knot years: the base year, then the plan years
    intensity_g_per_kwh: np.ndarray

    def at(self, year) -> np.ndarray:
        """Intensity [g/kWh] in ``year`` (flat beyond the knots)."""
        return np.interp(np.asarray(year, dtype=float), self.years, self.intensity_g_per_kwh)

    def lifetime(self, start_year: float, years: float) -> tuple[float, float]:
        """(first-year, lifetime-mean) intensity [g/kWh] over [start_year, start_year + years).

        Each calendar year counts at its midpoint value, the last partial year by its fraction.
        """
        whole = int(np.floor(years))
        frac = years - whole
        y = start_year + np.arange(whole + (frac > 0)) + 0.5
        w = np.ones(len(y))
        if frac > 0:
            w[-1] = frac
            y[-1] = start_year + whole + frac / 2
        values = self.at(y)
        return float(self.at(start_year + 0.5)), float(np.sum(values * w) / np.sum(w))


def grid_trajectory(plan: str, grid: str, measured_g_per_kwh: float) -> GridTrajectory:
    """The ``plan``'s trajectory for a shipped ``grid`` whose base year measured ``measured_g_per_kwh``."""
    check_name("grid trajectory", plan, plan_names(), "shipped trajectories")
    p = trajectory_table()[plan]
    if grid not in p["grids"]:
        raise InputError(f"grid trajectory {plan!r} has no base year for grid {grid!r}; "
                         f"it applies to {sorted(p['grids'])}")
    plan_years = sorted(int(y) for y in p["years"])
    years = np.array([p["grids"][grid], *plan_years], dtype=float)
    values = np.array([measured_g_per_kwh, *(mix_intensity_g_per_kwh(plan_mix(plan, y)) for y in plan_years)])
    return GridTrajectory(plan, grid, years, values)


def default_plan(grid: str) -> str:
    """The trajectory a study on ``grid`` gets by default: the first plan that names the grid, else "none"."""
    return next((name for name in plan_names() if grid in trajectory_table()[name]["grids"]), "none")
