"""On-site renewables and a battery between the facility and the grid.

Per time slot k of length Δt_k, with facility load L, on-site generation R (capacity × capacity
factor):

1. on-site generation serves the load first: direct = min(L, R);
2. surplus R − direct charges the battery (within its power and free capacity), the rest is
   curtailed (no export, ``assumption``);
3. the battery charges from the grid in low-signal slots (signal below the ``low_quantile`` of its
   day) and discharges to the load in high-signal slots (above the ``high_quantile``) — a
   threshold rule in the spirit of carbon-aware storage dispatch (``assumption``: perfect
   day-ahead knowledge of the signal, as in Wiesner et al., "Let's wait awhile", Middleware 2021);
4. the grid supplies the rest: import = L − direct − discharge + grid charge.

The store (energy S [J] held in the cells):

    S ← S + η_c · E_in − E_out / η_d                 (E_in, E_out at the battery's terminals)
    S ← S · exp(−r_sd · Δt)                          (self-discharge)
    C_k = C_0 · (1 − L(f_d))                         (capacity fade, :mod:`ops.degradation`)

with |E_in|, |E_out| ≤ P · Δt and 0 ≤ S ≤ C_k; when the faded capacity falls below S the excess is
lost (``fade_loss_j``). Over a run the energy balance is exact:

    η_c · Σ E_in − Σ E_out / η_d − Σ self-discharge − Σ fade loss = S_end − S_0.

**Reconciliation.** A run ends with a different state of charge than it began. The difference is
settled at the run's mean energy price and carbon intensity: a battery that ends emptier owes the
grid energy (S_0 − S_end) / η_c to refill it; one that ends fuller is credited the (S_end − S_0) · η_d
it can still deliver. So a battery never reports a saving from energy it did not move: its energy
saving, Σ E_out − Σ E_in − reconciliation, is at most the energy it delivered.

Defaults (each cited): round-trip efficiency 85 % (NREL Annual Technology Baseline 2023,
utility-scale battery storage, https://atb.nrel.gov/electricity/2023/utility-scale_battery_storage),
split evenly between charge and discharge (η_c = η_d = √0.85, ``assumption``; Vessim's C-L-C Li-ion
cell model, https://github.com/dos-group/vessim ``vessim/dispatchable.py`` ClcBattery, uses
η_c = 0.978 and 1/η_d = 1.014 for one LG M50 cell, without the inverter); self-discharge 2 % per month
(Battery University, BU-802b "What does elevated self-discharge do?",
https://batteryuniversity.com/article/bu-802b-what-does-elevated-self-discharge-do: Li-ion 1–2 %
per month after the first day, plus the protection circuit); degradation from Xu et al. 2018
(:mod:`ops.degradation`); replacement cost US$326/kWh (NREL, Cole & Karmakar, "Cost projections for
utility-scale battery storage: 2023 update", NREL/TP-6A40-85332, 2030 mid case for a 4-hour system,
https://www.nrel.gov/docs/fy23osti/85332.pdf) at 150 JPY/US$ (``assumption``), end of life at 80 %
of the nominal capacity (``assumption``, the usual Li-ion warranty criterion). The state of charge
starts at half capacity (``assumption``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numba as nb
import numpy as np

from archmodels.errors import InputError
from ops.degradation import SOC_RESOLUTION, DegradationModel, capacity_fade, quantise_soc, temperature_stress

#: Round trip 85 % (NREL ATB 2023), split evenly between charging and discharging.
DEFAULT_ONE_WAY_EFFICIENCY = math.sqrt(0.85)
#: 2 % of the charge per 30 days (Battery University BU-802b) as a rate [1/s].
DEFAULT_SELF_DISCHARGE_PER_S = -math.log(1.0 - 0.02) / (30 * 86400.0)
#: US$326/kWh (NREL/TP-6A40-85332, 2030 mid) × 150 JPY/US$ (``assumption``) [JPY/kWh].
DEFAULT_REPLACEMENT_JPY_PER_KWH = 326.0 * 150.0
J_PER_KWH = 3.6e6


@dataclass(frozen=True)
class Battery:
    """A stationary battery (see the module docstring for the equations and the sources)."""

    capacity_j: float  #: nominal (new) capacity [J]
    power_w: float  #: charge and discharge power limit at the terminals [W]
    charge_efficiency: float = DEFAULT_ONE_WAY_EFFICIENCY  #: η_c [-]
    discharge_efficiency: float = DEFAULT_ONE_WAY_EFFICIENCY  #: η_d [-]
    self_discharge_per_s: float = DEFAULT_SELF_DISCHARGE_PER_S  #: r_sd [1/s]
    initial_soc: float = 0.5  #: S_0 / C_0 [-] (``assumption``)
    low_quantile: float = 0.25
    high_quantile: float = 0.75
    degradation: DegradationModel = field(default_factory=DegradationModel)
    replacement_jpy_per_kwh: float = DEFAULT_REPLACEMENT_JPY_PER_KWH  #: [JPY per kWh of capacity]
    end_of_life_capacity: float = 0.8  #: remaining capacity at end of life [-] (``assumption``)

    def __post_init__(self):
        if not (self.capacity_j >= 0 and self.power_w >= 0):
            raise InputError(f"battery capacity_j and power_w must be >= 0, got {self.capacity_j}, {self.power_w}")
        for name in ("charge_efficiency", "discharge_efficiency"):
            v = getattr(self, name)
            if not 0 < v <= 1:
                raise InputError(f"battery {name} must be in (0, 1], got {v}")
        if not self.self_discharge_per_s >= 0:
            raise InputError(f"battery self_discharge_per_s must be >= 0, got {self.self_discharge_per_s}")
        if not 0 <= self.initial_soc <= 1:
            raise InputError(f"battery initial_soc must be in [0, 1], got {self.initial_soc}")
        if not 0 <= self.end_of_life_capacity < 1:
            raise InputError(f"battery end_of_life_capacity must be in [0, 1), got {self.end_of_life_capacity}")

    @property
    def round_trip_efficiency(self) -> float:
        return self.charge_efficiency * self.discharge_efficiency


@dataclass(frozen=True)
class OnsiteRenewables:
    """On-site solar and wind [W of nameplate capacity]."""

    solar_w: float = 0.0
    wind_w: float = 0.0


class Flows(NamedTuple):
    """Energy per slot [J], and the battery's state."""

    grid_j: np.ndarray  #: imported from the grid (load and battery charging)
    direct_j: np.ndarray  #: on-site generation used by the load directly
    discharge_j: np.ndarray  #: battery discharge delivered to the load (terminals)
    discharge_renewable_j: np.ndarray  #: renewable part of the discharge
    grid_charge_j: np.ndarray  #: grid energy that went into the battery (terminals)
    curtailed_j: np.ndarray  #: on-site generation neither used nor stored
    surplus_charge_j: np.ndarray  #: on-site surplus that went into the battery (terminals)
    soc_j: np.ndarray  #: energy stored at the end of each slot [J]
    capacity_j: np.ndarray  #: (faded) capacity during each slot [J]
    self_discharge_j: np.ndarray  #: lost to self-discharge in each slot
    fade_loss_j: np.ndarray  #: stored energy lost when the capacity fell below it
    f_calendar: float = 0.0  #: Xu et al. calendar degradation at the end [-]
    f_cycle: float = 0.0  #: Xu et al. cycle degradation at the end (half cycles included) [-]
    soc0_j: float = 0.0  #: energy stored at the start [J]


