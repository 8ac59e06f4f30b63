"""The study's operating measures ([operations] policy, battery, onsite, ppa) through the operations
engine, what each saves net of what it costs to own, both carbon accountings, and their errors."""

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from archmodels.errors import SpecError
from archmodels.cost import lifetime_defaults, present_value_factor
from fs.evaluate import node_profiles, score_case
from fs.operations import operating_json, simulate_operations
from fs.report_operating import measures_table
from fs.runner import evaluate_case
from fs.study import SECONDS_PER_YEAR, load_study

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

[operations.ppa]
solar = "3 MW"
wind = "1 MW"
price = "13 JPY/kWh"
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
    assert op.policy == "carbon-queue-delay" and op.measures == ("policy", "battery", "onsite", "ppa")
    assert op.battery_capacity_j == 2 * 3.6e9 and op.battery_power_w == 1e6
    assert (op.solar_w, op.wind_w) == (1.5e6, 0.5e6)
    assert (op.ppa.solar_w, op.ppa.wind_w, op.ppa.kind, op.ppa.route, op.ppa.surplus) == (
        3e6, 1e6, "physical", "retail", "resold")
    assert op.ppa.price_jpy_per_kwh == pytest.approx(13.0, rel=1e-12) and op.ppa.wheeling_jpy_per_kwh is None
    assert op.carbon_accounting == "location"


def test_each_measure_alone_and_all_together_against_plain_easy(measured):
    study, nominal, ops = measured
    for label, entry in ops.items():
        m = entry["measures"]
        assert list(m) == ["baseline", "policy", "battery", "onsite", "ppa", "all"]
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
        # a PPA through the grid leaves what the grid burns (location) and lowers the market-based carbon
        assert m["ppa"]["carbon_location_saving"] == 0.0 and m["ppa"]["carbon_market_saving"] > 0
        assert m["ppa"]["carbon_saving"] == 0.0  # the study's carbon axis is location-based
        assert m["ppa"]["wait_s"] == base["wait_s"] and m["ppa"]["capital_jpy"] == 0.0
        assert m["onsite"]["carbon_location_saving"] == m["onsite"]["carbon_market_saving"] > 0
        # the scorecard's figures are the run with every measure on (carbon over the life)
        assert entry["cost_jpy"] == m["all"]["cost_jpy"]
        assert entry["carbon_g"] / m["all"]["carbon_g"] == pytest.approx(
            next(iter(ops.values()))["carbon_g"] / next(iter(ops.values()))["measures"]["all"]["carbon_g"], rel=1e-12)


