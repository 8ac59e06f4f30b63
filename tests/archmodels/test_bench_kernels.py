"""archmodels.bench kernels against their numpy references, and the code they compile to."""

import re

import numba
import numpy as np
import pytest

from archmodels.bench import apps, bandwidth, latency, peak
from archmodels.bench.host import cpu_flags


@pytest.mark.parametrize("kernel", list(bandwidth.KERNELS))
@pytest.mark.parametrize("threads", [1, 2])
def test_bandwidth_kernel_matches_numpy(kernel, threads):
    if threads > numba.config.NUMBA_NUM_THREADS:
        pytest.skip("needs 2 numba threads")
    numba.set_num_threads(threads)
    n = 1003  # not a multiple of the thread count or the vector width
    arrays = bandwidth.make_arrays(kernel, n, seed=7)
    inputs = [a.copy() for a in arrays]
    out = bandwidth.runner(kernel, arrays, 3.0, threads)(2)
    expected = bandwidth.reference(kernel, inputs, 3.0, repetitions=2)
    if kernel == "read":
        assert out == pytest.approx(expected, rel=1e-12)
    else:
        np.testing.assert_allclose(arrays[0], expected, rtol=1e-15)


def test_read_kernel_propagates_nan():
    # the reduction may reassociate but must not assume away NaNs ("nnan" is not in the flag set)
    a = np.ones(1000)
    a[517] = np.nan
    assert np.isnan(bandwidth.read_kernel(a, 1, 1))


def test_byte_accounting_stream_and_write_allocate():
    # STREAM: 24 B per triad element; write-allocate adds the read of the written line: 32 B
    assert bandwidth.KERNELS["triad"].stream_bytes(1, 8) == 24
    assert bandwidth.KERNELS["triad"].write_allocate_bytes(1, 8) == 32
    assert bandwidth.KERNELS["copy"].stream_bytes(1, 8) == 16
    assert bandwidth.KERNELS["copy"].write_allocate_bytes(1, 8) == 24
    assert bandwidth.KERNELS["write"].write_allocate_bytes(1, 8) == 16
    assert bandwidth.KERNELS["read"].write_allocate_bytes(1, 8) == 8


def test_bandwidth_result_rates_follow_byte_accounting():
    res = bandwidth.BandwidthResult("triad", n=1000, threads=1, itemsize=8, repetitions=10,
                                    time_min_s=1e-3, time_median_s=2e-3, time_max_s=4e-3, samples=5)
    rates = res.rates()
    assert rates["bandwidth_bytes_per_s"] == pytest.approx(24 * 1000 * 10 / 1e-3)
    assert rates["bandwidth_write_allocate_bytes_per_s"] == pytest.approx(32 * 1000 * 10 / 1e-3)
    assert rates["bandwidth_min_bytes_per_s"] == pytest.approx(24 * 1000 * 10 / 4e-3)
    assert rates["flop_per_s"] == pytest.approx(2 * 1000 * 10 / 1e-3)
    assert res.working_set_bytes == 24_000


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-13), (np.float32, 1e-5)])
def test_fma_kernel_matches_numpy(dtype, rtol):
    numba.set_num_threads(1)
    block = peak.make_block(1, dtype, seed=3)
    expected = peak.fma_reference(block, peak.X, peak.Y, 5)
    x, y = block.dtype.type(peak.X), block.dtype.type(peak.Y)
    peak.fma_kernel(block, x, y, 5)
    np.testing.assert_allclose(block, expected, rtol=rtol)


@pytest.mark.skipif("fma" not in cpu_flags(), reason="the CPU has no FMA instructions")
@pytest.mark.parametrize("dtype, suffix", [(np.float64, "pd"), (np.float32, "ps")])
def test_fma_kernel_compiles_to_packed_fma(dtype, suffix):
    # A fresh, uncached dispatcher of the same function (numba does not disassemble cached code).
    fresh = numba.njit(parallel=True, fastmath={"contract"})(peak.fma_kernel.py_func)
    block = peak.make_block(1, dtype)
    fresh(block, block.dtype.type(peak.X), block.dtype.type(peak.Y), 1)
    asm = fresh.inspect_asm(fresh.signatures[0])
    packed = re.findall(rf"vfmadd\d{{3}}{suffix}\s+%?([yz]mm)", asm)
    assert len(packed) >= peak.CHAINS, "the FMA chains did not vectorise into packed ymm/zmm FMAs"


def test_pointer_chase_is_one_cycle_and_matches_python():
    a = latency.chase_array(64 * 1000, seed=5)
    lines = a.shape[0] // latency.SLOTS
    assert lines == 1000
    seen = set()
    p = 0
    for _ in range(lines):
        assert p % latency.SLOTS == 0
        seen.add(p)
        p = int(a[p])
    assert p == 0 and len(seen) == lines  # back at the start after visiting every line once
    for steps in (1, 17, 999, 2500):
        assert latency.chase_kernel(a, steps) == latency.chase_reference(a, steps)


