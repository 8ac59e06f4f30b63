"""The model against published figures. Each bound is the one the issue states (HPL 15%, HPCG 30%,
power 20%, GFLOPS/W 20%) unless a line says why a system is outside it."""

import pytest

from archmodels import predict
from archmodels.validation import validate

BOUNDS = {"hpl": 0.15, "hpcg": 0.30, "hpl_power": 0.20, "gflops_per_w": 0.20, "dgemm": 0.15,
          # network rows: line-rate model against NCCL ring bus bandwidth (NCCL loses ~20% to protocol
          # overhead, not modelled) and Tofu-D injection (tests/archmodels/test_network.py pins each case)
          "nccl_allreduce_ring_busbw": 0.25, "injection_bandwidth": 0.10,
          # capital against contract figures (tests/archmodels/test_cost.py pins each system)
          "capital": 0.35}
# Aurora reached ~51% of Rpeak in HPL (TOP500 June 2025), far below what its hardware implies;
# MN-3's node power in the catalog is an assumption. Both are reported by `fsw validate`, pinned below.
# Alps' 100 M CHF budget and JUPITER's 500 M EUR project are not like-for-like with the modelled
# partition (see archmodels/data/cost.toml); both pinned in test_cost.py.
OUTSIDE = {("aurora", "hpl"), ("aurora", "gflops_per_w"), ("alps", "capital"), ("jupiter-booster", "capital")}


@pytest.fixture(scope="module")
def checks():
    return {(c.system, c.metric): c for c in validate()}


def test_at_least_six_systems(checks):
    assert len({s for s, _ in checks}) >= 6


@pytest.mark.parametrize("system", ["fugaku", "frontier", "el-capitan"])
@pytest.mark.parametrize("metric", ["hpl", "hpcg", "hpl_power"])
def test_issue_systems_within_bounds(checks, system, metric):
    c = checks[(system, metric)]
    assert abs(c.error) <= BOUNDS[metric], c


def test_every_other_figure_within_its_bound(checks):
    for key, c in checks.items():
        if key in OUTSIDE:
            continue
        assert abs(c.error) <= BOUNDS[c.metric], c


def test_known_outlier_is_still_reported(checks):
    # if the model ever learns Aurora's HPL losses, move it back under the common bound
    assert checks[("aurora", "hpl")].error > 0.5


@pytest.mark.parametrize("fixture, rmax, power_w", [
    # Summit: 148.6 PFLOP/s at 14.668 GFLOPS/W (TOP500/Green500 Nov 2019)
    ("machines/summit.toml", 148.6e15, 148.6e15 / 14.668e9),
    # Leonardo Booster: 238.7 PFLOP/s at 32.2 GFLOPS/W (June 2023, Turisini et al. arXiv:2307.16885)
    ("machines/leonardo.toml", 238.7e15, 238.7e15 / 32.2e9),
])
def test_systems_the_catalog_does_not_hold(data_dir, fixture, rmax, power_w):
    p = predict(data_dir / fixture, "hpl")
    assert p.flop_per_s == pytest.approx(rmax, rel=0.15)
    assert p.power_w == pytest.approx(power_w, rel=0.20)