def daily_thresholds(signal: np.ndarray, day: np.ndarray, low_q: float, high_q: float):
    """Low and high quantile of ``signal`` within each day, per slot (days must be contiguous runs)."""
    n = len(signal)
    low = np.empty(n)
    high = np.empty(n)
    cut = np.flatnonzero(np.diff(day)) + 1
    for a, b in zip(np.r_[0, cut], np.r_[cut, n]):
        lo, hi = np.quantile(signal[a:b], [low_q, high_q])
        low[a:b] = lo
        high[a:b] = hi
    return low, high


def _stress_args(b: Battery):
    m = b.degradation
    return (m.k_delta1, m.k_delta2, m.k_delta3, m.k_sigma, m.sigma_ref, m.k_time, m.alpha_sei, m.beta_sei,
            temperature_stress(m), SOC_RESOLUTION)


@nb.njit(cache=True)
def _fade(f, alpha, beta):
    return 1.0 - alpha * np.exp(-beta * f) - (1.0 - alpha) * np.exp(-f)


@nb.njit(cache=True)
def _cycle_stress(rng, mean, k1, k2, k3, ks, sref, st):
    if rng <= 0.0:
        return 0.0
    return st * np.exp(ks * (mean - sref)) / (k1 * rng ** k2 + k3)


