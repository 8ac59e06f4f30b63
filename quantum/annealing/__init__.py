"""Ising/QUBO optimisation: simulated annealing and parallel tempering behind dimod's Sampler
interface (numba kernels with numpy references), an annealer timing model and time-to-solution."""

from quantum.annealing.model import IsingCSR, default_beta_range, ising_from_bqm
from quantum.annealing.sampler import ParallelTemperingSampler, SimulatedAnnealingSampler

__all__ = [
    "IsingCSR",
    "ParallelTemperingSampler",
    "SimulatedAnnealingSampler",
    "default_beta_range",
    "ising_from_bqm",
]
