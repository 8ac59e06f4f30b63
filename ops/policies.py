"""Scheduling policies: a base queue discipline plus what a policy changes about the jobs or the machine.

A policy is small: it names a base discipline of :mod:`ops.kernels` (``fcfs``, ``easy``,
``conservative``) and may override three hooks,

* :meth:`Policy.release_s` — when each job enters the queue (a job held back waits, and its wait
  still counts from its submit time);
* :meth:`Policy.limit` — how many nodes may be busy over time (a power cap), as a step function;
  jobs wait rather than exceed it, running jobs are never stopped;
* :meth:`Policy.execution` — how the jobs run: their run times and estimates as the machine
  executes them and the power model they draw under (a machine run at a lower clock).

so a new policy is a few lines. Policies that use the grid read it from the :class:`Context`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from archmodels.errors import InputError
from archmodels.references import check_name
from ops.grid import Grid
from ops.jobs import JobSet
from ops.kernels import POLICY_CODES, schedule
from ops.power import PowerModel


@dataclass(frozen=True)
class Context:
    """What a policy may look at: machine size, power model (per processor), grid, the archmodels
    machine (None without ``--machine``) and the clock that maps simulation time t [s] to grid
    time: grid offset = t − origin_s + offset_s [s]."""

    nodes: int
    power: PowerModel
    grid: Grid | None
    origin_s: float
    offset_s: float = 0.0
    machine: object | None = None

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

    def execution(self, jobs: JobSet, ctx: Context) -> tuple[JobSet, PowerModel]:
        """The jobs as the machine runs them (run times and estimates [s]) and the power model
        they draw under (default: as given)."""
        return jobs, ctx.power

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


def _best_starts(values: np.ndarray, step_s: float, earliest: np.ndarray, latest: np.ndarray,
                 est: np.ndarray, k_max: int) -> np.ndarray:
    """For each job, the start in grid time [s] that minimises the mean signal over [start,
    start + est]: candidates are ``earliest`` and every slot boundary in (earliest, latest]
    (at most ``k_max`` of them); the earliest of equal minima wins."""
    first = (np.floor(earliest / step_s) + 1) * step_s  # next slot boundary
    cand = np.concatenate([earliest[:, None], first[:, None] + step_s * np.arange(k_max)[None, :]], axis=1)
    cand = np.where(cand <= latest[:, None], cand, np.inf)
    finite = np.isfinite(cand)
    c = np.where(finite, cand, earliest[:, None])
    mean = (signal_integral(values, step_s, c + est[:, None]) - signal_integral(values, step_s, c)) / est[:, None]
    mean = np.where(finite, mean, np.inf)
    lowest = mean.min(axis=1, keepdims=True)
    best = np.argmax(mean <= lowest + 1e-9 * np.abs(lowest), axis=1)  # earliest of the minima
    return c[np.arange(len(c)), best]


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
    signal: str = "carbon"  #: "carbon" (average intensity), "marginal-carbon" (:mod:`ops.marginal`) or "price"
    max_delay_s: float = 6 * 3600.0
    flexible_max_estimate_s: float = 24 * 3600.0

    def __post_init__(self):
        super().__post_init__()
        if not (np.isfinite(self.max_delay_s) and self.max_delay_s >= 0):
            raise InputError(f"must be a finite number >= 0 [s], got {self.max_delay_s!r}",
                             location=f"policy {self.name!r}: max_delay_s")
        if not self.flexible_max_estimate_s > 0:
            raise InputError(f"must be > 0 [s], got {self.flexible_max_estimate_s!r}",
                             location=f"policy {self.name!r}: flexible_max_estimate_s")

    def _values(self, grid: Grid) -> np.ndarray:
        if self.signal == "carbon":
            return grid.carbon_g_per_kwh
        if self.signal == "marginal-carbon":
            if grid.marginal_carbon_g_per_kwh is None:
                raise InputError(f"grid {grid.name!r} has no marginal intensity ({grid.carbon_basis}: no half-hourly "
                                 f"mix to fit it on); use a carbon policy on the average or a grid with a mix",
                                 location=f"policy {self.name!r}")
            return grid.marginal_carbon_g_per_kwh
        if self.signal == "price":
            return grid.price_jpy_per_kwh
        raise InputError(f"unknown signal {self.signal!r}; expected 'carbon', 'marginal-carbon' or 'price'")

    def _window_s(self, jobs: JobSet, ctx: Context) -> tuple[np.ndarray, np.ndarray]:
        """Earliest and latest candidate start of each job, after its submit [s]."""
        return np.zeros(len(jobs)), np.full(len(jobs), float(self.max_delay_s))

    def release_s(self, jobs, ctx):
        grid = ctx.require_grid(self.name)
        values = self._values(grid)
        step = grid.step_s
        x0 = ctx.grid_offset_s(jobs.submit_s)
        est = jobs.estimate_s
        lo, hi = self._window_s(jobs, ctx)
        k_max = int(self.max_delay_s // step) + 1
        release = jobs.submit_s.copy()
        flexible = np.flatnonzero((est <= self.flexible_max_estimate_s) & (lo <= hi))
        for chunk in np.array_split(flexible, max(1, len(flexible) // 100_000 + 1)):
            if len(chunk) == 0:
                continue
            earliest = x0[chunk] + lo[chunk]
            best = _best_starts(values, step, earliest, x0[chunk] + hi[chunk], est[chunk], k_max)
            # the earliest candidate needs no hold: the job enters at submit and keeps its place
            release[chunk] = np.where(best > earliest, jobs.submit_s[chunk] + (best - x0[chunk]), jobs.submit_s[chunk])
        return release

    def params(self):
        return {"signal": self.signal, "max_delay_s": self.max_delay_s,
                "flexible_max_estimate_s": self.flexible_max_estimate_s}


@dataclass(frozen=True)
class QueueAwareDelay(SignalAwareDelay):
    """Wait-Awhile (:class:`SignalAwareDelay`) that counts the queue wait a job faces anyway.

    Rule, per flexible job j (estimate ≤ ``flexible_max_estimate_s``), submitted at s_j:

    1. expected queue wait ŵ_j = the job's wait when no job is held, under the same base discipline
       and node limit (one run of :func:`ops.kernels.schedule` on the submit times: a perfect
       forecast of the queue, as the grid forecast is perfect); the job starts at e_j = s_j + ŵ_j
       unless it is held past e_j;
    2. if ŵ_j > ``max_delay_s`` the queue already takes more than the delay budget: no hold;
    3. otherwise the start c_j minimises the mean signal over [c, c + estimate_j] among e_j and
       every grid-slot boundary in (e_j, s_j + ``max_delay_s``] (the earliest of equal minima
       wins); the job is released at s_j when c_j = e_j (it keeps its queue place) and at c_j
       otherwise.

    So the queue wait counts against the delay budget, candidate starts the queue makes
    unreachable (before e_j) are not chosen, and a job that the queue already carries into its
    cleanest reachable slot is not held. The candidate set, the signal mean and the perfect
    forecast are those of Wiesner et al., "Let's Wait Awhile: How Temporal Workload Shifting Can
    Reduce Carbon Emissions in the Cloud", Middleware 2021, https://doi.org/10.1145/3464298.3493399,
    who shift jobs on capacity taken as unlimited (no queue); moving the window's start to the
    expected start is this policy's own rule. ŵ_j ignores what holding other jobs changes.
    """

    name: str = "carbon-queue-delay"

    def _window_s(self, jobs, ctx):
        cap_times, cap_procs = self.limit(jobs, ctx)
        start = schedule(jobs.submit_s, jobs.procs, jobs.run_s, jobs.estimate_s, POLICY_CODES[self.base],
                         np.asarray(cap_times, dtype=np.float64), np.asarray(cap_procs, dtype=np.int64))
        return start - jobs.submit_s, np.full(len(jobs), float(self.max_delay_s))


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


#: Clock ratios a DVFS cap chooses from (nominal down to archmodels.dvfs's lower bound 0.3).
DVFS_CLOCK_RATIOS = tuple(round(1.0 - 0.05 * k, 2) for k in range(15))


@dataclass(frozen=True)
class DvfsPowerCap(Policy):
    """A whole-machine IT power cap [W] met by running every node at a lower clock (DVFS) rather
    than only by leaving nodes idle.

    Rules, for a clock ratio r (a fraction of the nominal clock):

    * power: per-node idle and maximum power are those of
      ``archmodels.power.node_power_range_w(archmodels.transforms.at_clock(machine, r))`` (the
      processors' dynamic power scales as r³, static power and the rest of the node are kept;
      :mod:`archmodels.dvfs`); every node, busy or idle, runs at r, and a job draws
      idle(r) + u·(max(r) − idle(r)) per node as at the nominal clock;
    * time: a job's run time and estimate are stretched by σ(r) = β/r + (1 − β), β =
      ``compute_fraction`` (the β model of Hsu and Kremer, PLDI 2003; Freeh et al., IEEE TPDS
      18(6) 2007; used for power-capped batch scheduling by Etinski et al., Parallel Computing
      38(12) 2012): β = 1 is a compute-bound job (time ∝ 1/r), β = 0 a memory-bound one; the
      default 1 is the worst case for time (assumption); the resource manager is taken to scale
      each walltime limit by σ, so no job is killed for running slower;
    * cap: at r at most k(r) = ``PowerModel.busy_limit(nodes, cap_w)`` nodes may run jobs under the
      model at r (all nodes on, jobs at full load);
    * choice: the machine runs the whole trace at the one r of ``clock_ratios`` that maximises the
      capacity k(r)/σ(r) [nominal node-seconds per second] among those with k(r) ≥ the widest
      job; ties go to the higher clock. With a cap at or above the machine's nominal full power,
      r = 1 and the policy is EASY.

    The clock is one for the whole run (the cap does not vary in time), not chosen job by job.
    """

    name: str = "dvfs-cap"
    base: str = "easy"
    cap_w: float = np.inf
    compute_fraction: float = 1.0
    clock_ratios: tuple = DVFS_CLOCK_RATIOS

    def __post_init__(self):
        super().__post_init__()
        if not self.cap_w > 0:
            raise InputError(f"must be > 0 [W], got {self.cap_w!r}", location=f"policy {self.name!r}: cap_w")
        if not 0.0 <= self.compute_fraction <= 1.0:
            raise InputError(f"must be within [0, 1], got {self.compute_fraction!r}",
                             location=f"policy {self.name!r}: compute_fraction")
        ratios = tuple(self.clock_ratios)
        if not ratios or not all(0.3 <= r <= 1.0 for r in ratios):
            raise InputError(f"must be clock ratios within [0.3, 1], got {ratios!r}",
                             location=f"policy {self.name!r}: clock_ratios")

    def stretch(self, r: float) -> float:
        """Run-time factor σ(r) = β/r + (1 − β) at clock ratio r [-]."""
        return self.compute_fraction / r + (1.0 - self.compute_fraction)

    def power_at(self, r: float, ctx: Context) -> PowerModel:
        """The context's power model with idle and maximum power scaled as archmodels scales a
        node at clock ratio r."""
        if ctx.machine is None:
            raise InputError(f"policy {self.name!r} needs a machine for its DVFS power model (pass --machine)")
        from archmodels.power import node_power_range_w
        from archmodels.transforms import at_clock

        idle1, max1 = node_power_range_w(ctx.machine)
        idle, peak = node_power_range_w(at_clock(ctx.machine, r))
        p = ctx.power
        return replace(p, idle_w=p.idle_w * idle / idle1, max_w=p.max_w * peak / max1,
                       source=f"{p.source} at {r:g}x clock (archmodels.transforms.at_clock)")

    def clock(self, jobs: JobSet, ctx: Context) -> float:
        """The chosen clock ratio r (see the class docstring)."""
        largest = int(jobs.procs.max()) if len(jobs) else 0
        best, best_capacity = None, -1.0
        for r in sorted(self.clock_ratios, reverse=True):
            k = self.power_at(r, ctx).busy_limit(ctx.nodes, self.cap_w)
            capacity = k / self.stretch(r)
            if k >= largest and capacity > best_capacity * (1 + 1e-12):
                best, best_capacity = r, capacity
        if best is None:
            lowest = min(self.clock_ratios)
            raise InputError(f"power cap {self.cap_w:.6g} W lets {self.power_at(lowest, ctx).busy_limit(ctx.nodes, self.cap_w)} "
                             f"nodes run jobs even at {lowest:g}x clock, but a job needs {largest}; raise the cap",
                             location=f"policy {self.name!r}: cap_w")
        return best

    def execution(self, jobs, ctx):
        r = self.clock(jobs, ctx)
        sigma = self.stretch(r)
        ran = replace(jobs, run_s=jobs.run_s * sigma, estimate_s=jobs.estimate_s * sigma)
        return ran, self.power_at(r, ctx)

    def limit(self, jobs, ctx):
        k = self.power_at(self.clock(jobs, ctx), ctx).busy_limit(ctx.nodes, self.cap_w)
        return np.array([-np.inf]), np.array([k], dtype=np.int64)

    def params(self):
        return {"cap_w": self.cap_w, "compute_fraction": self.compute_fraction}


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
    """A policy by name: fcfs, easy, conservative, carbon-delay, price-delay, carbon-queue-delay,
    price-queue-delay, marginal-carbon-delay, marginal-carbon-queue-delay, power-cap, dvfs-cap, carbon-cap.

    ``params`` go to the policy's dataclass (e.g. ``max_delay_s``, ``cap_w``, ``base``).
    """
    if name in POLICY_CODES:
        return Policy(name=name, base=name)
    builders = {
        "carbon-delay": lambda: SignalAwareDelay(name=name, signal="carbon", **params),
        "price-delay": lambda: SignalAwareDelay(name=name, signal="price", **params),
        "carbon-queue-delay": lambda: QueueAwareDelay(name=name, signal="carbon", **params),
        "price-queue-delay": lambda: QueueAwareDelay(name=name, signal="price", **params),
        "marginal-carbon-delay": lambda: SignalAwareDelay(name=name, signal="marginal-carbon", **params),
        "marginal-carbon-queue-delay": lambda: QueueAwareDelay(name=name, signal="marginal-carbon", **params),
        "power-cap": lambda: PowerCap(name=name, **params),
        "dvfs-cap": lambda: DvfsPowerCap(name=name, **params),
        "carbon-cap": lambda: CarbonPowerCap(name=name, **params),
    }
    check_name("policy", name, [*POLICY_CODES, *builders], "policies")
    try:
        return builders[name]()
    except TypeError as err:
        raise InputError(f"policy {name!r}: {err}") from None


POLICY_NAMES = ("fcfs", "easy", "conservative", "carbon-delay", "price-delay", "carbon-queue-delay",
                "price-queue-delay", "marginal-carbon-delay", "marginal-carbon-queue-delay", "power-cap", "dvfs-cap",
                "carbon-cap")
