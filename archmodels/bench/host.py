"""What the host is: CPU model, cores, affinity, caches, free memory, vector features.

Read once from the operating system (``/proc/cpuinfo``, ``/sys/devices/system/cpu``,
``/proc/meminfo``) and from llvmlite, so that every measurement can be stored beside the host it was
taken on. Requests that would not fit in free memory are refused up front with
:class:`archmodels.errors.ResourceError`.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass, field
from pathlib import Path

from archmodels.errors import ResourceError

#: Fraction of the available memory a benchmark may use; the rest is left to the OS and other users.
MEMORY_HEADROOM = 0.8


@dataclass(frozen=True)
class CacheInfo:
    """One data or unified cache level as the kernel reports it.

    Attributes
    ----------
    level : int
        1, 2, 3...
    size_bytes : int
        Capacity of one instance [B].
    shared_by : int
        Logical CPUs that share one instance.
    type : str
        ``Data`` or ``Unified`` (sysfs ``type``).
    shared_cpu_list : str
        The CPUs sharing it, as sysfs lists them (``0-1``).
    """

    level: int
    size_bytes: int
    shared_by: int
    type: str = "Unified"
    shared_cpu_list: str = ""


@dataclass(frozen=True)
class HostInfo:
    """The host a benchmark ran on, recorded with every result."""

    cpu_model: str
    logical_cpus: int
    affinity: tuple[int, ...]
    numba_num_threads: int
    numba_threading_layer: str
    numba_cpu_features_override: bool
    vector_width_bits: int
    has_fma: bool
    has_avx512: bool
    memory_total_bytes: int
    memory_available_bytes: int
    caches: tuple[CacheInfo, ...] = field(default_factory=tuple)
    python: str = platform.python_version()

    def as_dict(self) -> dict:
        """Plain types only, for JSON."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "caches"}
        out["affinity"] = list(self.affinity)
        out["caches"] = [
            {"level": c.level, "type": c.type, "size_bytes": c.size_bytes, "shared_by": c.shared_by,
             "shared_cpu_list": c.shared_cpu_list} for c in self.caches
        ]
        return out


def _cpuinfo() -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return out
    for line in text.splitlines():
        if not line.strip():
            break  # the first processor is enough
        key, _, value = line.partition(":")
        out[key.strip()] = value.strip()
    return out


def cpu_model() -> str:
    """The CPU's marketing name (``model name`` in /proc/cpuinfo), or the platform's."""
    return _cpuinfo().get("model name") or platform.processor() or platform.machine()


def cpu_flags() -> frozenset[str]:
    """Instruction-set flags of the first CPU (x86 ``flags``, Arm ``Features``)."""
    info = _cpuinfo()
    return frozenset((info.get("flags") or info.get("Features") or "").split())


def _parse_size(text: str) -> int:
    text = text.strip().upper()
    mult = {"K": 1024, "M": 1024**2, "G": 1024**3}
    if text and text[-1] in mult:
        return int(text[:-1]) * mult[text[-1]]
    return int(text)


def caches() -> tuple[CacheInfo, ...]:
    """Data and unified caches of CPU 0 from sysfs, innermost first (empty where sysfs lacks them)."""
    base = Path("/sys/devices/system/cpu/cpu0/cache")
    found = []
    for index in sorted(base.glob("index*")):
        try:
            kind = (index / "type").read_text().strip()
            if kind == "Instruction":
                continue
            level = int((index / "level").read_text())
            size = _parse_size((index / "size").read_text())
            shared = (index / "shared_cpu_list").read_text().strip()
        except (OSError, ValueError):
            continue
        found.append(CacheInfo(level, size, _count_cpu_list(shared), kind, shared))
    return tuple(sorted(found, key=lambda c: c.level))


def _count_cpu_list(text: str) -> int:
    count = 0
    for part in text.split(","):
        if "-" in part:
            lo, hi = part.split("-")
            count += int(hi) - int(lo) + 1
        elif part:
            count += 1
    return max(count, 1)


