"""The evaluation axes of a feasibility study, as pure functions of numbers and arrays (SI units).

Each function broadcasts over NumPy arrays so that the same code scores one candidate, a Monte
Carlo sample of candidates or a million design points. Axes, and whether more is better:

============================  =====================================================  ==========
axis                          raw value                                              better
============================  =====================================================  ==========
performance                   weighted geometric-mean throughput speedup [-]         higher
performance_per_watt          speedup per unit of facility power, vs reference [-]   higher
io                            a 256-node job's checkpoint on the machine's tiers [s] lower
cost                          discounted capital + maintenance + energy per unit of  lower
                              work [JPY per reference node-hour]
operability                   useful share of node-hours (utilisation x (1-waste))   higher
productivity                  stated porting score of the parts [0..1]               higher
commercial_reach              stated market score of the parts [0..1]               higher
carbon                        embodied + operational over the lifetime per unit of   lower
                              work [g CO2e per reference node-hour]
============================  =====================================================  ==========
"""

from __future__ import annotations

import numpy as np

# The operability axis's checkpoint arithmetic is archmodels' (Daly 2006); fs scores with it.
from archmodels.io_model import checkpoint_waste, daly_interval_s  # noqa: F401

J_PER_KWH = 3.6e6

#: +1 where more is better, -1 where less is better.
DIRECTION = {
    "performance": 1,
    "performance_per_watt": 1,
    "io": -1,
    "cost": -1,
    "operability": 1,
    "productivity": 1,
    "commercial_reach": 1,
    "carbon": -1,
}


def portfolio_speedup(time_s, time_ref_s, nodes, nodes_ref, weights, per_workload=False):
    """Weighted geometric-mean throughput speedup over a reference system.

    Each workload i runs weak-scaled jobs over the whole system (capacity computing), so a
    system's throughput on i is ``N / t_i`` with ``t_i`` the node-seconds one unit of i's work
    takes, and

        S = exp( sum_i w_i ln( (N / t_i) / (N_ref / t_ref_i) ) ),    sum_i w_i = 1,

    the weighted geometric mean that the SPEC benchmarks use for ratios (Fleming & Wallace,
    "How not to lie with statistics: the correct way to summarize benchmark results", CACM 29(3),
    1986, https://doi.org/10.1145/5666.5673), with weights the workloads' shares of node-hours.

    Parameters
    ----------
    time_s : array (..., n_workloads)
        Node-seconds per unit of each workload's work on a candidate [s].
    time_ref_s : array (..., n_workloads)
        The same on the reference [s].
    nodes, nodes_ref : array (...)
        Node counts of the candidate and the reference [-].
    weights : array (n_workloads,)
        Shares of node-hours, summing to 1 [-].
    per_workload : bool
        Also return each workload's throughput ratio ``(N / t_i) / (N_ref / t_ref_i)``, the terms
        of the mean (what a per-workload requirement is checked against).

    Returns
    -------
    array (...)
        Speedup S [-].
    array (..., n_workloads)
        Per-workload throughput ratios [-]; only with ``per_workload``.
    """
    w = np.asarray(weights, dtype=float)
    log_ratio = np.log(np.asarray(time_ref_s, dtype=float)) - np.log(np.asarray(time_s, dtype=float))
    scale = np.asarray(nodes, dtype=float) / np.asarray(nodes_ref, dtype=float)
    speedup = scale * np.exp(log_ratio @ w)
    if not per_workload:
        return speedup
    return speedup, scale[..., None] * np.exp(log_ratio)


def facility_power_w(nodes, node_power_w, pue):
    """Facility power: ``P = N * p_node * PUE`` [W] (PUE as defined by The Green Grid, WP#49, 2012,
    https://www.thegreengrid.org/en/resources/library-and-tools/20-PUE%3A-A-Comprehensive-Examination-of-the-Metric)."""
    return np.asarray(nodes, dtype=float) * np.asarray(node_power_w, dtype=float) * np.asarray(pue, dtype=float)


