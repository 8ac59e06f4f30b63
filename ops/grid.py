"""The electricity grid a centre draws from: carbon intensity, spot price, solar and wind profiles.

``tokyo-2025``: the TEPCO service area, 2025-04-01 00:00 to 2026-03-07 23:30 (local time, every
30 minutes; the span the three source files share, see ``ops/data/PROVENANCE.md``):

* generation mix: TEPCO area supply-demand records (MW by source);
* price: JEPX day-ahead spot price, Tokyo area [JPY/kWh];
* solar and wind capacity factors of the area [-].

Carbon intensity is not in the data. It is derived from the mix as the generation-weighted mean of
LIFE-CYCLE emission factors (g CO2-eq per kWh generated, medians):

    CI(t) = Σ_s EF_s · G_s(t) / Σ_s G_s(t)

over the sources s that generate at t (storage discharge and imports count as sources; storage
charging and exports are load, left out). Factors and sources are in :data:`EMISSION_FACTORS_G_PER_KWH`.
Gaps in a file (a slot missing) are filled by linear interpolation in time (``assumption``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from archmodels.errors import InputError
from archmodels.references import check_name

_AR5 = ("IPCC AR5 WG3 Annex III, Table A.III.2 (Schlömer et al. 2014), life-cycle median; "
        "https://www.ipcc.ch/site/assets/uploads/2018/02/ipcc_wg3_ar5_annex-iii.pdf")
_SRREN = ("IPCC SRREN (2011) Annex II, Table A.II.4, life-cycle median of oil-fired generation; "
          "https://www.ipcc.ch/report/renewable-energy-sources-and-climate-change-mitigation/")

#: Per-source life-cycle emission factors [g CO2-eq / kWh] and where each comes from.
EMISSION_FACTORS_G_PER_KWH: dict[str, tuple[float, str]] = {
    "nuclear": (12.0, _AR5),
    "lng_thermal": (490.0, _AR5 + " (gas, combined cycle)"),
    "coal_thermal": (820.0, _AR5 + " (coal, pulverised)"),
    "oil_thermal": (840.0, _SRREN),
    "other_thermal": (650.0, "assumption: between gas (490) and oil (840); by-product gases, LPG"),
    "hydro": (24.0, _AR5),
    "geothermal": (38.0, _AR5),
    "biomass": (230.0, _AR5 + " (biomass, dedicated)"),
    "solar_actual": (48.0, _AR5 + " (solar PV, utility)"),
    "wind_actual": (11.0, _AR5 + " (wind, onshore)"),
    "pumped_hydro": (24.0, "assumption: discharge counted at the hydropower factor (AR5)"),
    "battery": (48.0, "assumption: discharge counted at the solar PV factor (AR5)"),
    "interconnector": (440.0, "assumption: imports at about Japan's national average, 0.44 kg/kWh "
                              "(Ministry of the Environment, national average emission factor, FY2022)"),
    "other": (490.0, "assumption: counted as gas (AR5 gas combined cycle)"),
}
RENEWABLE_SOURCES = ("hydro", "geothermal", "biomass", "solar_actual", "wind_actual")

GRID_DIR = Path(__file__).resolve().parent / "data" / "grid"
GRIDS = {"tokyo-2025": ("tokyo_area_generation_2025.csv.gz", "jepx_spot_prices_2025.csv.gz",
                        "tokyo_renewable_profiles_2025.csv.gz", "tokyo")}


@dataclass(frozen=True, eq=False)
class Grid:
    """Half-hourly grid series; slot k covers [start + k·step_s, start + (k+1)·step_s)."""

    name: str
    start: pd.Timestamp
    step_s: float
    carbon_g_per_kwh: np.ndarray
    price_jpy_per_kwh: np.ndarray
    renewable_fraction: np.ndarray
    solar_cf: np.ndarray
    wind_cf: np.ndarray
    area: str = "tokyo"  #: JEPX price area of ``price_jpy_per_kwh``

    def __len__(self) -> int:
        return len(self.carbon_g_per_kwh)

    def slot_of(self, offset_s) -> np.ndarray:
        """Slot index of times [s] after ``start``; wraps around after the last slot."""
        return np.floor_divide(np.asarray(offset_s, dtype=np.float64), self.step_s).astype(np.int64) % len(self)

    def frame(self) -> pd.DataFrame:
        """The series as a DataFrame indexed by local time."""
        index = self.start + pd.to_timedelta(np.arange(len(self)) * self.step_s, unit="s")
        return pd.DataFrame({
            "carbon_intensity_g_per_kwh": self.carbon_g_per_kwh,
            "price_jpy_per_kwh": self.price_jpy_per_kwh,
            "renewable_fraction": self.renewable_fraction,
            "solar_cf": self.solar_cf,
            "wind_cf": self.wind_cf,
        }, index=pd.DatetimeIndex(index, name="time"))


def carbon_intensity_g_per_kwh(mix: pd.DataFrame) -> np.ndarray:
    """Generation-weighted life-cycle carbon intensity [g/kWh] of a mix (columns in MW).

    Negative values (storage charging, exports) are load and are left out.
    """
    num = np.zeros(len(mix))
    den = np.zeros(len(mix))
    for source, (factor, _) in EMISSION_FACTORS_G_PER_KWH.items():
        g = np.clip(mix[source].to_numpy(dtype=np.float64), 0.0, None)
        num += factor * g
        den += g
    if np.any(den <= 0):
        raise InputError("generation mix has a slot with no generation")
    return num / den


def renewable_fraction(mix: pd.DataFrame) -> np.ndarray:
    """Share of generation from renewable sources [-] (hydro, geothermal, biomass, solar, wind)."""
    total = sum(np.clip(mix[s].to_numpy(dtype=np.float64), 0.0, None) for s in EMISSION_FACTORS_G_PER_KWH)
    ren = sum(mix[s].to_numpy(dtype=np.float64) for s in RENEWABLE_SOURCES)
    return ren / total


def _read(name: str, columns: list[str] | None = None) -> pd.DataFrame:
    usecols = None if columns is None else ["timestamp", *columns]
    df = pd.read_csv(GRID_DIR / name, usecols=usecols)
    df["timestamp"] = pd.to_datetime(df["timestamp"], format="%Y-%m-%d %H:%M:%S")
    return df.set_index("timestamp").sort_index()


@lru_cache(maxsize=4)
def load_grid(name: str = "tokyo-2025") -> Grid:
    """A named grid (``tokyo-2025``) from the package data."""
    check_name("grid", name, list(GRIDS), "shipped grids")
    gen_file, price_file, ren_file, area = GRIDS[name]
    price_col = f"{area}_price_jpy_kwh"
    gen = _read(gen_file, list(EMISSION_FACTORS_G_PER_KWH))
    price = _read(price_file, [price_col])
    ren = _read(ren_file, ["solar_cf", "wind_cf"])
    start = max(gen.index[0], price.index[0], ren.index[0])
    end = min(gen.index[-1], price.index[-1], ren.index[-1])
    index = pd.date_range(start, end, freq="30min")

    def aligned(df):
        return df.reindex(df.index.union(index)).interpolate(method="time").reindex(index)

    gen, price, ren = aligned(gen), aligned(price), aligned(ren)
    return Grid(
        name=name, start=start, step_s=1800.0,
        carbon_g_per_kwh=carbon_intensity_g_per_kwh(gen),
        price_jpy_per_kwh=price[price_col].to_numpy(dtype=np.float64),
        renewable_fraction=renewable_fraction(gen),
        solar_cf=np.clip(ren["solar_cf"].to_numpy(dtype=np.float64), 0.0, 1.0),
        wind_cf=np.clip(ren["wind_cf"].to_numpy(dtype=np.float64), 0.0, 1.0),
        area=area,
    )
