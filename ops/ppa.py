"""An off-site corporate power purchase agreement (PPA): energy, money and certificates per slot.

The contracted plant (``solar_w``, ``wind_w`` of nameplate) generates, in slot k of length Δt_k,

    G_k = (P_solar · cf_solar,k + P_wind · cf_wind,k) · Δt_k                          [J]

with the capacity factors of the grid the centre draws from (``ops.grid``: the same profiles the
on-site plant uses, so the contracted plant is assumed to sit in the same area, ``assumption``).
It is matched to the facility's load slot by slot: what the load still imports after on-site
generation and the battery's discharge (grid energy bought to charge the battery is not matched,
``assumption``: the battery's dispatch does not see the PPA),

    M_k = min(G_k, L_k − direct_k − discharge_k)                                    [J]

so M never exceeds the generation nor the load. Two kinds of contract:

**physical** (sleeved: the energy goes through the network to the centre): the matched energy
replaces retail supply and is billed at

    r_PPA,k = (p + w + a_tax) · (1 + τ) + s_FIT,k · [route = retail]                 [JPY/kWh]

(p the contract price, w the network (wheeling, 託送料金) charge per kWh, a_tax the
power-resources development promotion tax collected through network charges, τ the consumption
tax, s_FIT the renewable-energy surcharge), and the rest of the import at the tariff
(:mod:`ops.tariff`). The surplus G − M is, with ``surplus = "resold"`` (pay-as-produced, the usual
off-site contract), paid at p and resold at the area's spot price: (p − p_spot,k) · (G_k − M_k) ·
(1 + τ); with ``"curtailed"`` (pay-as-consumed) it is neither delivered nor paid. The demand
charge stays on the metered import, PPA energy included: the energy still flows through the
centre's connection (``assumption``: the whole demand-related network cost is in the tariff's
demand charge, w is the energy part).

The renewable-energy surcharge (再エネ賦課金) is levied on electricity a retail electricity
supplier delivers to a user (再エネ特措法; ITmedia スマートジャパン 2024-01-05, 「再エネ賦課金逃れ」
防止へ自己託送要件を厳格化, https://www.itmedia.co.jp/smartjapan/articles/2401/05/news054.html):
an off-site PPA through a retailer (``route = "retail"``, the default and the route open to a
buyer without a stake in the plant) pays it; self-wheeling (``"self-wheeling"``, 自己託送) counts as
self-consumption and does not (Japan Energy Hub, off-site physical PPA comparison table,
https://japanenergyhub.com/off-site-ppa/).

**virtual** (financial, with the non-fossil certificates of the generation): the load still buys
all its energy under the tariff, surcharge included; the contract settles the difference between
the strike p and the area's spot price on the whole generation, Σ_k G_k · (p − p_spot,k), a
payment when spot is below the strike (``assumption``: a financial settlement, outside
consumption tax).

**Carbon.** Location-based (GHG Protocol Scope 2 Guidance, 2015): the grid's intensity on the
energy imported, unchanged by either kind (the grid burns what it burns). Market-based: the
contractual instrument's energy M_k at the generator's 0 g/kWh, the rest at the grid's intensity
(``assumption``: no residual mix is published per half hour for Japan's areas; the grid's own
intensity stands for it, which understates the market-based figure slightly, since the residual
mix is the grid without the renewable attributes sold). Matching is slot by slot (the Guidance
allows matching over the reporting year, which would credit more of a surplus; slot-by-slot
matching is the stricter, 24/7 reading).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from archmodels.errors import InputError

PPA_FILE = Path(__file__).resolve().parent / "data" / "ppa.toml"
J_PER_KWH = 3.6e6
KINDS = ("physical", "virtual")
ROUTES = ("retail", "self-wheeling")
SURPLUS_RULES = ("resold", "curtailed")


@dataclass(frozen=True)
class PPA:
    """An off-site PPA (see the module docstring for the rules and the sources)."""

    solar_w: float = 0.0  #: contracted solar nameplate [W]
    wind_w: float = 0.0  #: contracted wind nameplate [W]
    price_jpy_per_kwh: float = 0.0  #: contract (strike) price, before consumption tax [JPY/kWh]
    kind: str = "physical"  #: ``physical`` (sleeved) or ``virtual`` (financial)
    route: str = "retail"  #: physical only: ``retail`` (surcharge applies) or ``self-wheeling``
    #: network charge per kWh delivered, before tax [JPY/kWh]; None: the area's (ops/data/ppa.toml)
    wheeling_jpy_per_kwh: float | None = None
    surplus: str = "resold"  #: physical only: ``resold`` at spot (pay-as-produced) or ``curtailed``

    def __post_init__(self):
        for name in ("solar_w", "wind_w", "price_jpy_per_kwh"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v >= 0):
                raise InputError(f"PPA {name} must be a finite number >= 0, got {v}")
        if self.wheeling_jpy_per_kwh is not None and not (np.isfinite(self.wheeling_jpy_per_kwh)
                                                          and self.wheeling_jpy_per_kwh >= 0):
            raise InputError(f"PPA wheeling_jpy_per_kwh must be a finite number >= 0, got {self.wheeling_jpy_per_kwh}")
        for name, allowed in (("kind", KINDS), ("route", ROUTES), ("surplus", SURPLUS_RULES)):
            if getattr(self, name) not in allowed:
                raise InputError(f"PPA {name} must be one of {', '.join(allowed)}, got {getattr(self, name)!r}")

    @property
    def nameplate_w(self) -> float:
        return self.solar_w + self.wind_w


@cache
def default_wheeling_jpy_per_kwh(area: str) -> float:
    """The network charge per kWh of a JEPX price area (ops/data/ppa.toml) [JPY/kWh]."""
    with open(PPA_FILE, "rb") as fh:
        table = tomllib.load(fh)["wheeling_jpy_per_kwh"]
    if area not in table:
        raise InputError(f"no PPA wheeling charge for area {area!r} in {PPA_FILE.name} (areas: "
                         f"{', '.join(sorted(table))}); give [operations.ppa] wheeling", file=str(PPA_FILE))
    return float(table[area]["value"])


def ppa_sources() -> dict[str, dict]:
    """The citations of ``ops/data/ppa.toml`` (id -> {title, url})."""
    with open(PPA_FILE, "rb") as fh:
        return tomllib.load(fh)["sources"]


class Settlement(NamedTuple):
    """A PPA's energy [J] and money [JPY] per slot."""

    generation_j: np.ndarray  #: G: the contracted plant's generation
    matched_j: np.ndarray  #: M: generation matched to the load's import (certificates claimed)
    displaced_j: np.ndarray  #: energy billed by the PPA instead of the tariff (M physical, 0 virtual)
    cost_jpy: np.ndarray  #: the PPA's bill: delivered energy, surplus settlement or the virtual difference