@nb.njit(cache=True)
def _close_cycles(stack, ns, f_cyc, k1, k2, k3, ks, sref, st):
    """Close every cycle the rainflow stack now holds (ASTM E1049-85 §5.4.4: a range Y closes
    when the next range X >= Y; a Y that contains the record's start counts as a half cycle).
    Returns the new stack depth and the accumulated cycle fade."""
    while ns >= 3:
        x = abs(stack[ns - 1] - stack[ns - 2])
        y = abs(stack[ns - 2] - stack[ns - 3])
        if x < y:
            break
        if ns == 3:
            f_cyc += 0.5 * _cycle_stress(y, 0.5 * (stack[0] + stack[1]), k1, k2, k3, ks, sref, st)
            stack[0] = stack[1]
            stack[1] = stack[2]
            ns = 2
        else:
            f_cyc += _cycle_stress(y, 0.5 * (stack[ns - 2] + stack[ns - 3]), k1, k2, k3, ks, sref, st)
            stack[ns - 3] = stack[ns - 1]
            ns -= 2
    return ns, f_cyc


@nb.njit(cache=True)
def _dispatch_kernel(rest, surplus, signal, low, high, grid_ren, dt, cap0, power_w, eta_c, eta_d, r_sd, soc0,
                     k1, k2, k3, ks, sref, kt, alpha, beta, st, res):
    """Numba battery dispatch with self-discharge, capacity fade and online rainflow counting.

    The rainflow stack holds the confirmed turning points of σ = S / C; ``cand`` is the latest
    extreme, confirmed when the direction turns (ASTM E1049-85 §5.4.4 three-point rule).
    """
    n = rest.shape[0]
    grid_in = rest.copy()
    discharge = np.zeros(n)
    discharge_ren = np.zeros(n)
    grid_charge = np.zeros(n)
    from_surplus = np.zeros(n)
    soc_out = np.empty(n)
    cap_out = np.empty(n)
    sd_out = np.zeros(n)
    fade_out = np.zeros(n)
    soc = soc0
    soc_ren = 0.0
    f_cal = 0.0
    f_cyc = 0.0
    stack = np.empty(n + 2)
    stack[0] = np.floor(soc0 / cap0 / res + 0.5) * res
    ns = 1
    have_cand = False
    cand = 0.0
    for k in range(n):
        cap = cap0 * (1.0 - _fade(f_cal + f_cyc, alpha, beta))
        if soc > cap:
            lost = soc - cap
            soc_ren -= lost * soc_ren / soc
            soc = cap
            fade_out[k] = lost
        cap_out[k] = cap
        step_j = power_w * dt[k]
        take = min(surplus[k], step_j, (cap - soc) / eta_c)
        take = max(take, 0.0)
        soc += eta_c * take
        soc_ren += eta_c * take
        from_surplus[k] = take
        budget = step_j - take
        if signal[k] >= high[k] and signal[k] > low[k]:
            out = min(rest[k], soc * eta_d, step_j)
            drawn = out / eta_d
            ren = drawn * soc_ren / soc if soc > 0 else 0.0
            soc -= drawn
            soc_ren -= ren
            discharge[k] = out
            discharge_ren[k] = ren * eta_d
            grid_in[k] = rest[k] - out
        elif signal[k] <= low[k] and signal[k] < high[k] and budget > 0:
            charge = max(min(budget, (cap - soc) / eta_c), 0.0)
            soc += eta_c * charge
            soc_ren += eta_c * charge * grid_ren[k]
            grid_in[k] = rest[k] + charge
            grid_charge[k] = charge
        keep = np.exp(-r_sd * dt[k])
        sd_out[k] = soc * (1.0 - keep)
        soc *= keep
        soc_ren *= keep
        if soc < 0.0:
            soc = 0.0
        if soc_ren > soc:
            soc_ren = soc
        soc_out[k] = soc
        sigma = soc / cap if cap > 0 else 0.0
        f_cal += kt * dt[k] * st * np.exp(ks * (sigma - sref))
        sigma = np.floor(sigma / res + 0.5) * res
        # rainflow: is sigma a new extreme in the same direction, or does the direction turn?
        if not have_cand:
            if sigma != stack[ns - 1]:
                cand = sigma
                have_cand = True
            continue
        if sigma == cand:
            continue
        if (cand - stack[ns - 1]) * (sigma - cand) > 0:
            cand = sigma
            continue
        stack[ns] = cand
        ns += 1
        cand = sigma
        ns, f_cyc = _close_cycles(stack, ns, f_cyc, k1, k2, k3, ks, sref, st)
    if have_cand:
        stack[ns] = cand
        ns += 1
        ns, f_cyc = _close_cycles(stack, ns, f_cyc, k1, k2, k3, ks, sref, st)
    for i in range(ns - 1):  # the residue: half cycles
        f_cyc += 0.5 * _cycle_stress(abs(stack[i + 1] - stack[i]), 0.5 * (stack[i] + stack[i + 1]),
                                     k1, k2, k3, ks, sref, st)
    return (grid_in, discharge, discharge_ren, grid_charge, from_surplus, soc_out, cap_out, sd_out, fade_out,
            f_cal, f_cyc)


