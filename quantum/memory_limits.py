"""Memory this process may still allocate: the least of what the machine, the process's resource
limits and its control group allow.

* physical: ``MemAvailable`` of /proc/meminfo (psutil's ``virtual_memory().available``);
* ``RLIMIT_AS`` (``ulimit -v``) less the address space the process already maps (``VmSize``), and
  ``RLIMIT_DATA`` less its data segment (``VmData``), from :func:`resource.getrlimit` and
  /proc/self/status (getrlimit(2), proc(5));
* the memory cgroup: v2 ``memory.max`` less ``memory.current``, v1 ``memory.limit_in_bytes`` less
  ``memory.usage_in_bytes``, in both cases giving back the inactive file cache the kernel reclaims
  first (``inactive_file`` / ``total_inactive_file`` of ``memory.stat``, as ``docker stats``
  counts; Linux admin-guide cgroup-v2 and cgroup-v1/memory).
"""

from __future__ import annotations

import os
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None  # "max" (v2 unlimited) is not a number


def _stat_value(path: Path, key: str) -> int:
    try:
        for line in path.read_text().splitlines():
            name, _, value = line.partition(" ")
            if name == key and value.strip().isdigit():
                return int(value)
    except OSError:
        pass
    return 0


def _cgroup_paths(proc_cgroup: str) -> tuple[list[str], list[str]]:
    """(v2 paths, v1 memory-controller paths) of this process, from /proc/self/cgroup's lines."""
    v2, v1 = [], []
    for line in proc_cgroup.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "":
            v2.append(path)
        elif "memory" in controllers.split(","):
            v1.append(path)
    return v2, v1


def cgroup_headroom(root: Path = CGROUP_ROOT, proc_cgroup: str | None = None) -> int | None:
    """Bytes the memory cgroup still allows [B]; None when no limit is set or none is readable.

    The process's own cgroup directory is tried first, then the root of the mount (inside a
    container the process's cgroup is usually the namespace root).
    """
    if proc_cgroup is None:
        try:
            proc_cgroup = Path("/proc/self/cgroup").read_text()
        except OSError:
            proc_cgroup = ""
    v2, v1 = _cgroup_paths(proc_cgroup)
    candidates = [(root / p.lstrip("/"), "memory.max", "memory.current", "inactive_file") for p in v2]
    candidates.append((root, "memory.max", "memory.current", "inactive_file"))
    candidates += [
        (root / "memory" / p.lstrip("/"), "memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file")
        for p in v1
    ]
    candidates.append((root / "memory", "memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file"))
    for directory, limit_file, usage_file, cache_key in candidates:
        if not (directory / limit_file).exists():
            continue
        limit = _read_int(directory / limit_file)
        if limit is None or limit >= 1 << 62:  # v2 "max"; v1 reports "unlimited" as ~2**63
            return None
        usage = _read_int(directory / usage_file) or 0
        usage -= min(usage, _stat_value(directory / "memory.stat", cache_key))
        return max(0, limit - usage)
    return None


def _status_bytes(key: str) -> int:
    """A ``kB`` field of /proc/self/status in bytes (0 when unreadable)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def rlimit_headroom() -> dict[str, int]:
    """Bytes ``RLIMIT_AS`` and ``RLIMIT_DATA`` still allow [B], for those that are set."""
    import resource

    out = {}
    for name, used_key in (("RLIMIT_AS", "VmSize"), ("RLIMIT_DATA", "VmData")):
        soft, _ = resource.getrlimit(getattr(resource, name))
        if soft != resource.RLIM_INFINITY:
            out[name] = max(0, soft - _status_bytes(used_key))
    return out


def memory_limits() -> dict[str, int]:
    """Every limit on new allocations that applies now [B], by source name."""
    import psutil

    limits = {"physical memory": int(psutil.virtual_memory().available)}
    limits.update(rlimit_headroom())
    cgroup = cgroup_headroom() if os.name == "posix" else None
    if cgroup is not None:
        limits["cgroup memory limit"] = cgroup
    return limits
