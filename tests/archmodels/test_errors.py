"""archmodels.errors.validation_problems: the one translation of pydantic errors into spec problems."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from archmodels.errors import SpecError, validation_problems
from archmodels.quantities import read_quantity


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Spread(_Strict):
    low: float
    high: float


class Item(_Strict):
    cores: int
    value: float | Spread = 1.0
    mode: Literal["a", "b"] | None = None


class Weights(_Strict):
    speed: float = 0.5
    power: float = 0.5


class Top(_Strict):
    schema_: Literal["x/1"] = Field(alias="schema")
    items: list[Item]
    weights: Weights = Weights()


def _problems(raw, **kwargs):
    with pytest.raises(ValidationError) as err:
        Top.model_validate(raw)
    return validation_problems(err.value, **kwargs)


def test_paths_are_written_as_in_the_file_and_union_tags_are_left_out():
    problems = dict(_problems({"schema": "x/1", "items": [{"cores": 1}, {"cores": "many", "value": "big"}]},
                              member_tags=("Spread",)))
    assert set(problems) == {"items[1].cores", "items[1].value"}  # one problem per path, no "float"/"Spread"
    assert problems["items[1].cores"].endswith("(got 'many')")


def test_unknown_and_missing_keys_read_plainly():
    problems = dict(_problems({"schema": "x/1", "items": [{"colour": "red"}]}))
    assert problems == {"items[0].colour": "unknown key (not part of the schema; check the spelling)",
                        "items[0].cores": "required field is missing"}


def test_a_table_of_names_says_which_names_there_are():
    problems = dict(_problems({"schema": "x/1", "items": [], "weights": {"sped": 1.0}, "extra": 1},
                              choices={"weights": ("metric", ["speed", "power"])}))
    assert problems["weights.sped"] == "unknown metric 'sped'; expected one of ['speed', 'power'] Did you mean 'speed'?"
    assert problems["extra"].startswith("unknown key")


def test_the_alias_field_is_named_as_written():
    assert [p for p, _ in _problems({"schema": "y/2", "items": []})] == ["schema"]


def test_read_quantity_names_the_file_and_the_field():
    assert read_quantity("2 kW", "power_w", location="--cap") == 2000.0
    with pytest.raises(SpecError) as err:
        read_quantity("2 kB", "power_w", location="node.tdp", file="m.toml")
    assert str(err.value).startswith("m.toml: node.tdp: expected ") and err.value.problems[0][0] == "node.tdp"
