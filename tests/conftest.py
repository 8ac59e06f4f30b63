"""Shared fixtures: paths to the test data (copied into the repository; never the shared folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def shared_specs() -> Path:
    """The example specs the loaders must accept unchanged."""
    return DATA / "specs"
