"""Scheduling metrics of a simulated trace.

* wait = start − submit [s];
* bounded slowdown = max((wait + run) / max(run₀, τ), 1) with τ = 10 s (Feitelson, Rudolph,
  Schwiegelshohn, Sevcik, Wong, "Theory and practice in parallel job scheduling", JSSPP 1997,
  https://doi.org/10.1007/3-540-63574-2_14); run₀ is the run time at the nominal clock, so a job
  slowed by DVFS counts its stretch as slowdown;
* utilisation = Σ procs · run / (nodes · makespan), makespan = last end − first submit [s].
"""

from __future__ import annotations

import numpy as np

BSLD_TAU_S = 10.0


def bounded_slowdown(wait_s, run_s, tau_s: float = BSLD_TAU_S, nominal_run_s=None):
    """max((wait + run) / max(run₀, τ), 1) [-], run₀ = ``nominal_run_s`` (the run time at the
    nominal clock, for a job run slower) or else ``run_s``."""
    base = run_s if nominal_run_s is None else nominal_run_s
    return np.maximum((wait_s + run_s) / np.maximum(base, tau_s), 1.0)


def schedule_metrics(submit_s, start_s, run_s, procs, nodes: int, nominal_run_s=None) -> dict:
    """Mean wait [s], mean bounded slowdown (against ``nominal_run_s`` when given, see
    :func:`bounded_slowdown`), utilisation, makespan [s] of started jobs."""
    n = len(submit_s)
    if n == 0:
        return {"mean_wait_s": 0.0, "max_wait_s": 0.0, "mean_bounded_slowdown": 1.0,
                "utilization": 0.0, "makespan_s": 0.0}
    wait = start_s - submit_s
    makespan = float(np.max(start_s + run_s) - np.min(submit_s))
    work = float(np.sum(procs * run_s))
    return {
        "mean_wait_s": float(np.mean(wait)),
        "max_wait_s": float(np.max(wait)),
        "mean_bounded_slowdown": float(np.mean(bounded_slowdown(wait, run_s, nominal_run_s=nominal_run_s))),
        "utilization": work / (nodes * makespan) if makespan > 0 else 0.0,
        "makespan_s": makespan,
    }
