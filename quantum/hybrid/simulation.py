"""Discrete-event simulation of many users sharing one quantum device beside an HPC system.

Each user repeats ``iterations`` times: classical step (own HPC nodes) -> send circuits (submit
overhead + latency + bytes / bandwidth) -> outside queue (cloud tenants, log-normal, drawn once per
job from the scenario seed, so every placement sees the same draws) -> wait for the shared device
-> quantum job -> results back. The device serves one job at a time:

* ``fair-share`` (default): a fixed rotation, iteration by iteration, user 0, 1, ... (IBM Quantum's
  fair-share scheduler rotates between instances, https://quantum.cloud.ibm.com/docs/guides/fair-share-scheduler).
  Every event time is a max-plus expression of the durations, so shortening any duration (moving
  the device closer, a faster link, no outside queue) never delays any event.
* ``fifo``: first come, first served. Work-conserving, but like any list schedule it can show
  Graham's anomalies (a shorter step reorders the queue and delays someone, R. L. Graham, "Bounds
  on multiprocessing timing anomalies", SIAM J. Appl. Math. 17, 416 (1969)).

The total is the time the last user finishes. Its breakdown follows that user's own chain of
steps, which starts at 0 and has no gaps, so classical + transfer + queue + quantum = total.
Energy and cost are charged along the same chain: the user's nodes draw active power in classical
steps and idle power otherwise; the device's power and price count during its quantum jobs.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from archmodels.errors import InputError
from quantum.hybrid.qpu import Placement, transfer_time
from quantum.hybrid.workflow import Workflow

CATEGORIES = ("classical", "transfer", "queue", "quantum")


@dataclass(frozen=True)
class Scenario:
    """A resolved hybrid scenario (SI units, JPY)."""

    title: str
    users: int
    seed: int
    policy: str
    workflow: Workflow
    device: str
    placement: Placement
    job_time_s: float
    jobs_per_iteration: int
    device_power_w: float
    device_price_jpy_per_s: float
    hpc_machine: str
    nodes_per_user: int
    node_active_power_w: float
    node_idle_power_w: float
    node_price_jpy_per_s: float
    session: bool = False


@dataclass(frozen=True)
class HybridResult:
    """Outcome of :func:`simulate`; ``breakdown`` values are along the critical (last) user's chain."""

    total_time_s: float
    critical_user: int
    time_s: dict
    energy_j: dict
    cost_jpy: dict
    device_busy_s: float
    user_finish_s: tuple
    seed: int

    def as_dict(self) -> dict:
        """Flat, JSON-ready dict with unit-suffixed keys; parts sum to the totals."""
        out = {
            "total_time_s": self.total_time_s,
            "total_energy_j": sum(self.energy_j.values()),
            "total_cost_jpy": sum(self.cost_jpy.values()),
            "critical_user": self.critical_user,
            "device_busy_s": self.device_busy_s,
            "device_utilisation": self.device_busy_s / self.total_time_s if self.total_time_s > 0 else 0.0,
            "mean_user_time_s": float(np.mean(self.user_finish_s)),
            "seed": self.seed,
            "breakdown": {
                f"{c}_{unit}": part[c]
                for c in CATEGORIES
                for unit, part in (("time_s", self.time_s), ("energy_j", self.energy_j), ("cost_jpy", self.cost_jpy))
            },
        }
        return out


def _outside_queue(scn: Scenario) -> np.ndarray:
    """Outside-queue wait per (user, iteration) [s]: sum over the iteration's jobs of log-normal draws.

    In a session (Qiskit Runtime's session execution mode, which keeps the device for one user's
    iterative jobs once the first job starts, https://quantum.cloud.ibm.com/docs/guides/execution-modes)
    only each user's first job waits for outside tenants.
    """
    rng = np.random.default_rng(scn.seed)
    z = rng.standard_normal((scn.users, scn.workflow.iterations, scn.jobs_per_iteration))
    if scn.placement.queue_median_s <= 0:
        return np.zeros((scn.users, scn.workflow.iterations))
    wait = scn.placement.queue_median_s * np.exp(scn.placement.queue_sigma * z)
    if scn.session:
        wait[:, 1:, :] = 0.0
        wait[:, 0, 1:] = 0.0
    return wait.sum(axis=2)


def _charged(time_s: dict, working: float, waiting: float, device: float) -> dict:
    """What each category of the chain's time costs at a rate per second [unit/s x s]: ``working``
    for classical work, ``waiting`` for transfer and queue, ``waiting + device`` on the device."""
    return {
        "classical": working * time_s["classical"],
        "transfer": waiting * time_s["transfer"],
        "queue": waiting * time_s["queue"],
        "quantum": (waiting + device) * time_s["quantum"],
    }


def simulate(scn: Scenario) -> HybridResult:
    """Run the discrete-event simulation of :class:`Scenario` (module docstring)."""
    if scn.policy not in ("fair-share", "fifo"):
        raise InputError(f"expected 'fair-share' or 'fifo', got {scn.policy!r}", location="policy")
    wf = scn.workflow
    users, iters = scn.users, wf.iterations
    send = scn.jobs_per_iteration * scn.placement.submit_overhead_s + transfer_time(wf.bytes_out, scn.placement)
    back = transfer_time(wf.bytes_back, scn.placement)
    outside = _outside_queue(scn)
    cls = wf.classical_step_s
    job = scn.job_time_s

    # per user: running clock and accumulated time per category (the chain has no gaps)
    clock = np.zeros(users)
    parts = {c: np.zeros(users) for c in CATEGORIES}

    def arrive(u: int, i: int) -> float:
        parts["classical"][u] += cls
        parts["transfer"][u] += send
        parts["queue"][u] += outside[u, i]
        clock[u] += cls + send + outside[u, i]
        return clock[u]

    def serve(u: int, arrival: float, free_at: float) -> float:
        start = max(arrival, free_at)
        parts["queue"][u] += start - arrival
        parts["quantum"][u] += job
        parts["transfer"][u] += back
        clock[u] = start + job + back
        return start + job

    free_at = 0.0
    if scn.policy == "fair-share":
        for i in range(iters):
            for u in range(users):
                free_at = serve(u, arrive(u, i), free_at)
    else:
        heap = [(arrive(u, 0), u, 0) for u in range(users)]
        heapq.heapify(heap)
        while heap:
            arrival, u, i = heapq.heappop(heap)
            free_at = serve(u, arrival, free_at)
            if i + 1 < iters:
                heapq.heappush(heap, (arrive(u, i + 1), u, i + 1))

    crit = int(np.argmax(clock))
    time_s = {c: float(parts[c][crit]) for c in CATEGORIES}
    total = float(sum(time_s.values()))
    nodes = scn.nodes_per_user
    active_w = wf.classical_power_w if wf.classical_power_w is not None else nodes * scn.node_active_power_w
    idle_w = nodes * scn.node_idle_power_w
    energy = _charged(time_s, active_w, idle_w, scn.device_power_w)
    node_price = nodes * scn.node_price_jpy_per_s
    cost = _charged(time_s, node_price, node_price, scn.device_price_jpy_per_s)
    return HybridResult(
        total_time_s=total,
        critical_user=crit,
        time_s=time_s,
        energy_j=energy,
        cost_jpy=cost,
        device_busy_s=users * iters * job,
        user_finish_s=tuple(float(c) for c in clock),
        seed=scn.seed,
    )