def test_measures_capital_enters_the_lifetime_cost_and_the_net_saving(measured):
    study, nominal, ops = measured
    pv = present_value_factor(study.lifetime_years, lifetime_defaults()["discount_rate"])
    battery = 2000.0 * 326.0 * 150.0  # 2 MWh at US$326/kWh (NREL 2023 update) and cost.toml's 150 JPY/US$
    onsite = 1.5e6 * 126.5 + 0.5e6 * 322.0  # METI PV (11.3 + 1.35 万円/kW) and onshore wind (32.2 万円/kW)
    onsite_om = 1.5e6 * 4.2 + 0.5e6 * 10.0
    with_ops = score_case(study, *node_profiles(study)[:2], operations=ops).set_index("candidate")
    stripped = {c: {k: v for k, v in e.items() if k != "measures_cost_jpy"} for c, e in ops.items()}
    without = score_case(study, *node_profiles(study)[:2], operations=stripped).set_index("candidate")
    for label, entry in ops.items():
        m = entry["measures"]
        assert m["battery"]["capital_jpy"] == pytest.approx(battery, rel=1e-12)
        assert m["battery"]["lifetime_jpy"] == pytest.approx(battery * (1 + 0.025 * pv), rel=1e-12)
        assert m["onsite"]["capital_jpy"] == pytest.approx(onsite, rel=1e-12)
        assert m["onsite"]["lifetime_jpy"] == pytest.approx(onsite + pv * onsite_om, rel=1e-12)
        assert m["all"]["lifetime_jpy"] == pytest.approx(m["battery"]["lifetime_jpy"] + m["onsite"]["lifetime_jpy"],
                                                         rel=1e-12)
        # the lifetime cost carries the measures' capital and O&M as its own line
        row, bare = with_ops.loc[label], without.loc[label]
        assert row["measures_cost_jpy"] == pytest.approx(m["all"]["lifetime_jpy"], rel=1e-12)
        assert bare["measures_cost_jpy"] == 0.0 and bare["capital_cost_jpy"] == row["capital_cost_jpy"]
        assert row["total_cost_jpy"] - bare["total_cost_jpy"] == pytest.approx(row["measures_cost_jpy"], rel=1e-9)
        for name in ("battery", "onsite", "ppa", "all"):  # the operating saving per year over the life, less the cost
            saved = m["baseline"]["cost_jpy"] - m[name]["cost_jpy"]
            assert m[name]["cost_saving_jpy_per_year"] == pytest.approx(saved * SECONDS_PER_YEAR / m["baseline"]["span_s"],
                                                                        rel=1e-12)
            assert m[name]["net_lifetime_saving_jpy"] == pytest.approx(
                pv * m[name]["cost_saving_jpy_per_year"] - m[name]["lifetime_jpy"], rel=1e-12)


def test_market_accounting_puts_the_market_carbon_on_the_carbon_axis(tmp_path, measured):
    study = load_study(_study(tmp_path, MEASURES.replace("[operations]\n", '[operations]\ncarbon_accounting = "market"\n')))
    assert study.operating.carbon_accounting == "market"
    ops = simulate_operations(study, evaluate_case(study, {}))
    for label, entry in ops.items():
        loc = measured[2][label]
        assert entry["carbon_location_g"] == pytest.approx(loc["carbon_location_g"], rel=1e-12)
        assert entry["carbon_g"] == entry["carbon_market_g"] < entry["carbon_location_g"]
        assert loc["carbon_g"] == loc["carbon_location_g"]
        assert entry["measures"]["ppa"]["carbon_saving"] == entry["measures"]["ppa"]["carbon_market_saving"] > 0


def test_without_measures_the_run_is_plain_easy_and_records_none(tmp_path, measured):
    study = load_study(_study(tmp_path, ""))
    assert study.operating.measures == ()
    ops = simulate_operations(study, evaluate_case(study, {}))
    assert all("measures" not in v for v in ops.values())
    for label, v in ops.items():  # the same run as the measured study's baseline
        assert v["cost_jpy"] == measured[2][label]["measures"]["baseline"]["cost_jpy"]
    assert operating_json(study.operating, ops)["savings"] == {}


