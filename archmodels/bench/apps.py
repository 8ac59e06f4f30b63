"""Application kernels matching the workload portfolio: stream-triad, dgemm, spmv, stencil-7pt, fft3d.

Each is timed like the synthetic kernels (compile and first touch outside the timing, repeated until
the spread is small) and reports time, FLOP/s and bytes/s. FLOP and byte counts follow the
conventions of the workload files in ``archmodels/workloads`` (the minimum traffic from memory):

=============  ==========================  =============================  ======================
kernel         size N means                FLOP                           bytes
=============  ==========================  =============================  ======================
stream-triad   elements per array          2 N                            24 N (STREAM)
dgemm          matrix order                2 N^3                          24 N^2 (A, B read, C written)
spmv           grid edge (N^3 rows)        2 nnz                          12 nnz + 20 rows (CSR, int32 index)
stencil-7pt    grid edge (N^3 points)      8 (N-2)^3                      16 N^3 (read u, write v)
fft3d          grid edge (N^3 points)      5 N^3 log2(N^3)                3 x 32 N^3 (3 passes)
=============  ==========================  =============================  ======================

References: HPCG's 27-point operator (Dongarra, Heroux, Luszczek, "HPCG Benchmark: a New Metric for
Ranking High Performance Computing Systems", UT-EECS-15-736, 2015); the 7-point Jacobi stencil
(Stengel et al., ICS 2015, https://doi.org/10.1145/2751205.2751240); the FFT operation count
5 N log2 N (Frigo and Johnson, Proc. IEEE 93(2), 2005).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from archmodels.bench.bandwidth import REDUCTION_FASTMATH
from archmodels.bench.host import require_memory
from archmodels.bench.timing import Spread, measure

#: HPCG's 27-point operator: 26 on the diagonal, -1 for each neighbour.
DIAGONAL = 26.0
OFF_DIAGONAL = -1.0
#: Jacobi weights of the 7-point stencil (any constants; these keep values bounded).
C0 = 0.4
C1 = 0.1


@dataclass(frozen=True)
class AppResult:
    """One timed application kernel."""

    kernel: str
    size: int
    threads: int
    flop: float
    bytes: float
    units: float
    spread: Spread

    def as_dict(self) -> dict:
        """Keys of the ``--json`` output (SI units in names)."""
        s = self.spread
        return {
            "kernel": self.kernel,
            "size": self.size,
            "threads": self.threads,
            **s.time_keys(),
            "cpu_share": s.cpu_share(self.threads),
            "flop": self.flop,
            "bytes": self.bytes,
            "units": self.units,
            **s.rate_keys("flop", "per_s", self.flop),
            **s.rate_keys("bandwidth", "bytes_per_s", self.bytes),
        }


# ---------------------------------------------------------------- spmv (CSR, 27-point, as HPCG)


@njit(cache=True)
def _csr_27pt_counts(n):
    rows = n * n * n
    counts = np.zeros(rows + 1, np.int64)
    for z in range(n):
        nz = 1 + (z > 0) + (z < n - 1)
        for y in range(n):
            ny = 1 + (y > 0) + (y < n - 1)
            for x in range(n):
                nx = 1 + (x > 0) + (x < n - 1)
                counts[(z * n + y) * n + x + 1] = nx * ny * nz
    return counts


@njit(cache=True)
def _csr_27pt_fill(n, indptr, indices, data):
    for z in range(n):
        for y in range(n):
            for x in range(n):
                row = (z * n + y) * n + x
                k = indptr[row]
                for dz in range(-1, 2):
                    zz = z + dz
                    if zz < 0 or zz >= n:
                        continue
                    for dy in range(-1, 2):
                        yy = y + dy
                        if yy < 0 or yy >= n:
                            continue
                        for dx in range(-1, 2):
                            xx = x + dx
                            if xx < 0 or xx >= n:
                                continue
                            col = (zz * n + yy) * n + xx
                            indices[k] = col
                            data[k] = DIAGONAL if col == row else OFF_DIAGONAL
                            k += 1


def csr_27pt(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR arrays (indptr int64, indices int32, data float64) of HPCG's operator on an n^3 grid."""
    indptr = np.cumsum(_csr_27pt_counts(n))
    nnz = int(indptr[-1])
    indices = np.empty(nnz, np.int32)
    data = np.empty(nnz, np.float64)
    _csr_27pt_fill(n, indptr, indices, data)
    return indptr, indices, data