def test_csr_27pt_has_hpcg_structure():
    n = 5
    indptr, indices, data = apps.csr_27pt(n)
    assert indptr[-1] == (3 * n - 2) ** 3  # nonzeros of the 27-point operator on an n^3 grid
    row = (2 * n + 2) * n + 2  # an interior point has all 27
    assert indptr[row + 1] - indptr[row] == 27
    dense = np.zeros((n**3, n**3))
    for r in range(n**3):
        dense[r, indices[indptr[r]:indptr[r + 1]]] = data[indptr[r]:indptr[r + 1]]
    np.testing.assert_array_equal(dense, dense.T)
    assert np.all(np.diag(dense) == apps.DIAGONAL)


@pytest.mark.parametrize("threads", [1, 2])
def test_spmv_kernel_matches_scipy(threads):
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    indptr, indices, data = apps.csr_27pt(7)
    x = np.random.default_rng(1).random(7**3)
    y = apps.spmv_kernel(indptr, indices, data, x, np.empty_like(x))
    expected = apps.spmv_reference(indptr, indices, data, x)
    # The kernel may reassociate each row's sum (its flags allow it), so compare with the forward
    # error bound of a k-term dot product in any order, |y - y_hat| <= gamma_k * (|A| |x|)_i with
    # gamma_k = k u / (1 - k u) (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed.,
    # eq. 3.5), taken twice since the reference rounds too. A relative tolerance on y alone fails
    # where large terms cancel (seen on AMD Zen 4: 1.4e-13 relative, 3.1e-15 absolute).
    assert np.all(np.abs(y - expected) <= _dot_bound(indptr, indices, data, x))
    # the bound is tight enough to catch a real error: one wrong term in one row breaks it
    wrong = data.copy()
    wrong[indptr[100]] *= 1.0 + 1e-9
    y_wrong = apps.spmv_kernel(indptr, indices, wrong, x, np.empty_like(x))
    assert not np.all(np.abs(y_wrong - expected) <= _dot_bound(indptr, indices, data, x))


def _dot_bound(indptr, indices, data, x):
    """2 gamma_k (|A| |x|) per row, k the row's number of terms [same units as y]."""
    u = np.finfo(np.float64).eps / 2
    k = np.diff(indptr).astype(np.float64)
    gamma = k * u / (1.0 - k * u)
    magnitude = apps.spmv_reference(indptr, indices, np.abs(data), np.abs(x))
    return 2.0 * gamma * magnitude


def test_stencil_kernel_matches_numpy():
    numba.set_num_threads(1)
    rng = np.random.default_rng(2)
    u = rng.random((9, 11, 13))
    v = rng.random(u.shape)
    expected = apps.stencil_reference(u, v)
    got = apps.stencil_kernel(u, v.copy())
    # the kernel may contract to FMA, numpy does not: bound the difference by the 8-operation
    # forward error on the magnitudes, gamma_8 (|C0| |u| + |C1| sum |neighbours|), twice
    eps = np.finfo(np.float64).eps / 2
    gamma = 8 * eps / (1 - 8 * eps)
    assert apps.C0 >= 0 and apps.C1 >= 0, "coefficients changed sign: bound with |C0|, |C1|"
    magnitude = apps.stencil_reference(np.abs(u), np.zeros_like(u))  # 0 on the boundary
    np.testing.assert_array_equal(got[0], expected[0])  # the boundary is left alone
    assert np.all(np.abs(got - expected) <= 2 * gamma * magnitude)


def test_app_results_count_flop_and_bytes():
    numba.set_num_threads(1)
    r = apps.run_stencil(20, 1, budget_s=0.05)
    assert r.flop == 8 * 18**3 and r.bytes == 16 * 20**3
    d = r.as_dict()
    assert d["time_min_s"] <= d["time_median_s"] <= d["time_max_s"]
    assert d["flop_per_s"] == pytest.approx(r.flop / d["time_s"])
    f = apps.run_fft3d(16, 1, budget_s=0.05)
    assert f.flop == pytest.approx(5 * 16**3 * np.log2(16**3))
    g = apps.run_dgemm(64, 1, budget_s=0.05)
    assert g.flop == 2 * 64**3


def test_blas_threads_are_set_inside_and_restored_after():
    funcs = apps._loaded_openblas()
    if funcs is None:
        pytest.skip("numpy's BLAS is not an OpenBLAS this process can see")
    _, get = funcs
    before = int(get())
    with apps.blas_threads(1) as used:
        assert used.threads == 1 and int(get()) == 1
    assert int(get()) == before
    assert apps.run_dgemm(64, 1, budget_s=0.05).threads == 1
