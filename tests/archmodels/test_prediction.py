import math
from pathlib import Path

import pytest

from archmodels import load_machine, load_workload, predict, workload_names
from archmodels.errors import InputError
from archmodels.prediction import machine_roofline

PORTFOLIO = ["stream-triad", "dgemm", "hpl", "hpcg", "spmv", "stencil-7pt", "fft3d", "md", "llm-train",
             "llm-decode", "graph-bfs"]


def test_portfolio_is_complete():
    assert set(PORTFOLIO) <= set(workload_names())


@pytest.mark.parametrize("workload", PORTFOLIO)
def test_every_workload_predicts_on_a_node(workload):
    p = predict("dgx-h100", workload, nodes=1)
    assert p.time_s > 0 and math.isfinite(p.time_s)
    assert p.power_w > 0 and p.energy_j == pytest.approx(p.power_w * p.time_s)
    assert p.bound in {"compute", "power", "network"} or p.bound.startswith("memory:")
    # the GPU, not the host CPU, runs the portfolio on a DGX
    assert p.processor == "H100-SXM5"


def test_stream_triad_is_memory_bound_at_sustained_bandwidth():
    p = predict("a64fx", "stream-triad", nodes=1)
    assert p.bound == "memory:HBM2"
    # 0.80 of 1024 GB/s: McCalpin's STREAM fraction for CPUs
    assert p.bandwidth_bytes_per_s == pytest.approx(0.80 * 1024e9, rel=1e-9)


def test_measured_bandwidth_is_not_derated_again(tmp_path, shared_specs):
    text = (shared_specs / "machine-fugaku.toml").read_text().replace(
        'energy_per_bit = { value = "3.97 pJ", source = "oconnor-2017" }',
        'energy_per_bit = { value = "3.97 pJ", source = "oconnor-2017" }\n  measured = true')
    f = tmp_path / "measured.toml"
    f.write_text(text)
    p = predict(f, "stream-triad", nodes=1)
    assert p.bandwidth_bytes_per_s == pytest.approx(1024e9, rel=1e-9)


def test_dgemm_is_compute_bound_on_a_cpu():
    p = predict("a64fx", "dgemm", nodes=1)
    assert p.bound == "compute"
    assert p.flop_per_s == pytest.approx(0.90 * 3.3792e12, rel=1e-9)


def test_fp64_matrix_peak_is_power_capped_on_mi250x():
    # 95.7 TFLOP/s FP64 matrix peak cannot be sustained within 560 W (issue: power-capped roofline)
    p = predict("frontier", "hpl", nodes=1)
    assert p.bound == "power"
    gpu = load_machine("frontier").node.processor("MI250X")
    assert p.flop_per_s < 0.5 * gpu.peak_matrix_flop_per_s["fp64"] * gpu.count


def test_precision_falls_back_to_a_wider_format():
    p = predict("fugaku", "llm-train", nodes=1)     # bf16 on A64FX, which has fp16
    assert p.precision == "fp16"


def test_memory_feasibility_is_checked(tmp_path):
    w = load_workload("llm-decode")
    f = tmp_path / "big-decode.toml"
    f.write_text(Path(w.path).read_text().replace('footprint = "22.6 GB"', 'footprint = "40 GB"'))
    with pytest.raises(InputError, match="cannot run on a node of 'a64fx'.*GiB needed"):
        predict("a64fx", f, nodes=1)


def test_bad_requests():
    with pytest.raises(InputError, match="nodes must be a positive"):
        predict("fugaku", "hpcg", nodes=0)
    with pytest.raises(InputError, match="unknown machine"):
        predict("no-such-machine", "hpcg")
    with pytest.raises(InputError, match="unknown workload"):
        predict("fugaku", "no-such-workload")
    with pytest.raises(InputError, match="has no \\[network\\]"):
        predict(_node_without_network(), "hpcg", nodes=2)


def _node_without_network():
    from dataclasses import replace

    return replace(load_machine("a64fx"), network=None)


def test_network_term_grows_with_nodes_for_halo_workloads():
    one = predict("fugaku", "stencil-7pt", nodes=1)
    many = predict("fugaku", "stencil-7pt", nodes=4096)
    assert one.network_time_s == 0.0
    assert many.network_time_s > 0.0
    assert many.time_s > one.time_s                   # weak scaling: same work per node, plus communication


def test_strong_scaling_reaches_a_network_bound():
    total = 2**27 * 64
    times = [predict("fugaku", "fft3d", nodes=n, units_per_node=total / n) for n in (64, 4096, 65536)]
    assert times[-1].bound == "network"
    assert times[1].time_s < times[0].time_s


def test_system_prediction_scales_from_the_node():
    node = predict("fugaku", "hpl", nodes=1)
    system = predict("fugaku", "hpl")
    assert system.nodes == 158976
    assert system.flop_per_s == pytest.approx(node.flop_per_s * 158976, rel=1e-9)


def test_roofline_contract():
    entries = machine_roofline("dgx-h100")
    gpu = next(e for e in entries if e["processor"] == "H100-SXM5")
    assert gpu["peak_flop_per_s"] == pytest.approx(8 * 34e12)
    assert gpu["peak_matrix_flop_per_s"] == pytest.approx(8 * 67e12)
    hbm = gpu["levels"][-1]
    assert hbm["name"] == "HBM3"
    assert hbm["bandwidth_bytes_per_s"] == pytest.approx(8 * 3.35e12)
    assert hbm["ridge_flop_per_byte"] == pytest.approx(34e12 / 3.35e12)


def test_prediction_dict_has_the_contract_keys():
    d = predict("fugaku", "stream-triad", nodes=2).as_dict()
    for key in ("machine", "workload", "nodes", "precision", "time_s", "flop_per_s", "bound", "power_w",
                "energy_j", "bandwidth_bytes_per_s"):
        assert key in d