def average_node_power_w(busy_power_w, idle_power_w, utilisation):
    """Lifetime-average node power: ``p = u * p_busy + (1 - u) * p_idle`` [W].

    ``p_busy`` is the node-hour-weighted mean power of the portfolio's jobs, ``u`` the share of
    node-hours busy (from a scheduling simulation, or the stated default).
    """
    u = np.asarray(utilisation, dtype=float)
    return u * np.asarray(busy_power_w, dtype=float) + (1.0 - u) * np.asarray(idle_power_w, dtype=float)


def performance_per_watt(speedup, power_w, power_ref_w):
    """Portfolio throughput per watt relative to the reference: ``S * P_ref / P`` [-].

    ``P`` and ``P_ref`` are average facility powers [W]; 1 means the reference's efficiency.
    """
    return np.asarray(speedup, dtype=float) * np.asarray(power_ref_w, dtype=float) / np.asarray(power_w, dtype=float)


def checkpoint_time_s(node_memory_bytes, nodes, tier, node_flash_bandwidth_bytes_per_s, pfs_bandwidth_bytes_per_s):
    """Time to write every node's whole memory to the storage tier [s].

    Node-local flash writes in parallel on every node: ``t = M_node / B_flash``. The parallel file
    system is shared: ``t = N * M_node / B_pfs``. This is the ``delta`` of the Young/Daly
    checkpoint interval (:func:`checkpoint_waste`).

    Parameters
    ----------
    node_memory_bytes : array
        Memory of one node [B].
    nodes : array
        Nodes [-].
    tier : {"node-local-flash", "parallel-fs"}
    node_flash_bandwidth_bytes_per_s, pfs_bandwidth_bytes_per_s : array
        Write bandwidths [B/s]: per node, and aggregate.
    """
    m = np.asarray(node_memory_bytes, dtype=float)
    if tier == "node-local-flash":
        return m / np.asarray(node_flash_bandwidth_bytes_per_s, dtype=float) + 0.0 * np.asarray(nodes, dtype=float)
    if tier == "parallel-fs":
        return np.asarray(nodes, dtype=float) * m / np.asarray(pfs_bandwidth_bytes_per_s, dtype=float)
    raise ValueError(f"unknown storage tier {tier!r}")


def system_mtbf_s(nodes, node_power_w, node_mtbf_ref_s, reference_power_w):
    """System mean time between failures with failure rate proportional to node power [s].

    ``M = M_ref * (p_ref / p_node) / N`` (independent exponential failures: rates add). Node power
    stands in for component count; ``M_ref`` is the MTBF of a node drawing ``p_ref``.
    """
    n = np.asarray(nodes, dtype=float)
    return np.asarray(node_mtbf_ref_s, dtype=float) * (np.asarray(reference_power_w, dtype=float) / np.asarray(node_power_w, dtype=float)) / n


def operability(utilisation, waste):
    """Useful share of node-hours: ``u * (1 - waste)`` [-]."""
    return np.asarray(utilisation, dtype=float) * (1.0 - np.asarray(waste, dtype=float))


def part_score(shares, scores):
    """A node's stated score: the mean of its parts' scores weighted by their share of peak [-].

    ``score = sum_k s_k * c_k / sum_k c_k`` with ``c_k`` a part's share of the node's peak FLOP/s
    (the part that does the work decides how hard porting is and which market the node serves).
    """
    c = np.asarray(shares, dtype=float)
    return float(np.dot(c, np.asarray(scores, dtype=float)) / c.sum())


def lifetime_energy_j(average_facility_power_w, years):
    """Energy drawn over the lifetime: ``E = P_avg * years * 365.25 * 86400`` [J]."""
    return np.asarray(average_facility_power_w, dtype=float) * np.asarray(years, dtype=float) * 365.25 * 86400.0


