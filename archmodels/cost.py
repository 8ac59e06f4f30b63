"""What a system costs: capital from its components, NRE, facility and lifetime cost [JPY].

Capital of one node::

    c_node = k · Σ_p n_p · P_list(p)                     processors at list price × procurement factor
           + Σ_p n_p · Σ_levels C_level · price/GB(tech)  memory (on-package memory beyond the quoted stock)
           + c_net(topology, N, B_inj, technology)        NICs, links and switch ports per node
           + c_int(packages)                              board, chassis, power, cooling plates, assembly
           + c_store,node                                 node-local and per-group storage per node

and of a system of N nodes: ``C = N · c_node + Σ_system tiers c_tier + NRE``. The facility (building,
power and cooling plant, per W of IT power) is reported apart: system contracts do not include it.

The procurement factor ``k`` is the one fitted constant: leadership systems pay far less than list
price for their processors. It is the median over a fit set (``cost.toml [procurement] fit_set``)
of ``(contract − model without processors) / (processors at list price)``; validation rows for
those systems are in-sample (:func:`cost_validation`).

Prices are in ``archmodels/data/cost.toml`` (parts, NICs, switch ports, integration, storage media,
facility, lifetime, exchange rates, NRE and the published contract figures),
``memory_technologies.toml`` (JPY/GB) and ``link_technologies.toml`` (JPY per link); each is cited or
labelled an assumption. Model functions take plain numbers; :func:`system_cost` reads a Machine.
"""

from __future__ import annotations

import math
import statistics
import tomllib
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from archmodels.errors import InputError
from archmodels.memtech import memory_cost_jpy, memory_technology
from archmodels.links import link_technology
from archmodels.topology import topology_metrics
from archmodels.quantities import parse_quantity

_TABLE = Path(__file__).parent / "data" / "cost.toml"

CURRENCIES = ("JPY", "USD", "EUR", "CHF")


@lru_cache(maxsize=1)
def _table() -> dict:
    with _TABLE.open("rb") as fh:
        return tomllib.load(fh)


def _value(entry):
    return entry["value"] if isinstance(entry, dict) else entry


@dataclass(frozen=True)
class Exchange:
    """Exchange rates [JPY per unit of currency]; every cost function takes one."""

    jpy_per_usd: float = 150.0
    jpy_per_eur: float = 163.0
    jpy_per_chf: float = 171.0

    def to_jpy(self, amount: float, currency: str) -> float:
        """``amount`` of ``currency`` in JPY."""
        rate = {"JPY": 1.0, "USD": self.jpy_per_usd, "EUR": self.jpy_per_eur, "CHF": self.jpy_per_chf}
        if currency not in rate:
            raise InputError(f"unknown currency {currency!r}; expected one of {', '.join(CURRENCIES)}")
        return amount * rate[currency]

    def from_jpy(self, amount_jpy: float, currency: str) -> float:
        return amount_jpy / self.to_jpy(1.0, currency)


def default_exchange() -> Exchange:
    """The exchange rates of cost.toml (an assumption; a parameter everywhere)."""
    ex = _table()["exchange"]
    return Exchange(float(_value(ex["jpy_per_usd"])), float(_value(ex["jpy_per_eur"])), float(_value(ex["jpy_per_chf"])))


def parse_money(text: str, exchange: Exchange | None = None) -> float:
    """``"25000 USD"`` (or JPY, EUR, CHF) in JPY at ``exchange``."""
    try:
        number, currency = str(text).split()
        amount = float(number)
    except ValueError:
        raise InputError(f"expected an amount of money like '25000 USD', got {text!r}") from None
    return (exchange or default_exchange()).to_jpy(amount, currency)


def _money(entry, exchange: Exchange) -> float:
    return parse_money(_value(entry), exchange)


def _table_scale(exchange: Exchange) -> float:
    """Factor applied to the JPY tables written at ``table_jpy_per_usd`` (memory, links)."""
    return exchange.jpy_per_usd / float(_table()["exchange"]["table_jpy_per_usd"])


def table_price_scale(exchange: Exchange | None = None) -> float:
    """Factor [-] on memory_technologies.toml's and link_technologies.toml's JPY prices at ``exchange``
    (they were written at cost.toml's ``table_jpy_per_usd``)."""
    return _table_scale(exchange or default_exchange())


def price_year() -> int:
    """The year the price tables are nominal at (cost.toml ``[exchange] price_year``) [year]."""
    return int(_table()["exchange"]["price_year"])


# ----------------------------------------------------------------------------- model functions


