"""Network models against published network measurements (``archmodels/data/network_measurements.toml``).

Two kinds of case: the nccl-tests bus bandwidth of a ring allreduce, predicted by the alpha-beta
model of :mod:`archmodels.collectives`, and a node's injection bandwidth from its lanes, coding and
interfaces.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from archmodels.collectives import algorithm_times_s
from archmodels.errors import InputError
from archmodels.quantities import read_quantity

_DATA = Path(__file__).parent / "data"


def _quantity(item, kind: str, file: str, location: str) -> float:
    """A quantity given as text or as ``{ value = "...", source = "id" }`` [SI]."""
    return read_quantity(item["value"] if isinstance(item, dict) else item, kind, file=file, location=location)


def ring_allreduce_bus_bandwidth_bytes_per_s(message_bytes: float, ranks: int, ring_bandwidth_bytes_per_s: float,
                                             latency_s: float) -> float:
    """nccl-tests "busbw" of a ring allreduce predicted by the alpha-beta model [B/s].

    busbw = (n / T) · 2(p−1)/p with T the ring time of :func:`archmodels.collectives.algorithm_times_s`
    (NCCL's definition: https://github.com/NVIDIA/nccl-tests/blob/master/doc/PERFORMANCE.md); it
    tends to the ring bandwidth for large n.
    """
    t = algorithm_times_s("allreduce", message_bytes, ranks, injection_bandwidth_bytes_per_s=ring_bandwidth_bytes_per_s,
                          latency_s=latency_s)["ring"]
    return message_bytes / t * 2.0 * (ranks - 1) / ranks


def injection_bandwidth_from_lanes_bytes_per_s(lane_rate_bytes_per_s: float, lanes_per_link: int,
                                               coding_efficiency: float, interfaces: int) -> float:
    """Injection bandwidth of a node with several network interfaces [B/s] = I · L · r · η."""
    return interfaces * lanes_per_link * lane_rate_bytes_per_s * coding_efficiency


def network_validation() -> list[dict]:
    """Model against published network measurements (``archmodels/data/network_measurements.toml``).

    Returns
    -------
    list of dict
        One per case: ``system, metric, model, published, error, source`` with
        error = model / published − 1; values in SI (B/s).
    """
    file = "network_measurements.toml"
    with (_DATA / file).open("rb") as fh:
        raw = tomllib.load(fh)
    sources = raw["sources"]
    rows = []
    for key, case in raw["cases"].items():
        where = f"cases.{key}"
        if case["metric"] == "nccl_allreduce_ring_busbw":
            model = ring_allreduce_bus_bandwidth_bytes_per_s(
                _quantity(case["message"], "bytes", file, f"{where}.message"), int(case["ranks"]),
                _quantity(case["ring_bandwidth"], "bytes_per_s", file, f"{where}.ring_bandwidth"),
                _quantity(case["latency"], "time_s", file, f"{where}.latency"))
        elif case["metric"] == "injection_bandwidth":
            model = injection_bandwidth_from_lanes_bytes_per_s(
                _quantity(case["lane_rate"], "bytes_per_s", file, f"{where}.lane_rate"), int(case["lanes_per_link"]),
                float(case["coding_efficiency"]), int(case["interfaces"]))
        else:
            raise InputError(f"unknown metric {case['metric']!r}", file=file, location=f"{where}.metric")
        published = _quantity(case["published"], "bytes_per_s", file, f"{where}.published")
        source = sources[case["published"]["source"]]
        rows.append({"system": case["system"], "metric": case["metric"], "case": key, "model": model,
                     "published": published, "error": model / published - 1.0,
                     "source": f"{source['title']} {source.get('url', '')}".strip()})
    return rows