def total_cost_jpy(capital_jpy, energy_j, price_jpy_per_kwh, years):
    """Discounted lifetime cost of the system [JPY] (:func:`archmodels.cost.lifetime_cost_jpy`).

    ``C = C_cap + PV(r, Y) · (m · C_cap + E / Y / 3.6e6 · p + S)``: capital at year 0, then each
    year the maintenance share ``m`` of the hardware (the study's capital is hardware: the facility
    is not in it), the year's energy ``E / Y`` [J] at the price ``p`` [JPY/kWh] and staff and
    software ``S``, discounted at ``r`` (``archmodels/data/cost.toml [lifetime]``: m = 5 %, an
    assumption; r = 4 %, MLIT's social discount rate; S = 0, an assumption).
    """
    from archmodels.cost import lifetime_cost_jpy, lifetime_defaults

    capital = np.asarray(capital_jpy, dtype=float)
    per_year_kwh = np.asarray(energy_j, dtype=float) / J_PER_KWH / float(years)
    return lifetime_cost_jpy(capital, capital, per_year_kwh, np.asarray(price_jpy_per_kwh, dtype=float), float(years),
                             **lifetime_defaults())


def delivered_work_node_hours(speedup, reference_nodes, operability, years):
    """Useful work delivered over the lifetime, in reference node-hours [node·h].

    ``W = S · N_ref · Y · 8766 h · u · (1 − waste)``: a system of portfolio speedup ``S`` does in an
    hour what ``S · N_ref`` reference nodes do in an hour, for the useful share of its hours
    (:func:`operability`). The cost and carbon axes are per unit of ``W``, so that a small system
    is not rewarded for costing and emitting little while doing little.
    """
    return (np.asarray(speedup, dtype=float) * float(reference_nodes) * np.asarray(operability, dtype=float)
            * np.asarray(years, dtype=float) * 365.25 * 24.0)


def total_carbon_g(embodied_g, energy_j, carbon_intensity_g_per_kwh):
    """Embodied plus operational carbon: ``G = G_emb + E / 3.6e6 * CI`` [g CO2eq].

    Operational carbon at the site grid's mean intensity (:func:`archmodels.carbon.energy_carbon_g`).
    """
    from archmodels.carbon import energy_carbon_g

    return np.asarray(embodied_g, dtype=float) + energy_carbon_g(energy_j, carbon_intensity_g_per_kwh)


def fit_nodes(power_budget_w, node_power_max_w, pue, capital_budget_jpy, capital_per_node_jpy):
    """Largest node count under the power and capital budgets (the tighter decides) [-].

        N = floor( min( P_budget / (p_max * PUE), C_budget / c_node ) )

    A budget given as NaN does not constrain. Returns a float array (NaN where neither constrains).
    """
    by_power = np.asarray(power_budget_w, dtype=float) / (np.asarray(node_power_max_w, dtype=float) * np.asarray(pue, dtype=float))
    by_cost = np.asarray(capital_budget_jpy, dtype=float) / np.asarray(capital_per_node_jpy, dtype=float)
    return np.floor(np.fmin(by_power, by_cost))


def normalise(values, direction, mask=None):
    """Ratio-to-best normalisation of one axis across the candidates of a case, into (0, 1].

    ``score = v / max(v)`` where more is better, ``min(v) / v`` where less is better; the best is
    taken over ``mask`` (the feasible candidates) along the last axis. Ratios keep the meaning
    "fraction of the best candidate's value", unlike min-max scaling, which exaggerates small gaps.
    """
    v = np.asarray(values, dtype=float)
    m = np.ones_like(v, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if direction > 0:
        best = np.max(np.where(m, v, -np.inf), axis=-1, keepdims=True)
        return np.where(best > 0, v / best, 0.0)
    best = np.min(np.where(m, v, np.inf), axis=-1, keepdims=True)
    return np.where(v > 0, best / v, 1.0)