def procurement_factor() -> float:
    """The fitted list-to-contract factor on processor prices [-] (cost.toml ``[procurement]``)."""
    return float(_value(_table()["procurement"]["factor"]))


def procurement_fit_set() -> tuple[str, ...]:
    """Systems the procurement factor was fitted on (in-sample for cost validation)."""
    return tuple(_table()["procurement"]["fit_set"])


def processor_price_jpy(processor_type: str, exchange: Exchange | None = None) -> float:
    """List price of one package of a generic type, memory excluded [JPY] (cost.toml ``[generic]``)."""
    table = _table()["generic"]
    if processor_type not in table:
        raise InputError(f"no price for processor type {processor_type!r}; expected one of {', '.join(table)}",
                         location="processors.type")
    return _money(table[processor_type], exchange or default_exchange())


@dataclass(frozen=True)
class PartPrice:
    """List price of a package [JPY], the on-package memory that price includes [B], and what it covers."""

    key: str
    price_jpy: float
    stock_memory_bytes: float
    covers_node: bool
    source: str


def part_price(name: str, processor_type: str, exchange: Exchange | None = None) -> PartPrice:
    """Price of a named part (cost.toml ``[parts]``, keyed by lower-case name), else its type's generic price."""
    exchange = exchange or default_exchange()
    parts = _table()["parts"]
    key = str(name).strip().lower()
    if key in parts:
        e = parts[key]
        return PartPrice(key, _money(e["price"], exchange), parse_quantity(e["memory"], "bytes"),
                         e.get("covers", "package") == "node", e["price"]["source"])
    return PartPrice(processor_type, processor_price_jpy(processor_type, exchange), 0.0, False,
                     _table()["generic"][processor_type]["source"])


def network_cost_per_node_jpy(topology: str, nodes: int, injection_bandwidth_bytes_per_s: float,
                              technology: str = "electrical", *, dimensions: int | None = None,
                              exchange: Exchange | None = None) -> float:
    """Network capital cost per node [JPY]: NICs, links and switch ports.

    Links per node = links_per_node · (link/injection) · B_inj / line rate (topology metrics of
    :mod:`archmodels.topology`). Indirect networks (fat tree, dragonfly, optical) add ⌈B_inj / NIC
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
    exchange : Exchange, optional
        Exchange rates (the link table is rescaled from its own rate).

    Returns
    -------
    float
        [JPY per node].
    """
    if not injection_bandwidth_bytes_per_s > 0:
        raise InputError("injection bandwidth must be > 0", location="network.injection_bandwidth")
    exchange = exchange or default_exchange()
    metrics = topology_metrics(topology, nodes, dimensions=dimensions)
    link = link_technology(technology)
    capacity = metrics.links_per_node * metrics.link_to_injection * injection_bandwidth_bytes_per_s
    links = capacity / link.line_rate_bytes_per_s
    cost = links * link.cost_jpy * _table_scale(exchange)
    if metrics.topology != "torus":
        net = _table()["network"]
        terminal_links = injection_bandwidth_bytes_per_s / link.line_rate_bytes_per_s
        nic_rate = parse_quantity(net["nic_rate"], "bytes_per_s")
        cost += math.ceil(injection_bandwidth_bytes_per_s / nic_rate * (1 - 1e-9)) * _money(net["nic"], exchange)
        cost += (2.0 * links - terminal_links) * _money(net["switch_port"], exchange)
    return cost


def integration_cost_jpy(processors: int, exchange: Exchange | None = None) -> float:
    """Board, chassis, power, cooling and assembly of one node with ``processors`` packages [JPY]."""
    exchange = exchange or default_exchange()
    t = _table()["integration"]
    return _money(t["per_node"], exchange) + processors * _money(t["per_processor"], exchange)


def storage_media_price_jpy_per_byte(media: str, exchange: Exchange | None = None) -> float:
    """Price of storage capacity of a media type with its system overhead [JPY/B]."""
    t = _table()["storage"]
    if media not in t or media.startswith("failure_rate"):
        raise InputError(f"no price for storage media {media!r}; expected nvme, ssd, hdd or hybrid",
                         location="storage.tiers.media")
    per_tb = _money(t[media], exchange or default_exchange())
    return per_tb / 1e12 * (1.0 + float(_value(t["system_overhead"])))


def storage_failure_rate_per_year(media: str) -> float:
    """Default annual failure rate of one drive of a media type [1/year] (cost.toml)."""
    t = _table()["storage"]
    return float(_value(t["failure_rate_hdd" if media in ("hdd", "hybrid") else "failure_rate_nvme"]))


