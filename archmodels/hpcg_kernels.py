"""HPCG from its kernels: FLOPs, memory traffic, working sets and halo exchanges of one
preconditioned CG iteration, per non-zero of the fine-grid matrix.

HPCG (Dongarra, Heroux, Luszczek 2016; technical specification SAND2013-8752) solves a 27-point
stencil system (``nnz_per_row = 27``) by CG preconditioned with a V-cycle of ``levels = 4`` grids,
each coarse grid 1/8 of the one above (``coarsening = 8``). One iteration (HPCG 3.1 ``CG.cpp``,
``ComputeMG_ref.cpp``) runs

- CG: one SpMV, three dot products and three WAXPBYs on the fine grid;
- on every grid but the coarsest: a pre-smoothing symmetric Gauss-Seidel sweep (SymGS), a residual
  SpMV, restriction, the coarser grid, prolongation and a post-smoothing SymGS;
- on the coarsest grid: one SymGS.

**FLOPs** are HPCG's own count (``ReportResults.cpp``: 2 per non-zero for SpMV, 4 per non-zero for
SymGS, 2 per row for each dot product and WAXPBY), per fine non-zero ``N`` with ``n = N/27`` rows
and ``N_l = N / 8^l``:

    W = 2 N + Σ_{l<L-1} (4 + 2 + 4) N_l + 4 N_{L-1} + 12 n                       [FLOP]

(13.86 FLOP per fine non-zero for L = 4).

**Bytes.** Each kernel reads part of the matrix: ``entries`` per row (27 for a whole row; 13 for the
strictly lower or upper triangle) times ``value_bytes + index_bytes`` (FP64 value and 32-bit column
index: 12 B per stored entry, in CSR as in the reference and in the sliced-ELLPACK / ELL formats of
NVIDIA's and AMD's HPCG), plus 8 B per row for each vector access. The x-vector's gathers are
assumed served by the caches (three planes of x, ``3 · 8 · n^(2/3)`` B, fit the inner caches for
every problem the catalog runs; Williams et al. SC07). Two accountings:

- :data:`REFERENCE`: HPCG 3.1's reference kernels. Every SymGS sweep reads whole rows (forward and
  backward: 54 entries per row), the residual SpMV reads the whole matrix (27).
- :data:`OPTIMISED`: the optimised implementations submitted to the HPCG list. NVIDIA's HPCG
  (``src/ComputeMG.cpp``, ``src/ComputeSYMGS.cpp``, github.com/NVIDIA/nvidia-hpcg) starts the
  pre-smoother from x = 0, so its forward sweep reads the lower triangle only and its backward sweep
  the upper triangle only (26 entries); the residual then needs only the lower triangle times x (13);
  the post-smoother is an upper-triangle SpMV and two triangular solves (39). AMD's rocHPCG
  (``ComputeSYMGSZeroGuess``, ``ComputeFusedSpMVRestriction``, github.com/ROCm/rocHPCG) does the same
  zero-guess sweep and fuses the residual with the restriction. That CPU implementations (Intel's
  and Fujitsu's) do the same is an assumption.

Per iteration the bytes through the outermost memory are ``Σ_l Q_l`` with

    Q_0 = 12 · 27 + 8 · v_cg + 12 · e_l + 8 · v_l      [B per fine row]     (CG and the fine grid)
    Q_l = (12 · e_l + 8 · v_l) / 8^l                    (coarse grids; e_c, v_c on the coarsest)

**Reuse in the last-level cache.** A grid whose matrix and vectors fit in a cache, together with
every coarser grid, is served by that cache: the reuse step function (:func:`traffic_points`) drops
``Q_{L-1}``, then ``Q_{L-2}``... as the capacity passes the cumulative working sets
``Σ_{k≥l} S_k`` with ``S_l = (12 · 27 + 8 · s_l) / 8^l`` B per fine row (``s_l`` vectors resident).

**Halo exchanges** (:func:`halo_exchanges`): every SpMV / SymGS exchanges one layer of its
sub-domain's six faces, ``6 · 8 · (n_l)^(2/3)`` B with ``n_l^(2/3) = n^(2/3) / 4^l``: three exchanges
on the fine grid (CG's SpMV, pre- and post-smoother), two on each intermediate grid and one on the
coarsest (the exchanges of NVIDIA's ComputeSYMGS). Three 8-byte allreduces per iteration (two CG dot
products and the residual norm).

The shipped ``archmodels/workloads/hpcg.toml`` holds these numbers (the halo exchanges as one entry,
:func:`halo_exchange_per_iteration`) (a test recomputes them), so a
prediction reads a table and costs nothing more.

References
----------
J. Dongarra, M. A. Heroux, P. Luszczek, "A new metric for ranking high-performance computing
systems", National Science Review 3(1), 2016, https://doi.org/10.1093/nsr/nwv084.
M. A. Heroux, J. Dongarra, P. Luszczek, "HPCG Technical Specification", Sandia report
SAND2013-8752, 2013. HPCG 3.1 source, https://github.com/hpcg-benchmark/hpcg (``src/ReportResults.cpp``).
S. Williams et al., "Optimization of sparse matrix-vector multiplication on emerging multicore
platforms", SC07, https://doi.org/10.1145/1362622.1362674.
"""

