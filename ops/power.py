"""Machine power over time: idle and busy nodes, nodes switched off, facility overhead (PUE).

The schedulable unit is a node ("processor" in SWF terms). Power of the IT equipment at time t:

    P_IT(t) = n_on(t) · P_idle + Σ_running procs_j · u_j · (P_max − P_idle) + (N − n_on(t)) · P_off

with u_j the job's utilisation (linear power-utilisation model: Fan, Weber, Barroso, "Power
provisioning for a warehouse-sized computer", ISCA 2007, https://doi.org/10.1145/1250662.1250665),
and facility power P_fac = PUE · P_IT (The Green Grid, "PUE: a comprehensive examination of the
metric", White Paper 49, 2012).

Nodes switched off: a node idle for longer than ``off_after_s`` is switched off. Without node
identities, the simulator keeps the fewest nodes on that served every moment of the last
``off_after_s`` seconds: n_on(t) = max busy(s), s in [t − off_after_s, t] (a fleet-level
approximation, ``assumption``). Switching costs time and energy: a node takes ``boot_s`` to switch
on and ``shutdown_s`` to switch off, drawing its idle power meanwhile, so every rise of n_on costs
boot_s · P_idle per node and every fall shutdown_s · P_idle (``assumption``: 300 s and 60 s, the
order of the ``ResumeTimeout``/``SuspendTimeout`` that Slurm power-saving configurations allow,
e.g. SuspendTimeout=60 in the OpenHPC PEARC20 example
https://gist.github.com/ChrisDowning/03289662b40ee102bcab64831c6a5ec9; a booting node drawing about
idle power is also an assumption). The schedule does not wait for booting nodes: the resource
manager is taken to wake them ``boot_s`` ahead of need (``assumption``: it knows the next starts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

from archmodels.errors import InputError

#: Node power without a machine (``assumption``: a dual-socket CPU node drawing 100 W idle and
#: 400 W at full load, the range of SPECpower_ssj2008 results for 2-socket servers,
#: https://www.spec.org/power_ssj2008/results/).
DEFAULT_IDLE_W = 100.0
DEFAULT_MAX_W = 400.0
#: Facility PUE without a site figure (``assumption``: a modern liquid-cooled HPC centre; the
#: Uptime Institute Global Data Center Survey 2023 reports 1.58 as the all-industry average).
DEFAULT_PUE = 1.2
#: Node switch-on and switch-off times [s] (``assumption``, see the module docstring).
DEFAULT_BOOT_S = 300.0
DEFAULT_SHUTDOWN_S = 60.0


@dataclass(frozen=True)
class PowerModel:
    """Per-node power [W], facility PUE [-], and the switch-off rule."""

    idle_w: float = DEFAULT_IDLE_W
    max_w: float = DEFAULT_MAX_W
    pue: float = DEFAULT_PUE
    off_after_s: float | None = None  #: switch idle nodes off after this long [s]; None = never
    off_w: float = 0.0  #: power of a switched-off node [W]
    boot_s: float = DEFAULT_BOOT_S  #: time to switch a node on, at idle power [s]
    shutdown_s: float = DEFAULT_SHUTDOWN_S  #: time to switch a node off, at idle power [s]
    source: str = "assumption: default 2-socket CPU node (ops.power.DEFAULT_IDLE_W/MAX_W)"

    def __post_init__(self):
        if not (0 <= self.idle_w <= self.max_w):
            raise InputError(f"node power needs 0 <= idle_w <= max_w, got {self.idle_w}, {self.max_w}")
        if self.pue < 1.0:
            raise InputError(f"PUE must be >= 1, got {self.pue}")
        if self.off_after_s is not None and self.off_after_s < 0:
            raise InputError(f"off_after_s must be >= 0, got {self.off_after_s}")
        if not (self.boot_s >= 0 and self.shutdown_s >= 0):
            raise InputError(f"boot_s and shutdown_s must be >= 0, got {self.boot_s}, {self.shutdown_s}")

    def busy_limit(self, nodes: int, cap_w: float) -> int:
        """Most nodes that may run jobs under an IT power cap ``cap_w`` [W] (jobs at full load).

        cap_w >= N · P_idle + k · (P_max − P_idle)  =>  k = floor((cap_w − N · P_idle) / (P_max − P_idle)).
        """
        dynamic = self.max_w - self.idle_w
        if dynamic <= 0:
            return nodes if cap_w >= nodes * self.idle_w else 0
        k = np.floor((cap_w - nodes * self.idle_w) / dynamic)  # +inf without a cap
        return int(max(0, min(nodes, k)))


def power_model_for_machine(machine, *, pue: float = DEFAULT_PUE, off_after_s: float | None = None) -> PowerModel:
    """Node idle and maximum power from an archmodels machine (``node_power_range_w``)."""
    from archmodels.power import node_power_range_w

    idle, peak = node_power_range_w(machine)
    return PowerModel(idle_w=float(idle), max_w=float(peak), pue=pue, off_after_s=off_after_s,
                      source=f"archmodels.power.node_power_range_w({machine.name})")


def step_function(t_on: np.ndarray, t_off: np.ndarray, weight: np.ndarray):
    """Σ_j weight_j · 1[t_on_j <= t < t_off_j] as a step function.

    Returns
    -------
    times, values : float64[m], float64[m]
        ``values[k]`` holds on [times[k], times[k+1]); 0 before times[0] and after the last time.
    """
    if len(t_on) == 0:
        return np.empty(0), np.empty(0)
    times = np.concatenate([t_on, t_off])
    delta = np.concatenate([weight, -weight]).astype(np.float64)
    order = np.argsort(times, kind="stable")
    times = times[order]
    level = np.cumsum(delta[order])
    last = np.r_[times[1:] != times[:-1], True]  # keep the level after all changes at one time
    times, level = times[last], level[last]
    level[np.abs(level) < 1e-9 * max(1.0, float(np.abs(weight).max(initial=0.0)))] = 0.0
    return times, level


def integrate_steps(times: np.ndarray, values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """∫ f over each bin [edges[i], edges[i+1]) of a step function (see :func:`step_function`)."""
    if len(times) == 0:
        return np.zeros(len(edges) - 1)
    area = np.r_[0.0, np.cumsum(values[:-1] * np.diff(times))]

    def cumulative(x):
        k = np.searchsorted(times, x, side="right") - 1
        inside = k >= 0
        kk = np.where(inside, k, 0)
        return np.where(inside, area[kk] + values[kk] * (x - times[kk]), 0.0)

    return np.diff(cumulative(edges))


@nb.njit(cache=True)
def window_max_kernel(times, values, window):
    """Running maximum of a step function over [t − window, t], as a step function.

    Segment k (value ``values[k]`` on [times[k], times[k+1])) counts on the extended interval
    [times[k], times[k+1] + window); starts and ends are both sorted, so a monotone deque gives the
    maximum in O(m). The last segment never ends.
    """
    m = times.shape[0]
    out_t = np.empty(2 * m)
    out_v = np.empty(2 * m)
    dq = np.empty(m, np.int64)
    head = 0
    tail = 0
    n_out = 0
    a = 0  # next segment to enter
    b = 0  # next segment to leave
    while a < m or b < m - 1:
        t_enter = times[a] if a < m else np.inf
        t_leave = times[b + 1] + window if b < m - 1 else np.inf
        t = min(t_enter, t_leave)
        while b < m - 1 and times[b + 1] + window <= t:
            if head < tail and dq[head] == b:
                head += 1
            b += 1
        while a < m and times[a] <= t:
            while tail > head and values[dq[tail - 1]] <= values[a]:
                tail -= 1
            dq[tail] = a
            tail += 1
            a += 1
        v = values[dq[head]] if head < tail else 0.0
        if n_out > 0 and out_v[n_out - 1] == v:
            continue
        out_t[n_out] = t
        out_v[n_out] = v
        n_out += 1
    return out_t[:n_out], out_v[:n_out]


def window_max_reference(times: np.ndarray, values: np.ndarray, window: float):
    """Plain-numpy reference of :func:`window_max_kernel` (O(m²); for tests)."""
    ends = np.r_[times[1:] + window, np.inf]
    points = np.unique(np.r_[times, ends[:-1]])
    out_t, out_v = [], []
    for t in points:
        active = (times <= t) & (ends > t)
        v = values[active].max() if active.any() else 0.0
        if out_v and out_v[-1] == v:
            continue
        out_t.append(t)
        out_v.append(v)
    return np.array(out_t), np.array(out_v)


@dataclass(frozen=True)
class PowerProfile:
    """Machine power as step functions of time [s] (values hold until the next time) [W]."""

    busy_times: np.ndarray
    busy_nodes: np.ndarray
    on_times: np.ndarray
    on_nodes: np.ndarray
    dyn_times: np.ndarray
    dyn_power_w: np.ndarray


def power_profile(start_s, end_s, procs, utilization, model: PowerModel, nodes: int) -> PowerProfile:
    """Busy nodes, nodes on, and dynamic power over time from the scheduled jobs."""
    bt, bv = step_function(start_s, end_s, procs.astype(np.float64))
    dyn = procs * utilization * (model.max_w - model.idle_w)
    dt, dv = step_function(start_s, end_s, dyn)
    if model.off_after_s is None:
        ot, ov = np.array([-np.inf]), np.array([float(nodes)])
    elif len(bt) == 0:
        ot, ov = np.array([-np.inf]), np.array([0.0])
    else:
        ot, ov = window_max_kernel(bt, bv, float(model.off_after_s))
    return PowerProfile(bt, bv, ot, ov, dt, dv)


def it_energy_per_bin_j(profile: PowerProfile, model: PowerModel, nodes: int, edges: np.ndarray) -> np.ndarray:
    """IT energy in each bin [edges[i], edges[i+1]) [J]."""
    width = np.diff(edges)
    if np.isneginf(profile.on_times[0]):
        on_seconds = profile.on_nodes[0] * width
    else:
        on_seconds = integrate_steps(profile.on_times, profile.on_nodes, edges)
    off_seconds = nodes * width - on_seconds
    dynamic = integrate_steps(profile.dyn_times, profile.dyn_power_w, edges)
    return on_seconds * model.idle_w + off_seconds * model.off_w + dynamic


def switching_per_bin(profile: PowerProfile, model: PowerModel, edges: np.ndarray):
    """Energy of switching nodes on and off in each bin [J], and the switch-ons and -offs counted.

    Every rise of n_on(t) by Δ costs Δ · boot_s · P_idle, every fall Δ · shutdown_s · P_idle, in the
    bin holding the change (changes outside [edges[0], edges[-1]) are not counted). Nodes start off.

    Returns
    -------
    energy_j : float64[len(edges) - 1]
    ons, offs : float
        Switch-ons and switch-offs [in the unit of ``profile.on_nodes``].
    """
    n_bins = len(edges) - 1
    if np.isneginf(profile.on_times[0]):
        return np.zeros(n_bins), 0.0, 0.0
    t = profile.on_times
    delta = np.diff(np.r_[0.0, profile.on_nodes])
    inside = (t >= edges[0]) & (t < edges[-1])
    t, delta = t[inside], delta[inside]
    ons = np.clip(delta, 0.0, None)
    offs = np.clip(-delta, 0.0, None)
    energy = (ons * model.boot_s + offs * model.shutdown_s) * model.idle_w
    k = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, n_bins - 1)
    return np.bincount(k, weights=energy, minlength=n_bins), float(ons.sum()), float(offs.sum())
