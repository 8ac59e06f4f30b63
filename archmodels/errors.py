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
