"""archmodels: what a machine is and how fast and how efficiently it runs a workload.

Public API: :func:`load_machine`, :func:`load_workload`, :func:`predict`, :func:`machine_roofline`,
and :mod:`archmodels.problem_size` (problem sizes that compare across machines).
Submodules are imported lazily so that ``import archmodels`` stays cheap.
"""

from __future__ import annotations

import importlib

#: fs-workbench's own package, not another distribution's of the same name (see archmodels.ownership)
__fs_workbench_package__ = "archmodels"

from archmodels import ownership as _ownership  # noqa: E402

_ownership.verify()

__all__ = ["load_machine", "load_workload", "predict", "machine_roofline", "machine_names", "workload_names",
           "problem_size"]

_LAZY = {
    "load_machine": "archmodels.loaders",
    "machine_names": "archmodels.loaders",
    "load_workload": "archmodels.workload",
    "workload_names": "archmodels.workload",
    "predict": "archmodels.prediction",
    "machine_roofline": "archmodels.prediction",
}
#: Public submodules, reached as attributes (``archmodels.problem_size.common_total_units``).
_SUBMODULES = ("problem_size",)


try:
    from importlib.metadata import PackageNotFoundError, version

    __version__ = version("fs-workbench")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"


def __dir__() -> list[str]:
    """The public names, lazy ones included (``dir()`` does not see ``__getattr__``)."""
    return sorted({*__all__, "__version__"})


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"archmodels.{name}")
    raise AttributeError(f"module 'archmodels' has no attribute {name!r}")