def dispatch_reference(rest, surplus, signal, low, high, grid_ren, dt, battery: Battery):
    """Plain-Python reference of the dispatch kernel (same equations; rainflow counted offline
    with :func:`ops.degradation.rainflow_cycles` after each slot — slow, for tests)."""
    from ops.degradation import cycle_degradation, rainflow_cycles, soc_stress

    b = battery
    m = b.degradation
    st = temperature_stress(m)
    n = len(rest)
    out = {k: np.zeros(n) for k in ("grid", "dis", "dis_ren", "gch", "sur", "soc", "cap", "sd", "fade")}
    soc = b.initial_soc * b.capacity_j
    soc_ren = 0.0
    f_cal = 0.0
    sigmas = [soc / b.capacity_j]  # rounded inside the rainflow functions
    f_closed = 0.0  # full and starting-point half cycles closed so far (what the online count knows)
    for k in range(n):
        cap = b.capacity_j * (1.0 - float(capacity_fade(f_cal + f_closed, m)))
        if soc > cap:
            out["fade"][k] = soc - cap
            soc_ren *= cap / soc
            soc = cap
        out["cap"][k] = cap
        step_j = b.power_w * dt[k]
        take = max(min(surplus[k], step_j, (cap - soc) / b.charge_efficiency), 0.0)
        soc += b.charge_efficiency * take
        soc_ren += b.charge_efficiency * take
        out["sur"][k] = take
        grid = rest[k]
        if signal[k] >= high[k] and signal[k] > low[k]:
            e = min(rest[k], soc * b.discharge_efficiency, step_j)
            drawn = e / b.discharge_efficiency
            ren = drawn * soc_ren / soc if soc > 0 else 0.0
            soc -= drawn
            soc_ren -= ren
            out["dis"][k] = e
            out["dis_ren"][k] = ren * b.discharge_efficiency
            grid = rest[k] - e
        elif signal[k] <= low[k] and signal[k] < high[k] and step_j - take > 0:
            c = max(min(step_j - take, (cap - soc) / b.charge_efficiency), 0.0)
            soc += b.charge_efficiency * c
            soc_ren += b.charge_efficiency * c * grid_ren[k]
            grid = rest[k] + c
            out["gch"][k] = c
        out["grid"][k] = grid
        keep = math.exp(-b.self_discharge_per_s * dt[k])
        out["sd"][k] = soc * (1.0 - keep)
        soc = max(soc * keep, 0.0)
        soc_ren = min(soc_ren * keep, soc)
        out["soc"][k] = soc
        sigma = soc / cap if cap > 0 else 0.0
        f_cal += m.k_time * dt[k] * st * float(soc_stress(sigma, m))
        sigmas.append(sigma)
        # cycles closed so far: all but the residue halves of the series up to the last confirmed
        # turning point (the newest point is still a candidate)
        f_closed = _closed_cycle_degradation(sigmas, m, st, rainflow_cycles)
    flows = Flows(out["grid"], np.zeros(n), out["dis"], out["dis_ren"], out["gch"], np.zeros(n), out["sur"],
                  out["soc"], out["cap"], out["sd"], out["fade"], f_cal, cycle_degradation(sigmas, m),
                  b.initial_soc * b.capacity_j)
    return flows


