"""asv benchmarks: speed of the collective and topology models, and tracked model outputs.

The ``track_*`` entries record the model's error against published measurements and a few
figures a design study reads (optics breakeven, Fugaku's bisection), so a change that moves them
shows up in asv's history.
"""

from archmodels.collectives import algorithm_times_s, communication_time_s
from archmodels.links import network_power, technology_breakeven_utilisation
from archmodels.network_validation import network_validation
from archmodels.topology import topology_metrics

TOFU = dict(injection_bandwidth_bytes_per_s=38.1e9, latency_s=0.49e-6, topology="torus", dimensions=6)


class TimeCollectives:
    """One collective-time evaluation, the call ``predict`` and sweeps make per workload step."""

    params = (["halo", "allreduce", "alltoall", "broadcast"], [16, 158_976])
    param_names = ["pattern", "nodes"]

    def setup(self, pattern, nodes):
        communication_time_s(pattern, 1e6, nodes, **TOFU)   # warm the bisection cache

    def time_communication_time(self, pattern, nodes):
        communication_time_s(pattern, 1e6, nodes, **TOFU)

    def time_all_algorithms_fat_tree(self, pattern, nodes):
        algorithm_times_s(pattern, 1e6, nodes, injection_bandwidth_bytes_per_s=400e9, latency_s=1.5e-6)


class TimeTopology:
    params = (["fat-tree", "dragonfly", "torus", "optical"],)
    param_names = ["topology"]

    def time_metrics_at_fugaku_scale(self, topology):
        topology_metrics(topology, 158_976, dimensions=6)

    def time_network_power(self, topology):
        network_power(topology, 158_976, 400e9, "co-packaged-optics", 0.2, dimensions=6)


def _error(case):
    return next(r["error"] for r in network_validation() if r["case"] == case)


def track_error_nccl_ring_nvlink():
    return _error("dgx-h100-nvlink-ring-busbw")


track_error_nccl_ring_nvlink.unit = "relative error"


def track_error_nccl_ring_two_nodes():
    return _error("dgx-h100-2node-ring-busbw")


track_error_nccl_ring_two_nodes.unit = "relative error"


def track_error_tofu_d_injection():
    return _error("fugaku-tofu-d-injection")


track_error_tofu_d_injection.unit = "relative error"


def track_breakeven_copper_vs_cpo():
    return technology_breakeven_utilisation("electrical", "co-packaged-optics")


track_breakeven_copper_vs_cpo.unit = "link utilisation"


def track_fugaku_bisection_fraction():
    return topology_metrics("torus", 158_976, dimensions=6).bisection_fraction


track_fugaku_bisection_fraction.unit = "fraction"
