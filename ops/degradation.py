"""Lithium-ion capacity fade from cycling and calendar ageing (Xu et al. 2018).

Xu, Oudalov, Ulbig, Andersson, Kirschen, "Modeling of lithium-ion battery degradation for cell
life assessment", IEEE Transactions on Smart Grid 9(2):1131–1140, 2018,
https://doi.org/10.1109/TSG.2016.2578950. The degradation is linearised into

    f_d = f_cal + f_cyc
    f_cal = Σ_k k_t · Δt_k · S_σ(σ_k) · S_T(T)                    (calendar, per slot k)
    f_cyc = Σ_i n_i · S_δ(δ_i) · S_σ(σ̄_i) · S_T(T)                (cycles i from rainflow counting,
                                                                   n_i = 1 full, 1/2 half)
    S_δ(δ) = 1 / (k_δ1 · δ^k_δ2 + k_δ3)                            (depth of discharge δ)
    S_σ(σ) = exp(k_σ · (σ − σ_ref))                                (state of charge σ)
    S_T(T) = exp(k_T · (T − T_ref) · T_ref / T)                    (cell temperature T [K])

and the capacity lost, as a fraction of the nominal capacity, is

    L(f_d) = 1 − α_sei · exp(−β_sei · f_d) − (1 − α_sei) · exp(−f_d)

(the first term is the fast SEI-film formation of a new cell). L grows monotonically with f_d, and
f_d with time and with every cycle. The parameters are the paper's Table I fit (LMO cells); other
chemistries (LFP, the usual stationary chemistry today) fade more slowly, so these defaults are on
the pessimistic side (``assumption`` that they stand for a stationary Li-ion system).

Cycles are counted by the rainflow method (ASTM E1049-85, section 5.4.4, the three-point rule) on
the state-of-charge series, rounded to :data:`SOC_RESOLUTION` (so that a battery held full, whose
SoC repeats to the last bit or nearly, gives the same turning points whichever way it was computed); :func:`rainflow_cycles` is the plain-Python reference of the counting
done inside :func:`ops.storage.dispatch`'s numba kernel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

XU_2018 = ("Xu et al., 'Modeling of lithium-ion battery degradation for cell life assessment', "
           "IEEE Trans. Smart Grid 9(2), 2018, Table I; https://doi.org/10.1109/TSG.2016.2578950")


#: Resolution of the state of charge in cycle counting [-].
SOC_RESOLUTION = 1e-9


def quantise_soc(sigma: float) -> float:
    """σ rounded to :data:`SOC_RESOLUTION` (floor(σ / r + 1/2) · r)."""
    return math.floor(sigma / SOC_RESOLUTION + 0.5) * SOC_RESOLUTION


@dataclass(frozen=True)
class DegradationModel:
    """Xu et al. (2018) stress-factor parameters (Table I of the paper, LMO cells)."""

    k_delta1: float = 1.40e5  #: DoD stress coefficient [-]
    k_delta2: float = -5.01e-1  #: DoD stress exponent [-]
    k_delta3: float = -1.23e5  #: DoD stress offset [-]
    k_sigma: float = 1.04  #: SoC stress coefficient [-]
    sigma_ref: float = 0.5  #: reference SoC [-]
    k_temp: float = 6.93e-2  #: temperature stress coefficient [1/K]
    temp_ref_k: float = 298.15  #: reference temperature, 25 °C [K]
    k_time: float = 4.14e-10  #: calendar ageing rate [1/s]
    alpha_sei: float = 5.75e-2  #: share of capacity lost to SEI formation [-]
    beta_sei: float = 121.0  #: SEI formation rate [-]
    #: cell temperature (``assumption``: a climate-controlled battery room at the reference 25 °C)
    temp_k: float = 298.15
    source: str = XU_2018


def dod_stress(delta, m: DegradationModel = DegradationModel()):
    """S_δ(δ) = 1 / (k_δ1 · δ^k_δ2 + k_δ3) per full cycle of depth ``delta`` [-] (0 for δ = 0)."""
    delta = np.asarray(delta, dtype=np.float64)
    with np.errstate(divide="ignore"):
        out = 1.0 / (m.k_delta1 * delta ** m.k_delta2 + m.k_delta3)
    return np.where(delta > 0, out, 0.0)


def soc_stress(sigma, m: DegradationModel = DegradationModel()):
    """S_σ(σ) = exp(k_σ · (σ − σ_ref)) at state of charge ``sigma`` [-]."""
    return np.exp(m.k_sigma * (np.asarray(sigma, dtype=np.float64) - m.sigma_ref))


def temperature_stress(m: DegradationModel = DegradationModel()) -> float:
    """S_T(T) = exp(k_T · (T − T_ref) · T_ref / T) at the model's cell temperature [-]."""
    return float(np.exp(m.k_temp * (m.temp_k - m.temp_ref_k) * m.temp_ref_k / m.temp_k))


def capacity_fade(f_d, m: DegradationModel = DegradationModel()):
    """Fraction of nominal capacity lost, L(f_d) = 1 − α e^(−β f_d) − (1 − α) e^(−f_d) [-]."""
    f = np.asarray(f_d, dtype=np.float64)
    return 1.0 - m.alpha_sei * np.exp(-m.beta_sei * f) - (1.0 - m.alpha_sei) * np.exp(-f)


def rainflow_cycles(series) -> list[tuple[float, float, float]]:
    """Rainflow cycles of a series (ASTM E1049-85 §5.4.4): (range, mean, count), count 1 or 0.5.

    Plain-Python reference: values rounded to :data:`SOC_RESOLUTION`, turning points first, then
    the three-point rule on a stack; the ranges left on the stack at the end are half cycles.
    """
    points: list[float] = []
    for x in map(quantise_soc, np.asarray(series, dtype=np.float64)):
        if points and x == points[-1]:
            continue
        if len(points) >= 2 and (points[-1] - points[-2]) * (x - points[-1]) > 0:
            points[-1] = x  # same direction: the turning point moves on
        else:
            points.append(x)
    cycles: list[tuple[float, float, float]] = []
    stack: list[float] = []
    for p in points:
        stack.append(p)
        while len(stack) >= 3:
            x = abs(stack[-1] - stack[-2])
            y = abs(stack[-2] - stack[-3])
            if x < y:
                break
            if len(stack) == 3:  # y contains the starting point: half a cycle, drop the start
                cycles.append((y, 0.5 * (stack[0] + stack[1]), 0.5))
                stack.pop(0)
            else:
                cycles.append((y, 0.5 * (stack[-2] + stack[-3]), 1.0))
                last = stack.pop()
                stack.pop()
                stack.pop()
                stack.append(last)
    for a, b in zip(stack[:-1], stack[1:]):
        cycles.append((abs(b - a), 0.5 * (a + b), 0.5))
    return cycles


def cycle_degradation(series, m: DegradationModel = DegradationModel()) -> float:
    """f_cyc = Σ n_i · S_δ(δ_i) · S_σ(σ̄_i) · S_T(T) over the rainflow cycles of a SoC series [-]."""
    st = temperature_stress(m)
    return float(sum(n * float(dod_stress(d, m)) * float(soc_stress(s, m)) * st
                     for d, s, n in rainflow_cycles(series)))
