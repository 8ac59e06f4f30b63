"""Whether the top-level packages ``archmodels``, ``fs``, ``ops`` and ``quantum`` are fs-workbench's own.

The four names are fixed by the project's layout, and two of them are taken on PyPI: ``ops``
(Canonical's operator framework) and ``fs`` (PyFilesystem2). Installed into the same environment,
such a distribution either comes first on ``sys.path`` and shadows ours (an editable install), or
writes into the same folder (a regular install: ``pip install ops`` replaces ``ops/__init__.py`` and
``ops/storage.py``; uninstalling ``fs`` deletes our ``fs/__init__.py``). Either way the tool would
half-work. :func:`verify` runs when any of the four is imported and stops with one line naming the
other distribution and the fix.

Each package's ``__init__.py`` carries the marker ``__fs_workbench_package__ = "<name>"``
(:data:`MARKER`). A package is fs-workbench's own when the module that ``import <name>`` finds carries
it, and, for a regular (non-editable) install, when no other distribution has put files into its
folder: files there that fs-workbench's RECORD does not list are traced to the distribution whose
RECORD does.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

#: The top-level packages fs-workbench installs.
PACKAGES = ("archmodels", "fs", "ops", "quantum")
#: The distribution that owns them.
DISTRIBUTION = "fs-workbench"
#: Module-level name each package's ``__init__.py`` sets to its own name.
MARKER = "__fs_workbench_package__"

FIX = ("fs-workbench cannot share an environment with it: install fs-workbench in a separate venv "
       "(python -m venv .venv && . .venv/bin/activate && pip install -e .)")


class PackageConflictError(ImportError):
    """Another distribution owns, shadows or shares one of fs-workbench's top-level packages."""


@dataclass(frozen=True)
class Conflict:
    """One of the four packages that is not (only) fs-workbench's.

    Attributes
    ----------
    package : str
        ``archmodels``, ``fs``, ``ops`` or ``quantum``.
    location : str
        The folder ``import <package>`` finds.
    problem : str
        ``"not-ours"`` (the module found is another distribution's, or lost its ``__init__.py``) or
        ``"shared-folder"`` (ours, with another distribution's files beside it).
    distributions : tuple of str
        The other distributions that claim the package, as ``"name version"``; empty when none is
        installed any more (its uninstall removed our files).
    """

    package: str
    location: str
    problem: str
    distributions: tuple[str, ...]

    def message(self) -> str:
        """One line: what is wrong, who did it, and the fix."""
        who = " and ".join(f"the distribution '{d}'" for d in self.distributions)
        if self.problem == "shared-folder":
            what = f"fs-workbench's package '{self.package}' ({self.location}) shares its folder with {who}"
        elif who:
            what = f"'import {self.package}' finds {who} ({self.location}), not fs-workbench's package"
        else:
            what = (f"fs-workbench's package '{self.package}' ({self.location}) lost its own __init__.py "
                    f"(another distribution's install or uninstall replaced its files)")
        return f"{what}; {FIX}"

    def as_dict(self) -> dict:
        return {"package": self.package, "location": self.location, "problem": self.problem,
                "distributions": list(self.distributions), "message": self.message()}


def _carries_marker(name: str, spec) -> bool:
    module = sys.modules.get(name)
    if module is not None:
        return getattr(module, MARKER, None) == name
    origin = spec.origin if spec is not None else None
    if not origin or not origin.endswith("__init__.py"):
        return False
    try:  # not imported yet: read the source rather than run another distribution's code
        text = Path(origin).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return re.search(rf"^{MARKER}\s*=\s*[\"']{name}[\"']", text, flags=re.MULTILINE) is not None


def _folder(name: str, spec) -> Path | None:
    if spec is None:
        return None
    if spec.origin and spec.origin.endswith("__init__.py"):
        return Path(spec.origin).parent
    locations = list(spec.submodule_search_locations or [])  # a namespace package: no __init__.py
    return Path(locations[0]) if locations else None


