"""The FP64 ceiling of the CPU the bench runs on: microarchitecture, FLOP per cycle, clock, cores.

The microarchitecture is identified from ``/proc/cpuinfo`` (``vendor_id``, ``cpu family``,
``model``, ``flags``) by the ordered rules of ``archmodels/data/cpu_flop_per_cycle.toml``, each
citing its FLOP-per-cycle figure. A CPU no rule matches gets :data:`FLAGS_ESTIMATE` (labelled
``assumption``). The ceiling is

    peak_ceiling = cores x clock x FLOP/cycle/core

(WikiChip, "FLOPS", https://en.wikichip.org/wiki/flops), with ``cores`` the physical cores the
threads can run on and ``clock`` the higher of the measured clock (a chain of dependent FMAs,
:mod:`archmodels.bench.clock`, where the table gives the FMA latency) and the nominal one
(cpufreq's maximum, the ``@ x GHz`` of the model name, or ``cpu MHz``). The ceiling is an upper
bound: a clock read low (a busy core, a sibling hyperthread) must never make a true measurement look
impossible, so the higher clock wins, and FLOP per cycle computed with it is a lower bound.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

TABLE = Path(__file__).resolve().parent.parent / "data" / "cpu_flop_per_cycle.toml"

#: FP64 FLOP per cycle per core by the widest vector FMA the flags show, assuming two FMA pipes
#: (what most x86 cores since Haswell have): a labelled assumption for CPUs the table lacks.
FLAGS_ESTIMATE = (("avx512f", 32.0), ("fma", 16.0), ("avx", 8.0), ("sse2", 4.0))


@dataclass(frozen=True)
class CpuId:
    """What /proc/cpuinfo says of the first CPU."""

    vendor: str
    family: int | None
    model: int | None
    flags: frozenset[str]
    model_name: str = ""


@dataclass(frozen=True)
class Microarchitecture:
    """The identified microarchitecture and its FP64 rate per cycle per core."""

    name: str
    fp64_flop_per_cycle: float
    fma_latency_cycles: float | None
    source: str  # citation title, or "assumption: ..."
    url: str | None
    assumption: bool
    note: str = ""

    @property
    def fp32_flop_per_cycle(self) -> float:
        """Twice the FP64 rate: the same vector registers hold twice the lanes [FLOP/cycle]."""
        return 2.0 * self.fp64_flop_per_cycle


@dataclass(frozen=True)
class Ceiling:
    """The peak rate this host's threads can reach, and how it was derived."""

    microarchitecture: Microarchitecture
    cores: int
    clock_hz: float | None
    clock_source: str  # "measured" or "nominal" (with what), or "unknown"
    measured_clock_hz: float | None = None
    nominal_clock_hz: float | None = None
    nominal_clock_source: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def fp64_flop_per_s(self) -> float | None:
        """cores x clock x FP64 FLOP/cycle [FLOP/s]; None without a clock."""
        if self.clock_hz is None:
            return None
        return peak_ceiling_flop_per_s(self.cores, self.clock_hz, self.microarchitecture.fp64_flop_per_cycle)

    def as_dict(self) -> dict:
        """Plain types for JSON; rates in FLOP/s, clocks in Hz."""
        m = self.microarchitecture
        return {
            "microarchitecture": m.name,
            "fp64_flop_per_cycle_per_core": m.fp64_flop_per_cycle,
            "fp32_flop_per_cycle_per_core": m.fp32_flop_per_cycle,
            "fma_latency_cycles": m.fma_latency_cycles,
            "source": m.source,
            "url": m.url,
            "assumption": m.assumption,
            "note": m.note,
            "cores": self.cores,
            "clock_hz": self.clock_hz,
            "clock_source": self.clock_source,
            "measured_clock_hz": self.measured_clock_hz,
            "nominal_clock_hz": self.nominal_clock_hz,
            "nominal_clock_source": self.nominal_clock_source,
            "fp64_flop_per_s": self.fp64_flop_per_s,
            "fp32_flop_per_s": None if self.fp64_flop_per_s is None else 2.0 * self.fp64_flop_per_s,
            "notes": list(self.notes),
        }


def peak_ceiling_flop_per_s(cores: float, clock_hz: float, flop_per_cycle_per_core: float) -> float:
    """Peak floating-point rate of ``cores`` cores.

    Parameters
    ----------
    cores : float
        Physical cores [-].
    clock_hz : float
        Core clock [Hz].
    flop_per_cycle_per_core : float
        FLOP one core completes per cycle [FLOP/cycle].

    Returns
    -------
    float
        ``cores * clock_hz * flop_per_cycle_per_core`` [FLOP/s] (WikiChip, "FLOPS",
        https://en.wikichip.org/wiki/flops).
    """
    return float(cores) * float(clock_hz) * float(flop_per_cycle_per_core)


def flop_per_cycle_per_core(flop_per_s: float, cores: float, clock_hz: float) -> float:
    """Achieved rate per cycle per core: ``flop_per_s / (cores * clock_hz)`` [FLOP/cycle]."""
    return float(flop_per_s) / (float(cores) * float(clock_hz))


# ------------------------------------------------------------------------------- identification


def parse_cpuinfo(text: str) -> CpuId:
    """The first processor's vendor, family, model and flags from /proc/cpuinfo text."""
    info: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            if info:
                break
            continue
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()

    def number(key: str) -> int | None:
        try:
            return int(info[key], 0)
        except (KeyError, ValueError):
            return None

    flags = frozenset((info.get("flags") or info.get("Features") or "").split())
    return CpuId(info.get("vendor_id", ""), number("cpu family"), number("model"), flags, info.get("model name", ""))