@njit(parallel=True, cache=True, fastmath=REDUCTION_FASTMATH)
def spmv_kernel(indptr, indices, data, x, y):
    """y = A x for A in CSR, rows split over threads.

    Each row's columns and values are views indexed from 0, and the column index is read as
    unsigned, so numba emits no wraparound check per load. The row sum may be reassociated
    (:data:`archmodels.bench.bandwidth.REDUCTION_FASTMATH`, no ``nnan``): as one serial FMA chain
    (27 FMAs x 4 cycles per row) it reached 16 GB/s on 2 threads of the development VM, with
    reassociation 17-20 GB/s (triad on the same arrays' level: ~25 GB/s).
    """
    for row in prange(y.shape[0]):
        lo = indptr[row]
        hi = indptr[row + 1]
        cols = indices[lo:hi]
        vals = data[lo:hi]
        s = 0.0
        for k in range(cols.shape[0]):
            s += vals[k] * x[np.uint32(cols[k])]
        y[row] = s
    return y


def spmv_reference(indptr, indices, data, x) -> np.ndarray:
    """y = A x with scipy.sparse."""
    import scipy.sparse

    a = scipy.sparse.csr_matrix((data, indices, indptr), shape=(x.shape[0], x.shape[0]))
    return a @ x


# ---------------------------------------------------------------- stencil-7pt


@njit(parallel=True, cache=True, fastmath={"contract"})
def stencil_kernel(u, v):
    """v = C0*u + C1*(sum of the 6 neighbours) on the interior; the boundary is left alone.

    Rows are taken as shifted views indexed from 0, so numba needs no wraparound check per load.
    """
    n0, n1, n2 = u.shape
    m = n2 - 2
    for i in prange(1, n0 - 1):
        for j in range(1, n1 - 1):
            c = u[i, j, 1 : n2 - 1]
            w = u[i, j, 0:m]
            e = u[i, j, 2:n2]
            s = u[i, j - 1, 1 : n2 - 1]
            nn = u[i, j + 1, 1 : n2 - 1]
            d = u[i - 1, j, 1 : n2 - 1]
            up = u[i + 1, j, 1 : n2 - 1]
            out = v[i, j, 1 : n2 - 1]
            for k in range(m):
                out[k] = C0 * c[k] + C1 * (d[k] + up[k] + s[k] + nn[k] + w[k] + e[k])
    return v


