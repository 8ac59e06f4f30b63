"""Reading Ising/QUBO problems from files for ``fsw anneal``.

Three formats, chosen by the file suffix:

* ``.toml`` / ``.json``: ``vartype = "SPIN"`` or ``"BINARY"``, optional ``offset``, a ``linear``
  table ``{label = bias}`` and ``quadratic``, a list of ``[label_u, label_v, bias]``. Labels are
  strings (integers are turned into strings, so ``0`` and ``"0"`` name the same variable).
* ``.coo`` / ``.txt``: dimod's COO text, one ``i j bias`` per line (``i == j`` is a linear bias),
  with a ``# vartype=SPIN`` (or ``BINARY``) header line; without it SPIN is assumed.

Example (TOML)::

    vartype = "SPIN"
    offset = 0.0
    [linear]
    a = 0.5
    quadratic = [["a", "b", -1.0], ["b", "c", 1.0]]
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from archmodels.errors import InputError


def _bqm_from_mapping(data: dict, file: str):
    import dimod

    allowed = {"vartype", "offset", "linear", "quadratic"}
    extra = set(data) - allowed
    if extra:
        raise InputError(f"unknown key(s) {sorted(extra)}; expected {sorted(allowed)}", file=file)
    vartype = str(data.get("vartype", "SPIN")).upper()
    if vartype not in ("SPIN", "BINARY"):
        raise InputError(f"expected 'SPIN' or 'BINARY', got {vartype!r}", file=file, location="vartype")
    linear = data.get("linear", {})
    if not isinstance(linear, dict):
        raise InputError("expected a table {label = bias}", file=file, location="linear")
    quadratic = data.get("quadratic", [])
    if not isinstance(quadratic, list):
        raise InputError("expected a list of [u, v, bias]", file=file, location="quadratic")
    bqm = dimod.BinaryQuadraticModel(vartype)
    try:
        bqm.offset = float(data.get("offset", 0.0))
    except (TypeError, ValueError):
        raise InputError("expected a number", file=file, location="offset") from None
    for label, bias in linear.items():
        if isinstance(bias, bool) or not isinstance(bias, (int, float)):
            raise InputError(f"expected a number, got {bias!r}", file=file, location=f"linear.{label}")
        bqm.add_linear(str(label), float(bias))
    for k, item in enumerate(quadratic):
        if (
            not isinstance(item, list)
            or len(item) != 3
            or isinstance(item[2], bool)
            or not isinstance(item[2], (int, float))
        ):
            raise InputError(f"expected [u, v, bias], got {item!r}", file=file, location=f"quadratic[{k}]")
        u, v = str(item[0]), str(item[1])
        if u == v:
            raise InputError(f"a variable cannot couple to itself ({u!r})", file=file, location=f"quadratic[{k}]")
        bqm.add_quadratic(u, v, float(item[2]))
    return bqm


def load_problem(path: str | Path):
    """Load a dimod BinaryQuadraticModel from a ``.toml``, ``.json``, ``.coo`` or ``.txt`` file."""
    import dimod

    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise InputError("no such file", file=file)
    suffix = path.suffix.lower()
    text = path.read_text()
    if suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise InputError(f"not valid TOML: {err}", file=file) from None
        return _bqm_from_mapping(data, file)
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise InputError(f"not valid JSON: {err}", file=file, location=f"line {err.lineno}") from None
        if not isinstance(data, dict):
            raise InputError("expected a JSON object", file=file)
        return _bqm_from_mapping(data, file)
    if suffix in (".coo", ".txt"):
        vartype = dimod.SPIN
        lines = []
        for lineno, line in enumerate(text.splitlines(), 1):
            stripped = line.strip()
            if stripped.startswith("#"):
                key, _, value = stripped.lstrip("#").partition("=")
                if key.strip() == "vartype":
                    if value.strip().upper() not in ("SPIN", "BINARY"):
                        raise InputError("vartype must be SPIN or BINARY", file=file, location=f"line {lineno}")
                    vartype = dimod.Vartype[value.strip().upper()]
                continue
            if not stripped:
                continue
            parts = stripped.split()
            try:
                i, j, bias = int(parts[0]), int(parts[1]), float(parts[2])
                if len(parts) != 3 or i < 0 or j < 0:
                    raise ValueError
            except (ValueError, IndexError):
                raise InputError(f"expected 'i j bias' with indices >= 0, got {stripped!r}", file=file, location=f"line {lineno}") from None
            lines.append((i, j, bias))
        bqm = dimod.BinaryQuadraticModel(vartype)
        for i, j, bias in lines:
            if i == j:
                bqm.add_linear(i, bias)
            else:
                bqm.add_quadratic(i, j, bias)
        return bqm
    raise InputError(f"unknown suffix {suffix!r}; expected .toml, .json, .coo or .txt", file=file)
