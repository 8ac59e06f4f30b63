"""Atomic writes: results appear whole or not at all.

Every writer in the project (profiles, plots, CSV/Parquet results, traces, reports) writes to a
temporary file in the target's own folder and renames it onto the target with ``os.replace``, which
is atomic on POSIX within one file system. An interrupted run leaves the previous file untouched.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on normal exit it is renamed onto ``path``.

    The temporary name keeps the target's suffix (``.name.XXXX.tmp.png``), so writers that pick a
    format from the extension (matplotlib) still do. The file is made world-readable (0644) before
    the rename, like a normally created file. On an exception the temporary file is removed.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=f".tmp{target.suffix}")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; returns the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)
