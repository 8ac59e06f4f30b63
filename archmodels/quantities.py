"""Quantity strings with units ("1024 GB/s", "32 GiB", "3.3792 TFLOP/s", "0.49 us") to SI floats.

Parsed once at the spec boundary; models only ever see SI floats. The grammar is deliberately small:
``<number> <unit>`` where a unit is a product/quotient of prefixed base units
(``GB/s``, ``TFLOP/s``, ``GFLOPS/W``, ``g/kWh``, ``JPY/kWh``). Decimal prefixes (k M G T P E) are powers
of 1000, binary prefixes (Ki Mi Gi Ti Pi) powers of 1024: GB = 1e9 bytes, GiB = 2**30 bytes.
Bits (``b``, ``bit``) are 1/8 byte, so ``400 Gb/s`` is 50e9 B/s.

Dimensions are vectors over (data [B], flop [FLOP], time [s], energy [J], currency [JPY],
mass [g]); a watt is J/s. Each expected kind names its dimension, and a quantity of the wrong dimension
("1024 GB" for a bandwidth) is refused with a message that says what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

GB = 1e9
"""Bytes in a GB [B] (decimal, as prices and bandwidths are quoted)."""
GIB = 2.0**30
"""Bytes in a GiB [B] (binary)."""

# dimension vector order: data, flop, time, energy, currency, mass
_DIMS = ("B", "FLOP", "s", "J", "JPY", "g")

_BASE: dict[str, tuple[float, tuple[int, ...]]] = {
    "B": (1.0, (1, 0, 0, 0, 0, 0)),
    "byte": (1.0, (1, 0, 0, 0, 0, 0)),
    "bytes": (1.0, (1, 0, 0, 0, 0, 0)),
    "b": (0.125, (1, 0, 0, 0, 0, 0)),
    "bit": (0.125, (1, 0, 0, 0, 0, 0)),
    "FLOP": (1.0, (0, 1, 0, 0, 0, 0)),
    "FLOPS": (1.0, (0, 1, -1, 0, 0, 0)),
    "s": (1.0, (0, 0, 1, 0, 0, 0)),
    "min": (60.0, (0, 0, 1, 0, 0, 0)),
    "h": (3600.0, (0, 0, 1, 0, 0, 0)),
    "day": (86400.0, (0, 0, 1, 0, 0, 0)),
    "year": (365.25 * 86400.0, (0, 0, 1, 0, 0, 0)),
    "Hz": (1.0, (0, 0, -1, 0, 0, 0)),
    "J": (1.0, (0, 0, 0, 1, 0, 0)),
    "Wh": (3600.0, (0, 0, 0, 1, 0, 0)),
    "W": (1.0, (0, 0, -1, 1, 0, 0)),
    "JPY": (1.0, (0, 0, 0, 0, 1, 0)),
    "yen": (1.0, (0, 0, 0, 0, 1, 0)),
    "g": (1.0, (0, 0, 0, 0, 0, 1)),
    "t": (1e6, (0, 0, 0, 0, 0, 1)),
    "gCO2e": (1.0, (0, 0, 0, 0, 0, 1)),
    "tCO2e": (1e6, (0, 0, 0, 0, 0, 1)),
    "m2": (1.0, (0, 0, 0, 0, 0, 0)),  # areas are kept as plain numbers in mm2 / m2 by name
    "mm2": (1e-6, (0, 0, 0, 0, 0, 0)),
    "percent": (0.01, (0, 0, 0, 0, 0, 0)),
    "%": (0.01, (0, 0, 0, 0, 0, 0)),
}
_PREFIX = {
    "": 1.0, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18, "Z": 1e21,
    "Ki": 2.0**10, "Mi": 2.0**20, "Gi": 2.0**30, "Ti": 2.0**40, "Pi": 2.0**50,
    "m": 1e-3, "u": 1e-6, "µ": 1e-6, "μ": 1e-6, "n": 1e-9, "p": 1e-12, "f": 1e-15,
}
# prefixes that would be ambiguous with a unit name are checked longest-first
_PREFIX_ORDER = sorted(_PREFIX, key=len, reverse=True)

#: Expected kinds: name -> (dimension vector, human description).
KINDS: dict[str, tuple[tuple[int, ...], str]] = {
    "bytes": ((1, 0, 0, 0, 0, 0), "a size in bytes, e.g. '32 GiB'"),
    "bytes_per_s": ((1, 0, -1, 0, 0, 0), "a bandwidth, e.g. '1024 GB/s'"),
    "flop": ((0, 1, 0, 0, 0, 0), "a FLOP count, e.g. '1 TFLOP'"),
    "flop_per_s": ((0, 1, -1, 0, 0, 0), "a FLOP rate, e.g. '3.38 TFLOP/s'"),
    "time_s": ((0, 0, 1, 0, 0, 0), "a time, e.g. '0.49 us'"),
    "frequency_hz": ((0, 0, -1, 0, 0, 0), "a frequency, e.g. '2.2 GHz'"),
    "energy_j": ((0, 0, 0, 1, 0, 0), "an energy, e.g. '3.97 pJ'"),
    "power_w": ((0, 0, -1, 1, 0, 0), "a power, e.g. '188 W'"),
    "jpy": ((0, 0, 0, 0, 1, 0), "an amount of money in JPY, e.g. '110e9 JPY'"),
    "grams": ((0, 0, 0, 0, 0, 1), "a mass of CO2e, e.g. '12 tCO2e'"),
    "flop_per_j": ((0, 1, 0, -1, 0, 0), "an energy efficiency, e.g. '39.38 GFLOPS/W'"),
    "jpy_per_j": ((0, 0, 0, -1, 1, 0), "a price of energy, e.g. '25 JPY/kWh'"),
    "grams_per_j": ((0, 0, 0, -1, 0, 1), "a carbon intensity, e.g. '450 g/kWh'"),
    "dimensionless": ((0, 0, 0, 0, 0, 0), "a plain number"),
}

_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_QUANTITY_RE = re.compile(rf"^\s*({_NUMBER})\s*(.*?)\s*$")
_TOKEN_RE = re.compile(r"([*/·])?\s*([A-Za-zµμ%][A-Za-z0-9µμ%]*?)(?:\^?(-?\d+))?\s*(?=[*/·]|$)")


class QuantityError(ValueError):
    """A quantity string that cannot be parsed or has the wrong dimension."""


@lru_cache(maxsize=512)
def _unit(symbol: str) -> tuple[float, tuple[int, ...]]:
    if symbol in _BASE:
        return _BASE[symbol]
    for prefix in _PREFIX_ORDER:
        if prefix and symbol.startswith(prefix) and symbol[len(prefix):] in _BASE:
            scale, dim = _BASE[symbol[len(prefix):]]
            return _PREFIX[prefix] * scale, dim
    raise QuantityError(f"unknown unit {symbol!r}")


@lru_cache(maxsize=4096)
def parse(text: str) -> tuple[float, tuple[int, ...]]:
    """Parse ``"<number> <unit>"`` into (SI value, dimension vector).

    Raises
    ------
    QuantityError
        When the text is not a number followed by a known unit.
    """
    match = _QUANTITY_RE.match(text)
    if not match:
        raise QuantityError(f"{text!r} is not a number followed by a unit")
    value = float(match.group(1))
    units = match.group(2)
    dim = [0] * len(_DIMS)
    pos = 0
    while pos < len(units):
        tok = _TOKEN_RE.match(units, pos)
        if not tok or tok.end() == pos:
            raise QuantityError(f"cannot read the unit {units!r} in {text!r}")
        op, symbol, exponent = tok.groups()
        if op is None and pos > 0:
            raise QuantityError(f"cannot read the unit {units!r} in {text!r}")
        scale, udim = _unit(symbol)
        power = int(exponent) if exponent else 1
        sign = -1 if op == "/" else 1
        value *= scale ** (sign * power)
        for i, d in enumerate(udim):
            dim[i] += sign * power * d
        pos = tok.end()
    return value, tuple(dim)


def _describe(dim: tuple[int, ...]) -> str:
    if not any(dim):
        return "a plain number"
    for name, (kdim, desc) in KINDS.items():
        if kdim == dim:
            return desc.split(",")[0]
    parts = [f"{u}^{d}" if d != 1 else u for u, d in zip(_DIMS, dim) if d]
    return " ".join(parts)


def parse_quantity(text: str | float | int, kind: str) -> float:
    """Convert a quantity string to an SI float of the expected kind.

    Parameters
    ----------
    text : str or number
        ``"1024 GB/s"``; a bare number is accepted only for ``kind="dimensionless"``.
    kind : str
        One of :data:`KINDS` (``"bytes_per_s"``, ``"power_w"``...).

    Returns
    -------
    float
        The value in SI units of that kind (B, B/s, FLOP/s, s, Hz, J, W, JPY, g...).

    Raises
    ------
    QuantityError
        Unparseable text, an unknown unit, or a dimension other than the kind's.
    """
    want, desc = KINDS[kind]
    if isinstance(text, bool):
        raise QuantityError(f"expected {desc}, got {text!r}")
    if isinstance(text, (int, float)):
        if kind == "dimensionless":
            return float(text)
        raise QuantityError(f"expected {desc} as a string with a unit, got the bare number {text!r}")
    value, dim = parse(text)
    if dim != want:
        raise QuantityError(f"expected {desc}, got {text!r}, which is {_describe(dim)}")
    return value


def read_quantity(text: str | float | int, kind: str, *, location: str, file: str | None = None) -> float:
    """:func:`parse_quantity` of user input: a bad quantity is a :class:`~archmodels.errors.SpecError`.

    The one wrapper from a quantity error to the error the CLI prints on one line and exits 2 on,
    naming where the text came from: ``file`` and ``location`` (a field path such as
    ``technologies.hbm3.energy_per_bit``, or a command-line option such as ``--power-cap``).
    """
    from archmodels.errors import SpecError

    try:
        return parse_quantity(text, kind)
    except QuantityError as err:
        raise SpecError(file, [(location, str(err))]) from None


def read_cited_quantities(entry: dict, fields: dict, sources: dict, *, location: str,
                          file: str | None = None) -> tuple[dict, tuple]:
    """The quantities of one table entry and what cites each: ``({attribute: SI value}, ((key, source
    title), ...))``.

    ``fields`` maps a key of ``entry`` (``{value = "3.9 pJ", source = "id"}``) to ``(attribute, kind)``;
    ``sources`` is the table's ``[sources]``. A bad quantity or a source id not in ``sources`` is a
    :class:`~archmodels.errors.SpecError` naming ``file`` and ``location.key``.
    """
    from archmodels.errors import SpecError

    values, cited = {}, []
    for key, (attribute, kind) in fields.items():
        item, where = entry[key], f"{location}.{key}"
        values[attribute] = read_quantity(item["value"], kind, location=where, file=file)
        if item["source"] not in sources:
            raise SpecError(file, [(where, f"source {item['source']!r} is not in [sources]")])
        cited.append((key, sources[item["source"]]["title"]))
    return values, tuple(cited)


def read_cited_table(path: Path, fields: dict) -> Iterator[tuple[str, dict, dict, tuple]]:
    """The rows of a TOML table of cited quantities (``[technologies.<name>]`` rows citing its
    ``[sources]``, as ``archmodels/data/link_technologies.toml``): ``(name, entry, values, cited)`` for
    each, with ``values, cited`` from :func:`read_cited_quantities` and errors naming ``path``."""
    import tomllib

    raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    sources = raw.get("sources", {})
    for name, entry in raw["technologies"].items():
        values, cited = read_cited_quantities(entry, fields, sources, location=f"technologies.{name}",
                                              file=str(path))
        yield name, entry, values, cited


def format_quantity(value: float, kind: str) -> str:
    """Format an SI value with a readable decimal prefix (``3.35e12, "bytes_per_s"`` → ``"3.35 TB/s"``)."""
    unit = {"bytes": "B", "bytes_per_s": "B/s", "flop_per_s": "FLOP/s", "time_s": "s",
            "frequency_hz": "Hz", "energy_j": "J", "power_w": "W", "flop": "FLOP",
            "jpy": "JPY", "grams": "g", "flop_per_j": "FLOP/J"}.get(kind, "")
    if value == 0 or not unit:
        return f"{value:g} {unit}".strip()
    mag = abs(value)
    for prefix, scale in (("E", 1e18), ("P", 1e15), ("T", 1e12), ("G", 1e9), ("M", 1e6),
                          ("k", 1e3), ("", 1.0), ("m", 1e-3), ("u", 1e-6), ("n", 1e-9), ("p", 1e-12)):
        if mag >= scale:
            return f"{value / scale:.4g} {prefix}{unit}"
    return f"{value:.4g} {unit}"
