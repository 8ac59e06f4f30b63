"""Scheduling policies: a base queue discipline plus what a policy changes about the jobs or the machine.

A policy is small: it names a base discipline of :mod:`ops.kernels` (``fcfs``, ``easy``,
``conservative``) and may override two hooks,

* :meth:`Policy.release_s` — when each job enters the queue (a job held back waits, and its wait
  still counts from its submit time);
* :meth:`Policy.limit` — how many nodes may be busy over time (a power cap), as a step function;
  jobs wait rather than exceed it, running jobs are never stopped.

so a new policy is a few lines. Policies that use the grid read it from the :class:`Context`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from archmodels.errors import InputError
from archmodels.references import check_name
from ops.grid import Grid
from ops.jobs import JobSet
from ops.kernels import POLICY_CODES
from ops.power import PowerModel


@dataclass(frozen=True)
class Context:
    """What a policy may look at: machine size, power model, grid and the clock that maps
    simulation time t [s] to grid time: grid offset = t − origin_s + offset_s [s]."""

    nodes: int
    power: PowerModel
    grid: Grid | None
    origin_s: float
    offset_s: float = 0.0

    def require_grid(self, who: str) -> Grid:
        if self.grid is None:
            raise InputError(f"policy {who!r} needs a grid (pass --grid tokyo-2025)")
        return self.grid

    def grid_offset_s(self, t_s):
        return np.asarray(t_s, dtype=np.float64) - self.origin_s + self.offset_s


@dataclass(frozen=True)
class Policy:
    """A base discipline with no changes: plain FCFS, EASY or conservative backfilling."""

    name: str = "easy"
    base: str = "easy"

    def __post_init__(self):
        if self.base not in POLICY_CODES:
            raise InputError(f"unknown base policy {self.base!r}; expected one of {sorted(POLICY_CODES)}")

    def release_s(self, jobs: JobSet, ctx: Context) -> np.ndarray:
        """Queue entry time of each job [s] (default: its submit time)."""
        return jobs.submit_s

    def limit(self, jobs: JobSet, ctx: Context) -> tuple[np.ndarray, np.ndarray]:
        """Busy-node limit as a step function (times [s] from -inf, nodes)."""
        return np.array([-np.inf]), np.array([ctx.nodes], dtype=np.int64)

    def params(self) -> dict:
        """Parameters recorded with results."""
        return {}


def signal_integral(values: np.ndarray, step_s: float, x_s: np.ndarray) -> np.ndarray:
    """∫_0^x v(s) ds of a periodic step signal (slot k = [k·step, (k+1)·step)) [unit·s]."""
    n = len(values)
    period = n * step_s
    cum = np.r_[0.0, np.cumsum(values) * step_s]
    x = np.asarray(x_s, dtype=np.float64)
    turns = np.floor(x / period)
    rem = x - turns * period
    k = np.minimum((rem // step_s).astype(np.int64), n - 1)
    return turns * cum[-1] + cum[k] + values[k] * (rem - k * step_s)


@dataclass(frozen=True)
class SignalAwareDelay(Policy):
    """Hold flexible jobs back to the start time within a window that minimises the mean signal
    over the job's estimated run ("Let's Wait Awhile", Wiesner et al., Middleware 2021,
    https://doi.org/10.1145/3464298.3493399; perfect forecast, non-interruptible jobs).

    Candidate starts: the submit time and every later grid-slot boundary up to submit +
    ``max_delay_s``; the earliest of equal minima wins. Jobs whose estimate exceeds
    ``flexible_max_estimate_s`` are not flexible and enter at submit.
    """

    name: str = "carbon-delay"
    base: str = "easy"
    signal: str = "carbon"  #: "carbon" (intensity) or "price"
    max_delay_s: float = 6 * 3600.0
    flexible_max_estimate_s: float = 24 * 3600.0

    def _values(self, grid: Grid) -> np.ndarray:
        if self.signal == "carbon":
            return grid.carbon_g_per_kwh
        if self.signal == "price":
            return grid.price_jpy_per_kwh
        raise InputError(f"unknown signal {self.signal!r}; expected 'carbon' or 'price'")

    def release_s(self, jobs, ctx):
        grid = ctx.require_grid(self.name)
        values = self._values(grid)
        step = grid.step_s
        x0 = ctx.grid_offset_s(jobs.submit_s)
        est = jobs.estimate_s
        k_max = int(self.max_delay_s // step) + 1
        release = jobs.submit_s.copy()
        flexible = np.flatnonzero(est <= self.flexible_max_estimate_s)
        for chunk in np.array_split(flexible, max(1, len(flexible) // 100_000 + 1)):
            if len(chunk) == 0:
                continue
            first = (np.floor(x0[chunk] / step) + 1) * step  # next slot boundary
            cand = np.concatenate([x0[chunk, None], first[:, None] + step * np.arange(k_max)[None, :]], axis=1)
            cand = np.where(cand <= x0[chunk, None] + self.max_delay_s, cand, np.inf)
            finite = np.isfinite(cand)
            c = np.where(finite, cand, x0[chunk, None])
            mean = (signal_integral(values, step, c + est[chunk, None]) - signal_integral(values, step, c)) / est[chunk, None]
            mean = np.where(finite, mean, np.inf)
            lowest = mean.min(axis=1, keepdims=True)
            best = np.argmax(mean <= lowest + 1e-9 * np.abs(lowest), axis=1)  # earliest of the minima
            release[chunk] = jobs.submit_s[chunk] + (c[np.arange(len(chunk)), best] - x0[chunk])
        return release

    def params(self):
        return {"signal": self.signal, "max_delay_s": self.max_delay_s,
                "flexible_max_estimate_s": self.flexible_max_estimate_s}


@dataclass(frozen=True)
class PowerCap(Policy):
    """A whole-machine IT power cap [W]: at most ``power.busy_limit(nodes, cap_w)`` nodes busy."""

    name: str = "power-cap"
    base: str = "easy"
    cap_w: float = np.inf

    def limit(self, jobs, ctx):
        k = ctx.power.busy_limit(ctx.nodes, self.cap_w)
        largest = int(jobs.procs.max()) if len(jobs) else 0
        if k < largest:
            raise InputError(f"power cap {self.cap_w:.6g} W lets {k} nodes run jobs, but a job needs "
                             f"{largest}; raise the cap (idle alone is {ctx.nodes * ctx.power.idle_w:.6g} W)")
        return np.array([-np.inf]), np.array([k], dtype=np.int64)

    def params(self):
        return {"cap_w": self.cap_w}


@dataclass(frozen=True)
class CarbonPowerCap(Policy):
    """Cap busy nodes at ``cap_fraction`` of the machine in high-carbon grid slots (carbon
    intensity at or above the ``quantile`` of the grid's whole series).

    Jobs larger than the capped limit wait for a low-carbon slot. The cap schedule covers the
    submit span plus twice the time the whole workload would take on the capped machine (plus the
    longest estimate); after that the cap lifts, so every job starts.
    """

    name: str = "carbon-cap"
    base: str = "easy"
    cap_fraction: float = 0.5
    quantile: float = 0.75

    def limit(self, jobs, ctx):
        grid = ctx.require_grid(self.name)
        if len(jobs) == 0:
            return super().limit(jobs, ctx)
        high = grid.carbon_g_per_kwh >= np.quantile(grid.carbon_g_per_kwh, self.quantile)
        capped = max(1, int(np.floor(self.cap_fraction * ctx.nodes)))
        step = grid.step_s
        # slot boundaries over the span the jobs can occupy
        t0 = float(jobs.submit_s.min())
        horizon = (float(jobs.submit_s.max()) + 2.0 * float(np.sum(jobs.procs * jobs.estimate_s)) / capped
                   + float(jobs.estimate_s.max()))
        x0 = ctx.grid_offset_s(t0)
        k0 = int(np.floor(x0 / step))
        k1 = int(np.ceil(ctx.grid_offset_s(horizon) / step)) + 1
        slots = np.arange(k0, k1)
        levels = np.where(high[slots % len(grid)], capped, ctx.nodes).astype(np.int64)
        levels[-1] = ctx.nodes
        times = slots * step - ctx.offset_s + ctx.origin_s
        change = np.r_[True, levels[1:] != levels[:-1]]
        times, levels = times[change], levels[change]
        times[0] = -np.inf
        return times.astype(np.float64), levels

    def params(self):
        return {"cap_fraction": self.cap_fraction, "quantile": self.quantile}


def make_policy(name: str, **params) -> Policy:
    """A policy by name: fcfs, easy, conservative, carbon-delay, price-delay, power-cap, carbon-cap.

    ``params`` go to the policy's dataclass (e.g. ``max_delay_s``, ``cap_w``, ``base``).
    """
    if name in POLICY_CODES:
        return Policy(name=name, base=name)
    builders = {
        "carbon-delay": lambda: SignalAwareDelay(name=name, signal="carbon", **params),
        "price-delay": lambda: SignalAwareDelay(name=name, signal="price", **params),
        "power-cap": lambda: PowerCap(name=name, **params),
        "carbon-cap": lambda: CarbonPowerCap(name=name, **params),
    }
    check_name("policy", name, [*POLICY_CODES, *builders], "policies")
    try:
        return builders[name]()
    except TypeError as err:
        raise InputError(f"policy {name!r}: {err}") from None


POLICY_NAMES = ("fcfs", "easy", "conservative", "carbon-delay", "price-delay", "power-cap", "carbon-cap")
