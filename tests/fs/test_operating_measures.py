"""The study's operating measures ([operations] policy, battery, onsite) through the operations
engine, what each saves, and their errors."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from archmodels.errors import SpecError
from fs.operations import operating_json, simulate_operations
from fs.report_operating import measures_table
from fs.runner import evaluate_case
from fs.study import load_study

DATA = Path(__file__).parents[1] / "data" / "study"

MEASURES = """
[operations]
policy = "carbon-queue-delay"

[operations.battery]
capacity = "2 MWh"
power = "1 MW"

[operations.onsite]
solar = "1.5 MW"
wind = "0.5 MW"
"""


def _study(tmp_path, extra: str) -> Path:
    for f in DATA.glob("*.toml"):
        shutil.copy(f, tmp_path / f.name)
    path = tmp_path / "study-fugakunext.toml"
    path.write_text(path.read_text() + extra)
    return path


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    study = load_study(_study(tmp_path_factory.mktemp("ops"), MEASURES))  # tokyo-2025: half-hourly carbon
    nominal = evaluate_case(study, {})
    return study, nominal, simulate_operations(study, nominal)


def test_operations_table_is_read_in_si_units(measured):
    op = measured[0].operating
    assert op.policy == "carbon-queue-delay" and op.measures == ("policy", "battery", "onsite")
    assert op.battery_capacity_j == 2 * 3.6e9 and op.battery_power_w == 1e6
    assert (op.solar_w, op.wind_w) == (1.5e6, 0.5e6)


def test_each_measure_alone_and_all_together_against_plain_easy(measured):
    study, nominal, ops = measured
    for label, entry in ops.items():
        m = entry["measures"]
        assert list(m) == ["baseline", "policy", "battery", "onsite", "all"]
        base = m["baseline"]
        assert base["carbon_saving"] == 0 and base["cost_saving"] == 0
        for name, v in m.items():
            assert v["carbon_saving"] == pytest.approx(1 - v["carbon_g"] / base["carbon_g"], rel=1e-12)
            assert v["cost_saving"] == pytest.approx(1 - v["cost_jpy"] / base["cost_jpy"], rel=1e-12)
        # on-site generation displaces grid energy: it saves carbon and money, and moves no job
        assert m["onsite"]["carbon_saving"] > 0 and m["onsite"]["cost_saving"] > 0
        assert m["onsite"]["wait_s"] == base["wait_s"] == m["battery"]["wait_s"]
        # a delay policy holds jobs back for cleaner slots: waits grow
        assert m["policy"]["wait_s"] > base["wait_s"]
        # the scorecard's figures are the run with every measure on (carbon over the life)
        assert entry["cost_jpy"] == m["all"]["cost_jpy"]
        assert entry["carbon_g"] / m["all"]["carbon_g"] == pytest.approx(
            next(iter(ops.values()))["carbon_g"] / next(iter(ops.values()))["measures"]["all"]["carbon_g"], rel=1e-12)


def test_without_measures_the_run_is_plain_easy_and_records_none(tmp_path, measured):
    study = load_study(_study(tmp_path, ""))
    assert study.operating.measures == ()
    ops = simulate_operations(study, evaluate_case(study, {}))
    assert all("measures" not in v for v in ops.values())
    for label, v in ops.items():  # the same run as the measured study's baseline
        assert v["cost_jpy"] == measured[2][label]["measures"]["baseline"]["cost_jpy"]
    assert operating_json(study.operating, ops)["savings"] == {}


def test_lifetime_carbon_saved_is_the_share_of_the_operational_carbon_without_measures():
    savings = {"a": {"baseline": {"carbon_saving": 0.0, "cost_saving": 0.0, "wait_s": 3600.0},
                     "onsite": {"carbon_saving": 0.1, "cost_saving": 0.05, "wait_s": 3600.0},
                     "all": {"carbon_saving": 0.2, "cost_saving": -0.1, "wait_s": 7200.0}}}
    summary = pd.DataFrame({"candidate": ["a"], "carbon_g": [9e9], "embodied_carbon_g": [1e9], "rank": [1.0],
                            "feasible": [True], "score": [1.0], "meets_requirements": [True]})
    rows = measures_table({"savings": savings}, summary)
    # operational 8 kt with every measure on, 8 / (1 - 0.2) = 10 kt without: onsite saves 1 kt, all 2 kt
    assert rows[1:] == [["a", "baseline", "+0.0%", "+0.00", "+0.0%", "1.0"],
                        ["a", "onsite", "+10.0%", "+1.00", "+5.0%", "1.0"],
                        ["a", "all", "+20.0%", "+2.00", "-10.0%", "2.0"]]


@pytest.mark.parametrize("extra, field", [
    ('[operations]\npolicy = "greenest"\n', "operations.policy"),
    ('[operations]\npolicy = "carbon-delay"\npolicy_params = {max_wait = 3}\n', "operations.policy_params"),
    ('[operations.battery]\ncapacity = "2 MW"\npower = "1 MW"\n', "operations.battery.capacity"),
    ('[operations.onsite]\nsolar = "-1 MW"\n', "operations.onsite.solar"),
])
def test_bad_operations_fields_are_named(tmp_path, extra, field):
    with pytest.raises(SpecError) as err:
        load_study(_study(tmp_path, extra))
    assert field in str(err.value)
