"""Figure files: check a plot path before the work, save a figure atomically, name its companions.

Commands that take ``--plot FILE`` call :func:`check_figure_path` first, so an unwritable or
misnamed path fails in a second with a clear message instead of after a long computation, and
:func:`save_figure` last, which writes through :func:`archmodels.atomic.atomic_path` (an
interrupted run leaves any previous file untouched).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from archmodels.atomic import atomic_path
from archmodels.errors import InputError

#: Formats matplotlib writes that the commands accept.
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


def check_figure_path(path: str | os.PathLike, option: str = "--plot") -> Path:
    """Return ``path`` if a figure can be written there; raise :class:`InputError` otherwise.

    The suffix must be one of :data:`FIGURE_SUFFIXES`; the path must not be a folder; the nearest
    existing folder above it must accept a new file (tried by creating and removing a temporary
    file there, which is what the atomic write will do).
    """
    p = Path(path)
    if p.suffix.lower() not in FIGURE_SUFFIXES:
        raise InputError(f"plot file must end in {', '.join(FIGURE_SUFFIXES)}, got {str(p)!r}", location=option)
    if p.is_dir():
        raise InputError(f"{str(p)!r} is a folder, expected a file name", location=option)
    folder = p.parent if str(p.parent) else Path(".")
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise InputError(f"cannot write {str(p)!r}: {str(folder)!r} is not a folder", location=option)
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".fsw-probe-")
    except OSError as err:
        raise InputError(f"cannot write {str(p)!r}: {err.strerror or err}", location=option) from None
    os.close(fd)
    os.unlink(probe)
    return p


def companion_path(path: str | os.PathLike, tag: str) -> Path:
    """The file beside ``path`` for a second figure: ``out.png`` and tag ``speedup`` give ``out-speedup.png``."""
    p = Path(path)
    return p.with_name(f"{p.stem}-{tag}{p.suffix}")


def save_figure(fig, path: str | os.PathLike, dpi: int = 120) -> Path:
    """Save a matplotlib figure to ``path`` atomically (.png, .svg or .pdf); returns the path."""
    path = check_figure_path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi)
    return path
