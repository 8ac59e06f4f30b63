"""Measure the host: numba kernels for bandwidth, peak FLOP rate, latency and application kernels.

The results become a machine spec of the host (:mod:`archmodels.bench.profile`), so the models can
be checked against the machine they run on (:mod:`archmodels.bench.validate`).

Importing this package sets ``OMP_WAIT_POLICY=passive`` unless the environment already sets it:
with libgomp's default (spin, then sleep) each numba parallel region on a small virtual machine
costs milliseconds instead of microseconds (measured here: 16 ms vs 6 us for an empty region on
2 vCPUs). It only takes effect when numba's OpenMP layer has not started yet in this process.
:func:`prepare_process` also turns on 512-bit vectors where the CPU has them.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("OMP_WAIT_POLICY", "passive")


def prepare_process(wide_vectors: bool = True) -> dict[str, str]:
    """Set the environment a benchmark process wants, before numba compiles anything.

    Parameters
    ----------
    wide_vectors : bool
        Let LLVM vectorise with 512-bit registers where the CPU has AVX-512
        (see :func:`archmodels.bench.host.wide_vector_cpu_features`).

    Returns
    -------
    dict
        The variables this call set (empty when the environment already chose, or when numba is
        already imported: its code generator reads the features once, so a late change would only
        make the recorded settings lie).
    """
    from archmodels.bench.host import wide_vector_cpu_features

    changed: dict[str, str] = {}
    if "numba" in sys.modules:
        return changed
    if "OMP_WAIT_POLICY" not in os.environ:
        changed["OMP_WAIT_POLICY"] = os.environ["OMP_WAIT_POLICY"] = "passive"
    if wide_vectors and "NUMBA_CPU_FEATURES" not in os.environ:
        features = wide_vector_cpu_features()
        if features is not None:
            changed["NUMBA_CPU_FEATURES"] = os.environ["NUMBA_CPU_FEATURES"] = features
    return changed
