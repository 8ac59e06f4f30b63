"""HPCG's kernel model (archmodels.hpcg_kernels) and the workload file that carries its numbers."""

import numpy as np
import pytest

from archmodels import hpcg_kernels as hk
from archmodels import predict
from archmodels.bench.apps import csr_27pt
from archmodels.workload import load_workload


def test_flop_count_is_hpcg_s():
    # ReportResults.cpp by hand: SpMV 2 N; levels 0..2 each 4 + 2 + 4 per nnz of the level; coarsest
    # 4 N/512; 3 dots + 3 WAXPBYs of 2 FLOP per row (n = N/27)
    expected = 2 + 10 * (1 + 1 / 8 + 1 / 64) + 4 / 512 + 12 / 27
    assert hk.flop_per_nnz() == pytest.approx(expected)
    # one grid only: SpMV, one SymGS, the vector operations
    assert hk.flop_per_nnz(levels=1) == pytest.approx(2 + 4 + 12 / 27)


def test_entries_per_row_of_the_27_point_operator():
    # the operator HPCG builds (bench.apps): interior rows hold 27 entries, 13 below the diagonal
    n = 6
    indptr, indices, _ = csr_27pt(n)
    lengths = np.diff(indptr)
    assert lengths.max() == hk.NNZ_PER_ROW
    interior = [(i * n + j) * n + k for i in range(1, n - 1) for j in range(1, n - 1) for k in range(1, n - 1)]
    for row in interior:
        cols = indices[indptr[row]:indptr[row + 1]]
        assert len(cols) == 27 and int((cols < row).sum()) == hk.TRIANGLE and int((cols > row).sum()) == hk.TRIANGLE


def test_optimised_kernels_move_fewer_bytes_than_the_reference():
    ref, opt = hk.level_bytes_per_nnz(hk.REFERENCE), hk.level_bytes_per_nnz(hk.OPTIMISED)
    assert all(o < r for o, r in zip(opt, ref))
    # the reference reads the fine matrix 1 + 5 times (CG SpMV, two SymGS of two sweeps, residual) at 12 B
    assert ref[0] == pytest.approx(12 * 6 + 8 * (17 + 16) / 27)
    assert hk.flop_per_byte(hk.OPTIMISED) > hk.flop_per_byte(hk.REFERENCE)
    # each coarse grid costs 1/8 of the one above (same kernels)
    assert opt[1] / (opt[0] - (12 * 27 + 8 * 17) / 27) == pytest.approx(1 / 8)


def test_traffic_falls_as_grids_fit_a_cache():
    pts = hk.traffic_points()
    ws = [w for w, _ in pts]
    q = [b for _, b in pts]
    assert ws == sorted(ws) and q == sorted(q, reverse=True)
    assert q[0] == pytest.approx(sum(hk.level_bytes_per_nnz()))
    assert ws[-1] == pytest.approx(hk.footprint_per_nnz()) and q[-1] == 0.0


def test_workload_file_carries_the_kernel_model():
    wl = load_workload("hpcg")
    assert wl.workload_class == "hpcg" and wl.steps == 50
    assert wl.flop_per_unit == pytest.approx(hk.flop_per_nnz(), rel=1e-4)
    assert wl.footprint_per_unit == pytest.approx(hk.footprint_per_nnz(), rel=1e-3)
    points = [(p.working_set_per_unit, p.bytes_per_unit) for p in wl.traffic]
    for (w, b), (w2, b2) in zip(points, hk.traffic_points(), strict=True):
        assert w == pytest.approx(w2, rel=1e-3) and b == pytest.approx(b2, rel=1e-3)
    [(b, c)] = [(c.bytes_per_unit, c.count) for c in wl.communication if c.pattern == "halo"]
    b2, c2 = hk.halo_exchange_per_iteration()
    assert b == pytest.approx(b2, rel=1e-3) and c == c2 == sum(n for _, n in hk.halo_exchanges())
    assert [(c.bytes_fixed, c.count) for c in wl.communication if c.pattern == "allreduce"] == [(8.0, 3.0)]


def test_one_halo_entry_costs_what_the_four_grids_do():
    from archmodels.collectives import communication_time_s

    kw = {"injection_bandwidth_bytes_per_s": 25e9, "latency_s": 1.5e-6, "topology": "dragonfly"}
    nnz = 2e9
    per_grid = sum(c * communication_time_s("halo", b * nnz ** (2 / 3), 512, **kw) for b, c in hk.halo_exchanges())
    b, c = hk.halo_exchange_per_iteration()
    assert c * communication_time_s("halo", b * nnz ** (2 / 3), 512, **kw) == pytest.approx(per_grid)


def test_hpcg_is_memory_bound_at_its_intensity():
    # one node of Fugaku: the rate is the bytes' rate times the intensity, within the network's share
    p = predict("fugaku", "hpcg", nodes=1)
    assert p.bound.startswith("memory:")
    outer = p.levels[-1]
    assert p.flop_per_s == pytest.approx(outer.bytes / p.time_s * hk.flop_per_byte(), rel=1e-3)


def test_spmv_workload_streams_hpcg_s_matrix_format():
    # spmv.toml's "x fits" point: 12 B per stored entry plus x read and y written once per row (8 B each)
    wl = load_workload("spmv")
    streaming = wl.traffic[1].bytes_per_unit
    expected = hk.VALUE_BYTES + hk.INDEX_BYTES + 2 * hk.VECTOR_BYTES / hk.NNZ_PER_ROW
    assert streaming == pytest.approx(expected, abs=0.01)
    # and one HPCG iteration's fine grid reads the matrix more than once (SpMV + smoothers)
    assert hk.level_bytes_per_nnz()[0] > 4 * streaming