from __future__ import annotations

from dataclasses import dataclass

NNZ_PER_ROW = 27
LEVELS = 4
COARSENING = 8
VALUE_BYTES = 8      # FP64 matrix value
INDEX_BYTES = 4      # 32-bit column index (local_int_t = int in HPCG 3.1, NVIDIA's and AMD's HPCG)
VECTOR_BYTES = 8     # FP64 vector element
TRIANGLE = 13        # strictly lower (or upper) entries of an interior row of the 27-point stencil


@dataclass(frozen=True)
class KernelCounts:
    """Matrix entries and vector accesses per row of one implementation's kernels.

    ``e_*``: matrix entries read per row; ``v_*``: 8-byte vector accesses per row (reads and writes);
    ``s_*``: vectors resident per row of a grid (for its working set).
    """

    name: str
    e_level: float        # pre-smoother + residual + post-smoother on a non-coarsest grid
    v_level: float
    e_coarsest: float     # one SymGS on the coarsest grid
    v_coarsest: float
    e_cg: float = NNZ_PER_ROW  # CG's SpMV
    v_cg: float = 17.0    # 3 dots (2 reads), 3 WAXPBYs (2 reads + 1 write), SpMV x read + y write
    s_fine: float = 10.0  # x, b, r, z, p, Ap of CG + the fine grid's Axf, diagonal, temporary, exact x
    s_coarse: float = 5.0  # x, r, Axf, diagonal, temporary of a coarse grid


#: HPCG 3.1 reference kernels: a SymGS reads whole rows twice (54 entries) and r, x, x (6 accesses);
#: pre 54 + residual 27 + post 54 = 135 entries; pre 6 + ZeroVector 1 + residual 2 + restriction and
#: prolongation ~1 + post 6 = 16 accesses; coarsest 54 entries, 7 accesses.
REFERENCE = KernelCounts("reference", e_level=135.0, v_level=16.0, e_coarsest=54.0, v_coarsest=7.0)

#: NVIDIA's HPCG: pre-smoother from zero L + U (26), residual L x (13), post-smoother U x, L and U
#: solves (39) = 78 entries; vectors: step 1 (r, tmp, tmp, diagonal, tmp, tmp, x, x, Axf, Axf: 10),
#: restriction/prolongation (~1), step 0 (x, Axf, r, Axf, tmp, tmp, x, x, tmp, x, x: 11) = 22;
#: coarsest: L + U solves from zero (26 entries), r, tmp, diagonal, tmp, tmp, x, x (7).
OPTIMISED = KernelCounts("optimised", e_level=6.0 * TRIANGLE, v_level=22.0, e_coarsest=2.0 * TRIANGLE,
                         v_coarsest=7.0)

IMPLEMENTATIONS = {k.name: k for k in (REFERENCE, OPTIMISED)}


def flop_per_nnz(levels: int = LEVELS, nnz_per_row: int = NNZ_PER_ROW, coarsening: int = COARSENING) -> float:
    """HPCG's FLOP count of one CG iteration per fine-grid non-zero [FLOP] (module docstring, W / N).

    >>> round(flop_per_nnz(), 4)
    13.8585
    """
    precond = sum(10.0 / coarsening ** lv for lv in range(levels - 1)) + 4.0 / coarsening ** (levels - 1)
    return 2.0 + precond + 12.0 / nnz_per_row


