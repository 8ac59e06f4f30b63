"""What fs-workbench is running on: versions, extras, package conflicts, numba threading, CPU, memory.

:func:`describe_environment` is what ``fsw doctor`` prints. Versions come from the installed
distributions' metadata (nothing is imported to read them); the numba threading layer is the one
numba actually starts for a tiny parallel loop; CPU features come from the operating system
(``/proc/cpuinfo``) and, independently, from LLVM's view of the host (llvmlite).
"""

from __future__ import annotations

import json
import os
import platform
import re
import sys
from importlib import metadata
from pathlib import Path

import numba
import numpy as np

from archmodels.bench.host import cpu_flags, cpu_model, memory_bytes
from archmodels.ownership import DISTRIBUTION, find_conflicts

#: Distributions whose versions the report lists (core dependencies first, then the extras').
DISTRIBUTIONS = ("numpy", "scipy", "numba", "llvmlite", "pandas", "pyarrow", "pydantic", "pint", "typer",
                 "click", "rich", "matplotlib", "dask", "distributed", "qiskit", "qiskit-aer", "dimod",
                 "dwave-samplers")

#: Instruction-set features worth knowing for the kernels, as /proc/cpuinfo spells them, with LLVM's
#: name for each.
FEATURES = {"sse4_2": "sse4.2", "avx": "avx", "avx2": "avx2", "fma": "fma", "avx512f": "avx512f",
            "avx512dq": "avx512dq", "avx512bw": "avx512bw", "avx512vl": "avx512vl",
            "avx512_vnni": "avx512vnni", "avx512_bf16": "avx512bf16", "avx512_fp16": "avx512fp16",
            "amx_tile": "amx-tile", "amx_bf16": "amx-bf16", "amx_int8": "amx-int8",
            "asimd": "neon", "sve": "sve", "sve2": "sve2"}


@numba.njit(parallel=True, cache=True)
def _parallel_sum(x):  # pragma: no cover (compiled)
    total = 0.0
    for i in numba.prange(x.size):
        total += x[i]
    return total


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _install() -> dict:
    import archmodels

    out = {"version": _version(DISTRIBUTION), "location": str(Path(archmodels.__file__).parent.parent),
           "installed_from": None, "editable": False}
    try:
        direct = metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        direct = None
    if direct:
        info = json.loads(direct)
        out["installed_from"] = info.get("url")
        out["editable"] = bool(info.get("dir_info", {}).get("editable", False))
    return out


def extras() -> dict[str, dict]:
    """fs-workbench's extras, each with its requirements and whether all of them are installed.

    An extra that names another (``fs-workbench[test]``) includes that one's requirements.
    """
    try:
        requires = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        return {}
    direct: dict[str, set[str]] = {}
    nested: dict[str, set[str]] = {}
    for req in requires:
        marker = re.search(r"extra\s*==\s*[\"']([^\"']+)[\"']", req)
        if not marker:
            continue
        name = re.match(r"[A-Za-z0-9._-]+", req).group(0)
        if name.lower().replace("_", "-") == DISTRIBUTION:
            inner = re.match(r"[A-Za-z0-9._-]+\[([^\]]+)\]", req)
            nested.setdefault(marker.group(1), set()).update(x.strip() for x in inner.group(1).split(",") if inner)
        else:
            direct.setdefault(marker.group(1), set()).add(name)

    def names(extra: str, seen: frozenset = frozenset()) -> set[str]:
        out = set(direct.get(extra, ()))
        for other in nested.get(extra, set()) - seen - {extra}:
            out |= names(other, seen | {extra})
        return out

    return {extra: {"requires": sorted(names(extra)),
                    "installed": all(_version(n) is not None for n in names(extra))}
            for extra in sorted(direct.keys() | nested.keys())}


def threading_layer() -> dict:
    """The numba threading layer a parallel loop really runs on, and the setting that chose it."""
    _parallel_sum(np.ones(8))
    return {"layer": numba.threading_layer(), "requested": str(numba.config.THREADING_LAYER),
            "threads": int(numba.config.NUMBA_NUM_THREADS)}


def _physical_cores() -> int | None:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    cores = set()
    for block in text.split("\n\n"):
        fields = dict((k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in block.splitlines()))
        if "core id" in fields:
            cores.add((fields.get("physical id"), fields["core id"]))
    return len(cores) or None


def _cgroup_memory_limit() -> int | None:
    try:
        text = Path("/sys/fs/cgroup/memory.max").read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def cpu() -> dict:
    """CPU model, LLVM's name for it, cores, and the vector/matrix features the OS and LLVM see."""
    import llvmlite.binding as llvm

    flags = cpu_flags()
    llvm_features = llvm.get_host_cpu_features()
    return {
        "model": cpu_model(),
        "llvm_name": llvm.get_host_cpu_name(),
        "machine": platform.machine(),
        "logical_cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "physical_cores": _physical_cores(),
        "features": sorted(f for f in FEATURES if f in flags),
        "llvm_features": sorted(f for f in FEATURES.values() if llvm_features.get(f, False)),
    }


def memory() -> dict:
    """Total and available memory [B], and the cgroup limit where one is set."""
    total, available = memory_bytes()
    return {"total_bytes": total, "available_bytes": available, "cgroup_limit_bytes": _cgroup_memory_limit()}


def describe_environment() -> dict:
    """Everything ``fsw doctor`` reports, as plain JSON types.

    Returns
    -------
    dict
        ``python``, ``fs_workbench`` (version, location, editable), ``versions`` (None where a
        distribution is not installed), ``extras``, ``conflicts`` (see
        :func:`archmodels.ownership.find_conflicts`), ``numba`` (threading layer), ``cpu``, ``memory``.
    """
    return {
        "python": {"version": platform.python_version(), "implementation": platform.python_implementation(),
                   "executable": sys.executable},
        "fs_workbench": _install(),
        "versions": {name: _version(name) for name in DISTRIBUTIONS},
        "extras": extras(),
        "conflicts": [c.as_dict() for c in find_conflicts()],
        "numba": threading_layer(),
        "cpu": cpu(),
        "memory": memory(),
    }
