"""Network topologies: diameter, average hops, bisection and links per node as functions of size.

Four families, each a pure function of the node count and a few parameters:

* ``fat-tree``: a folded Clos of radix-``R`` switches (Leiserson, "Fat-trees: universal networks for
  hardware-efficient supercomputing", IEEE Trans. Computers C-34(10), 1985,
  https://doi.org/10.1109/TC.1985.6312192), optionally tapered above the leaves.
* ``dragonfly``: groups of ``a`` routers with ``p`` terminals and ``h`` global links each (Kim, Dally,
  Scott, Abts, "Technology-driven, highly-scalable dragonfly topology", ISCA 2008,
  https://doi.org/10.1109/ISCA.2008.19); balanced when a = 2p = 2h.
* ``torus``: a k-ary n-cube with wrap-around links; 6-D tori are laid out as Tofu, an X×Y×Z torus
  of 2×3×2 (A, B, C) units (Ajima, Sumimoto, Shimizu, "Tofu: a 6D mesh/torus interconnect for exascale
  computers", IEEE Computer 42(11), 2009, https://doi.org/10.1109/MC.2009.370).
* ``optical``: a folded Clos of high-radix optical circuit switches (radix default from Google's
  Apollo OCS, 136 ports: Poutievski et al., "Jupiter evolving: transforming Google's datacenter
  network via optical circuit switches and software-defined networking", SIGCOMM 2022), so large
  systems need fewer levels, hops and transceivers.

Conventions. A *hop* is one link traversed between the source and destination network interfaces:
for indirect networks (fat-tree, dragonfly, optical) the two terminal links count; for the torus the
router sits in the node, so only router-to-router links count. The *bisection fraction* is the
bandwidth across the worst balanced cut, per direction, divided by what the nodes on one side can
inject, ``f = B_bisect / (N/2 · B_inj)``, capped at 1 (1 = full bisection).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from archmodels.errors import InputError


TOPOLOGIES = ("fat-tree", "dragonfly", "torus", "optical")
"""Topology names the functions here accept (``optical-high-radix``, the spec name, is an alias of ``optical``)."""

_ALIASES = {"fat-tree": "fat-tree", "fattree": "fat-tree", "clos": "fat-tree", "dragonfly": "dragonfly",
            "torus": "torus", "mesh-torus": "torus", "tofu": "torus", "optical": "optical",
            "high-radix-optical": "optical", "optical-high-radix": "optical"}

FAT_TREE_RADIX = 64
"""Default electrical switch radix: NVIDIA Quantum-2 InfiniBand switch, 64 ports of 400 Gb/s
(https://www.nvidia.com/en-us/networking/quantum2/)."""

OPTICAL_RADIX = 136
"""Default optical circuit switch radix: Google Apollo OCS, 136 ports (Poutievski et al., SIGCOMM 2022)."""

TOFU_UNIT_SHAPE = (2, 3, 2)
"""Tofu A×B×C unit of 12 nodes (Ajima et al. 2009; Fugaku is 24×23×24 × 2×3×2 = 158,976 nodes)."""

TOFU_LINK_TO_INJECTION = 1.0 / 6.0
"""Tofu-D: one link carries 6.8 GB/s and six TNIs inject 6 × 6.8 GB/s (Ajima et al., "The Tofu
Interconnect D", IEEE Cluster 2018)."""


@dataclass(frozen=True)
class TopologyMetrics:
    """Size-dependent properties of one network instance.

    Attributes
    ----------
    topology : str
        Canonical topology name.
    nodes : int
        Nodes (network endpoints).
    diameter_hops : int
        Longest shortest path [links].
    average_hops : float
        Mean shortest path between distinct nodes under uniform traffic [links].
    bisection_links : float
        Links crossing the worst balanced cut (counted once per direction).
    bisection_fraction : float
        Bisection bandwidth over what half the nodes inject, capped at 1 [-].
    links_per_node : float
        Cables per node, terminal links included [-]; each link has two transceivers.
    switches : int
        Switches (0 for the direct torus, whose routers sit in the nodes).
    link_to_injection : float
        One link's bandwidth over a node's injection bandwidth [-] (1 for indirect networks,
        whose every level carries the nodes' full injection rate).
    """

    topology: str
    nodes: int
    diameter_hops: int
    average_hops: float
    bisection_links: float
    bisection_fraction: float
    links_per_node: float
    switches: int
    link_to_injection: float = 1.0


def canonical_topology(name: str) -> str:
    """Canonical topology name for ``name`` (case-insensitive, aliases accepted)."""
    key = str(name).strip().lower().replace("_", "-")
    try:
        return _ALIASES[key]
    except KeyError:
        raise InputError(f"unknown network topology {name!r}; expected one of {', '.join(TOPOLOGIES)}",
                         location="network.topology") from None


def _check_nodes(nodes: int) -> int:
    if int(nodes) != nodes or nodes < 1:
        raise InputError(f"nodes must be a positive integer, got {nodes!r}", location="nodes")
    return int(nodes)


def fat_tree(nodes: int, *, radix: int = FAT_TREE_RADIX, taper: float = 1.0,
             topology: str = "fat-tree") -> TopologyMetrics:
    """Folded-Clos fat tree with the fewest levels of radix-``radix`` switches that holds ``nodes``.

    With L levels a folded Clos connects at most R·(R/2)^(L−1) nodes (Leiserson 1985; Al-Fares et al.,
    "A scalable, commodity data center network architecture", SIGCOMM 2008). Two nodes whose lowest
    common switch is at level ℓ are 2ℓ links apart, so the diameter is 2L and the average hop count
    weighs 2ℓ by the nodes first reached at level ℓ. ``taper`` ≤ 1 is the ratio of up- to down-links
    above the leaves (1 = full bisection); it is also the bisection fraction when L ≥ 2.

    Parameters
    ----------
    nodes : int
        Endpoints [-].
    radix : int
        Ports per switch [-], even, ≥ 4.
    taper : float
        Up/down link ratio above the leaf switches, in (0, 1] [-].
    topology : str
        Name recorded in the result (``fat-tree`` or ``optical``).

    Returns
    -------
    TopologyMetrics
    """
    n = _check_nodes(nodes)
    if int(radix) != radix or radix < 4 or radix % 2:
        raise InputError(f"switch radix must be an even integer >= 4, got {radix!r}", location="radix")
    if not 0.0 < taper <= 1.0:
        raise InputError(f"taper must be in (0, 1], got {taper!r}", location="taper")
    half = radix // 2
    levels = 1
    while radix * half ** (levels - 1) < n:
        levels += 1
    if n == 1:
        return TopologyMetrics(topology, 1, 0, 0.0, 0.0, 1.0, 1.0, 1)
    # nodes reachable below a level-ℓ switch; the top level reaches everyone
    below = [1] + [min(n, half**lvl) for lvl in range(1, levels)] + [n]
    if levels == 1:
        below = [1, n]
    total = sum((below[lvl] - below[lvl - 1]) * 2 * lvl for lvl in range(1, len(below)))
    average = total / (n - 1)
    diameter = 2 * (len(below) - 1) if n > 1 else 0
    if levels == 1:
        bis_fraction = 1.0
        up_links = 0.0
        switches = 1
    else:
        bis_fraction = float(taper)
        # every level above the leaves carries taper × the node count in links
        up_links = taper * n * (levels - 1)
        leaf = math.ceil(n / half)
        switches = leaf + sum(math.ceil(taper * n / half) for _ in range(levels - 2)) + math.ceil(taper * n / radix)
    return TopologyMetrics(topology, n, diameter, average, bis_fraction * n / 2, bis_fraction,
                           1.0 + up_links / n, switches)


def optical(nodes: int, *, radix: int = OPTICAL_RADIX, taper: float = 1.0) -> TopologyMetrics:
    """High-radix optical fat tree: :func:`fat_tree` built from optical circuit switches.

    The higher radix (default 136, Apollo OCS, Poutievski et al. SIGCOMM 2022) means fewer levels,
    so fewer hops and fewer links (transceivers) per node than an electrical fat tree of radix 64.
    """
    return fat_tree(nodes, radix=radix, taper=taper, topology="optical")


def dragonfly_shape(nodes: int) -> tuple[int, int, int, int]:
    """Smallest balanced dragonfly (a = 2p = 2h, Kim et al. 2008) holding ``nodes``.

    Returns
    -------
    (p, a, h, g)
        Terminals per router, routers per group, global links per router, groups used.
        A balanced dragonfly holds at most a·p·(a·h + 1) nodes.
    """
    n = _check_nodes(nodes)
    p = 1
    while 2 * p * p * (2 * p * p + 1) < n:
        p += 1
    a, h = 2 * p, p
    g = max(1, math.ceil(n / (a * p)))
    return p, a, h, g


def dragonfly(nodes: int, *, terminals_per_router: int | None = None, routers_per_group: int | None = None,
              global_links_per_router: int | None = None) -> TopologyMetrics:
    """Dragonfly with minimal routing (Kim, Dally, Scott, Abts, ISCA 2008).

    Terminal → (local) → global → (local) → terminal: diameter 5 links (3 router-to-router).
    Groups are joined all-to-all by a·h/(g−1) global links per pair, so a balanced cut of g groups
    crosses ⌊g/2⌋·⌈g/2⌉·a·h/(g−1) links, about half the terminal bandwidth of one side for the
    balanced a = 2p = 2h (bisection fraction ≈ 0.5, Kim et al. §3).

    Parameters
    ----------
    nodes : int
        Endpoints [-].
    terminals_per_router, routers_per_group, global_links_per_router : int, optional
        p, a, h; default the smallest balanced dragonfly that holds ``nodes``.

    Returns
    -------
    TopologyMetrics
    """
    n = _check_nodes(nodes)
    given = (terminals_per_router, routers_per_group, global_links_per_router)
    if all(v is None for v in given):
        p, a, h, g = dragonfly_shape(n)
    elif any(v is None for v in given):
        raise InputError("give all of terminals_per_router, routers_per_group, global_links_per_router or none",
                         location="dragonfly")
    else:
        p, a, h = (int(v) for v in given)
        if min(p, a, h) < 1:
            raise InputError(f"dragonfly p, a, h must be >= 1, got {given}", location="dragonfly")
        g = max(1, math.ceil(n / (a * p)))
        if g > a * h + 1:
            raise InputError(f"{n} nodes need {g} groups but a*h+1 = {a * h + 1} is the most a dragonfly "
                             f"with a={a}, h={h} can join", location="dragonfly")
    if n == 1:
        return TopologyMetrics("dragonfly", 1, 0, 0.0, 0.0, 1.0, 1.0, 1)
    per_group = a * p
    routers = math.ceil(n / p)
    # average hops: same router 2, same group 3, other group 2 + 1 + 2·(a−1)/a (local hop on each end
    # unless the global link sits on the end router)
    same_router = min(p, n) - 1
    same_group = min(per_group, n) - 1 - same_router
    other = n - 1 - same_router - same_group
    remote = 3.0 + 2.0 * (a - 1) / a
    average = (2.0 * same_router + 3.0 * same_group + remote * other) / (n - 1)
    diameter = 2 if routers == 1 else (3 if g == 1 else 5)
    if g == 1:
        half_r = routers // 2
        crossing = float(half_r * (routers - half_r))  # all-to-all local links inside the group
    else:
        crossing = (g // 2) * (g - g // 2) * (a * h) / (g - 1)
    fraction = min(1.0, crossing / (n / 2))
    local = routers * (a - 1) / 2 if g > 1 else routers * (routers - 1) / 2
    global_links = g * a * h / 2 if g > 1 else 0.0
    return TopologyMetrics("dragonfly", n, diameter, average, crossing, fraction,
                           1.0 + (local + global_links) / n, routers)


def torus_shape(nodes: int, dimensions: int) -> tuple[int, ...]:
    """A near-balanced torus shape with product ≥ ``nodes``; 6-D is Tofu's X×Y×Z × 2×3×2.

    For 6-D the X, Y, Z sides come from the 3-D shape holding ⌈nodes / 12⌉ Tofu units (Ajima 2009).
    """
    n = _check_nodes(nodes)
    d = int(dimensions)
    if d < 1 or d != dimensions:
        raise InputError(f"torus dimensions must be a positive integer, got {dimensions!r}",
                         location="network.dimensions")
    if d == 6:
        return torus_shape(math.ceil(n / 12), 3) + TOFU_UNIT_SHAPE
    sides = []
    remaining = n
    for left in range(d, 0, -1):
        side = max(1, math.ceil(remaining ** (1.0 / left) - 1e-9))
        sides.append(side)
        remaining = math.ceil(remaining / side)
    return tuple(sorted(sides, reverse=True))


def _ring_average(k: int) -> float:
    """Mean wrap-around distance from one node to all k nodes of a ring (itself included)."""
    return (k * k / 4.0 if k % 2 == 0 else (k * k - 1) / 4.0) / k


def torus(nodes: int, *, dimensions: int = 3, shape: tuple[int, ...] | None = None,
          link_to_injection: float | None = None) -> TopologyMetrics:
    """k-ary n-cube with wrap-around links (Dally, "Performance analysis of k-ary n-cube
    interconnection networks", IEEE Trans. Computers 39(6), 1990).

    Diameter Σ⌊kᵢ/2⌋; average distance Σ kᵢ/4 (even kᵢ) or (kᵢ²−1)/(4kᵢ) (odd), rescaled to
    distinct pairs; a cut across the longest side k_max crosses 2·N/k_max links (N/k_max when
    k_max ≤ 2, no wrap-around). Bisection fraction f = links·b / (N/2 · B_inj) with b/B_inj
    = ``link_to_injection`` (default 1/(2d): injection drives every link; Tofu-D: 1/6).

    Parameters
    ----------
    nodes : int
        Endpoints [-]; with ``shape`` given, it must not exceed the product of the sides.
    dimensions : int
        Torus dimensions d (6 = Tofu layout).
    shape : tuple of int, optional
        Sides kᵢ; default :func:`torus_shape`.
    link_to_injection : float, optional
        One link's bandwidth over a node's injection bandwidth [-].

    Returns
    -------
    TopologyMetrics
    """
    n = _check_nodes(nodes)
    sides = tuple(int(k) for k in shape) if shape is not None else torus_shape(n, dimensions)
    if any(k < 1 for k in sides) or math.prod(sides) < n:
        raise InputError(f"torus shape {sides} holds {math.prod(sides)} nodes, fewer than {n}",
                         location="network.shape")
    d = len(sides)
    ratio = link_to_injection
    if ratio is None:
        ratio = TOFU_LINK_TO_INJECTION if (d == 6 and sides[3:] == TOFU_UNIT_SHAPE) else 1.0 / (2 * d)
    full = math.prod(sides)
    if n == 1:
        return TopologyMetrics("torus", 1, 0, 0.0, 0.0, 1.0, 0.0, 0, ratio)
    diameter = sum(k // 2 for k in sides)
    average = sum(_ring_average(k) for k in sides) * full / (full - 1)
    k_max = max(sides)
    crossing = (2.0 if k_max > 2 else 1.0) * full / k_max
    fraction = min(1.0, crossing * ratio / (full / 2))
    links = sum(full if k > 2 else (full / 2 if k == 2 else 0.0) for k in sides)
    return TopologyMetrics("torus", n, diameter, average, crossing, fraction, links / full, 0, ratio)


def topology_metrics(topology: str, nodes: int, *, dimensions: int | None = None) -> TopologyMetrics:
    """Metrics of ``topology`` at ``nodes`` with default parameters (see the module docstring).

    ``dimensions`` is used by the torus only (default 3).
    """
    name = canonical_topology(topology)
    if name == "fat-tree":
        return fat_tree(nodes)
    if name == "optical":
        return optical(nodes)
    if name == "dragonfly":
        return dragonfly(nodes)
    return torus(nodes, dimensions=3 if dimensions is None else dimensions)


@lru_cache(maxsize=4096)
def bisection_fraction(topology: str, nodes: int, *, dimensions: int | None = None) -> float:
    """Bisection bandwidth over half the nodes' injection bandwidth, in (0, 1] [-].

    1 for a full fat tree or optical Clos (Leiserson 1985), ≈ 0.5 for a balanced dragonfly (Kim et
    al. 2008), 4·b/(k_max·B_inj) for a torus (Dally 1990). See :func:`topology_metrics`.
    """
    return topology_metrics(topology, nodes, dimensions=dimensions).bisection_fraction