def stencil_reference(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The same update with numpy slices."""
    out = v.copy()
    c = u[1:-1, 1:-1, 1:-1]
    out[1:-1, 1:-1, 1:-1] = C0 * c + C1 * (
        u[:-2, 1:-1, 1:-1] + u[2:, 1:-1, 1:-1] + u[1:-1, :-2, 1:-1] + u[1:-1, 2:, 1:-1] + u[1:-1, 1:-1, :-2] + u[1:-1, 1:-1, 2:]
    )
    return out


# ---------------------------------------------------------------- runners


def _timed(call, budget_s: float) -> Spread:
    return measure(call, budget_s=budget_s, warmup=1, min_repetitions=3, max_repetitions=20)


def run_triad(n: int, threads: int, *, budget_s: float = 2.0, seed: int = 0) -> AppResult:
    """STREAM triad on arrays of ``n`` elements (one sweep per timed call)."""
    import numba

    from archmodels.bench.bandwidth import make_arrays, triad_kernel

    require_memory(24 * n, f"triad --size {n}")
    numba.set_num_threads(threads)
    a, b, c = make_arrays("triad", n, seed=seed)
    spread = _timed(lambda: triad_kernel(a, b, c, 3.0, threads, 1), budget_s)
    return AppResult("stream-triad", n, threads, 2.0 * n, 24.0 * n, float(n), spread)


#: Thread-count entry points of the OpenBLAS builds numpy ships (scipy-openblas, 64-bit ints) and
#: of a plain OpenBLAS; the names threadpoolctl looks for.
_OPENBLAS_SET = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads", "openblas_set_num_threads64_",
                 "openblas_set_num_threads")


def _loaded_openblas():
    """(set, get) thread-count functions of the OpenBLAS loaded in this process, or None."""
    import ctypes
    import re

    try:
        with open("/proc/self/maps") as fh:
            maps = fh.read()
    except OSError:
        return None
    for path in sorted(set(re.findall(r"(/\S*openblas\S*\.so\S*)", maps))):
        lib = ctypes.CDLL(path)
        for name in _OPENBLAS_SET:
            getter = getattr(lib, name.replace("_set_", "_get_"), None) if hasattr(lib, name) else None
            if getter is not None:
                return getattr(lib, name), getter
    return None


class blas_threads:  # noqa: N801 - reads as a function in a with statement
    """Context manager: numpy's BLAS runs with ``threads`` threads inside, as before outside.

    threadpoolctl when installed; otherwise the ``openblas_set_num_threads`` entry point of the
    OpenBLAS that numpy loaded (found in /proc/self/maps). ``.threads`` is what BLAS runs with
    inside, None when neither works (BLAS keeps its default: all cores, or OPENBLAS_NUM_THREADS).
    """

    def __init__(self, threads: int):
        self.requested = threads
        self.threads: int | None = None
        self._restore = None

    def __enter__(self):
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            funcs = _loaded_openblas()
            if funcs is not None:
                setter, getter = funcs
                before = int(getter())
                setter(self.requested)
                self.threads = int(getter())
                self._restore = lambda: setter(before)
        else:
            limiter = threadpool_limits(limits=self.requested, user_api="blas")
            self.threads = self.requested
            self._restore = limiter.restore_original_limits
        return self

    def __exit__(self, *exc):
        if self._restore is not None:
            self._restore()
        return False


def run_dgemm(n: int, threads: int, *, budget_s: float = 2.0, seed: int = 0) -> AppResult:
    """C = A B through numpy's BLAS, order ``n``, on ``threads`` BLAS threads (:class:`blas_threads`).

    The result's ``threads`` is what BLAS ran with, or the request when it could not be set.
    """
    require_memory(3 * 8 * n * n, f"dgemm --size {n}")
    rng = np.random.default_rng(seed)
    a = rng.random((n, n))
    b = rng.random((n, n))
    c = np.empty((n, n))
    with blas_threads(threads) as used:
        spread = _timed(lambda: np.matmul(a, b, out=c), budget_s)
    flop = 2.0 * n**3
    return AppResult("dgemm", n, used.threads or threads, flop, 24.0 * n * n, flop, spread)


def run_spmv(n: int, threads: int, *, budget_s: float = 2.0, seed: int = 0) -> AppResult:
    """y = A x for HPCG's 27-point operator on an n^3 grid."""
    import numba

    rows = n**3
    require_memory(rows * 27 * 12 + rows * 24, f"spmv --size {n}")
    numba.set_num_threads(threads)
    indptr, indices, data = csr_27pt(n)
    x = np.random.default_rng(seed).random(rows)
    y = np.empty(rows)
    nnz = float(indices.shape[0])
    spread = _timed(lambda: spmv_kernel(indptr, indices, data, x, y), budget_s)
    # matrix values and int32 indices once, indptr as int64, x read and y written once
    nbytes = 12.0 * nnz + 8.0 * (rows + 1) + 16.0 * rows
    return AppResult("spmv", n, threads, 2.0 * nnz, nbytes, nnz, spread)


def run_stencil(n: int, threads: int, *, budget_s: float = 2.0, seed: int = 0) -> AppResult:
    """One 7-point Jacobi sweep on an n^3 grid."""
    import numba

    require_memory(16 * n**3, f"stencil --size {n}")
    numba.set_num_threads(threads)
    u = np.random.default_rng(seed).random((n, n, n))
    v = u.copy()
    spread = _timed(lambda: stencil_kernel(u, v), budget_s)
    inner = float((n - 2) ** 3)
    return AppResult("stencil-7pt", n, threads, 8.0 * inner, 16.0 * n**3, inner, spread)


def run_fft3d(n: int, threads: int, *, budget_s: float = 2.0, seed: int = 0) -> AppResult:
    """Complex-to-complex 3-D FFT of an n^3 grid with scipy.fft (``workers=threads``)."""
    import scipy.fft

    require_memory(3 * 16 * n**3, f"fft --size {n}")
    rng = np.random.default_rng(seed)
    x = rng.random((n, n, n)) + 1j * rng.random((n, n, n))
    spread = _timed(lambda: scipy.fft.fftn(x, workers=threads, overwrite_x=False), budget_s)
    points = float(n**3)
    return AppResult("fft3d", n, threads, 5.0 * points * np.log2(points), 3 * 32.0 * points, points, spread)
