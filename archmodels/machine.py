"""What a machine is, in SI floats: small frozen dataclasses built once from a validated spec.

Model functions take these (or plain numbers); they never see strings with units. Each quantity's
provenance (the text it came from and the source id it traces to) is kept in ``Machine.provenance``
keyed by field path, so ``fsw machines show`` can cite every number.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Mapping

from archmodels.spec import MachineSpec, SpecQuantity

#: Order in which precisions fall back when a processor lacks the one a workload asks for.
PRECISION_FALLBACK = {
    "fp8": ("fp8", "fp16", "bf16", "fp32", "fp64"),
    "fp4": ("fp4", "fp8", "fp16", "bf16", "fp32", "fp64"),
    "int8": ("int8", "fp8", "fp16", "bf16", "fp32", "fp64"),
    "fp16": ("fp16", "bf16", "fp32", "fp64"),
    "bf16": ("bf16", "fp16", "fp32", "fp64"),
    "tf32": ("tf32", "fp32", "fp64"),
    "fp32": ("fp32", "fp64"),
    "fp64": ("fp64",),
}


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class MemoryLevel:
    """One level of a processor's memory hierarchy (per processor)."""

    name: str
    technology: str | None
    capacity_bytes: float
    bandwidth_bytes_per_s: float
    energy_per_bit_j: float | None = None
    latency_s: float | None = None
    measured: bool = False
    """True when ``bandwidth_bytes_per_s`` is a measured sustained (STREAM-triad) rate, not a datasheet peak."""
    price_jpy: float | None = None
    """Price of the level on one processor beyond the part's stock memory [JPY]; None: per GB from the memory table."""


@dataclass(frozen=True, eq=False)
class Processor:
    """A processor type in a node; peaks and memory are per processor, ``count`` per node."""

    name: str
    type: str
    count: int
    peak_flop_per_s: Mapping[str, float]
    peak_matrix_flop_per_s: Mapping[str, float]
    memory: tuple[MemoryLevel, ...]
    cores: int | None = None
    clock_hz: float | None = None
    tdp_w: float | None = None
    ecosystem: str | None = None  #: the software ecosystem named in the machine file (None: inferred, fs.ecosystems)
    energy_per_flop_fp64_j: float | None = None  #: own FP64 energy floor [J] (None: energy.toml's for its type)
    price_jpy: float | None = None  #: list price of one package, replacing cost.toml's part price [JPY]

    def precision_for(self, wanted: str, matrix: bool = False) -> str | None:
        """The precision this processor runs ``wanted`` in (falling back to wider formats).

        Matrix-unit precisions count only for workloads that can use matrix units.
        """
        for p in PRECISION_FALLBACK.get(wanted, (wanted,)):
            if p in self.peak_flop_per_s or (matrix and p in self.peak_matrix_flop_per_s):
                return p
        return None

    def peak_for(self, precision: str, matrix: bool) -> float:
        """Peak rate [FLOP/s] per processor in ``precision``; matrix units count only if ``matrix``."""
        vec = self.peak_flop_per_s.get(precision, 0.0)
        if matrix:
            return max(vec, self.peak_matrix_flop_per_s.get(precision, 0.0))
        return vec

    @property
    def outer_memory(self) -> MemoryLevel:
        return self.memory[-1]


@dataclass(frozen=True)
class Link:
    name: str
    between: tuple[str, str]
    bandwidth_bytes_per_s: float
    latency_s: float | None = None
    energy_per_bit_j: float | None = None


@dataclass(frozen=True)
class Network:
    name: str
    topology: str
    injection_bandwidth_bytes_per_s: float
    latency_s: float
    dimensions: int | None = None
    levels: int | None = None
    technology: str | None = None
    energy_per_bit_j: float | None = None
    link_static_power_w: float | None = None


@dataclass(frozen=True)
class StorageTier:
    """One storage tier; capacity, bandwidths, power, price and failure rate are per unit.

    A unit is one node's local storage (``scope = "node"``), the storage shared by a group of
    ``nodes_per_unit`` nodes (``"group"``, e.g. Fugaku's LLIO SSD on one node in 16), or the whole
    system tier (``"system"``: burst buffer, parallel file system, object store).
    """

    name: str
    kind: str
    media: str
    scope: str
    nodes_per_unit: int
    capacity_bytes: float
    read_bandwidth_bytes_per_s: float
    write_bandwidth_bytes_per_s: float
    metadata_ops_per_s: float | None = None
    power_w: float | None = None
    price_jpy: float | None = None
    annual_failure_rate: float | None = None
    drives: int | None = None


@dataclass(frozen=True)
class Storage:
    tiers: tuple[StorageTier, ...]

    def tier(self, name: str) -> StorageTier:
        for t in self.tiers:
            if t.name == name:
                return t
        raise KeyError(name)


@dataclass(frozen=True, eq=False)
class Node:
    processors: tuple[Processor, ...]
    links: tuple[Link, ...] = ()
    power_max_w: float | None = None
    power_idle_w: float | None = None

    @property
    def memory_bytes(self) -> float:
        """Capacity of the outermost memory level of every processor, summed over the node [B]."""
        return sum(p.outer_memory.capacity_bytes * p.count for p in self.processors)

    @property
    def memory_bandwidth_bytes_per_s(self) -> float:
        """Bandwidth of the outermost memory level of every processor, summed over the node [B/s]."""
        return sum(p.outer_memory.bandwidth_bytes_per_s * p.count for p in self.processors)

    def processor(self, name: str) -> Processor:
        for p in self.processors:
            if p.name == name:
                return p
        raise KeyError(name)