def _closed_cycle_degradation(sigmas, m, st, rainflow_cycles) -> float:
    """Degradation of the cycles the online count has closed: rainflow of the series without its
    still-unconfirmed last point, minus the residue's half cycles (counted only at the end)."""
    from ops.degradation import dod_stress, soc_stress

    pts = _turning_points(sigmas)[:-1]
    total = 0.0
    for d, s, cnt in rainflow_cycles(pts):
        total += cnt * float(dod_stress(d, m)) * float(soc_stress(s, m)) * st
    residue = _residue(pts)
    for a, b in zip(residue[:-1], residue[1:]):
        total -= 0.5 * float(dod_stress(abs(b - a), m)) * float(soc_stress(0.5 * (a + b), m)) * st
    return total


def _turning_points(series) -> list[float]:
    pts: list[float] = []
    for x in map(quantise_soc, series):
        if pts and x == pts[-1]:
            continue
        if len(pts) >= 2 and (pts[-1] - pts[-2]) * (x - pts[-1]) > 0:
            pts[-1] = x
        else:
            pts.append(x)
    return pts


def _residue(points) -> list[float]:
    stack: list[float] = []
    for p in points:
        stack.append(p)
        while len(stack) >= 3:
            if abs(stack[-1] - stack[-2]) < abs(stack[-2] - stack[-3]):
                break
            if len(stack) == 3:
                stack.pop(0)
            else:
                last = stack.pop()
                del stack[-2:]
                stack.append(last)
    return stack


