"""Memory technologies: bandwidth and capacity per unit, energy per bit, cost per GB.

The table is ``archmodels/data/memory_technologies.toml``; every figure there cites JEDEC, a vendor
datasheet or a paper (O'Connor et al., "Fine-Grained DRAM", MICRO-50 2017,
https://doi.org/10.1145/3123939.3124545; Horowitz, ISSCC 2014) or is labelled an assumption.
A *unit* is what the technology is built from: an HBM stack, a DDR channel, an LPDDR package, a
stacked SRAM die or an on-chip SRAM slice. A memory of capacity C built from units of capacity c
and bandwidth b has ⌈C/c⌉ units and ⌈C/c⌉·b of bandwidth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from archmodels.errors import InputError
from archmodels.quantities import GB, read_cited_table
from archmodels.references import table_entry

_TABLE = Path(__file__).parent / "data" / "memory_technologies.toml"


@dataclass(frozen=True)
class MemoryTechnology:
    """One memory technology, per unit, in SI.

    Attributes
    ----------
    name : str
        Key (``hbm3e``, ``sram-3d``...), as in machine specs' ``technology``.
    title : str
        What a unit is.
    kind : str
        ``dram``, ``hbm`` or ``sram`` (selects the embodied-carbon model).
    unit : str
        ``stack``, ``channel``, ``package``, ``die`` or ``slice``.
    placement : str
        Where it sits (:data:`PLACEMENTS`): ``die`` (paid for with the processor die), ``stacked``
        (on the die, priced apart), ``package`` (beside the die: a part's quoted price may include
        it) or ``board``.
    bandwidth_per_unit_bytes_per_s : float
        Peak bandwidth of one unit [B/s].
    capacity_per_unit_bytes : float
        Capacity of one unit [B].
    energy_per_bit_j : float
        Energy to read or write one bit through the interface [J].
    cost_jpy_per_gb : float
        Price per 1e9 bytes [JPY/GB].
    sources : tuple of (str, str)
        (field, source title) for each figure.
    """

    name: str
    title: str
    kind: str
    unit: str
    placement: str
    bandwidth_per_unit_bytes_per_s: float
    capacity_per_unit_bytes: float
    energy_per_bit_j: float
    cost_jpy_per_gb: float
    sources: tuple[tuple[str, str], ...]

    @property
    def energy_per_byte_j(self) -> float:
        """Energy per byte moved [J/B] = 8 · energy per bit."""
        return 8.0 * self.energy_per_bit_j

    @property
    def bandwidth_per_capacity_per_s(self) -> float:
        """Bandwidth per byte of capacity [1/s]: how often a unit can stream its whole contents."""
        return self.bandwidth_per_unit_bytes_per_s / self.capacity_per_unit_bytes


#: Values of :attr:`MemoryTechnology.placement`.
PLACEMENTS = ("die", "stacked", "package", "board")

_FIELDS = {
    "bandwidth_per_unit": ("bandwidth_per_unit_bytes_per_s", "bytes_per_s"),
    "capacity_per_unit": ("capacity_per_unit_bytes", "bytes"),
    "energy_per_bit": ("energy_per_bit_j", "energy_j"),
    "cost_per_gb": ("cost_jpy_per_gb", "jpy"),
}


@lru_cache(maxsize=1)
def _load() -> dict[str, MemoryTechnology]:
    out = {}
    for name, entry, values, cited in read_cited_table(_TABLE, _FIELDS):
        if entry.get("placement") not in PLACEMENTS:
            raise InputError(f"placement must be one of {', '.join(PLACEMENTS)}, got {entry.get('placement')!r}",
                             file=str(_TABLE), location=f"technologies.{name}.placement")
        out[name] = MemoryTechnology(name=name, title=entry["title"], kind=entry["kind"], unit=entry["unit"],
                                     placement=entry["placement"], sources=cited, **values)
    return out


def memory_technologies() -> tuple[str, ...]:
    """Names of every technology in the table."""
    return tuple(_load())


def memory_technology(name: str) -> MemoryTechnology:
    """The table entry for ``name`` (case-insensitive), e.g. ``memory_technology("hbm3e")``.

    Raises
    ------
    InputError
        For a name not in the table; the message lists the known ones.
    """
    return table_entry(_load(), name, what="memory technology", location="memory.technology")


def units_for_capacity(capacity_bytes: float, capacity_per_unit_bytes: float) -> int:
    """Units needed to hold ``capacity_bytes``: ⌈C / c⌉ (at least 1) [-].

    A relative tolerance of 1e-9 absorbs rounding, so 80 GB in 16 GB stacks is 5, not 6.
    """
    if not capacity_bytes > 0 or not capacity_per_unit_bytes > 0:
        raise InputError(f"capacities must be > 0, got {capacity_bytes!r} and {capacity_per_unit_bytes!r}",
                         location="memory.capacity")
    return max(1, math.ceil(capacity_bytes / capacity_per_unit_bytes * (1 - 1e-9)))


def bandwidth_for_capacity_bytes_per_s(capacity_bytes: float, bandwidth_per_unit_bytes_per_s: float,
                                       capacity_per_unit_bytes: float) -> float:
    """Peak bandwidth of a memory of ``capacity_bytes`` built from whole units [B/s]: ⌈C/c⌉·b."""
    return units_for_capacity(capacity_bytes, capacity_per_unit_bytes) * bandwidth_per_unit_bytes_per_s


def memory_cost_jpy(capacity_bytes: float, cost_jpy_per_gb: float) -> float:
    """Price of ``capacity_bytes`` of memory [JPY] = C / 1e9 · price per GB."""
    return capacity_bytes / GB * cost_jpy_per_gb
