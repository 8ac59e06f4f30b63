"""Simulated annealing on this host against a quantum annealer: one problem, TTS99 for both."""

from __future__ import annotations

import numpy as np

from archmodels.errors import InputError
from quantum.annealing.model import ising_from_bqm
from quantum.annealing.sampler import SimulatedAnnealingSampler
from quantum.annealing.timing import ANNEALERS, annealer_estimate, tts99


def anneal_and_compare(
    bqm,
    num_reads: int = 100,
    num_sweeps: int = 1000,
    seed: int = 0,
    annealer: str = "advantage-pegasus",
    qpu_success_probability: float | None = None,
) -> dict:
    """Anneal ``bqm`` with simulated annealing and estimate the same job on a quantum annealer.

    The target is the best energy found by simulated annealing; p_SA is the fraction of reads that
    reach it, and the SA time per read is the sampling wall time / reads (timed after a one-sweep
    warm-up that loads the compiled kernels) (reads run in parallel, so
    this is the host's throughput). The annealer's success probability is not known from first
    principles: it defaults to p_SA (``assumption``) unless ``qpu_success_probability`` is given.
    Returns a flat dict of SI numbers (keys with units), the seed and the sample count.
    """
    if annealer not in ANNEALERS:
        raise InputError(f"annealer: expected one of {sorted(ANNEALERS)}, got {annealer!r}")
    sampler = SimulatedAnnealingSampler()
    sampler.sample(bqm, num_reads=1, num_sweeps=1, seed=seed)  # load the compiled kernels first
    ss = sampler.sample(bqm, num_reads=num_reads, num_sweeps=num_sweeps, seed=seed)
    energies = ss.record.energy * 1.0
    best = float(energies.min())
    tol = 1e-9 * max(1.0, abs(best))
    p_sa = float(np.count_nonzero(energies <= best + tol)) / energies.size
    sampling_s = float(ss.info["timing"]["sampling_s"])
    time_per_read_s = sampling_s / num_reads
    model = ising_from_bqm(bqm)
    degree = int(np.diff(model.indptr).max(initial=0))
    p_qpu = p_sa if qpu_success_probability is None else float(qpu_success_probability)
    qpu = annealer_estimate(ANNEALERS[annealer], model.num_spins, degree, num_reads, p_qpu)
    return {
        "num_variables": model.num_spins,
        "num_interactions": model.num_couplings,
        "max_degree": degree,
        "num_reads": num_reads,
        "num_sweeps": num_sweeps,
        "seed": int(ss.info["seed"]),
        "vartype": bqm.vartype.name,
        "best_energy": best,
        "best_sample": {str(k): int(v) for k, v in ss.first.sample.items()},
        "sa_success_probability": p_sa,
        "sa_time_s": sampling_s,
        "sa_spin_updates_per_s": ss.info["spin_updates"] / sampling_s if sampling_s > 0 else float("inf"),
        "sa_tts99_s": tts99(time_per_read_s, p_sa),
        "qpu_success_probability": p_qpu,
        "qpu_success_probability_source": "given" if qpu_success_probability is not None else "assumption: equal to SA",
        **{k if k.startswith("qpu") or k == "annealer" else f"qpu_{k}": v for k, v in qpu.items()},
    }