def _entry_bytes() -> float:
    return VALUE_BYTES + INDEX_BYTES


def level_bytes_per_nnz(counts: KernelCounts = OPTIMISED, levels: int = LEVELS) -> list[float]:
    """Bytes of one CG iteration per fine non-zero, by grid (fine first; the fine grid includes CG's
    SpMV and vector operations) [B] (``Q_l / 27`` of the module docstring)."""
    out = []
    for lv in range(levels):
        coarsest = lv == levels - 1
        e = counts.e_coarsest if coarsest else counts.e_level
        v = counts.v_coarsest if coarsest else counts.v_level
        per_row = _entry_bytes() * e + VECTOR_BYTES * v
        if lv == 0:
            per_row += _entry_bytes() * counts.e_cg + VECTOR_BYTES * counts.v_cg
        out.append(per_row / NNZ_PER_ROW / COARSENING ** lv)
    return out


def level_working_set_per_nnz(counts: KernelCounts = OPTIMISED, levels: int = LEVELS) -> list[float]:
    """Memory a grid occupies per fine non-zero (its matrix and resident vectors), fine first [B]."""
    return [(_entry_bytes() * NNZ_PER_ROW + VECTOR_BYTES * (counts.s_fine if lv == 0 else counts.s_coarse))
            / NNZ_PER_ROW / COARSENING ** lv for lv in range(levels)]


def footprint_per_nnz(counts: KernelCounts = OPTIMISED, levels: int = LEVELS) -> float:
    """Memory of the whole problem per fine non-zero [B]."""
    return sum(level_working_set_per_nnz(counts, levels))


def traffic_points(counts: KernelCounts = OPTIMISED, levels: int = LEVELS) -> list[tuple[float, float]]:
    """The reuse step function ``(working set, bytes)`` per fine non-zero [B, B]: no cache; the
    coarsest grid resident; the two coarsest...; the whole problem resident (no traffic).

    >>> [round(b, 2) for _, b in traffic_points()]
    [64.04, 64.01, 63.37, 58.22, 0.0]
    """
    q = level_bytes_per_nnz(counts, levels)
    s = level_working_set_per_nnz(counts, levels)
    points = [(0.0, sum(q))]
    for lv in range(levels - 1, 0, -1):
        points.append((sum(s[lv:]), sum(q[:lv])))
    points.append((sum(s), 0.0))
    return points


def halo_exchanges(levels: int = LEVELS) -> list[tuple[float, float]]:
    """``(bytes_per_unit, count)`` of the halo exchanges of one iteration, by grid, for a node's
    volume ``bytes_per_unit · nnz^(2/3)`` [B]: six faces of ``(nnz / 27)^(2/3) / 4^l`` rows of 8 B.

    >>> [(round(b, 3), c) for b, c in halo_exchanges()]
    [(5.333, 3.0), (1.333, 2.0), (0.333, 2.0), (0.083, 1.0)]
    """
    face = 6.0 * VECTOR_BYTES / NNZ_PER_ROW ** (2.0 / 3.0)
    return [(face / 4.0 ** lv, 3.0 if lv == 0 else (1.0 if lv == levels - 1 else 2.0)) for lv in range(levels)]


def halo_exchange_per_iteration(levels: int = LEVELS) -> tuple[float, float]:
    """The halo exchanges of :func:`halo_exchanges` as one entry ``(bytes_per_unit, count)``: the
    count-weighted mean volume and the total count. A halo costs ``d · α + bytes · β``
    (:mod:`archmodels.collectives`), linear in its bytes, so the one entry costs what the four do.

    >>> tuple(round(x, 3) for x in halo_exchange_per_iteration())
    (2.427, 8.0)
    """
    per_grid = halo_exchanges(levels)
    count = sum(c for _, c in per_grid)
    return sum(b * c for b, c in per_grid) / count, count


def flop_per_byte(counts: KernelCounts = OPTIMISED, levels: int = LEVELS) -> float:
    """Arithmetic intensity of an iteration with every grid in memory [FLOP/B].

    >>> round(flop_per_byte(REFERENCE), 3), round(flop_per_byte(OPTIMISED), 3)
    (0.152, 0.216)
    """
    return flop_per_nnz(levels) / sum(level_bytes_per_nnz(counts, levels))
