"""archmodels.toml_writer: what it writes, tomllib reads back to the same dict."""

from __future__ import annotations

import datetime
import tomllib
from pathlib import Path

import pytest

from archmodels.loaders import CATALOG_DIR
from archmodels.roadmap import ROADMAP_FILE
from archmodels.toml_writer import dumps_toml

DATA = Path(__file__).parents[2] / "archmodels" / "data"


@pytest.mark.parametrize("path", [*sorted(CATALOG_DIR.glob("*.toml")), ROADMAP_FILE, DATA / "memory_technologies.toml",
                                  DATA / "cost.toml"], ids=lambda p: p.name)
def test_shipped_files_round_trip(path):
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    assert tomllib.loads(dumps_toml(raw)) == raw


def test_awkward_strings_keys_and_numbers_round_trip():
    raw = {"quote": 'say "hi" \\ back', "unicode": "μs — 東京", "lines": "a\nb\tc", "odd key": 1,
           "floats": [0.1, 1e-300, -2.5e22, float("inf")], "empty": [], "t": {"x.y": {"value": "1 W"}},
           "arr": [{"a": 1, "sub": [{"b": True}]}, {"a": 2, "sub": []}]}
    assert tomllib.loads(dumps_toml(raw)) == raw


def test_a_value_toml_cannot_hold_is_refused():
    with pytest.raises(TypeError, match="cannot write"):
        dumps_toml({"when": datetime.date(2030, 1, 1)})
