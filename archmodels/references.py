"""What a user types for an input: a file path, or the name of something shipped with the workbench.

One rule for machines, workloads, studies, traces, grids and example files, so that ``fsw`` reads a
name the same way everywhere and answers a typo the same way (did you mean, and the list of names).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

from archmodels.errors import InputError, did_you_mean

_Entry = TypeVar("_Entry")


def _names(name: str, known: list[str], listing: str) -> str:
    """``" Did you mean 'x'? Catalog: a, b, c"``: the closest name, then all of them."""
    return f"{did_you_mean(name, known)} {listing[:1].upper()}{listing[1:]}: {', '.join(known)}"


def check_name(what: str, name: str, known: list[str], listing: str) -> str:
    """``name`` when it is one of ``known``, else an :class:`InputError` with the closest name and all.

    Parameters
    ----------
    what : str
        What the name names, for the message: ``"grid"``, ``"trace"``.
    name : str
        The name as the user typed it.
    known : list of str
        The names there are.
    listing : str
        What holds them, for the message: ``"shipped grids"``.
    """
    if name not in known:
        raise InputError(f"unknown {what} {name!r}.{_names(name, sorted(known), listing)}")
    return name


def table_entry(table: Mapping[str, _Entry], name: str, *, what: str, location: str) -> _Entry:
    """The entry of a shipped table for ``name`` in any case and spacing (``" HBM3e"`` is ``hbm3e``).

    Parameters
    ----------
    table : mapping of str to entry
        The table, keyed by lower-case names.
    name : str
        The name as the user or a spec wrote it.
    what : str
        What the name names, for the message: ``"memory technology"``.
    location : str
        Where the name was written, for the message: ``"memory.technology"``.

    Raises
    ------
    archmodels.errors.InputError
        For a name not in the table; the message lists the names there are.
    """
    key = str(name).strip().lower()
    if key not in table:
        raise InputError(f"unknown {what} {name!r}; expected one of {', '.join(table)}", location=location)
    return table[key]


def resolve_reference(ref: str | os.PathLike, *, what: str, shipped: Mapping[str, Path], listing: str,
                      suffix: str) -> Path:
    """The file behind a reference: an existing file, else the name of a shipped one.

    An existing file wins over a shipped name (``hpl`` in the working directory is read, not the
    portfolio's ``hpl``). A name may carry the suffix (``fugaku.toml``, ``lublin_256.swf``). Else a
    reference with a ``/``, with the suffix, or naming a folder is a missing file ("no such machine
    file"; with a ``/``, never matched to a name); anything else is an unknown name, answered with
    the closest name and the list of them.

    Parameters
    ----------
    ref : str or path-like
        What the user typed.
    what : str
        What it names, for messages: ``"machine"``, ``"trace"``.
    shipped : mapping of str to Path
        The shipped names and their files.
    listing : str
        What holds the shipped names, for messages: ``"catalog"``, ``"portfolio"``.
    suffix : str
        The file ending of the shipped files (``".toml"``), which a name may carry.

    Raises
    ------
    archmodels.errors.InputError
        Neither a file nor a shipped name; the message lists the names, with the closest first.
    """
    path = Path(ref)
    if path.is_file():
        return path
    text = str(ref)
    stem = text[: -len(suffix)] if suffix and text.endswith(suffix) else text
    in_folder = "/" in text or os.sep in text
    if not in_folder and stem in shipped:
        return Path(shipped[stem])
    known = sorted(shipped)
    if in_folder or path.is_dir() or (suffix and text.endswith(suffix)):
        problem = f"is a folder, not a {what} file" if path.is_dir() else f"no such {what} file"
        hint = "" if in_folder else did_you_mean(stem, known)
        raise InputError(problem + (f".{hint}" if hint else ""), file=text)
    raise InputError(f"unknown {what} {stem!r}: not a file and not in the {listing}.{_names(stem, known, listing)}")
