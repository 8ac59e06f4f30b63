"""Writing TOML: the few shapes a spec file holds (tables, arrays of tables, scalars, inline tables).

The standard library reads TOML (``tomllib``) but does not write it. :func:`dumps_toml` writes a dict
as read by ``tomllib`` back as text that ``tomllib`` reads to the same dict: nested tables become
``[a.b]`` headers, lists of tables ``[[a.b]]``, and a table whose values are all scalars (a quantity
``{ value, source }``, a source's citation) is written inline.
"""

from __future__ import annotations

import json
import math
import re

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key)


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON's escapes (\", \\, \n, \uXXXX) are TOML basic-string escapes
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_scalar(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} {value!r} as TOML")


def _is_leaf(value) -> bool:
    """Written on one line: a scalar, a list of leaves, or a table of leaves (an inline table)."""
    if isinstance(value, dict):
        return all(_is_leaf(v) and not isinstance(v, dict) for v in value.values())
    if isinstance(value, list):
        return all(_is_leaf(v) and not isinstance(v, dict) for v in value)
    return isinstance(value, (bool, int, float, str))


def _is_table_array(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _table(data: dict, path: tuple[str, ...], lines: list[str]) -> None:
    for key, value in data.items():
        if not _is_table_array(value) and (_is_leaf(value) or not isinstance(value, dict)):
            lines.append(f"{_key(key)} = {_scalar(value)}")
    for key, value in data.items():
        sub = (*path, key)
        header = ".".join(_key(k) for k in sub)
        if _is_table_array(value):
            for item in value:
                lines.extend(["", f"[[{header}]]"])
                _table(item, sub, lines)
        elif isinstance(value, dict) and not _is_leaf(value):
            lines.extend(["", f"[{header}]"])
            _table(value, sub, lines)


def dumps_toml(data: dict) -> str:
    """TOML text of ``data`` (str keys; values: str, int, float, bool, lists and dicts of them).

    Examples
    --------
    >>> import tomllib
    >>> d = {"a": 1, "q": {"value": "2 W", "source": "s"}, "t": [{"x": 1.5}, {"x": 2.0}]}
    >>> tomllib.loads(dumps_toml(d)) == d
    True
    """
    lines: list[str] = []
    _table(data, (), lines)
    return "\n".join(lines).lstrip("\n") + "\n"