@dataclass(frozen=True)
class Machine:
    """A machine: a node type replicated ``nodes`` times on a network."""

    name: str
    title: str
    nodes: int
    node: Node
    network: Network | None = None
    storage: Storage | None = None
    site: str | None = None
    year: int | None = None
    hypothetical: bool = False
    sources: Mapping[str, Source] = field(default_factory=dict)
    provenance: Mapping[str, tuple[str, str | None]] = field(default_factory=dict)
    path: str | None = None

    def with_nodes(self, nodes: int) -> "Machine":
        return replace(self, nodes=int(nodes))

    def source_of(self, field_path: str) -> Source | None:
        """The source a field traces to (its own, else the nearest enclosing default)."""
        entry = self.provenance.get(field_path)
        if entry is None or entry[1] is None:
            return None
        return self.sources.get(entry[1])


def _v(q: SpecQuantity | None) -> float | None:
    return None if q is None else q.value


def machine_from_spec(spec: MachineSpec, path: str | None = None) -> Machine:
    """Turn a validated spec into SI dataclasses, recording each quantity's provenance."""
    prov: dict[str, tuple[str, str | None]] = {}

    def note(field_path: str, q: SpecQuantity | None, default_source: str | None) -> None:
        if q is not None:
            prov[field_path] = (q.text, q.source or default_source)

    file_src = spec.source
    node_src = spec.node.source or file_src
    note("node.power_max", spec.node.power_max, node_src)
    note("node.power_idle", spec.node.power_idle, node_src)
    procs = []
    for i, p in enumerate(spec.node.processors):
        psrc = p.source or node_src
        base = f"node.processors[{i}]"
        for key in ("clock", "tdp", "energy_per_flop", "price"):
            note(f"{base}.{key}", getattr(p, key), psrc)
        for prec, q in p.peak.items():
            note(f"{base}.peak.{prec}", q, psrc)
        for prec, q in p.peak_matrix.items():
            note(f"{base}.peak_matrix.{prec}", q, psrc)
        levels = []
        for j, m in enumerate(p.memory):
            msrc = m.source or psrc
            for key in ("capacity", "bandwidth", "energy_per_bit", "latency", "price"):
                note(f"{base}.memory[{j}].{key}", getattr(m, key), msrc)
            levels.append(MemoryLevel(m.name, m.technology, m.capacity.value, m.bandwidth.value,
                                      _v(m.energy_per_bit), _v(m.latency), m.measured, _v(m.price)))
        procs.append(Processor(
            name=p.name, type=p.type, count=p.count,
            peak_flop_per_s=MappingProxyType({k: q.value for k, q in p.peak.items()}),
            peak_matrix_flop_per_s=MappingProxyType({k: q.value for k, q in p.peak_matrix.items()}),
            memory=tuple(levels), cores=p.cores, clock_hz=_v(p.clock), tdp_w=_v(p.tdp),
            ecosystem=p.ecosystem, energy_per_flop_fp64_j=_v(p.energy_per_flop), price_jpy=_v(p.price)))
    links = []
    for i, link in enumerate(spec.node.links):
        lsrc = link.source or node_src
        for key in ("bandwidth", "latency", "energy_per_bit"):
            note(f"node.links[{i}].{key}", getattr(link, key), lsrc)
        links.append(Link(link.name, tuple(link.between), link.bandwidth.value, _v(link.latency),
                          _v(link.energy_per_bit)))
    network = None
    if spec.network is not None:
        n = spec.network
        nsrc = n.source or file_src
        for key in ("injection_bandwidth", "latency", "energy_per_bit", "link_static_power"):
            note(f"network.{key}", getattr(n, key), nsrc)
        network = Network(n.name, n.topology, n.injection_bandwidth.value, n.latency.value,
                          n.dimensions, n.levels, n.technology, _v(n.energy_per_bit),
                          _v(n.link_static_power))
    storage = None
    if spec.storage is not None:
        ssrc = spec.storage.source or file_src
        tiers = []
        for i, t in enumerate(spec.storage.tiers):
            tsrc = t.source or ssrc
            for key in ("capacity", "read_bandwidth", "write_bandwidth", "power", "price"):
                note(f"storage.tiers[{i}].{key}", getattr(t, key), tsrc)
            tiers.append(StorageTier(t.name, t.kind, t.media, t.scope, t.nodes_per_unit, t.capacity.value,
                                     t.read_bandwidth.value, t.write_bandwidth.value, t.metadata_rate,
                                     _v(t.power), _v(t.price), t.annual_failure_rate, t.drives))
        storage = Storage(tuple(tiers))
    sources = {k: Source(k, s.title, s.url, s.note) for k, s in spec.sources.items()}
    return Machine(
        name=spec.name, title=spec.title, nodes=spec.system.nodes,
        node=Node(tuple(procs), tuple(links), _v(spec.node.power_max), _v(spec.node.power_idle)),
        network=network, storage=storage, site=spec.site, year=spec.year, hypothetical=spec.hypothetical,
        sources=MappingProxyType(sources), provenance=MappingProxyType(prov), path=path)
