"""Link technologies and network power: what a network's links draw, idle and under load.

A link's power is ``P = P_static + 8·T·e_bit`` (static lasers, retimers and SerDes clocking plus the
energy each carried bit adds), with the per-technology figures in
``archmodels/data/link_technologies.toml``. :func:`network_power` counts a whole network's links from
its topology (:mod:`archmodels.topology`) and the traffic they carry; the breakeven functions give
the load at which two technologies (copper against optics, say) draw the same power.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from archmodels.errors import InputError
from archmodels.quantities import read_cited_table
from archmodels.references import table_entry
from archmodels.topology import topology_metrics

_DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class LinkTechnology:
    """One link technology, per link (both ends) at its line rate.

    Attributes
    ----------
    name : str
        ``electrical``, ``electrical-retimed``, ``pluggable-optics`` or ``co-packaged-optics``.
    title : str
        What a link is.
    line_rate_bytes_per_s : float
        Bandwidth of one link, one direction [B/s].
    reach_m : float
        Longest link this technology spans [m].
    energy_per_bit_j : float
        Energy each carried bit adds [J].
    static_power_w : float
        Power paid whether or not bits move (lasers, retimers, DSP, SerDes clocking) [W].
    cost_jpy : float
        Price of one link, both ends [JPY].
    sources : tuple of (str, str)
        (field, source title).
    """

    name: str
    title: str
    line_rate_bytes_per_s: float
    reach_m: float
    energy_per_bit_j: float
    static_power_w: float
    cost_jpy: float
    sources: tuple[tuple[str, str], ...]

    @property
    def energy_per_bit_at_line_rate_j(self) -> float:
        """Energy per carried bit with both directions at line rate [J]: e + P_static / (2·8·R)."""
        return self.energy_per_bit_j + self.static_power_w / (16.0 * self.line_rate_bytes_per_s)


_LINK_FIELDS = {
    "line_rate": ("line_rate_bytes_per_s", "bytes_per_s"),
    "energy_per_bit": ("energy_per_bit_j", "energy_j"),
    "static_power": ("static_power_w", "power_w"),
    "cost": ("cost_jpy", "jpy"),
}


@lru_cache(maxsize=1)
def _link_table() -> dict[str, LinkTechnology]:
    return {name: LinkTechnology(name=name, title=entry["title"], reach_m=float(entry["reach_m"]), sources=cited,
                                 **values)
            for name, entry, values, cited in read_cited_table(_DATA / "link_technologies.toml", _LINK_FIELDS)}


def link_technologies() -> tuple[str, ...]:
    """Names of the link technologies in ``archmodels/data/link_technologies.toml``."""
    return tuple(_link_table())


def link_technology(name: str) -> LinkTechnology:
    """The link technology ``name`` (``electrical``, ``pluggable-optics``, ``co-packaged-optics``...)."""
    return table_entry(_link_table(), name, what="link technology", location="network.technology")


def link_power_w(static_power_w, energy_per_bit_j, carried_bytes_per_s):
    """Power of links carrying traffic [W]: P = P_static + 8·T·e_bit.

    Parameters
    ----------
    static_power_w : numeric
        Static power of the links [W] (one link's, or the sum over links).
    energy_per_bit_j : numeric
        Energy each carried bit adds [J].
    carried_bytes_per_s : numeric
        Bytes per second the links carry [B/s].

    Returns
    -------
    numeric
        Power [W]. The static term is why an idle optical network still burns power: lasers and
        retimers are on whether or not bits move.
    """
    return static_power_w + 8.0 * carried_bytes_per_s * energy_per_bit_j


def breakeven_utilisation(static_a_w: float, energy_per_bit_a_j: float, static_b_w: float,
                          energy_per_bit_b_j: float, line_rate_bytes_per_s: float) -> float:
    """Link utilisation at which technologies A and B draw the same power [-].

    Solves P_a(u) = P_b(u) for a full-duplex link carrying u·R each way,
    P(u) = P_static + 8·(2·u·R)·e_bit:  u* = (P_b − P_a) / (16·R·(e_a − e_b)).

    Returns
    -------
    float
        u* in [0, 1] when the curves cross within the link's range; ``math.inf`` when they never
        cross in [0, 1] (one technology is cheaper at every load, or the two are identical).
        Below u* the technology with the lower static power wins; above it, the one with the lower
        energy per bit.
    """
    d_energy = 16.0 * line_rate_bytes_per_s * (energy_per_bit_a_j - energy_per_bit_b_j)
    d_static = static_b_w - static_a_w
    if d_energy == 0.0:
        return math.inf
    u = d_static / d_energy
    return u if 0.0 <= u <= 1.0 else math.inf


def technology_breakeven_utilisation(a: str, b: str) -> float:
    """:func:`breakeven_utilisation` of two named link technologies (same line rate required)."""
    ta, tb = link_technology(a), link_technology(b)
    if ta.line_rate_bytes_per_s != tb.line_rate_bytes_per_s:
        raise InputError(f"{a} and {b} have different line rates; compare links of the same rate",
                         location="network.technology")
    return breakeven_utilisation(ta.static_power_w, ta.energy_per_bit_j, tb.static_power_w, tb.energy_per_bit_j,
                                 ta.line_rate_bytes_per_s)


@dataclass(frozen=True)
class NetworkPower:
    """Power of a whole network at one load.

    Attributes
    ----------
    links : float
        Physical links of the technology's line rate [-].
    static_power_w, dynamic_power_w, power_w : float
        Static, traffic-proportional and total link power [W].
    link_utilisation : float
        Carried over offered link bandwidth [-].
    """

    links: float
    static_power_w: float
    dynamic_power_w: float
    power_w: float
    link_utilisation: float


def network_power(topology: str, nodes: int, injection_bandwidth_bytes_per_s: float, technology: str,
                  injection_utilisation: float, *, dimensions: int | None = None,
                  terminal_technology: str | None = None) -> NetworkPower:
    """Link power of a network of ``nodes`` injecting at a fraction of their bandwidth [W].

    Physical links: each node's link capacity is links_per_node · (link/injection) · B_inj, cut
    into full-duplex links of the technology's line rate. Carried traffic: every injected byte
    crosses the average hop count, so wires carry u·N·B_inj·h̄ [B/s] over 2·capacity of
    directional bandwidth. Power = Σ static + 8·traffic·e_bit (:func:`link_power_w`). Switch
    cores and NICs are not included.

    Parameters
    ----------
    topology : str
        See :func:`topology_metrics`.
    nodes : int
        Nodes [-].
    injection_bandwidth_bytes_per_s : float
        Per-node injection bandwidth [B/s].
    technology : str
        Link technology of the network's links (``link_technologies.toml``).
    injection_utilisation : float
        Mean injected traffic over injection bandwidth, in [0, 1] [-].
    dimensions : int, optional
        Torus dimensions.
    terminal_technology : str, optional
        Technology of the node-to-switch links of indirect networks (short, in-rack copper, say);
        default ``technology``.

    Returns
    -------
    NetworkPower
    """
    if not 0.0 <= injection_utilisation <= 1.0:
        raise InputError(f"injection utilisation must be in [0, 1], got {injection_utilisation!r}",
                         location="injection_utilisation")
    if not injection_bandwidth_bytes_per_s > 0:
        raise InputError("injection bandwidth must be > 0", location="network.injection_bandwidth")
    metrics = topology_metrics(topology, nodes, dimensions=dimensions)
    main = link_technology(technology)
    terminal = link_technology(terminal_technology or technology)
    per_node = metrics.links_per_node * metrics.link_to_injection * injection_bandwidth_bytes_per_s
    terminal_capacity = 0.0 if metrics.topology == "torus" else injection_bandwidth_bytes_per_s
    terminal_capacity = min(terminal_capacity, per_node)
    capacity = {terminal: terminal_capacity * metrics.nodes, main: (per_node - terminal_capacity) * metrics.nodes}
    carried = injection_utilisation * metrics.nodes * injection_bandwidth_bytes_per_s * metrics.average_hops
    total_capacity = per_node * metrics.nodes
    utilisation = carried / (2.0 * total_capacity) if total_capacity > 0 else 0.0
    links = static = dynamic = 0.0
    for tech, cap in ((terminal, capacity[terminal]), (main, capacity[main])) if terminal is not main else (
            (main, total_capacity),):
        n_links = cap / tech.line_rate_bytes_per_s
        links += n_links
        static += n_links * tech.static_power_w
        dynamic += link_power_w(0.0, tech.energy_per_bit_j, 2.0 * utilisation * cap)
    return NetworkPower(links, static, dynamic, static + dynamic, utilisation)


def network_breakeven_utilisation(topology: str, nodes: int, injection_bandwidth_bytes_per_s: float, a: str, b: str,
                                  *, dimensions: int | None = None, terminal_technology: str | None = None) -> float:
    """Injection utilisation at which whole networks built with link technologies A and B draw
    the same power [-] (:func:`network_power` is linear in load: u* = (S_b − S_a)/(D_a − D_b), with
    S the static power and D the dynamic power at full injection).

    Returns
    -------
    float
        u* in [0, 1], or ``math.inf`` when one technology draws less at every load in [0, 1].
    """
    kw = dict(dimensions=dimensions, terminal_technology=terminal_technology)
    pa = network_power(topology, nodes, injection_bandwidth_bytes_per_s, a, 1.0, **kw)
    pb = network_power(topology, nodes, injection_bandwidth_bytes_per_s, b, 1.0, **kw)
    d_dynamic = pa.dynamic_power_w - pb.dynamic_power_w
    if d_dynamic == 0.0:
        return math.inf
    u = (pb.static_power_w - pa.static_power_w) / d_dynamic
    return u if 0.0 <= u <= 1.0 else math.inf