def _claims(dist: metadata.Distribution, name: str) -> bool:
    top = dist.read_text("top_level.txt")
    if top is not None and name in top.split():
        return True
    return any(f.parts and f.parts[0] == name for f in (dist.files or ()))


def _normal(dist_name: str) -> str:
    return re.sub(r"[-_.]+", "-", dist_name).lower()


def _claimants(name: str, site: Path) -> tuple[str, ...]:
    """Distributions other than fs-workbench installed in ``site`` whose files include ``name/``."""
    found = []
    for dist in metadata.distributions(path=[str(site)]):
        dist_name = dist.metadata["Name"] or "?"
        if _normal(dist_name) != DISTRIBUTION and _claims(dist, name):
            found.append(f"{dist_name} {dist.version}")
    return tuple(sorted(set(found)))


def _installed_here(folder: Path) -> tuple[metadata.Distribution, set[str]] | None:
    """fs-workbench's regular install whose RECORD lists ``folder``'s files, with those files."""
    name = folder.name
    for dist in metadata.distributions(name=DISTRIBUTION, path=[str(folder.parent)]):
        if dist.read_text("RECORD") is None:  # an egg-info in a source tree, not an install
            continue
        listed = {str(f) for f in (dist.files or ()) if f.parts and f.parts[0] == name}
        if f"{name}/__init__.py" in listed:
            return dist, listed
    return None


def _stray_files(folder: Path, listed: set[str]) -> list[str]:
    root = folder.parent
    stray = []
    for path in folder.rglob("*"):
        if path.is_dir() or "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        if path.relative_to(root).as_posix() not in listed:
            stray.append(path.relative_to(root).as_posix())
    return stray


def find_conflicts() -> list[Conflict]:
    """Check the four packages where ``import`` would find them now, without importing them.

    Returns
    -------
    list of Conflict
        Empty when all four are fs-workbench's own.
    """
    conflicts = []
    for name in PACKAGES:
        spec = sys.modules[name].__spec__ if name in sys.modules else importlib.util.find_spec(name)
        folder = _folder(name, spec)
        if folder is None:
            conflicts.append(Conflict(name, "not found", "not-ours", ()))
            continue
        if not _carries_marker(name, spec):
            conflicts.append(Conflict(name, str(folder), "not-ours", _claimants(name, folder.parent)))
            continue
        installed = _installed_here(folder)
        if installed is not None and _stray_files(folder, installed[1]):
            others = _claimants(name, folder.parent)
            if others:
                conflicts.append(Conflict(name, str(folder), "shared-folder", others))
    return conflicts


def _fsw_command() -> list[str] | None:
    """The arguments after the command when this process is the ``fsw`` command line, else None."""
    if Path(sys.argv[0]).name in ("fsw", "fsw.exe"):
        return sys.argv[1:]
    argv = list(getattr(sys, "orig_argv", ()))  # python [options] -m fs ...: argv[0] is "-m" for now
    for i in range(1, len(argv) - 1):
        if argv[i] == "-m":
            return argv[i + 2:] if argv[i + 1] == "fs" else None
        if argv[i] == "-c" or not argv[i].startswith("-"):
            return None
    return None


_verified = False


def verify() -> None:
    """Stop unless the four packages are fs-workbench's own; runs once per process.

    Raises
    ------
    PackageConflictError
        With one line naming the other distribution and the fix. As the ``fsw`` command line the
        process prints that line as ``error: ...`` and exits with status 2 instead; ``fsw doctor``
        is let through so that it can report the conflict.
    """
    global _verified
    if _verified:
        return
    conflicts = find_conflicts()
    if not conflicts:
        _verified = True
        return
    command = _fsw_command()
    if command is not None and command[:1] == ["doctor"]:
        _verified = True
        return
    line = conflicts[0].message()
    if command is not None:
        sys.stderr.write(f"error: {line}\n")
        raise SystemExit(2)
    raise PackageConflictError(line)
