"""Seeded synthetic workloads in the style of the Lublin–Feitelson model.

Job sizes and run times follow U. Lublin and D. G. Feitelson, "The workload on parallel
supercomputers: modeling the characteristics of rigid jobs", J. Parallel Distrib. Comput. 63(11),
1105–1122, 2003 (https://doi.org/10.1016/S0743-7315(03)00108-4), with the batch-job parameters of
the authors' reference implementation (``m_lublin99.c``, Parallel Workloads Archive):

* a job is serial with probability 0.244; otherwise log2(size) is drawn from a two-stage uniform
  distribution on [0.8, u_med] (probability 0.86) or [u_med, log2(P)], u_med = log2(P) - 2.5, and
  rounded to a power of two with probability 0.576;
* ln(run time) is hyper-Gamma: Gamma(4.2, 0.94) with probability p = -0.0054·size + 0.78 (clipped
  to [0, 1]), else Gamma(312, 0.03); run times are capped at 48 h (``assumption``).

Simplifications (``assumption``): arrivals are a Poisson process (the paper's Gamma inter-arrivals
and daily cycle are left out) whose rate is set so that the offered load sum(procs·run)/(P·span)
equals ``load``; user estimates are the run time times a log-uniform factor in [1, 10] rounded up to
whole minutes, and 5 % of jobs under-estimate (factor in [0.5, 1)) so that jobs killed at their
estimate occur.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from archmodels.errors import InputError, ResourceError
from ops.swf import SWF_COLUMNS

SERIAL_PROB = 0.244
POW2_PROB = 0.576
U_LOW = 0.8
U_PROB = 0.86
GAMMA_SHORT = (4.2, 0.94)  # shape, scale of ln(run time [s]), short component
GAMMA_LONG = (312.0, 0.03)  # long component
P_A, P_B = -0.0054, 0.78  # p(short) = P_A * size + P_B
UNDERESTIMATE_PROB = 0.05
#: Longest run time [s] (``assumption``: a 48-hour wall-time limit, as at most centres; the
#: short hyper-Gamma component alone has a tail reaching years).
MAX_RUNTIME_S = 48 * 3600.0


def lublin_sizes(rng: np.random.Generator, n: int, max_procs: int) -> np.ndarray:
    """Job sizes [processors] from the Lublin–Feitelson two-stage uniform model."""
    u_hi = np.log2(max_procs)
    u_med = max(u_hi - 2.5, U_LOW)
    stage = rng.random(n) < U_PROB
    lo = np.where(stage, U_LOW, u_med)
    hi = np.where(stage, u_med, u_hi)
    log_size = lo + (hi - lo) * rng.random(n)
    pow2 = rng.random(n) < POW2_PROB
    log_size = np.where(pow2, np.round(log_size), log_size)
    size = np.clip(np.round(2.0**log_size), 1, max_procs).astype(np.int64)
    serial = rng.random(n) < SERIAL_PROB
    return np.where(serial, 1, size)


def lublin_runtimes(rng: np.random.Generator, sizes: np.ndarray) -> np.ndarray:
    """Run times [s] from the hyper-Gamma model of ln(run time), in [1 s, MAX_RUNTIME_S]."""
    n = len(sizes)
    p_short = np.clip(P_A * sizes + P_B, 0.0, 1.0)
    short = rng.random(n) < p_short
    g = np.where(short, rng.gamma(GAMMA_SHORT[0], GAMMA_SHORT[1], n),
                 rng.gamma(GAMMA_LONG[0], GAMMA_LONG[1], n))
    return np.clip(np.round(np.exp(g)), 1.0, MAX_RUNTIME_S)


def user_estimates(rng: np.random.Generator, runtimes: np.ndarray) -> np.ndarray:
    """Requested times [s]: run time × log-uniform [1, 10], whole minutes (``assumption``)."""
    n = len(runtimes)
    factor = np.exp(rng.uniform(0.0, np.log(10.0), n))
    under = rng.random(n) < UNDERESTIMATE_PROB
    factor = np.where(under, rng.uniform(0.5, 1.0, n), factor)
    return np.maximum(np.ceil(runtimes * factor / 60.0) * 60.0, 60.0)


def generate_trace(n_jobs: int, max_procs: int, *, load: float = 0.7, seed: int = 0) -> pd.DataFrame:
    """A synthetic trace as a DataFrame with the SWF columns (see :mod:`ops.synthetic`).

    Parameters
    ----------
    n_jobs : int
        Number of jobs.
    max_procs : int
        Machine size [processors]; no job asks for more.
    load : float
        Offered load, sum(procs·run time) / (max_procs · span) [-].
    seed : int
        Seed of the numpy random generator (PCG64); the same seed gives the same trace.

    Returns
    -------
    pandas.DataFrame
        Jobs sorted by submit time, ids 1..n, integral times [s]; unknown fields are -1.
    """
    if n_jobs < 1 or max_procs < 1:
        raise InputError(f"n_jobs and max_procs must be >= 1, got {n_jobs} and {max_procs}")
    if n_jobs > 500_000_000:
        raise ResourceError(f"{n_jobs} jobs would need more than 100 GiB; generate at most 500,000,000")
    if not 0.0 < load <= 10.0:
        raise InputError(f"load must be in (0, 10], got {load}")
    rng = np.random.default_rng(seed)
    sizes = lublin_sizes(rng, n_jobs, max_procs)
    run = lublin_runtimes(rng, sizes)
    est = user_estimates(rng, run)
    work = float(np.sum(sizes * run))
    rate = load * max_procs * n_jobs / work  # arrivals per second
    submit = np.floor(np.cumsum(rng.exponential(1.0 / rate, n_jobs)))
    jobs = pd.DataFrame({name: np.full(n_jobs, -1, dtype=np.int64) for name in SWF_COLUMNS})
    jobs["id"] = np.arange(1, n_jobs + 1, dtype=np.int64)
    jobs["submit_s"] = submit
    jobs["run_s"] = run
    jobs["alloc_procs"] = sizes
    jobs["req_procs"] = sizes
    jobs["req_time_s"] = est
    jobs["status"] = 1
    return jobs