def tier_units(scope: str, nodes_per_unit: int, nodes: int) -> int:
    """Units of a storage tier in a system of ``nodes``: one per node, per group, or one [-]."""
    if scope == "node":
        return int(nodes)
    if scope == "group":
        return int(math.ceil(nodes / nodes_per_unit))
    return 1


def tier_price_jpy(tier, exchange: Exchange | None = None) -> float:
    """Price of one unit of a storage tier [JPY]: its stated price, else capacity at the media price."""
    if tier.price_jpy is not None:
        return tier.price_jpy
    return tier.capacity_bytes * storage_media_price_jpy_per_byte(tier.media, exchange)


def facility_cost_jpy(it_power_w: float, exchange: Exchange | None = None) -> float:
    """Building, power and cooling plant for ``it_power_w`` of IT load [JPY] (cost.toml ``[facility]``)."""
    return it_power_w * _money(_table()["facility"]["per_watt"], exchange or default_exchange())


def nre_jpy(machine_name: str, exchange: Exchange | None = None) -> float:
    """Cited non-recurring engineering of a system's development programme [JPY] (0 if none cited)."""
    entry = _table().get("nre", {}).get(machine_name, {})
    return _money(entry["value"], exchange or default_exchange()) if "value" in entry else 0.0


def present_value_factor(years: float, discount_rate: float) -> float:
    """Sum of discount factors of a yearly payment over ``years`` [-]: ``Σ_{t=1..Y} (1+r)^-t``.

    Equals ``(1 − (1+r)^-Y) / r`` (an annuity); ``Y`` when ``r = 0``. Fractional years count pro rata.
    """
    if discount_rate == 0:
        return float(years)
    whole = int(years)
    pv = (1 - (1 + discount_rate) ** -whole) / discount_rate
    return pv + (years - whole) * (1 + discount_rate) ** -(whole + 1)


def lifetime_cost_jpy(capital_jpy, hardware_jpy, energy_per_year_kwh, price_jpy_per_kwh, years,
                      maintenance_per_year=0.05, discount_rate=0.04, staff_per_year_jpy=0.0):
    """Discounted lifetime cost [JPY].

        C = C_cap + PV(r, Y) · (m · C_hw + E_yr · p + S)

    with ``PV`` :func:`present_value_factor`, ``m`` the maintenance share of hardware per year,
    ``E_yr`` the facility energy per year [kWh], ``p`` the site's price [JPY/kWh] and ``S`` staff and
    software per year [JPY]. Capital is paid at year 0.
    """
    pv = present_value_factor(years, discount_rate)
    return capital_jpy + pv * (maintenance_per_year * hardware_jpy + energy_per_year_kwh * price_jpy_per_kwh
                               + staff_per_year_jpy)


def lifetime_defaults() -> dict:
    """maintenance_per_year, discount_rate and staff_per_year_jpy of cost.toml ``[lifetime]``."""
    t = _table()["lifetime"]
    return {"maintenance_per_year": float(_value(t["maintenance_per_year"])),
            "discount_rate": float(_value(t["discount_rate"])),
            "staff_per_year_jpy": _money(t["staff_per_year"], default_exchange())}


# ----------------------------------------------------------------------------- machines


_SPEC_LINK_TECHNOLOGY = {None: "electrical", "electrical": "electrical", "pluggable-optics": "pluggable-optics",
                         "co-packaged-optics": "co-packaged-optics"}


@dataclass(frozen=True)
class NodeCost:
    """Capital cost of one node by component [JPY] (processors at contract price)."""

    processors_jpy: float
    memory_jpy: float
    network_jpy: float
    integration_jpy: float
    storage_jpy: float = 0.0
    processors_list_jpy: float = 0.0

    @property
    def total_jpy(self) -> float:
        return self.processors_jpy + self.memory_jpy + self.network_jpy + self.integration_jpy + self.storage_jpy