def physical_cores(cpus=None, base: str | Path = "/sys/devices/system/cpu") -> int:
    """Distinct physical cores among ``cpus`` (default: this process's affinity).

    Read from sysfs ``topology/physical_package_id`` and ``core_id``: two hyperthreads of one core
    count once. Where the topology is unreadable, every CPU counts as a core.
    """
    cpus = sorted(os.sched_getaffinity(0)) if cpus is None else list(cpus)
    seen = set()
    for cpu in cpus:
        topo = Path(base) / f"cpu{cpu}" / "topology"
        try:
            seen.add((int((topo / "physical_package_id").read_text()), int((topo / "core_id").read_text())))
        except (OSError, ValueError):
            seen.add(("cpu", cpu))
    return max(1, len(seen))


def memory_bytes() -> tuple[int, int]:
    """(MemTotal, MemAvailable) from /proc/meminfo [B]."""
    values = {}
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            key, _, rest = line.partition(":")
            values[key] = int(rest.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    total = values.get("MemTotal", os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    return total, values.get("MemAvailable", total)


def require_memory(nbytes: float, what: str) -> None:
    """Refuse a request that would not fit in free memory.

    Parameters
    ----------
    nbytes : float
        Memory the request needs [B].
    what : str
        What asks for it, named in the message (e.g. ``"triad --size 4000000000"``).

    Raises
    ------
    ResourceError
        When ``nbytes`` exceeds :data:`MEMORY_HEADROOM` of MemAvailable.
    """
    _, available = memory_bytes()
    limit = MEMORY_HEADROOM * available
    if nbytes > limit:
        raise ResourceError(
            f"needs {nbytes / 2**30:.2f} GiB but only {available / 2**30:.2f} GiB is free "
            f"(at most {MEMORY_HEADROOM:.0%} of it may be used); choose a smaller --size",
            location=what,
        )


def llvm_cpu_features() -> str:
    """The host's LLVM feature string (``+avx2,+fma,...``) as llvmlite detects it."""
    import llvmlite.binding as llvm

    return llvm.get_host_cpu_features().flatten()


def wide_vector_cpu_features() -> str | None:
    """A ``NUMBA_CPU_FEATURES`` value that lets LLVM use 512-bit vectors, or None.

    LLVM tunes Skylake-SP and later Intel cores with ``prefer-256-bit``: loops vectorise with ymm
    registers even where zmm exist, which halves the FMA peak a kernel can reach. Appending
    ``-prefer-256-bit`` to the host features lifts that. It must be in the environment before numba
    compiles anything (numba reads it when its code generator starts), and numba's cache keys on
    the feature string, so cached ymm and zmm builds live side by side.
    (LLVM X86 target, "TuningPrefer256Bit"; numba docs, "NUMBA_CPU_FEATURES".)

    Returns
    -------
    str or None
        The feature string, or None when the CPU lacks AVX-512F.
    """
    if "avx512f" not in cpu_flags():
        return None
    return llvm_cpu_features() + ",-prefer-256-bit"


def host_info() -> HostInfo:
    """Describe the host now (numba is imported to read its thread settings)."""
    import numba

    flags = cpu_flags()
    has_avx512 = "avx512f" in flags
    override = os.environ.get("NUMBA_CPU_FEATURES")
    wide = bool(override and "-prefer-256-bit" in override and has_avx512)
    if wide:
        width = 512
    elif "avx2" in flags or "avx" in flags:
        width = 256
    else:
        width = 128
    total, available = memory_bytes()
    try:
        layer = numba.threading_layer()
    except ValueError:  # no parallel region has run yet
        layer = str(numba.config.THREADING_LAYER)
    return HostInfo(
        cpu_model=cpu_model(),
        logical_cpus=os.cpu_count() or 1,
        affinity=tuple(sorted(os.sched_getaffinity(0))),
        numba_num_threads=int(numba.config.NUMBA_NUM_THREADS),
        numba_threading_layer=layer,
        numba_cpu_features_override=bool(override),
        vector_width_bits=width,
        has_fma="fma" in flags,
        has_avx512=has_avx512,
        memory_total_bytes=total,
        memory_available_bytes=available,
        caches=caches(),
    )


def usable_threads() -> int:
    """Threads a parallel kernel may use: the CPUs in this process's affinity mask."""
    return len(os.sched_getaffinity(0))