def settle(ppa: PPA, solar_cf: np.ndarray, wind_cf: np.ndarray, duration_s: np.ndarray, load_import_j: np.ndarray,
           spot_jpy_per_kwh: np.ndarray, surcharge_jpy_per_kwh: np.ndarray, promotion_tax_jpy_per_kwh: float,
           consumption_tax: float, wheeling_jpy_per_kwh: float) -> Settlement:
    """Generation, matching and the PPA's bill per slot (equations in the module docstring).

    Parameters
    ----------
    solar_cf, wind_cf : float64[n]
        Capacity factors of the slots [-].
    duration_s : float64[n]
        Slot lengths [s].
    load_import_j : float64[n]
        What the load imports from the grid after on-site generation and battery discharge [J].
    spot_jpy_per_kwh : float64[n]
        The area's day-ahead price, before tax [JPY/kWh].
    surcharge_jpy_per_kwh : float64[n]
        Renewable-energy surcharge in force, tax included (0 where the tariff has none) [JPY/kWh].
    promotion_tax_jpy_per_kwh, consumption_tax, wheeling_jpy_per_kwh : float
        a_tax [JPY/kWh], τ [-], w [JPY/kWh].
    """
    gen = (ppa.solar_w * solar_cf + ppa.wind_w * wind_cf) * duration_s
    matched = np.minimum(gen, np.maximum(load_import_j, 0.0))
    tax = 1.0 + consumption_tax
    if ppa.kind == "virtual":
        cost = gen * (ppa.price_jpy_per_kwh - spot_jpy_per_kwh) / J_PER_KWH
        return Settlement(gen, matched, np.zeros_like(gen), cost)
    surcharge = surcharge_jpy_per_kwh if ppa.route == "retail" else 0.0
    delivered = (ppa.price_jpy_per_kwh + wheeling_jpy_per_kwh + promotion_tax_jpy_per_kwh) * tax + surcharge
    cost = matched * delivered / J_PER_KWH
    if ppa.surplus == "resold":
        cost = cost + (gen - matched) * (ppa.price_jpy_per_kwh - spot_jpy_per_kwh) * tax / J_PER_KWH
    return Settlement(gen, matched, matched, cost)
