"""dimod samplers over the numba kernels: simulated annealing and parallel tempering."""

from __future__ import annotations

import secrets
import time

import dimod
import numpy as np

from archmodels.errors import InputError
from quantum.annealing import kernels
from quantum.annealing.model import (
    MAX_TABLE_COST,
    IsingCSR,
    beta_schedule as make_beta_schedule,
    default_beta_range,
    ising_from_bqm,
)
from quantum.annealing.rng import stream_seeds

_MAX_TABLE_ENTRIES = 1 << 24


def _check_positive(name: str, value) -> int:
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise InputError(f"{name}: expected a positive integer, got {value!r}")
    return int(value)


def _resolve_seed(seed) -> int:
    if seed is None:
        return secrets.randbelow(2**31)
    if isinstance(seed, bool) or int(seed) != seed or not 0 <= seed < 2**43:
        raise InputError(f"seed: expected an integer in [0, 2**43), got {seed!r}")
    return int(seed)


def _sampleset(model: IsingCSR, spins: np.ndarray, info: dict, vartype) -> dimod.SampleSet:
    energies = model.energies(spins)
    ss = dimod.SampleSet.from_samples(
        (spins, list(model.labels)), vartype=dimod.SPIN, energy=energies, info=info
    )
    if vartype is not dimod.SPIN:
        ss = ss.change_vartype(vartype, inplace=False)
    return ss


def run_anneal(model: IsingCSR, betas: np.ndarray, seeds: np.ndarray) -> tuple[np.ndarray, str]:
    """Anneal every read through ``betas``; picks the integer kernel when it applies.

    Returns the spins (reads, n) and the kernel's name.
    """
    if model.num_spins == 0:
        return np.empty((seeds.size, 0), np.int8), "none"
    if model.integral:
        max_cost = int(model.max_flip_cost())
        if max_cost <= MAX_TABLE_COST and betas.size * (max_cost + 1) <= _MAX_TABLE_ENTRIES:
            table = kernels.acceptance_table(betas, max_cost)
            spins = kernels.anneal(
                model.h, model.indptr, model.indices, model.data, table, seeds
            )
            return spins, "int"
    h = model.h.astype(np.float64)
    data = model.data.astype(np.float64)
    return kernels.anneal(h, model.indptr, model.indices, data, betas, seeds), "float"


class SimulatedAnnealingSampler(dimod.Sampler):
    """Metropolis simulated annealing of Ising/QUBO models (numba, reads in parallel).

    Same contract as dwave-samplers' ``SimulatedAnnealingSampler``: one sweep (n attempted spin
    flips in index order) per beta, ``num_sweeps`` betas on a geometric or linear schedule between
    the ends of ``beta_range`` (default: :func:`~quantum.annealing.model.default_beta_range`).
    ``info`` records the seed, the schedule ends, the kernel and the timing.

    Examples
    --------
    >>> from quantum.annealing import SimulatedAnnealingSampler
    >>> ss = SimulatedAnnealingSampler().sample_ising({}, {(0, 1): -1.0}, num_reads=4, seed=1)
    >>> float(ss.first.energy)
    -1.0
    """

    parameters = {
        "num_reads": [],
        "num_sweeps": [],
        "beta_range": [],
        "beta_schedule_type": ["beta_schedule_options"],
        "beta_schedule": [],
        "seed": [],
    }
    properties = {"beta_schedule_options": ("geometric", "linear", "custom")}

    def sample(
        self,
        bqm,
        num_reads: int = 10,
        num_sweeps: int = 1000,
        beta_range=None,
        beta_schedule_type: str = "geometric",
        beta_schedule=None,
        seed: int | None = None,
    ) -> dimod.SampleSet:
        """Sample a BinaryQuadraticModel; see the class docstring for the parameters."""
        t0 = time.perf_counter()
        num_reads = _check_positive("num_reads", num_reads)
        seed = _resolve_seed(seed)
        model = ising_from_bqm(bqm)
        if beta_schedule_type == "custom":
            if beta_schedule is None:
                raise InputError("beta_schedule: required when beta_schedule_type = 'custom'")
            betas = np.asarray(beta_schedule, dtype=np.float64).reshape(-1)
            if betas.size == 0 or np.any(betas < 0) or not np.all(np.isfinite(betas)):
                raise InputError("beta_schedule: expected non-negative finite inverse temperatures")
        else:
            if beta_schedule is not None:
                raise InputError("beta_schedule: only with beta_schedule_type = 'custom'")
            num_sweeps = _check_positive("num_sweeps", num_sweeps)
            if beta_range is None:
                beta_range = default_beta_range(model)
            betas = make_beta_schedule(beta_range, num_sweeps, beta_schedule_type)
        seeds = stream_seeds(seed, num_reads)
        t1 = time.perf_counter()
        spins, kernel = run_anneal(model, betas, seeds)
        t2 = time.perf_counter()
        updates = num_reads * betas.size * model.num_spins
        info = {
            "seed": seed,
            "beta_range": (float(betas[0]), float(betas[-1])),
            "beta_schedule_type": beta_schedule_type,
            "num_sweeps": int(betas.size),
            "kernel": kernel,
            "spin_updates": int(updates),
            "timing": {"preprocessing_s": t1 - t0, "sampling_s": t2 - t1},
        }
        ss = _sampleset(model, spins, info, bqm.vartype)
        info["timing"]["postprocessing_s"] = time.perf_counter() - t2
        return ss


class ParallelTemperingSampler(dimod.Sampler):
    """Replica-exchange Monte Carlo; each read is one independent chain of ``num_replicas``.

    The replicas sit on a geometric ladder of betas spanning ``beta_range`` (default: the same
    range as simulated annealing). Each read returns the lowest-energy state its chain visited.
    """

    parameters = {"num_reads": [], "num_sweeps": [], "num_replicas": [], "beta_range": [], "seed": []}
    properties: dict = {}

    def sample(
        self,
        bqm,
        num_reads: int = 4,
        num_sweeps: int = 1000,
        num_replicas: int = 16,
        beta_range=None,
        seed: int | None = None,
    ) -> dimod.SampleSet:
        """Sample a BinaryQuadraticModel; see the class docstring for the parameters."""
        num_reads = _check_positive("num_reads", num_reads)
        num_sweeps = _check_positive("num_sweeps", num_sweeps)
        num_replicas = _check_positive("num_replicas", num_replicas)
        seed = _resolve_seed(seed)
        model = ising_from_bqm(bqm)
        if beta_range is None:
            beta_range = default_beta_range(model)
        betas = make_beta_schedule(beta_range, num_replicas, "geometric")
        seeds = stream_seeds(seed, num_reads * (num_replicas + 1)).reshape(num_reads, -1)
        t0 = time.perf_counter()
        if model.num_spins == 0:
            spins = np.empty((num_reads, 0), np.int8)
        else:
            spins, _ = kernels.parallel_tempering(
                model.h.astype(np.float64),
                model.indptr,
                model.indices,
                model.data.astype(np.float64),
                betas,
                num_sweeps,
                seeds,
            )
        info = {
            "seed": seed,
            "beta_range": (float(betas[0]), float(betas[-1])),
            "num_replicas": num_replicas,
            "num_sweeps": num_sweeps,
            "spin_updates": int(num_reads * num_replicas * num_sweeps * model.num_spins),
            "timing": {"sampling_s": time.perf_counter() - t0},
        }
        return _sampleset(model, spins, info, bqm.vartype)
