"""Quantum-annealer timing, minor-embedding size, and time-to-solution (TTS99).

QPU access time (D-Wave, "QPU Timing Information",
https://docs.dwavesys.com/docs/latest/c_qpu_timing.html and "Breakdown of QPU Access Time",
https://docs.dwavesys.com/docs/latest/timing_qa_cycle_time.html):

    T = T_p + Delta + R (T_a + T_r + T_d)

with T_p the programming time, Delta the access overhead ("roughly ... 10-20 ms for Advantage
systems"), R reads, T_a the anneal time (default ``annealing_time`` 20 us), T_r the readout time per
sample and T_d the delay (thermalisation) per sample.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from archmodels.errors import InputError

DWAVE_TIMING_URL = "https://docs.dwavesys.com/docs/latest/c_qpu_timing.html"


@dataclass(frozen=True)
class AnnealerSpec:
    """A quantum annealer: timing per the D-Wave formula and a hardware graph for embedding.

    ``clique_chain_divisor`` k sets the chain length of a logical spin of degree d to
    1 + ceil(d / k): clique embeddings need chains of about n/4 qubits on Chimera, n/12 on Pegasus
    and n/16 on Zephyr, so k = 12 (Pegasus) and 16 (Zephyr) treat a degree-d spin like its
    neighbourhood clique. This is a sizing rule (an ``assumption``), not an embedder.
    """

    name: str
    topology: str
    qubits: int
    hardware_degree: int
    clique_chain_divisor: float
    programming_time_s: float
    access_overhead_s: float
    anneal_time_s: float
    readout_time_s: float
    delay_time_s: float
    power_w: float
    max_reads: int


#: Advantage (Pegasus P16). Qubits and degree 15: Boothby, Bunyk, Raymond, Roy, "Next-Generation
#: Topology of D-Wave Quantum Processors", arXiv:2003.00133 (2020), 5,640 qubits in P16.
#: Delta 15 ms: middle of "10-20 ms for Advantage systems" (DWAVE_TIMING_URL). Anneal 20 us: default
#: annealing_time (D-Wave solver parameters, https://docs.dwavesys.com/docs/latest/c_solver_parameters.html).
#: Programming 15 ms, readout 150 us and delay 20.6 us per sample: assumption, typical values of
#: SAPI timing reports for Advantage (readout varies 25-250 us with the qubits read).
#: Power 25 kW: D-Wave, "The D-Wave Advantage System: An Overview" (2020), "less than 25 kW".
#: Max reads 10,000: num_reads_range of Advantage solvers (solver properties).
ADVANTAGE = AnnealerSpec(
    name="advantage-pegasus",
    topology="pegasus",
    qubits=5640,
    hardware_degree=15,
    clique_chain_divisor=12.0,
    programming_time_s=15e-3,
    access_overhead_s=15e-3,
    anneal_time_s=20e-6,
    readout_time_s=150e-6,
    delay_time_s=20.58e-6,
    power_w=25e3,
    max_reads=10_000,
)

#: Advantage2 (Zephyr). 4,400 qubits, degree 20: D-Wave, "Advantage2 system" product page
#: (https://www.dwavequantum.com/solutions-and-products/systems/, 2025) and Boothby, King,
#: Raymond, "Zephyr Topology of D-Wave Quantum Processors", D-Wave technical report 14-1056A-A
#: (2021). Timing and power as ADVANTAGE (assumption).
ADVANTAGE2 = replace(
    ADVANTAGE,
    name="advantage2-zephyr",
    topology="zephyr",
    qubits=4400,
    hardware_degree=20,
    clique_chain_divisor=16.0,
)

ANNEALERS = {a.name: a for a in (ADVANTAGE, ADVANTAGE2)}


def qpu_access_time(num_reads, programming_time_s, access_overhead_s, anneal_time_s, readout_time_s, delay_time_s):
    """QPU access time of one problem submission [s].

    T = T_p + Delta + R (T_a + T_r + T_d) (D-Wave, "Breakdown of QPU Access Time",
    https://docs.dwavesys.com/docs/latest/timing_qa_cycle_time.html).

    Parameters
    ----------
    num_reads : numeric
        Samples R [-].
    programming_time_s, access_overhead_s : numeric
        One-time programming time T_p and access overhead Delta [s].
    anneal_time_s, readout_time_s, delay_time_s : numeric
        Per-sample anneal T_a, readout T_r and delay T_d [s].
    """
    return programming_time_s + access_overhead_s + num_reads * (anneal_time_s + readout_time_s + delay_time_s)


def chain_length(logical_degree: float, clique_chain_divisor: float) -> int:
    """Qubits per logical spin of degree d: 1 + ceil(d / k) (see :class:`AnnealerSpec`) [-]."""
    if logical_degree < 0 or clique_chain_divisor <= 0:
        raise InputError("chain_length: degree must be >= 0 and the divisor > 0")
    return 1 + math.ceil(logical_degree / clique_chain_divisor) if logical_degree > 0 else 1


def tts99(time_per_read_s, success_probability, fixed_time_s=0.0, target=0.99):
    """Time to reach the target with probability ``target`` (TTS99 by default) [s].

    TTS = T_fixed + t_read * R99, R99 = max(1, ceil(ln(1 - target) / ln(1 - p)))
    (Rønnow et al., "Defining and detecting quantum speedup", Science 345, 420 (2014),
    https://doi.org/10.1126/science.1252319; reads are whole, so R99 is rounded up).
    Returns ``inf`` when p = 0.

    Parameters
    ----------
    time_per_read_s : float
        Time of one independent read [s].
    success_probability : float
        Probability p that one read reaches the target energy [-].
    fixed_time_s : float
        Time paid once per submission (programming, overheads) [s].
    """
    p = float(success_probability)
    if not 0.0 <= p <= 1.0:
        raise InputError(f"success_probability: expected a value in [0, 1], got {p}")
    if p == 0.0:
        return math.inf
    reads = 1 if p >= target else math.ceil(math.log(1.0 - target) / math.log(1.0 - p))
    return fixed_time_s + time_per_read_s * reads


def annealer_estimate(spec: AnnealerSpec, num_spins: int, max_degree: int, num_reads: int, success_probability: float) -> dict:
    """Embedding size, access time and TTS99 of a problem on an annealer (SI units).

    ``fits`` is False when n x chain length exceeds the qubits; the times are still reported.
    """
    chain = chain_length(max_degree, spec.clique_chain_divisor)
    physical = num_spins * chain
    per_sample = spec.anneal_time_s + spec.readout_time_s + spec.delay_time_s
    fixed = spec.programming_time_s + spec.access_overhead_s
    access = qpu_access_time(
        num_reads, spec.programming_time_s, spec.access_overhead_s, spec.anneal_time_s, spec.readout_time_s, spec.delay_time_s
    )
    return {
        "annealer": spec.name,
        "chain_length": chain,
        "physical_qubits": physical,
        "fits": physical <= spec.qubits,
        "qpu_time_per_sample_s": per_sample,
        "qpu_access_time_s": access,
        "qpu_energy_j": access * spec.power_w,
        "qpu_tts99_s": tts99(per_sample, success_probability, fixed),
    }
