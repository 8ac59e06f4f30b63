"""What a centre pays for grid electricity: energy price, retail adders, renewable surcharge, demand charge.

A market-linked extra-high-voltage supply in Japan (values and sources in ``ops/data/tariffs.toml``):

    energy rate_k   = (p_spot,k + a_retail + a_tax) · (1 + τ) + s_FIT(t_k)          [JPY/kWh]
    energy cost     = Σ_k E_k [kWh] · rate_k
    demand charge   = Σ_months d · max_k∈m (E_k / Δt_k) [kW] · (185 − PF) / 100 · (1 + τ) · h_m / H_m

with p_spot the JEPX day-ahead price of the tariff's area, a_retail the network energy charge and
the retailer's margin, a_tax the power-resources development promotion tax, τ the consumption tax,
s_FIT the renewable-energy surcharge of the bill's fiscal period (national, tax included; it applies
to grid electricity only, not to on-site generation), d the demand charge per kW of the month's
highest 30-minute average import (the basic charge of the former general utilities' tariffs, with
their power-factor rule), and h_m / H_m the share of month m the run covers (``assumption``: a run
shorter than a month is charged that share of the month's demand charge, so a 4-hour run is not
charged a whole month). Contract demand in Japan is often the highest of the last 12 months
(実量制); a single run cannot see that history, so each month's own peak is used (``assumption``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from archmodels.errors import InputError
from archmodels.references import check_name

TARIFF_FILE = Path(__file__).resolve().parent / "data" / "tariffs.toml"
J_PER_KWH = 3.6e6
#: Tariff used with a grid when none is named, by the grid's price area.
DEFAULT_TARIFF_BY_AREA = {"tokyo": "tepco-ehv", "kansai": "kansai-ehv"}


@dataclass(frozen=True)
class Tariff:
    """A tariff's parameters (yen before consumption tax unless noted)."""

    name: str
    area: str  #: JEPX price area (``grid`` = the grid's own price series)
    demand_charge_jpy_per_kw_month: float
    power_factor_percent: float
    retail_adder_jpy_per_kwh: float
    promotion_tax_jpy_per_kwh: float
    renewable_surcharge: bool
    consumption_tax: float  #: τ [-] (0 when the tariff is untaxed)
    #: (start, end, JPY/kWh tax included) per fiscal period of bills
    surcharge_periods: tuple[tuple[pd.Timestamp, pd.Timestamp, float], ...] = ()

    @property
    def power_factor_multiplier(self) -> float:
        """(185 − PF) / 100 [-]."""
        return (185.0 - self.power_factor_percent) / 100.0


def _value(entry, where: str) -> float:
    v = entry.get("value") if isinstance(entry, dict) else entry
    if not isinstance(v, (int, float)) or isinstance(v, bool) or not np.isfinite(v) or v < 0:
        raise InputError(f"{where} must be a number >= 0, got {v!r}", file=str(TARIFF_FILE))
    return float(v)


@lru_cache(maxsize=8)
def load_tariff(name: str) -> Tariff:
    """A tariff named in ``ops/data/tariffs.toml`` (``tepco-ehv``, ``kansai-ehv``, ``spot``)."""
    with open(TARIFF_FILE, "rb") as fh:
        data = tomllib.load(fh)
    tariffs = data["tariffs"]
    check_name("tariff", name, list(tariffs), "tariffs of ops/data/tariffs.toml")
    t = tariffs[name]
    periods = tuple((pd.Timestamp(p["start"]), pd.Timestamp(p["end"]), _value(p["jpy_per_kwh"], "renewable_surcharge"))
                    for p in data["renewable_surcharge"])
    pf = _value(t["power_factor_percent"], f"tariffs.{name}.power_factor_percent")
    if not 0 < pf <= 100:
        raise InputError(f"tariffs.{name}.power_factor_percent must be in (0, 100], got {pf}", file=str(TARIFF_FILE))
    return Tariff(
        name=name, area=t["area"],
        demand_charge_jpy_per_kw_month=_value(t["demand_charge_jpy_per_kw_month"], f"tariffs.{name}.demand_charge"),
        power_factor_percent=pf,
        retail_adder_jpy_per_kwh=_value(t["retail_adder_jpy_per_kwh"], f"tariffs.{name}.retail_adder_jpy_per_kwh"),
        promotion_tax_jpy_per_kwh=_value(t["promotion_tax_jpy_per_kwh"], f"tariffs.{name}.promotion_tax_jpy_per_kwh"),
        renewable_surcharge=bool(t["renewable_surcharge"]),
        consumption_tax=_value(data["consumption_tax"], "consumption_tax") if t.get("taxed", True) else 0.0,
        surcharge_periods=periods,
    )


