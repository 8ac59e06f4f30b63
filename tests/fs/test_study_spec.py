"""Study specs: the shared example loads unchanged; each kind of bad input names its field."""

import copy
import tomllib
from pathlib import Path

import pytest

from archmodels.errors import SpecError
from fs import spec

DATA = Path(__file__).parents[1] / "data" / "study"
EXAMPLE = DATA / "study-fugakunext.toml"


@pytest.fixture(scope="module")
def raw():
    return tomllib.loads(EXAMPLE.read_text())


def test_shared_example_loads_unchanged():
    s = spec.read_spec(EXAMPLE)
    assert s.name == "fugakunext-sketch"
    assert [c.machine for c in s.candidates] == ["machine-fugaku.toml", "machine-candidate-3d.toml", "machine-dgx-h100.toml"]
    assert s.metrics.performance == 0.25 and s.metrics.carbon == 0.10
    assert [u.target for u in s.uncertainty][0] == "memory:hbm3e:energy_per_bit"
    assert s.uncertainty[1].distribution.mode == 1.0


def _problem_paths(data):
    with pytest.raises(SpecError) as info:
        spec.parse_spec(data, "x.toml")
    return info.value, [p for p, _ in info.value.problems]


def test_unknown_metric_is_named(raw):
    bad = copy.deepcopy(raw)
    bad["metrics"]["speed"] = 0.0
    err, paths = _problem_paths(bad)
    assert paths == ["metrics.speed"]
    assert "unknown metric 'speed'" in str(err) and "x.toml" in str(err)


def test_weights_must_sum_to_one(raw):
    bad = copy.deepcopy(raw)
    bad["metrics"]["performance"] = 0.5
    err, paths = _problem_paths(bad)
    assert paths == ["metrics"]
    assert "sum to 1.25" in str(err)


def test_portfolio_weights_must_sum_to_one(raw):
    bad = copy.deepcopy(raw)
    bad["portfolio"][0]["weight"] = 0.9
    _, paths = _problem_paths(bad)
    assert paths == ["portfolio"]


def test_every_problem_is_reported(raw):
    bad = copy.deepcopy(raw)
    bad["metrics"]["speed"] = 0.0
    bad["lifetime"]["pue"] = 0.5
    bad["uncertainty"][0]["target"] = "memory:hbm3e:colour"
    bad["candidates"][1]["nodes"] = -3
    _, paths = _problem_paths(bad)
    assert sorted(paths) == ["candidates[1].nodes", "lifetime.pue", "metrics.speed", "uncertainty[0].target"]


def test_distribution_needs_its_parameters(raw):
    bad = copy.deepcopy(raw)
    bad["uncertainty"][1]["distribution"] = {"kind": "triangular", "low": 0.5, "high": 1.5}
    err, paths = _problem_paths(bad)
    assert paths == ["uncertainty[1].distribution"]
    assert "mode" in str(err)


def test_builtin_study_is_valid():
    assert "fugakunext" in spec.builtin_studies()
    s = spec.read_spec(spec.locate_study("fugakunext"))
    assert s.reference == "fugaku"