def node_cost(machine, exchange: Exchange | None = None, factor: float | None = None) -> NodeCost:
    """Capital cost of one node of an ``archmodels`` Machine, by component.

    Named parts (cost.toml ``[parts]``) are priced with their stock on-package memory; a spec's
    on-package memory beyond (or short of) that stock is priced per GB. Other memory levels with a
    technology in the memory table are priced per GB; memory placed on the die (memory_technologies.toml ``placement``) is part of the
    processor price; on-package memory (``placement = "package"``) is what a named part's stock covers.
    A processor with its own ``price`` in the spec (a projected machine, :mod:`archmodels.roadmap`) is
    charged it instead of the part's quoted price, with the part's stock memory and node coverage
    kept; a memory level with its own ``price`` is charged it for what the stock does not cover. The network share uses the machine's topology, node count, injection bandwidth and link
    technology (electrical when the spec gives none). Node-local and per-group storage tiers are
    charged per node. ``factor`` (default: the fitted procurement factor) multiplies processor list prices.
    """
    exchange = exchange or default_exchange()
    k = procurement_factor() if factor is None else factor
    scale = _table_scale(exchange)
    processors = memory = 0.0
    packages = 0
    node_covered = False
    for proc in machine.node.processors:
        part = part_price(proc.name, proc.type, exchange)
        # a spec's own price (a projection writes one) replaces the quoted one; what the part's price
        # covers (its stock on-package memory, a whole node) still applies
        processors += proc.count * (part.price_jpy if proc.price_jpy is None else proc.price_jpy)
        node_covered |= part.covers_node
        stock = part.stock_memory_bytes
        packages += proc.count
        for level in proc.memory:
            tech = memory_technology(level.technology) if level.technology else None
            if level.price_jpy is not None:  # the spec's price of what the part's stock does not cover
                memory += proc.count * level.price_jpy
                if tech is not None and tech.placement == "package":
                    stock = 0.0
                continue
            if tech is None:
                continue
            if tech.placement == "die":
                continue
            capacity = level.capacity_bytes
            if tech.placement == "package" and stock > 0:
                capacity, stock = capacity - stock, 0.0
            memory += proc.count * memory_cost_jpy(capacity, tech.cost_jpy_per_gb) * scale
    network = 0.0
    net = machine.network
    if net is not None and net.topology != "none":
        network = network_cost_per_node_jpy(net.topology, machine.nodes, net.injection_bandwidth_bytes_per_s,
                                            _SPEC_LINK_TECHNOLOGY.get(net.technology, net.technology),
                                            dimensions=net.dimensions, exchange=exchange)
    storage = 0.0
    for tier in _storage_tiers(machine):
        if tier.scope == "node":
            storage += tier_price_jpy(tier, exchange)
        elif tier.scope == "group":
            storage += tier_price_jpy(tier, exchange) / tier.nodes_per_unit
    integration = 0.0 if node_covered and packages == 1 else integration_cost_jpy(packages, exchange)
    return NodeCost(k * processors, memory, network, integration, storage, processors)


def _storage_tiers(machine) -> tuple:
    storage = getattr(machine, "storage", None)
    return storage.tiers if storage is not None else ()


def node_capital_cost_jpy(machine, exchange: Exchange | None = None) -> float:
    """Capital cost of one node of an ``archmodels`` Machine [JPY] (:func:`node_cost`'s total)."""
    return node_cost(machine, exchange).total_jpy


def system_storage_cost_jpy(machine, exchange: Exchange | None = None) -> float:
    """Price of the system-wide storage tiers (burst buffers, file systems, object stores) [JPY]."""
    return sum(tier_price_jpy(t, exchange) for t in _storage_tiers(machine) if t.scope == "system")


@dataclass(frozen=True)
class SystemCost:
    """What a system of ``nodes`` costs, by component [JPY]; ``capital_jpy`` is what a contract covers."""

    machine: str
    nodes: int
    processors_jpy: float
    memory_jpy: float
    network_jpy: float
    integration_jpy: float
    storage_jpy: float
    nre_jpy: float
    facility_jpy: float
    processors_list_jpy: float
    procurement_factor: float
    exchange: Exchange = field(default_factory=Exchange)
    price_year: int = 2024

    @property
    def hardware_jpy(self) -> float:
        return self.processors_jpy + self.memory_jpy + self.network_jpy + self.integration_jpy + self.storage_jpy

    @property
    def capital_jpy(self) -> float:
        """Hardware at contract prices plus NRE (the facility is not in a system contract)."""
        return self.hardware_jpy + self.nre_jpy

    def as_dict(self) -> dict:
        d = {k: v for k, v in asdict(self).items() if k != "exchange"}
        d.update(hardware_jpy=self.hardware_jpy, capital_jpy=self.capital_jpy,
                 capital_usd=self.exchange.from_jpy(self.capital_jpy, "USD"),
                 capital_with_facility_jpy=self.capital_jpy + self.facility_jpy,
                 jpy_per_usd=self.exchange.jpy_per_usd, jpy_per_eur=self.exchange.jpy_per_eur,
                 jpy_per_chf=self.exchange.jpy_per_chf)
        return d