def surcharge_jpy_per_kwh(times, periods) -> np.ndarray:
    """Renewable-energy surcharge [JPY/kWh, tax included] in force at each bill time."""
    t = pd.DatetimeIndex(times)
    out = np.full(len(t), np.nan)
    for start, end, value in periods:
        out[(t >= start) & (t < end)] = value
    if np.isnan(out).any():
        first = t[np.isnan(out)][0]
        raise InputError(f"no renewable surcharge for {first} in {TARIFF_FILE.name} (periods "
                         f"{periods[0][0].date()} .. {periods[-1][1].date()})")
    return out


def energy_rate_jpy_per_kwh(spot_jpy_per_kwh: np.ndarray, times, tariff: Tariff) -> dict[str, np.ndarray]:
    """Per-slot energy rate by component [JPY/kWh]: ``energy`` (spot, taxed), ``retail_adder``
    (adder and promotion tax, taxed), ``renewable_surcharge``."""
    tax = 1.0 + tariff.consumption_tax
    parts = {"energy": np.asarray(spot_jpy_per_kwh, dtype=np.float64) * tax,
             "retail_adder": np.full(len(spot_jpy_per_kwh),
                                     (tariff.retail_adder_jpy_per_kwh + tariff.promotion_tax_jpy_per_kwh) * tax)}
    parts["renewable_surcharge"] = (surcharge_jpy_per_kwh(times, tariff.surcharge_periods)
                                    if tariff.renewable_surcharge else np.zeros(len(spot_jpy_per_kwh)))
    return parts


def demand_charge_jpy(energy_j: np.ndarray, duration_s: np.ndarray, month: np.ndarray, month_s: np.ndarray,
                      tariff: Tariff) -> tuple[float, dict[int, float]]:
    """Demand charge [JPY] on each month's peak slot-average import, prorated by the month's share.

    Parameters
    ----------
    energy_j : float64[n]
        Grid import per slot [J].
    duration_s : float64[n]
        Slot lengths [s].
    month : int64[n]
        Month index of each slot (any integer labelling calendar months).
    month_s : float64[n]
        Length of the slot's calendar month [s].

    Returns
    -------
    total, peaks : float, dict
        The charge, and each month's peak demand [W].
    """
    if len(energy_j) == 0:
        return 0.0, {}
    power_w = np.where(duration_s > 0, energy_j / np.where(duration_s > 0, duration_s, 1.0), 0.0)
    total = 0.0
    peaks: dict[int, float] = {}
    rate = tariff.demand_charge_jpy_per_kw_month * tariff.power_factor_multiplier * (1.0 + tariff.consumption_tax)
    cut = np.flatnonzero(np.diff(month)) + 1
    for a, b in zip(np.r_[0, cut], np.r_[cut, len(month)]):
        peak = float(power_w[a:b].max())
        peaks[int(month[a])] = peak
        total += rate * peak / 1e3 * float(duration_s[a:b].sum()) / float(month_s[a])
    return total, peaks


@lru_cache(maxsize=16)
def _area_spot(area: str) -> pd.Series:
    from ops.grid import GRID_DIR

    col = f"{area}_price_jpy_kwh"
    path = GRID_DIR / "jepx_spot_prices_2025.csv.gz"
    head = pd.read_csv(path, nrows=0).columns
    if col not in head:
        areas = sorted(c[: -len("_price_jpy_kwh")] for c in head if c.endswith("_price_jpy_kwh") and c != "system_price_jpy_kwh")
        raise InputError(f"no JEPX price for area {area!r}; expected one of {areas}", file=str(path))
    df = pd.read_csv(path, usecols=["timestamp", col])
    return df.set_index(pd.to_datetime(df["timestamp"], format="%Y-%m-%d %H:%M:%S"))[col].sort_index()


@lru_cache(maxsize=16)
def _aligned_spot(area: str, grid) -> np.ndarray:
    s = _area_spot(area)
    index = grid.start + pd.to_timedelta(np.arange(len(grid)) * grid.step_s, unit="s")
    return s.reindex(s.index.union(index)).interpolate(method="time").reindex(index).to_numpy(np.float64)


def spot_price_jpy_per_kwh(tariff: Tariff, grid, idx: np.ndarray) -> np.ndarray:
    """JEPX price of the tariff's area in grid slots ``idx`` (the grid's own series for ``grid``)."""
    if tariff.area in ("grid", grid.area):
        return grid.price_jpy_per_kwh[idx]
    return _aligned_spot(tariff.area, grid)[idx]