def test_lifetime_carbon_saved_is_the_share_of_the_operational_carbon_without_measures():
    def m(saving, market, cost, wait, lifetime=0.0, net=0.0):
        return {"carbon_saving": saving, "carbon_location_saving": saving, "carbon_market_saving": market,
                "cost_saving": cost, "wait_s": wait, "lifetime_jpy": lifetime, "net_lifetime_saving_jpy": net}
    savings = {"a": {"baseline": m(0.0, 0.0, 0.0, 3600.0),
                     "onsite": m(0.1, 0.1, 0.05, 3600.0, 2.5e8, -1.25e8),
                     "ppa": m(0.0, 0.3, -0.02, 3600.0, 0.0, -4e6),
                     "all": m(0.2, 0.5, -0.1, 7200.0, 2.5e8, -3e8)}}
    summary = pd.DataFrame({"candidate": ["a"], "carbon_g": [9e9], "embodied_carbon_g": [1e9], "rank": [1.0],
                            "feasible": [True], "score": [1.0], "meets_requirements": [True]})
    rows = measures_table({"savings": savings}, summary)
    # operational 8 kt with every measure on, 8 / (1 - 0.2) = 10 kt without: onsite saves 1 kt, all 2 kt;
    # the PPA saves no location-based carbon (the study's accounting here) and 30 % market-based
    assert rows[1:] == [["a", "baseline", "+0.0%", "+0.0%", "+0.00", "+0.0%", "0", "+0", "1.0"],
                        ["a", "onsite", "+10.0%", "+10.0%", "+1.00", "+5.0%", "250", "-125", "1.0"],
                        ["a", "ppa", "+0.0%", "+30.0%", "+0.00", "-2.0%", "0", "-4", "1.0"],
                        ["a", "all", "+20.0%", "+50.0%", "+2.00", "-10.0%", "250", "-300", "2.0"]]
    # a run.json written before PPAs and the measures' capital: one carbon, no cost of ownership
    old = {"a": {k: {"carbon_saving": v["carbon_saving"], "cost_saving": v["cost_saving"], "wait_s": v["wait_s"]}
                 for k, v in savings["a"].items() if k != "ppa"}}
    assert measures_table({"savings": old}, summary)[2] == ["a", "onsite", "+10.0%", "+10.0%", "+1.00", "+5.0%", "–",
                                                             "–", "1.0"]


@pytest.mark.parametrize("extra, field", [
    ('[operations]\npolicy = "greenest"\n', "operations.policy"),
    ('[operations]\npolicy = "carbon-delay"\npolicy_params = {max_wait = 3}\n', "operations.policy_params"),
    ('[operations.battery]\ncapacity = "2 MW"\npower = "1 MW"\n', "operations.battery.capacity"),
    ('[operations.onsite]\nsolar = "-1 MW"\n', "operations.onsite.solar"),
    ('[operations.ppa]\nsolar = "-1 MW"\nprice = "13 JPY/kWh"\n', "operations.ppa.solar"),
    ('[operations.ppa]\nsolar = "1 MW"\nprice = "13 JPY"\n', "operations.ppa.price"),
    ('[operations.ppa]\nsolar = "1 MW"\n', "operations.ppa.price"),
    ('[operations.ppa]\nsolar = "1 MW"\nprice = "13 JPY/kWh"\nkind = "financial"\n', "operations.ppa.kind"),
    ('[operations.ppa]\nsolar = "1 MW"\nprice = "13 JPY/kWh"\nwheeling = "-2 JPY/kWh"\n', "operations.ppa.wheeling"),
    ('[operations]\ncarbon_accounting = "both"\n', "operations.carbon_accounting"),
    ('[operations.ppa]\nsolar = "inf MW"\nprice = "13 JPY/kWh"\n', "operations.ppa.solar"),
])
def test_bad_operations_fields_are_named(tmp_path, extra, field):
    with pytest.raises(SpecError) as err:
        load_study(_study(tmp_path, extra))
    assert field in str(err.value)


def test_a_bad_ppa_field_exits_2_naming_it_through_the_cli(tmp_path):
    path = _study(tmp_path, '[operations.ppa]\nsolar = "1 MW"\nprice = "13 JPY"\n')
    r = subprocess.run([sys.executable, "-m", "fs", "study", "run", str(path), "--out", str(tmp_path / "out"),
                        "--samples", "0", "--sweep-points", "0"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 2, r.stderr[-2000:]
    assert "Traceback" not in r.stderr + r.stdout
    assert "operations.ppa.price" in r.stderr and "JPY" in r.stderr
    assert not (tmp_path / "out" / "run.json").exists()


def test_the_measures_sources_are_in_the_run_metadata(measured):
    from fs.provenance import run_metadata

    sources = run_metadata(measured[0], samples=0, executor="serial", computed=0, reused=0, sweep_points=0)["sources"]
    assert "measures-capital:nrel_battery_2023" in sources and "ppa:kansai_td_2020" in sources
    assert sources["measures-capital:meti_pv_2025"]["url"].startswith("https://")
