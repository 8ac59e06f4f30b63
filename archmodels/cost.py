"""Capital cost of a node from its components [JPY].

cost = Σ processors · price(type) + Σ memory capacity · price per GB(technology)
       + network share per node + integration (board, chassis, power, cooling, assembly).

Prices: ``archmodels/data/cost.toml`` (processors, NICs, switch ports, integration),
``memory_technologies.toml`` (JPY/GB) and ``link_technologies.toml`` (JPY per link); each cited or
labelled an assumption. Model functions take plain numbers; :func:`node_capital_cost_jpy` reads an
``archmodels`` Machine.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from archmodels.errors import InputError
from archmodels.memtech import memory_cost_jpy, memory_technology
from archmodels.network import link_technology, topology_metrics
from archmodels.quantities import parse_quantity

_TABLE = Path(__file__).parent / "data" / "cost.toml"


@lru_cache(maxsize=1)
def _table() -> dict:
    with _TABLE.open("rb") as fh:
        return tomllib.load(fh)


def _price(section: str, key: str) -> float:
    return parse_quantity(_table()[section][key]["value"], "jpy")


def processor_price_jpy(processor_type: str) -> float:
    """Price of one processor package of a type, memory excluded [JPY] (cost.toml)."""
    table = _table()["processors"]
    if processor_type not in table:
        raise InputError(f"no price for processor type {processor_type!r}; expected one of {', '.join(table)}",
                         location="processors.type")
    return _price("processors", processor_type)


def network_cost_per_node_jpy(topology: str, nodes: int, injection_bandwidth_bytes_per_s: float,
                              technology: str = "electrical", *, dimensions: int | None = None) -> float:
    """Network capital cost per node [JPY]: NICs, links and switch ports.

    Links per node = links_per_node · (link/injection) · B_inj / line rate (topology metrics of
    :mod:`archmodels.network`). Indirect networks (fat tree, dragonfly, optical) add ⌈B_inj / NIC
    rate⌉ NICs and a switch port at each switch end of a link (2 per link, less the node end of the
    terminal links); a torus routes inside the node, so it pays for links only.

    Parameters
    ----------
    topology : str
        Topology name.
    nodes : int
        Nodes in the system [-].
    injection_bandwidth_bytes_per_s : float
        Per-node injection bandwidth [B/s].
    technology : str
        Link technology (``electrical``, ``pluggable-optics``, ``co-packaged-optics``...).
    dimensions : int, optional
        Torus dimensions.

    Returns
    -------
    float
        [JPY per node].
    """
    if not injection_bandwidth_bytes_per_s > 0:
        raise InputError("injection bandwidth must be > 0", location="network.injection_bandwidth")
    metrics = topology_metrics(topology, nodes, dimensions=dimensions)
    link = link_technology(technology)
    capacity = metrics.links_per_node * metrics.link_to_injection * injection_bandwidth_bytes_per_s
    links = capacity / link.line_rate_bytes_per_s
    cost = links * link.cost_jpy
    if metrics.topology != "torus":
        terminal_links = injection_bandwidth_bytes_per_s / link.line_rate_bytes_per_s
        nic_rate = parse_quantity(_table()["network"]["nic_rate"], "bytes_per_s")
        cost += math.ceil(injection_bandwidth_bytes_per_s / nic_rate * (1 - 1e-9)) * _price("network", "nic")
        cost += (2.0 * links - terminal_links) * _price("network", "switch_port")
    return cost


def integration_cost_jpy(processors: int) -> float:
    """Board, chassis, power, cooling and assembly of one node with ``processors`` packages [JPY]."""
    return _price("integration", "per_node") + processors * _price("integration", "per_processor")


@dataclass(frozen=True)
class NodeCost:
    """Capital cost of one node by component [JPY]."""

    processors_jpy: float
    memory_jpy: float
    network_jpy: float
    integration_jpy: float

    @property
    def total_jpy(self) -> float:
        return self.processors_jpy + self.memory_jpy + self.network_jpy + self.integration_jpy


ON_DIE = frozenset({"sram"})
"""Memory technologies that sit on the processor die and are paid for with it."""

_SPEC_LINK_TECHNOLOGY = {None: "electrical", "electrical": "electrical", "pluggable-optics": "pluggable-optics",
                         "co-packaged-optics": "co-packaged-optics"}


def node_cost(machine) -> NodeCost:
    """Capital cost of one node of an ``archmodels`` Machine, by component.

    Memory levels with a technology in the memory table are priced per GB; on-die SRAM (no
    technology, or ``sram``) is part of the processor price; the network share uses the machine's topology, node
    count, injection bandwidth and link technology (electrical when the spec gives none).
    """
    processors = memory = 0.0
    packages = 0
    for proc in machine.node.processors:
        processors += proc.count * processor_price_jpy(proc.type)
        packages += proc.count
        for level in proc.memory:
            if level.technology and level.technology not in ON_DIE:
                tech = memory_technology(level.technology)
                memory += proc.count * memory_cost_jpy(level.capacity_bytes, tech.cost_jpy_per_gb)
    network = 0.0
    net = machine.network
    if net is not None and net.topology != "none":
        network = network_cost_per_node_jpy(net.topology, machine.nodes, net.injection_bandwidth_bytes_per_s,
                                            _SPEC_LINK_TECHNOLOGY.get(net.technology, net.technology),
                                            dimensions=net.dimensions)
    return NodeCost(processors, memory, network, integration_cost_jpy(packages))


def node_capital_cost_jpy(machine) -> float:
    """Capital cost of one node of an ``archmodels`` Machine [JPY] (:func:`node_cost`'s total)."""
    return node_cost(machine).total_jpy
