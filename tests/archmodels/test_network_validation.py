"""Network models against published network measurements."""

import pytest

from archmodels.network_validation import network_validation


def test_validation_against_published_measurements():
    rows = {r["case"]: r for r in network_validation()}
    assert set(rows) == {"dgx-h100-nvlink-ring-busbw", "dgx-h100-2node-ring-busbw", "fugaku-tofu-d-injection"}
    for r in rows.values():
        assert r["error"] == pytest.approx(r["model"] / r["published"] - 1)
        assert r["source"]
    # NVLink ring: the model runs at line rate (450 GB/s); NCCL reaches 370 GB/s, the ~20% protocol
    # overhead its maintainer describes (nccl-tests#212). The model over-predicts by 21.6%.
    assert 0.15 < rows["dgx-h100-nvlink-ring-busbw"]["error"] < 0.25
    # across nodes the NICs bound the ring (8 x 50 GB/s); measured 46-48 GB/s per NIC: +6%
    assert abs(rows["dgx-h100-2node-ring-busbw"]["error"]) < 0.10
    # Tofu-D: 6 TNIs x 2 lanes x 28.05 Gb/s x 64/66 = 40.8 GB/s against 38.1 GB/s measured: +7%
    assert abs(rows["fugaku-tofu-d-injection"]["error"]) < 0.10
