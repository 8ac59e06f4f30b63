"""On-site renewables and a battery between the facility and the grid.

Per time slot of length Δt, with facility load L, on-site generation R (capacity × capacity factor):

1. on-site generation serves the load first: direct = min(L, R);
2. surplus R − direct charges the battery (within its power and free capacity), the rest is
   curtailed (no export, ``assumption``);
3. the battery charges from the grid in low-signal slots (signal below the ``low_quantile`` of its
   day) and discharges to the load in high-signal slots (above the ``high_quantile``) — a
   threshold rule in the spirit of carbon-aware storage dispatch (``assumption``: perfect
   day-ahead knowledge of the signal, as in Wiesner et al. 2021);
4. the grid supplies the rest: import = L − direct − discharge + grid charge.

Round-trip efficiency η is applied on charging (stored = η · energy in), so every joule taken out
reached the store. State of charge starts at half capacity (``assumption``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from archmodels.errors import InputError


@dataclass(frozen=True)
class Battery:
    """A stationary battery: capacity [J], charge/discharge power [W], round-trip efficiency [-]."""

    capacity_j: float
    power_w: float
    efficiency: float = 0.9  #: round-trip (``assumption``: Li-ion, NREL ATB 2023 uses 85 %)
    low_quantile: float = 0.25
    high_quantile: float = 0.75

    def __post_init__(self):
        if self.capacity_j < 0 or self.power_w < 0:
            raise InputError("battery capacity_j and power_w must be >= 0")
        if not 0 < self.efficiency <= 1:
            raise InputError(f"battery efficiency must be in (0, 1], got {self.efficiency}")


@dataclass(frozen=True)
class OnsiteRenewables:
    """On-site solar and wind [W of nameplate capacity]."""

    solar_w: float = 0.0
    wind_w: float = 0.0


class Flows(NamedTuple):
    """Energy per slot [J]."""

    grid_j: np.ndarray  #: imported from the grid (load and battery charging)
    direct_j: np.ndarray  #: on-site generation used by the load directly
    discharge_j: np.ndarray  #: battery discharge to the load
    discharge_renewable_j: np.ndarray  #: renewable part of the discharge
    grid_charge_j: np.ndarray  #: grid energy that went into the battery
    curtailed_j: np.ndarray  #: on-site generation neither used nor stored


def dispatch(load_j: np.ndarray, onsite_j: np.ndarray, signal: np.ndarray, day: np.ndarray,
             grid_renewable: np.ndarray, battery: Battery | None, step_s: float):
    """Energy flows per slot [J] (:class:`Flows`).

    The store tracks how much of its charge is renewable (on-site surplus, and the grid's
    renewable fraction of grid charging) and discharges that share proportionally.

    Parameters
    ----------
    load_j, onsite_j : float64[n]
        Facility energy demand and on-site generation per slot [J].
    signal : float64[n]
        What the battery follows (carbon intensity or price); higher = worse.
    day : int64[n]
        Day number of each slot (thresholds are per day).
    grid_renewable : float64[n]
        Renewable fraction of grid electricity [-].
    battery : Battery or None
    step_s : float
        Slot length [s].
    """
    direct = np.minimum(load_j, onsite_j)
    surplus = onsite_j - direct
    rest = load_j - direct
    n = len(load_j)
    grid_in = rest.copy()
    discharge = np.zeros(n)
    discharge_ren = np.zeros(n)
    grid_charge = np.zeros(n)
    from_surplus = np.zeros(n)
    if battery is None or battery.capacity_j == 0 or battery.power_w == 0:
        return Flows(grid_in, direct, discharge, discharge_ren, grid_charge, surplus)
    low = np.empty(n)
    high = np.empty(n)
    for d in np.unique(day):
        m = day == d
        low[m] = np.quantile(signal[m], battery.low_quantile)
        high[m] = np.quantile(signal[m], battery.high_quantile)
    soc = 0.5 * battery.capacity_j
    soc_ren = 0.0
    max_step_j = battery.power_w * step_s
    eta = battery.efficiency
    for k in range(n):
        room = battery.capacity_j - soc
        take = min(surplus[k], max_step_j, room / eta)
        soc += eta * take
        soc_ren += eta * take
        from_surplus[k] = take
        budget = max_step_j - take
        if signal[k] >= high[k] and signal[k] > low[k]:
            out = min(rest[k], soc, max_step_j)
            ren = out * soc_ren / soc if soc > 0 else 0.0
            soc -= out
            soc_ren -= ren
            discharge[k] = out
            discharge_ren[k] = ren
            grid_in[k] = rest[k] - out
        elif signal[k] <= low[k] and signal[k] < high[k] and budget > 0:
            charge = min(budget, (battery.capacity_j - soc) / eta)
            soc += eta * charge
            soc_ren += eta * charge * grid_renewable[k]
            grid_in[k] = rest[k] + charge
            grid_charge[k] = charge
    curtailed = surplus - from_surplus
    return Flows(grid_in, direct, discharge, discharge_ren, grid_charge, curtailed)