def dispatch(load_j: np.ndarray, onsite_j: np.ndarray, signal: np.ndarray, day: np.ndarray,
             grid_renewable: np.ndarray, battery: Battery | None, step_s, ) -> Flows:
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
        Day number of each slot (thresholds are per day; days are contiguous runs of slots).
    grid_renewable : float64[n]
        Renewable fraction of grid electricity [-].
    battery : Battery or None
    step_s : float or float64[n]
        Slot length [s] (one value, or one per slot).
    """
    load_j = np.asarray(load_j, dtype=np.float64)
    n = len(load_j)
    dt = np.broadcast_to(np.asarray(step_s, dtype=np.float64), (n,)).copy()
    direct = np.minimum(load_j, onsite_j)
    surplus = onsite_j - direct
    rest = load_j - direct
    if battery is None or battery.capacity_j == 0 or battery.power_w == 0:
        z = np.zeros(n)
        return Flows(rest.copy(), direct, z, z, z, surplus, z, z, z, z, z)
    low, high = daily_thresholds(np.asarray(signal, dtype=np.float64), np.asarray(day), battery.low_quantile,
                                 battery.high_quantile)
    soc0 = battery.initial_soc * battery.capacity_j
    (grid_in, dis, dis_ren, gch, sur, soc, cap, sd, fade, f_cal, f_cyc) = _dispatch_kernel(
        rest, surplus, np.asarray(signal, dtype=np.float64), low, high,
        np.asarray(grid_renewable, dtype=np.float64), dt, float(battery.capacity_j), float(battery.power_w),
        float(battery.charge_efficiency), float(battery.discharge_efficiency), float(battery.self_discharge_per_s),
        float(soc0), *_stress_args(battery))
    return Flows(grid_in, direct, dis, dis_ren, gch, surplus - sur, sur, soc, cap, sd, fade, float(f_cal),
                 float(f_cyc), float(soc0))


@dataclass(frozen=True)
class BatteryAccount:
    """What the battery did over a run, its end state settled, and what it cost."""

    charged_j: float  #: energy in at the terminals (grid and on-site surplus) [J]
    discharged_j: float  #: energy delivered to the load [J]
    self_discharge_j: float
    fade_loss_j: float
    soc_start_j: float
    soc_end_j: float
    reconciliation_j: float  #: grid energy owed (> 0) or credited (< 0) for the end state [J]
    moved_j: float  #: energy the battery delivered, plus what its end state is credited [J]
    capacity_fade: float  #: fraction of nominal capacity lost during the run [-]
    f_calendar: float
    f_cycle: float
    equivalent_full_cycles: float  #: energy drawn from the cells / nominal capacity [-]
    degradation_jpy: float  #: capacity lost × replacement cost / (1 − end-of-life capacity) [JPY]


def account(flows: Flows, battery: Battery) -> BatteryAccount:
    """Settle a run's battery: energy balance, end-state reconciliation, degradation cost.

    reconciliation = (S_0 − S_end) / η_c if the store ended emptier, −(S_end − S_0) · η_d if fuller;
    degradation cost = L(f_d) · C_0 [kWh] · replacement cost / (1 − end-of-life capacity).
    """
    soc_end = float(flows.soc_j[-1]) if len(flows.soc_j) else flows.soc0_j
    delta = soc_end - flows.soc0_j
    recon = -delta / battery.charge_efficiency if delta < 0 else -delta * battery.discharge_efficiency
    fade = float(capacity_fade(flows.f_calendar + flows.f_cycle, battery.degradation))
    cost = (fade / (1.0 - battery.end_of_life_capacity) * battery.capacity_j / J_PER_KWH
            * battery.replacement_jpy_per_kwh)
    drawn = float(flows.discharge_j.sum()) / battery.discharge_efficiency
    return BatteryAccount(
        charged_j=float(flows.grid_charge_j.sum() + flows.surplus_charge_j.sum()),
        discharged_j=float(flows.discharge_j.sum()), self_discharge_j=float(flows.self_discharge_j.sum()),
        fade_loss_j=float(flows.fade_loss_j.sum()), soc_start_j=flows.soc0_j, soc_end_j=soc_end,
        reconciliation_j=recon, moved_j=float(flows.discharge_j.sum()) + max(0.0, -recon),
        capacity_fade=fade, f_calendar=flows.f_calendar, f_cycle=flows.f_cycle,
        equivalent_full_cycles=drawn / battery.capacity_j if battery.capacity_j > 0 else 0.0,
        degradation_jpy=cost)
