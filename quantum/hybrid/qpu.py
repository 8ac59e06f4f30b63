"""Quantum processor models and where the processor sits (co-located, cloud, emulated).

Time of one quantum job (a batch of circuits sent together), in SI units:

    t_shot    = D2 (t_2q + t_layer) + D1 t_1q + t_readout + t_shot_overhead
    t_circuit = t_circuit_overhead + S t_shot
    t_job     = t_job_overhead + C t_circuit

with D2 two-qubit layers, D1 single-qubit layers, S shots and C circuits (circuit executions after
splitting shots above the device's limit). ``t_layer`` is the per-layer cost a modality adds to its
gates (ion or atom transport), ``t_shot_overhead`` the reset or repetition delay (superconducting),
cooling and state preparation (ions) or array reloading (neutral atoms). For a device with a CLOPS
figure the job is never faster than its CLOPS rate allows: C S max(D2, 1) / CLOPS (Wack et al.,
"Quality, Speed, and Scale: three key attributes to measure the performance of near-term quantum
computers", arXiv:2110.14108 (2021)), which carries the runtime's per-circuit software overheads.

Every figure of the QPU catalog (``data/qpus.toml``) and below says where it comes from; guesses
are labelled ``assumption``.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, replace
from importlib import resources

from archmodels.errors import InputError

#: JPY per USD used to turn published USD prices into the workbench's JPY (assumption: 150,
#: the 2024-2025 range of 140-160 JPY/USD).
JPY_PER_USD = 150.0


@dataclass(frozen=True)
class QPUSpec:
    """A gate-model quantum processor (SI units; error rates are probabilities)."""

    name: str
    modality: str
    qubits: int
    gate_1q_time_s: float
    gate_2q_time_s: float
    layer_overhead_s: float
    readout_time_s: float
    shot_overhead_s: float
    circuit_overhead_s: float
    job_overhead_s: float
    error_1q: float
    error_2q: float
    error_readout: float
    clops: float | None
    max_shots: int
    max_circuits_per_job: int
    power_w: float
    price_jpy_per_s: float
    sources: tuple[str, ...]


def _catalog() -> dict[str, QPUSpec]:
    """The QPUs of ``data/qpus.toml``, where each figure says where it comes from: one table a QPU,
    the :class:`QPUSpec` fields in SI units, its price in USD/s [USD/s] and no ``clops`` without a
    published CLOPS figure."""
    text = (resources.files("quantum.hybrid") / "data" / "qpus.toml").read_text(encoding="utf-8")
    qpus = {}
    for name, fields in tomllib.loads(text).items():
        fields = dict(fields)
        price_jpy_per_s = fields.pop("price_usd_per_s") * JPY_PER_USD
        sources = tuple(fields.pop("sources"))
        qpus[name] = QPUSpec(name=name, clops=fields.pop("clops", None), price_jpy_per_s=price_jpy_per_s,
                             sources=sources, **fields)
    return qpus


QPUS = _catalog()
HERON_R2, H2_IONS, NEUTRAL_ATOM = QPUS["heron-r2"], QPUS["h2-ions"], QPUS["neutral-atom"]


def get_qpu(name: str) -> QPUSpec:
    """A catalog QPU by name (``heron-r2``, ``h2-ions``, ``neutral-atom``)."""
    try:
        return QPUS[name]
    except KeyError:
        raise InputError(f"unknown QPU {name!r}; expected one of {sorted(QPUS)}", location="qpu.model") from None


def shot_time(depth_2q, depth_1q, gate_2q_time_s, gate_1q_time_s, layer_overhead_s, readout_time_s, shot_overhead_s):
    """Time of one shot [s]: D2 (t_2q + t_layer) + D1 t_1q + t_readout + t_shot_overhead.

    Parameters
    ----------
    depth_2q, depth_1q : numeric
        Two- and single-qubit layers of the circuit [-].
    gate_2q_time_s, gate_1q_time_s, layer_overhead_s, readout_time_s, shot_overhead_s : numeric
        Device times [s] (see :class:`QPUSpec`).
    """
    return depth_2q * (gate_2q_time_s + layer_overhead_s) + depth_1q * gate_1q_time_s + readout_time_s + shot_overhead_s


def job_time(qpu: QPUSpec, circuits: int, shots: int, depth_2q: int, depth_1q: int) -> float:
    """Time the QPU is busy with one job of ``circuits`` circuits x ``shots`` shots [s] (module equation)."""
    if circuits < 1 or shots < 1:
        raise InputError("a quantum job needs at least one circuit and one shot")
    executions = circuits * math.ceil(shots / qpu.max_shots)
    per_shot = shot_time(
        depth_2q, depth_1q, qpu.gate_2q_time_s, qpu.gate_1q_time_s, qpu.layer_overhead_s, qpu.readout_time_s, qpu.shot_overhead_s
    )
    physical = qpu.job_overhead_s + executions * qpu.circuit_overhead_s + circuits * shots * per_shot
    if qpu.clops:
        physical = max(physical, circuits * shots * max(depth_2q, 1) / qpu.clops)
    return physical


def jobs_needed(qpu: QPUSpec, circuits: int) -> int:
    """Jobs needed for ``circuits`` circuits under the per-job circuit limit [-]."""
    return math.ceil(circuits / qpu.max_circuits_per_job)


def circuit_fidelity(qpu: QPUSpec, qubits: int, depth_2q: int, depth_1q: int) -> float:
    """Expected success probability of one shot, a product of gate and readout fidelities [-].

    F = (1-e2)^(n/2 D2) (1-e1)^(n D1) (1-er)^n for brickwork layers on n qubits (a standard
    digital-error estimate, e.g. Arute et al., Nature 574, 505 (2019), Eq. 1).
    """
    return (
        (1 - qpu.error_2q) ** (qubits / 2 * depth_2q)
        * (1 - qpu.error_1q) ** (qubits * depth_1q)
        * (1 - qpu.error_readout) ** qubits
    )


@dataclass(frozen=True)
class Placement:
    """Where the QPU sits relative to the HPC system (SI units).

    ``queue_median_s``/``queue_sigma`` describe a log-normal wait before each job reaches the
    device from outside tenants (0 median = no external queue). ``price_jpy_per_s`` overrides the
    QPU's price (None keeps the device's).
    """

    kind: str
    link_latency_s: float
    bandwidth_bytes_per_s: float
    submit_overhead_s: float
    queue_median_s: float
    queue_sigma: float
    price_jpy_per_s: float | None = None


#: Co-located: the QPU's control server on the HPC fabric. 2 us one-way latency (one switch hop on an
#: HPC interconnect, e.g. Tofu-D ~0.5-1 us per hop, Ajima et al., IEEE Cluster 2018) and 10 GB/s:
#: assumption. Submit overhead 10 ms (local scheduler/runtime handshake): assumption. No outside
#: tenants. Price: amortised 3 billion JPY over 5 years of seconds (assumption) = 19 JPY/s.
CO_LOCATED = Placement("co-located", 2e-6, 10e9, 10e-3, 0.0, 0.0, 3e9 / (5 * 365.25 * 86400))

#: Cloud: Japan to a US data centre, ~150 ms round trip (75 ms one way; e.g. WonderNetwork ping
#: statistics Tokyo-Washington, https://wondernetwork.com/pings, assumption-level), 100 MB/s
#: transfers, 1 s submit overhead (HTTPS API, authentication, job creation; assumption). Queue wait
#: per job log-normal with median 60 s and sigma 1.0 (assumption; public-cloud QPU queues range from
#: seconds on reserved plans to hours on open plans, IBM Quantum "Fair-share scheduler",
#: https://quantum.cloud.ibm.com/docs/guides/fair-share-scheduler).
CLOUD = Placement("cloud", 75e-3, 100e6, 1.0, 60.0, 1.0, None)

PLACEMENTS = {p.kind: p for p in (CO_LOCATED, CLOUD)}


def get_placement(kind: str, **overrides) -> Placement:
    """A placement profile (``co-located`` or ``cloud``) with optional field overrides."""
    if kind not in PLACEMENTS:
        raise InputError(f"unknown placement {kind!r}; expected one of {sorted(PLACEMENTS) + ['emulated']}",
                         location="qpu.placement")
    return replace(PLACEMENTS[kind], **{k: v for k, v in overrides.items() if v is not None})


def transfer_time(nbytes: float, placement: Placement) -> float:
    """One-way transfer time [s]: latency + bytes / bandwidth (Hockney's alpha-beta model)."""
    return placement.link_latency_s + nbytes / placement.bandwidth_bytes_per_s
