"""The electricity grid a centre draws from: carbon intensity, spot price, solar and wind profiles.

``tokyo-2025``: the TEPCO service area, 2025-04-01 00:00 to 2026-03-07 23:30 (local time, every
30 minutes; the span the three source files share, see ``ops/data/PROVENANCE.md``):

* generation mix: TEPCO area supply-demand records (MW by source);
* price: JEPX day-ahead spot price, Tokyo area [JPY/kWh];
* solar and wind capacity factors [-] — of JAPAN, not of the area: the profile file's solar output
  peaks at 55 GW and its available PV at 60 GW (the TEPCO area alone has about a fifth of Japan's
  PV), so ``renewables_scope`` says ``national``; an on-site plant is scaled by these factors.

``kansai-2025``: the Kansai area (Kobe, where Fugaku and its successor sit) over the same span:

* price: JEPX day-ahead spot price, Kansai area, every 30 minutes (same file);
* carbon: no half-hourly Kansai mix is shipped. The intensity is flat at the same life-cycle
  factors applied to the area's 2024 annual generation mix (Electricity Maps zone JP-KN, 2024
  average power-origin ratios; :data:`KANSAI_2024_MIX`); ``carbon_basis`` says ``annual mix``, so
  a carbon-aware policy sees no signal there (a price-aware one does);
* solar and wind: the national profiles (as above).

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
from ops.marginal import marginal_intensity

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

_EM_JP_KN = ("Electricity Maps, zone JP-KN (Kansai), fallbackZoneMixes.powerOriginRatios, '2024 average'; "
             "electricitymaps/electricitymaps-contrib, config/zones/JP-KN.yaml, "
             "https://github.com/electricitymaps/electricitymaps-contrib/blob/master/config/zones/JP-KN.yaml")

#: Kansai area generation shares of 2024 [-] by this module's source names (Electricity Maps'
#: names: coal, gas, oil, nuclear, hydro, hydro discharge, solar, wind, biomass, geothermal,
#: unknown -> "other"); the zone's own 2024 life-cycle average there is 361.77 g/kWh.
KANSAI_2024_MIX: dict[str, float] = {
    "coal_thermal": 0.2308288455754829, "lng_thermal": 0.2550304821563375, "oil_thermal": 0.03108945642837576,
    "nuclear": 0.2882485609098048, "hydro": 0.08107783911461883, "pumped_hydro": 0.0003459494756093433,
    "solar_actual": 0.07460594186010626, "wind_actual": 0.002427072768801394, "biomass": 0.006082162692915101,
    "geothermal": 0.00019000633442015563, "other": 0.030073678811974553,
}


@dataclass(frozen=True)
class GridData:
    """Where a shipped grid's series come from."""

    area: str                 #: JEPX price area (a column of the price file)
    generation: str | None    #: half-hourly generation mix of the area, MW by source; or None and
    annual_mix: dict[str, float] | None  #: the area's annual shares by source (flat carbon)
    mix_source: str
    prices: str = "jepx_spot_prices_2025.csv.gz"
    renewables: str = "tokyo_renewable_profiles_2025.csv.gz"
    renewables_scope: str = "national"


GRIDS = {
    "tokyo-2025": GridData("tokyo", "tokyo_area_generation_2025.csv.gz", None,
                           "TEPCO area supply-demand records, every 30 min (ops/data/PROVENANCE.md)"),
    "kansai-2025": GridData("kansai", None, KANSAI_2024_MIX, _EM_JP_KN),
}


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
    carbon_basis: str = "half-hourly mix"  #: or "annual mix": a flat intensity from annual shares
    renewables_scope: str = "national"     #: what the solar and wind factors describe
    #: short-run marginal intensity per slot [g/kWh] (:mod:`ops.marginal`); None without a half-hourly mix
    marginal_carbon_g_per_kwh: np.ndarray | None = None

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
            **({"marginal_carbon_intensity_g_per_kwh": self.marginal_carbon_g_per_kwh}
               if self.marginal_carbon_g_per_kwh is not None else {}),
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


def annual_mix_frame(shares: dict[str, float], index: pd.DatetimeIndex) -> pd.DataFrame:
    """An annual mix as a flat half-hourly "generation" frame (shares in every slot, 0 elsewhere)."""
    unknown = set(shares) - set(EMISSION_FACTORS_G_PER_KWH)
    if unknown:
        raise InputError(f"annual mix names sources without an emission factor: {sorted(unknown)}")
    return pd.DataFrame({s: np.full(len(index), float(shares.get(s, 0.0))) for s in EMISSION_FACTORS_G_PER_KWH},
                        index=index)


@lru_cache(maxsize=4)
def load_grid(name: str = "tokyo-2025") -> Grid:
    """A named grid (``tokyo-2025``, ``kansai-2025``) from the package data."""
    check_name("grid", name, list(GRIDS), "shipped grids")
    data = GRIDS[name]
    price_col = f"{data.area}_price_jpy_kwh"
    # both grids span the Tokyo mix file's dates, so that they can be compared and federated slot by slot
    gen = _read(GRIDS["tokyo-2025"].generation, list(EMISSION_FACTORS_G_PER_KWH))
    price = _read(data.prices, [price_col])
    ren = _read(data.renewables, ["solar_cf", "wind_cf"])
    start = max(gen.index[0], price.index[0], ren.index[0])
    end = min(gen.index[-1], price.index[-1], ren.index[-1])
    index = pd.date_range(start, end, freq="30min")

    def aligned(df):
        return df.reindex(df.index.union(index)).interpolate(method="time").reindex(index)

    price, ren = aligned(price), aligned(ren)
    gen = aligned(gen) if data.generation is not None else annual_mix_frame(data.annual_mix, index)
    marginal = (marginal_intensity(gen, {k: v[0] for k, v in EMISSION_FACTORS_G_PER_KWH.items()}).per_slot_g_per_kwh
                if data.generation is not None else None)
    return Grid(
        name=name, start=start, step_s=1800.0,
        carbon_g_per_kwh=carbon_intensity_g_per_kwh(gen),
        price_jpy_per_kwh=price[price_col].to_numpy(dtype=np.float64),
        renewable_fraction=renewable_fraction(gen),
        solar_cf=np.clip(ren["solar_cf"].to_numpy(dtype=np.float64), 0.0, 1.0),
        wind_cf=np.clip(ren["wind_cf"].to_numpy(dtype=np.float64), 0.0, 1.0),
        area=data.area,
        carbon_basis="half-hourly mix" if data.generation is not None else "annual mix",
        renewables_scope=data.renewables_scope,
        marginal_carbon_g_per_kwh=marginal,
    )
