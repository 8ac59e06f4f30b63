"""Errors for bad user input: specs, workloads, traces, circuits, requests that cannot fit.

Every layer raises :class:`InputError` (or a subclass) for input a user can fix. The message names
the file, the field path or line, and what was expected; the CLI prints it and exits with status 2.
"""

from __future__ import annotations


class InputError(ValueError):
    """Input a user can fix. ``str(err)`` is the full message, location first."""

    def __init__(self, message: str, *, file: str | None = None, location: str | None = None):
        self.file = file
        self.location = location
        self.detail = message
        where = ": ".join(p for p in (file, location) if p)
        super().__init__(f"{where}: {message}" if where else message)


class SpecError(InputError):
    """A machine, workload or study spec that does not follow its schema.

    ``problems`` holds every problem found (field path, message), not only the first.
    """

    def __init__(self, file: str | None, problems: list[tuple[str, str]]):
        self.problems = list(problems)
        lines = [f"{path}: {msg}" if path else msg for path, msg in self.problems]
        head = f"{file}: " if file else ""
        if len(lines) == 1:
            super().__init__(lines[0], file=file)
            self.args = (f"{head}{lines[0]}",)
        else:
            text = f"{len(lines)} problems\n" + "\n".join(f"  {line}" for line in lines)
            super().__init__(text, file=file)
            self.args = (f"{head}{text}",)

    def __str__(self) -> str:
        return self.args[0]


class ResourceError(InputError):
    """A request that would exhaust a resource (memory, disk) and is refused before it starts."""


def did_you_mean(name: str, choices: list[str]) -> str:
    """``" Did you mean 'x'?"`` for the closest of ``choices`` (difflib ratio ≥ 0.6), else ``""``."""
    import difflib

    close = difflib.get_close_matches(name, choices, n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


#: Location parts pydantic adds for the members of a union (``int | str``), not fields of the file.
_UNION_MEMBER_TAGS = frozenset({"str", "int", "float", "bool", "none"})


def _field_path(loc: tuple, member_tags: frozenset[str]) -> tuple[str, tuple]:
    """``("node", "processors", 0, "cores")`` -> ``"node.processors[0].cores"``, and the parts kept."""
    kept = tuple(part for part in loc if isinstance(part, int) or not (
        "[" in part or part.startswith("function-") or part in _UNION_MEMBER_TAGS or part in member_tags))
    out = ""
    for part in kept:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part.removesuffix("_")  # schema_ is the field behind `schema`
    return out, kept


def validation_problems(err, *, member_tags: tuple[str, ...] = (),
                        choices: dict[str, tuple[str, list[str]]] | None = None) -> list[tuple[str, str]]:
    """The (field path, message) problems of a pydantic ``ValidationError``, for :class:`SpecError`.

    The one translation of schema errors for every spec (machine, variant, workload, study, hybrid
    scenario): paths as the file writes them (``node.processors[0].cores``), pydantic's union-member
    tags left out, one problem per path, plain messages ("unknown key", "required field is
    missing"), and the value given when it is short.

    Parameters
    ----------
    err : pydantic.ValidationError
        The error of ``Model.model_validate``.
    member_tags : tuple of str
        Names of models that stand in a union (``float | Distribution``): pydantic puts them in
        the location, and they are no field of the file.
    choices : dict, optional
        For a table whose keys are names from a list: its path -> (noun, the names); an unknown key
        there reads "unknown metric 'speed'; expected one of [...]" with the closest name.
    """
    tags = frozenset(member_tags)
    seen: dict[str, str] = {}
    for e in err.errors():
        path, kept = _field_path(tuple(e["loc"]), tags)
        kind = e["type"]
        if kind == "none_required":
            continue  # the other member of `X | None` already says why
        if kind == "extra_forbidden":
            parent, _ = _field_path(kept[:-1], tags)
            if choices and parent in choices:
                noun, names = choices[parent]
                msg = f"unknown {noun} {kept[-1]!r}; expected one of {names}" + did_you_mean(str(kept[-1]), names)
            else:
                msg = "unknown key (not part of the schema; check the spelling)"
        elif kind == "missing":
            msg = "required field is missing"
        else:
            msg = e["msg"].removeprefix("Value error, ")
            given = e.get("input")
            if kind != "value_error" and isinstance(given, (str, int, float, bool)) and len(repr(given)) <= 60:
                msg += f" (got {given!r})"
        seen.setdefault(path, msg)
    return list(seen.items())