def read_cpu_id(path: str | Path = "/proc/cpuinfo") -> CpuId:
    """:func:`parse_cpuinfo` of the running host (an empty CpuId where the file is unreadable)."""
    try:
        return parse_cpuinfo(Path(path).read_text())
    except OSError:
        return CpuId("", None, None, frozenset())


def load_table(path: str | Path = TABLE) -> dict:
    """The rules and sources of the FLOP-per-cycle table."""
    with Path(path).open("rb") as fh:
        return tomllib.load(fh)


def _model_matches(models, model: int | None) -> bool:
    if models is None:
        return True
    if model is None:
        return False
    if isinstance(models, dict):
        return int(models["from"]) <= model <= int(models["to"])
    return model in models


def _rule_matches(rule: dict, cpu: CpuId) -> bool:
    return (
        rule["vendor"] == cpu.vendor
        and rule["family"] == cpu.family
        and _model_matches(rule.get("models"), cpu.model)
        and all(f in cpu.flags for f in rule.get("flags", []))
        and not any(f in cpu.flags for f in rule.get("not_flags", []))
    )


def identify(cpu: CpuId, table: dict | None = None) -> Microarchitecture | None:
    """The microarchitecture of ``cpu``: the first matching rule, else a flags-based estimate.

    Returns None only when the flags show no x86 vector FMA or SSE2 at all (not an x86-64 CPU):
    then there is no ceiling to check against.
    """
    table = load_table() if table is None else table
    sources = table.get("sources", {})
    for rule in table["rule"]:
        if _rule_matches(rule, cpu):
            rate = rule["fp64_flop_per_cycle"]
            src = sources[rate["source"]]
            latency = rule.get("fma_latency_cycles")
            return Microarchitecture(
                name=rule["name"], fp64_flop_per_cycle=float(rate["value"]),
                fma_latency_cycles=None if latency is None else float(latency["value"]),
                source=src["title"], url=src.get("url"), assumption=False, note=rule.get("note", ""),
            )
    for flag, rate in FLAGS_ESTIMATE:
        if flag in cpu.flags:
            return Microarchitecture(
                name=f"unknown ({cpu.vendor or 'vendor?'} family {cpu.family} model {cpu.model})",
                fp64_flop_per_cycle=rate, fma_latency_cycles=None,
                source=f"assumption: not in the table; {flag} read as 2 FMA pipes of its width x 2 FLOP",
                url=None, assumption=True,
            )
    return None


# ----------------------------------------------------------------------------------------- clock


def nominal_clock_hz(cpu: CpuId | None = None, sys_cpu: str | Path = "/sys/devices/system/cpu/cpu0",
                     cpuinfo: str | Path = "/proc/cpuinfo") -> tuple[float | None, str | None]:
    """The clock the OS or the CPU's name states [Hz], and where it came from.

    In order: cpufreq's ``cpuinfo_max_freq`` (the highest, turbo included), the ``@ 2.10GHz`` of
    the model name (base clock), ``cpu MHz`` of /proc/cpuinfo (the current clock, or the TSC's on
    many virtual machines). (None, None) when none is readable.
    """
    try:
        khz = float((Path(sys_cpu) / "cpufreq" / "cpuinfo_max_freq").read_text())
        if khz > 0:
            return khz * 1e3, "cpufreq cpuinfo_max_freq"
    except (OSError, ValueError):
        pass
    cpu = read_cpu_id(cpuinfo) if cpu is None else cpu
    m = re.search(r"@\s*([0-9.]+)\s*GHz", cpu.model_name)
    if m:
        return float(m.group(1)) * 1e9, "model name"
    try:
        for line in Path(cpuinfo).read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "cpu MHz":
                return float(value) * 1e6, "/proc/cpuinfo cpu MHz"
    except (OSError, ValueError):
        pass
    return None, None


def choose_clock(measured_hz: float | None, nominal_hz: float | None, nominal_source: str | None) -> tuple[float | None, str]:
    """The clock the ceiling uses: the higher of measured and nominal, and which it was."""
    if measured_hz and (not nominal_hz or measured_hz >= nominal_hz):
        return measured_hz, "measured (dependent FMA chain)"
    if nominal_hz:
        return nominal_hz, f"nominal ({nominal_source})"
    return None, "unknown"


def build_ceiling(micro: Microarchitecture, cores: int, measured_hz: float | None, nominal_hz: float | None,
                  nominal_source: str | None, notes: tuple[str, ...] = ()) -> Ceiling:
    """Assemble a :class:`Ceiling` (pure: every input given)."""
    clock, source = choose_clock(measured_hz, nominal_hz, nominal_source)
    return Ceiling(micro, cores, clock, source, measured_hz, nominal_hz, nominal_source, tuple(notes))


def host_ceiling(threads: int, *, measure: bool = True) -> Ceiling | None:
    """The ceiling of ``threads`` threads on this host (None on a CPU with no x86 vector unit).

    ``measure``: time a dependent FMA chain for the clock where the table gives the FMA latency
    and the CPU has FMA (about 0.1 s, one thread).
    """
    from archmodels.bench.host import physical_cores

    cpu = read_cpu_id()
    micro = identify(cpu)
    if micro is None:
        return None
    cores = min(threads, physical_cores())
    nominal, nominal_source = nominal_clock_hz(cpu)
    measured = None
    notes = []
    if measure and micro.fma_latency_cycles and "fma" in cpu.flags:
        from archmodels.bench.clock import measure_clock_hz

        measured = measure_clock_hz(micro.fma_latency_cycles)
    elif measure:
        notes.append("clock not measured: no FMA latency in the table for this CPU, or no FMA")
    return build_ceiling(micro, cores, measured, nominal, nominal_source, tuple(notes))
