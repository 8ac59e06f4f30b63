"""Quantum-HPC: a numba state-vector emulator behind Qiskit's interfaces, the cost of emulation on
candidate machines, hybrid workflow models and annealing.

``EmulatorBackend``, ``EmulatorSampler``, ``EmulatorEstimator`` and ``EmulatorOptions`` are loaded
on first use, so ``import quantum`` stays light (no numba or Qiskit import).
"""

from __future__ import annotations

import importlib

#: fs-workbench's own package, not another distribution's of the same name (see archmodels.ownership)
__fs_workbench_package__ = "quantum"

_LAZY = {
    "EmulatorBackend": "quantum.primitives",
    "EmulatorSampler": "quantum.primitives",
    "EmulatorEstimator": "quantum.primitives",
    "EmulatorOptions": "quantum.primitives",
}

__all__ = sorted(_LAZY)


from archmodels import __version__  # noqa: E402  (one version for the distribution)


def __dir__() -> list[str]:
    return sorted({*__all__, "__version__"})  # the lazy names too: dir() does not see __getattr__


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'quantum' has no attribute {name!r}")
