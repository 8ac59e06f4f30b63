"""Running a centre: workload traces, a batch-scheduling simulator, power, grid carbon, price and
renewables over time, carbon-aware policies and several sites.

Layers: :mod:`ops.swf` and :mod:`ops.synthetic` (traces), :mod:`ops.jobs` (scheduling rules),
:mod:`ops.kernels` (numba event loop) with :mod:`ops.reference` (plain Python, same semantics),
:mod:`ops.power`, :mod:`ops.grid`, :mod:`ops.storage`, :mod:`ops.ppa`, :mod:`ops.policies`, :mod:`ops.metrics`,
:mod:`ops.simulate` (orchestration), :mod:`ops.federation`, :mod:`ops.sweep` (Dask).
"""

#: fs-workbench's own package, not Canonical's ``ops`` (see archmodels.ownership)
__fs_workbench_package__ = "ops"

import archmodels  # noqa: E402,F401  (importing it checks that the four packages are fs-workbench's)
