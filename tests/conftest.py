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


@pytest.fixture(scope="session")
def machine_spec_problems():
    """A function ``(raw, filename) -> (error, {field path: message})``: the SpecError that
    ``validate_machine_dict`` raises for a bad raw machine spec (the test fails if it accepts it)."""
    from archmodels.errors import SpecError
    from archmodels.spec import validate_machine_dict

    def problems(raw, filename):
        with pytest.raises(SpecError) as info:
            validate_machine_dict(raw, filename)
        return info.value, dict(info.value.problems)

    return problems
