"""The host profile: measured peak rates and memory levels written as a machine spec.

The file follows ``fs-workbench/machine/1`` (the format of the catalog machines): one node, one
processor of type ``cpu`` with measured ``peak`` fp64/fp32 and memory levels innermost first, each
with measured capacity and bandwidth. Every measured value cites the source ``fsw-bench``, titled
"measured by fsw bench <version> on <cpu model>, <date>"; what was not measured (node power, the
DRAM technology) cites ``assumption``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Node power when nothing better is known: a 2-socket server's nameplate share per socket is
#: 300-500 W; we take 400 W per socket-sized processor as a labelled assumption.
ASSUMED_NODE_POWER_W = 400.0


@dataclass(frozen=True)
class MemoryLevelProfile:
    """One measured memory level."""

    name: str
    technology: str | None
    capacity_bytes: float
    bandwidth_bytes_per_s: float
    latency_s: float | None
    capacity_measured: bool = True
    technology_assumed: bool = False


@dataclass(frozen=True)
class HostProfile:
    """What ``fsw bench`` measured, ready to be written as a machine spec."""

    name: str
    cpu_model: str
    cores: int
    peak_flop_per_s: dict[str, float]
    memory: tuple[MemoryLevelProfile, ...]
    version: str
    date: str
    year: int
    threads: int
    power_max_w: float = ASSUMED_NODE_POWER_W
    notes: str = ""
    #: False when a plausibility check failed or the host was busy (see ``notes``).
    trustworthy: bool = True


def _q(value: float, unit: str, source: str) -> str:
    return f'{{ value = "{value:.6g} {unit}", source = "{source}" }}'


def _toml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def guess_dram_technology(cpu_model: str) -> str:
    """DDR generation guessed from the CPU's name (a labelled assumption, never measured).

    Intel Xeon from Sapphire Rapids (4th gen, 2023) on and AMD EPYC from Genoa (9004) on support
    DDR5 only; older parts DDR4. Without a recognisable name we guess ddr5 (current servers).
    """
    model = cpu_model.lower()
    if re.search(r"epyc\s+7\d{3}", model) or re.search(r"(gold|silver|platinum|bronze)\s+\d{4}[^\d]", model + " "):
        # EPYC 7xx2/7xx3 and Xeon Scalable 1st-3rd gen (4-digit model numbers)
        return "ddr4"
    return "ddr5"


def profile_toml(profile: HostProfile) -> str:
    """The machine spec text of ``profile``."""
    src = "fsw-bench"
    lines = [
        f"# Host profile written by fsw bench {profile.version} on {profile.date}.",
        "# Measured values cite [sources.fsw-bench]; guesses cite [sources.assumption].",
        *([] if profile.trustworthy else ["# UNTRUSTWORTHY: measured on a busy host or failed a plausibility check (see notes)."]),
        'schema = "fs-workbench/machine/1"',
        f"name = {_toml_str(profile.name)}",
        f"title = {_toml_str(f'This host: {profile.cpu_model}, {profile.threads} threads, measured')}",
        f"year = {profile.year}",
        f'source = "{src}"',
        *([f"notes = {_toml_str(profile.notes)}"] if profile.notes else []),
        "",
        "[system]",
        "nodes = 1",
        "",
        "[node]",
        f"power_max = {_q(profile.power_max_w, 'W', 'assumption')}",
        "",
        "[[node.processors]]",
        # a processor's name holds no ':' nor '/' (archmodels.spec.PartName: uncertainty targets name it)
        f"name = {_toml_str(profile.cpu_model.replace(':', '-').replace('/', '-'))}",
        'type = "cpu"',
        "count = 1",
        f"cores = {profile.cores}",
        "peak = { "
        + ", ".join(
            f'{prec} = {{ value = "{rate / 1e9:.6g} GFLOP/s", source = "{src}" }}'
            for prec, rate in sorted(profile.peak_flop_per_s.items())
        )
        + " }",
    ]
    for level in profile.memory:
        lines += ["", "  [[node.processors.memory]]", f"  name = {_toml_str(level.name)}"]
        if level.technology:
            lines.append(f"  technology = {_toml_str(level.technology)}")
        cap_source = src if level.capacity_measured else "os"
        lines.append(f"  capacity = {_q(level.capacity_bytes / 2**20, 'MiB', cap_source)}")
        lines.append(f"  bandwidth = {_q(level.bandwidth_bytes_per_s / 1e9, 'GB/s', src)}")
        if level.latency_s is not None:
            lines.append(f"  latency = {_q(level.latency_s * 1e9, 'ns', src)}")
        lines.append("  measured = true")
        if level.technology_assumed:
            lines.append("  # technology: guessed from the CPU model (assumption), not measured")
    title = f"measured by fsw bench {profile.version} on {profile.cpu_model}, {profile.date}"
    lines += [
        "",
        f"[sources.{src}]",
        f"title = {_toml_str(title)}",
        f"date = {_toml_str(profile.date)}",
        "",
        "[sources.os]",
        f"title = {_toml_str(f'read from /proc/meminfo (MemTotal) by fsw bench {profile.version}, {profile.date}')}",
        "",
        "[sources.assumption]",
        'title = "Assumption, not measured: node power (400 W per processor) and the DRAM technology (guessed from the CPU model)"',
        "",
    ]
    return "\n".join(lines)