def system_cost(machine, nodes: int | None = None, exchange: Exchange | None = None,
                factor: float | None = None) -> SystemCost:
    """Capital cost of ``machine`` at ``nodes`` (default: its own node count), by component [JPY].

    ``N · c_node`` (see :func:`node_cost`, priced at the system's size) plus the system-wide storage
    tiers and the cited NRE; the facility at the node's maximum power (``power_max``) is reported apart.
    """
    from archmodels.power import node_power_range_w

    exchange = exchange or default_exchange()
    n = int(machine.nodes if nodes is None else nodes)
    if n < 1:
        raise InputError(f"nodes must be >= 1, got {n}", location="--nodes")
    m = machine if n == machine.nodes else machine.with_nodes(n)
    c = node_cost(m, exchange, factor)
    k = procurement_factor() if factor is None else factor
    it_power = n * node_power_range_w(m)[1]
    return SystemCost(
        machine=m.name, nodes=n, processors_jpy=n * c.processors_jpy, memory_jpy=n * c.memory_jpy,
        network_jpy=n * c.network_jpy, integration_jpy=n * c.integration_jpy,
        storage_jpy=n * c.storage_jpy + system_storage_cost_jpy(m, exchange),
        nre_jpy=nre_jpy(m.name, exchange), facility_jpy=facility_cost_jpy(it_power, exchange),
        processors_list_jpy=n * c.processors_list_jpy, procurement_factor=k, exchange=exchange,
        price_year=int(_table()["exchange"]["price_year"]))


# ----------------------------------------------------------------------------- validation


def contract_figures() -> list[dict]:
    """The published contract / funding figures of cost.toml, each with its source entry."""
    t = _table()
    out = []
    for c in t["contract"]:
        src = t["sources"].get(c["source"], {})
        amount, currency = c["value"].split()
        out.append({**c, "amount": float(amount), "currency": currency, "source_title": src.get("title", ""),
                    "source_url": src.get("url")})
    return out


def _model_total_jpy(cost: SystemCost, compare: str) -> float:
    if compare == "hardware":
        return cost.hardware_jpy
    if compare == "hardware+nre":
        return cost.capital_jpy
    raise InputError(f"unknown comparison {compare!r}", location="cost.toml contract.compare")


def fit_procurement_factor(systems: tuple[str, ...] | None = None, exchange: Exchange | None = None) -> float:
    """Refit the procurement factor: median over ``systems`` (default: the fit set) of

        k_i = (contract_i − model_i(k=0)) / processors_i at list price.
    """
    from archmodels.loaders import load_machine

    exchange = exchange or default_exchange()
    wanted = set(systems or procurement_fit_set())
    ks = []
    for fig in contract_figures():
        if fig["system"] not in wanted:
            continue
        cost = system_cost(load_machine(fig["system"]), exchange=exchange, factor=0.0)
        published = exchange.to_jpy(fig["amount"], fig["currency"])
        ks.append((published - _model_total_jpy(cost, fig["compare"])) / cost.processors_list_jpy)
    if not ks:
        raise InputError(f"no contract figure for any of {sorted(wanted)}")
    return float(statistics.median(ks))


@dataclass(frozen=True)
class CostCheck:
    """One contract figure against the model: both in the figure's currency."""

    system: str
    metric: str
    model: float
    published: float
    error: float
    currency: str
    compare: str
    scope: str
    in_sample: bool
    source: str
    source_title: str
    source_url: str | None

    def as_dict(self) -> dict:
        return asdict(self)


def cost_validation(systems: list[str] | None = None, exchange: Exchange | None = None) -> list[CostCheck]:
    """Every published contract figure against the model at the catalog node count.

    ``error = model / published − 1``; ``in_sample`` is true for systems in the procurement factor's
    fit set. Both sides are in the figure's currency at ``exchange`` (default rates).
    """
    from archmodels.loaders import load_machine

    exchange = exchange or default_exchange()
    fit = set(procurement_fit_set())
    out = []
    for fig in contract_figures():
        if systems and fig["system"] not in systems:
            continue
        cost = system_cost(load_machine(fig["system"]), exchange=exchange)
        model = exchange.from_jpy(_model_total_jpy(cost, fig["compare"]), fig["currency"])
        out.append(CostCheck(fig["system"], "capital", model, fig["amount"], model / fig["amount"] - 1.0,
                             fig["currency"], fig["compare"], fig["scope"], fig["system"] in fit,
                             fig["source"], fig["source_title"], fig["source_url"]))
    return out
