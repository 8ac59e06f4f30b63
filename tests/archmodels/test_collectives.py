"""Collective communication costs: algorithm formulas, choice of the fastest, monotonicity."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archmodels.collectives import (
    ALGORITHMS,
    PATTERNS,
    algorithm_times_s,
    best_algorithm,
    communication_time_s,
)
from archmodels.errors import InputError

NET = dict(injection_bandwidth_bytes_per_s=25e9, latency_s=1e-6)

networks = st.fixed_dictionaries({
    "injection_bandwidth_bytes_per_s": st.floats(1e6, 1e13),
    "latency_s": st.floats(0.0, 1e-3),
    "topology": st.sampled_from(["fat-tree", "dragonfly", "torus", "optical"]),
    "dimensions": st.sampled_from([None, 1, 2, 3, 6]),
    "bisection_fraction": st.one_of(st.none(), st.floats(0.01, 1.0)),
})
sizes = st.floats(0.0, 1e10)
node_counts = st.integers(1, 200_000)


def test_ring_allreduce_matches_thakur_formula():
    # TRG05 §4.4: ring allreduce costs 2(p−1)α + 2(p−1)/p·n·β
    p, n = 64, 1e8
    t = algorithm_times_s("allreduce", n, p, **NET)["ring"]
    assert t == pytest.approx(2 * 63 * 1e-6 + 2 * 63 / 64 * n / 25e9, rel=1e-12)


def test_small_allreduce_uses_recursive_doubling_large_uses_bandwidth_optimal():
    small = best_algorithm("allreduce", 8.0, 1024, **NET)
    assert small[0] == "recursive-doubling"
    assert small[1] == pytest.approx(10 * (1e-6 + 8 / 25e9), rel=1e-12)
    large = best_algorithm("allreduce", 1e9, 1024, **NET)
    assert large[0] in {"rabenseifner", "ring"}
    # bandwidth term approaches the lower bound 2(p−1)/p·n/B (Patarasuk & Yuan 2009)
    assert large[1] == pytest.approx(2 * 1023 / 1024 * 1e9 / 25e9, rel=0.01)


def test_non_power_of_two_pays_two_fold_steps():
    p2 = algorithm_times_s("allreduce", 1e3, 64, **NET)["recursive-doubling"]
    p_odd = algorithm_times_s("allreduce", 1e3, 65, **NET)["recursive-doubling"]
    assert p_odd - p2 == pytest.approx(2 * (1e-6 + 1e3 / 25e9), rel=1e-9)


def test_alltoall_on_a_torus_is_bisection_bound_but_not_on_a_fat_tree():
    n, p = 1e8, 4096
    fat = communication_time_s("alltoall", n, p, topology="fat-tree", **NET)
    tor = communication_time_s("alltoall", n, p, topology="torus", dimensions=3, **NET)
    assert fat == pytest.approx((p - 1) * 1e-6 + n / 25e9, rel=1e-9)   # injection bound
    assert tor > 3 * fat


def test_halo_is_d_latencies_plus_bytes_over_bandwidth():
    t = communication_time_s("halo", 6e6, 1000, halo_dimensions=3, **NET)
    assert t == pytest.approx(3e-6 + 6e6 / 25e9, rel=1e-12)


def test_one_node_costs_nothing():
    for pattern in PATTERNS:
        assert communication_time_s(pattern, 1e9, 1, **NET) == 0.0
        assert set(algorithm_times_s(pattern, 1e9, 1, **NET)) == set(ALGORITHMS[pattern])


@pytest.mark.parametrize("bad", [
    dict(pattern="gather"), dict(nodes=0), dict(nodes=2.5), dict(bytes_per_node=-1.0),
    dict(injection_bandwidth_bytes_per_s=0.0), dict(latency_s=-1e-6), dict(topology="hypercube"),
    dict(bisection_fraction=0.0), dict(bytes_per_node=math.nan),
])
def test_bad_input_is_an_input_error(bad):
    args = dict(pattern="allreduce", bytes_per_node=1e6, nodes=16, **NET) | bad
    with pytest.raises(InputError):
        communication_time_s(args.pop("pattern"), args.pop("bytes_per_node"), args.pop("nodes"), **args)


@settings(max_examples=300, deadline=None)
@given(pattern=st.sampled_from(PATTERNS), n=sizes, p=node_counts, net=networks)
def test_chosen_algorithm_is_never_slower_than_any_offered(pattern, n, p, net):
    times = algorithm_times_s(pattern, n, p, **net)
    chosen = communication_time_s(pattern, n, p, **net)
    assert set(times) == set(ALGORITHMS[pattern])
    assert all(chosen <= t for t in times.values())
    assert chosen in times.values()


# Pipelined algorithms pick an integer segment count from α and β, so two nearby inputs can land on
# neighbouring segment counts: the comparison allows rounding at 1e-12 relative.
_ROUNDING = 1e-12


@settings(max_examples=300, deadline=None)
@given(pattern=st.sampled_from(PATTERNS), n=sizes, p=node_counts, net=networks,
       slower=st.floats(1.0, 1e3), later=st.floats(0.0, 1e-3))
def test_time_never_falls_when_bandwidth_falls_or_latency_rises(pattern, n, p, net, slower, later):
    base = communication_time_s(pattern, n, p, **net)
    less_bw = dict(net, injection_bandwidth_bytes_per_s=net["injection_bandwidth_bytes_per_s"] / slower)
    more_lat = dict(net, latency_s=net["latency_s"] + later)
    assert communication_time_s(pattern, n, p, **less_bw) >= base * (1 - _ROUNDING)
    assert communication_time_s(pattern, n, p, **more_lat) >= base * (1 - _ROUNDING)
    for name, t in algorithm_times_s(pattern, n, p, **more_lat).items():
        assert t >= algorithm_times_s(pattern, n, p, **net)[name] * (1 - _ROUNDING)


@settings(max_examples=300, deadline=None)
@given(pattern=st.sampled_from(PATTERNS), n=sizes, more=st.floats(0.0, 1e10), p=node_counts, net=networks)
def test_time_never_falls_when_more_bytes_move(pattern, n, more, p, net):
    assert communication_time_s(pattern, n + more, p, **net) >= communication_time_s(pattern, n, p, **net) * (1 - _ROUNDING)


def test_pipelined_tree_wins_where_congestion_hurts_the_butterflies():
    # Fugaku-sized 6-D torus: recursive halving/doubling cross a bisection of 2.8% of injection,
    # so the congestion-free double binary tree is chosen for large vectors; time -> 2n/B
    name, t = best_algorithm("allreduce", 1e9, 158_976, injection_bandwidth_bytes_per_s=38.1e9,
                             latency_s=0.49e-6, topology="torus", dimensions=6)
    assert name == "double-binary-tree"
    assert t == pytest.approx(2e9 / 38.1e9, rel=0.05)
