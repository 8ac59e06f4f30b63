"""Marginal carbon intensity of a grid from its half-hourly generation mix.

The average intensity (:func:`ops.grid.carbon_intensity_g_per_kwh`) says what a kWh drawn now is
made of; the marginal intensity says what one more kWh drawn now makes the grid burn. It is the
short-run marginal emission factor of Hawkes (2010) and Siler-Evans, Azevedo & Morgan (2012): the
slope of the change of the area's emissions against the change of its dispatchable generation
between consecutive slots, fitted by ordinary least squares within each (season, hour of day):

    E_t = Σ_s EF_s · G_s(t)   [g/h],        D_t = Σ_{s ∉ VRE} G_s(t)   [MW]
    ΔE_t = a_g + MEF_g · ΔD_t   for the slots t of group g   →   MEF_g [g/kWh] (MW·h = 1000 kWh)

over the sources that generate at t (charging and exports, negative, are load and left out, as in
the average), with ``EF_s`` the same life-cycle factors (:data:`ops.grid.EMISSION_FACTORS_G_PER_KWH`)
and VRE = solar and wind: their output is not dispatched to follow load, so a solar ramp is not a
marginal response (regressing on total generation instead biases the daytime slopes towards zero).
Seasons are DJF, MAM, JJA, SON; a group with fewer than :data:`MIN_PAIRS` pairs takes the slope
fitted on every pair (``assumption``). Each slot's marginal intensity is its group's slope.

References
----------
A. D. Hawkes, "Estimating marginal CO2 emissions rates for national electricity systems",
Energy Policy 38(10), 5977-5987, 2010, https://doi.org/10.1016/j.enpol.2010.05.053.
K. Siler-Evans, I. L. Azevedo, M. G. Morgan, "Marginal emissions factors for the U.S. electricity
system", Environ. Sci. Technol. 46(9), 4742-4748, 2012, https://doi.org/10.1021/es300145v.

What it is not: a short-run response with the area's own plants (imports counted at their factor),
not the build margin, and the evening slopes are low where pumped-hydro discharge (24 g/kWh)
follows the evening ramp while the energy it releases was generated earlier.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Sources whose output follows the weather, not the load.
VARIABLE_SOURCES = ("solar_actual", "wind_actual")
#: Fewest consecutive-slot pairs a (season, hour) group is fitted on.
MIN_PAIRS = 30
#: Month -> season index (0 DJF, 1 MAM, 2 JJA, 3 SON).
SEASON_NAMES = ("DJF", "MAM", "JJA", "SON")


@dataclass(frozen=True)
class MarginalFit:
    """Per slot marginal intensity [g/kWh] and the fit per (season, hour): slope, r², pairs."""

    per_slot_g_per_kwh: np.ndarray
    groups: pd.DataFrame  #: columns season, hour, mef_g_per_kwh, r2, pairs


def _season(index: pd.DatetimeIndex) -> np.ndarray:
    return np.asarray((index.month % 12) // 3, dtype=np.int64)


def marginal_intensity(mix: pd.DataFrame, factors: dict[str, float]) -> MarginalFit:
    """Fit the marginal emission factors of a half-hourly mix (columns in MW, a DatetimeIndex).

    Parameters
    ----------
    mix : DataFrame
        Generation by source [MW], one row per slot, in time order.
    factors : dict
        Source -> life-cycle emission factor [g CO2-eq/kWh]; every column of ``mix`` named there.

    Returns
    -------
    MarginalFit
    """
    cols = [c for c in mix.columns if c in factors]
    gen = np.clip(mix[cols].to_numpy(dtype=np.float64), 0.0, None)
    ef = np.array([factors[c] for c in cols])
    emissions = gen @ ef * 1000.0                       # [g/h] = MW · 1000 kWh/MWh · g/kWh
    dispatchable = gen[:, [i for i, c in enumerate(cols) if c not in VARIABLE_SOURCES]].sum(axis=1)
    d_e, d_d = np.diff(emissions), np.diff(dispatchable) * 1000.0   # [g/h], [kW]
    index = pd.DatetimeIndex(mix.index)
    season, hour = _season(index), np.asarray(index.hour)
    all_slope = _slope(d_d, d_e)
    rows, table = [], np.full((4, 24), all_slope)
    for s in range(4):
        for h in range(24):
            m = (season[1:] == s) & (hour[1:] == h)
            n = int(m.sum())
            slope, r2 = (_slope(d_d[m], d_e[m]), _r2(d_d[m], d_e[m])) if n >= MIN_PAIRS else (all_slope, float("nan"))
            table[s, h] = slope
            rows.append({"season": SEASON_NAMES[s], "hour": h, "mef_g_per_kwh": slope, "r2": r2, "pairs": n})
    return MarginalFit(table[season, hour], pd.DataFrame(rows))


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    """OLS slope of y on x with an intercept."""
    xc = x - x.mean()
    return float((xc * (y - y.mean())).sum() / (xc * xc).sum())


def _r2(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.corrcoef(x, y)[0, 1] ** 2)
