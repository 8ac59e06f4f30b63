"""Paths to the traces the ops tests read: package data of ``ops`` and this folder's ``data/``."""

from pathlib import Path

from ops.swf import shipped_trace

DATA = Path(__file__).parent / "data"


def trace_path(name: str) -> Path:
    """A trace shipped in ``ops/data/traces``."""
    return shipped_trace(name)
