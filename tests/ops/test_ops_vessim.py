"""ops.vessim: the facility power series exported for Vessim, checked by hand against the
simulation, and (when vessim is installed) replayed in a Vessim microgrid whose grid energy,
carbon, cost and battery state must agree with the project's."""

import json

import numpy as np
import pandas as pd
import pytest

from archmodels.errors import InputError
from fs.cli import main
from ops.grid import load_grid
from ops.simulate import simulate
from ops.storage import Battery, OnsiteRenewables
from ops.swf import write_swf
from ops.synthetic import generate_trace
from ops.vessim import export_vessim, vessim_step_s, vessim_table

J_PER_KWH = 3.6e6
#: Agreement asked of Vessim against the project: the same slots integrated twice, so only
#: rounding differs (measured about 1e-14).
REL = 1e-9
START = "2025-08-01 09:10"  # 20 minutes into a grid slot: the first slot is partial
#: Vessim's batteries do not self-discharge; with the project's 2 %/month the project's store holds
#: less than Vessim's, which then overflows when the project charges to full (a few kJ clipped)
BATTERY = Battery(capacity_j=20 * J_PER_KWH, power_w=5e3, self_discharge_per_s=0.0)
SOLAR = OnsiteRenewables(solar_w=30e3)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Three runs of one synthetic trace on 64 Fugaku nodes, each exported: plain, with a
    battery, with a battery and on-site solar (surplus charging and curtailment)."""
    df = generate_trace(400, 64, load=0.8, seed=7)
    out = {}
    for name, battery, onsite in (("plain", None, None), ("battery", BATTERY, None), ("solar", BATTERY, SOLAR)):
        res = simulate(df, nodes=64, machine="fugaku", grid="tokyo-2025", grid_start=START, battery=battery,
                       onsite=onsite)
        folder = export_vessim(res, tmp_path_factory.mktemp(name) / "vessim", provenance={"seed": 7})
        out[name] = (res, folder, pd.read_csv(folder / "facility.csv"), json.loads((folder / "metadata.json").read_text()))
    return out


def _energy(table: pd.DataFrame, column: str) -> np.ndarray:
    """Energy per slot [J]: each row's power held until the next row."""
    return table[column].to_numpy()[:-1] * np.diff(table["offset_s"].to_numpy())


def test_power_times_slot_is_the_simulated_energy(runs):
    for res, _, table, _ in runs.values():
        s, ts = res.summary, res.timeseries
        assert _energy(table, "facility_power_w").sum() == pytest.approx(s["energy_j"], rel=1e-12)
        assert _energy(table, "grid_power_w").sum() == pytest.approx(s["grid_energy_j"], rel=1e-12)
        grid_j = _energy(table, "grid_power_w")
        carbon = (grid_j * table["carbon_intensity_kg_per_kwh"].to_numpy()[:-1] * 1000 / J_PER_KWH).sum()
        assert carbon == pytest.approx(ts["carbon_g"].sum(), rel=1e-12)
        cost = (grid_j * table["price_jpy_per_kwh"].to_numpy()[:-1] / J_PER_KWH).sum()
        assert cost == pytest.approx(ts["cost_jpy"].sum(), rel=1e-12)
        # one row a slot and a closing row at the run's end that repeats the last values
        assert len(table) == len(ts) + 1
        assert table["offset_s"].iloc[-1] == pytest.approx(ts["time_s"].iloc[-1] + ts["duration_s"].iloc[-1]
                                                           - ts["time_s"].iloc[0])
        assert table.iloc[-1, 1:].equals(table.iloc[-2, 1:])
    plain = runs["plain"][0].summary
    assert plain["carbon_g"] == pytest.approx(runs["plain"][3]["totals"]["carbon_series_g"], rel=1e-12)


def test_battery_and_onsite_columns_carry_the_dispatch(runs):
    assert "battery_power_w" not in runs["plain"][2] and "onsite_power_w" not in runs["plain"][2]
    assert "onsite_power_w" not in runs["battery"][2]
    for name in ("battery", "solar"):
        res, _, table, _ = runs[name]
        s = res.summary
        net = _energy(table, "battery_power_w")
        assert net.sum() == pytest.approx(s["battery_charged_j"] - s["battery_discharged_j"], rel=1e-9)
        assert -net[net < 0].sum() == pytest.approx(s["battery_discharged_j"], rel=1e-12)
    # on-site generation from the grid's solar capacity factors, slot by slot
    res, _, table, _ = runs["solar"]
    ts = res.timeseries
    grid = load_grid("tokyo-2025")
    idx = ((ts["grid_time"] - grid.start).dt.total_seconds() / grid.step_s).round().astype(int).to_numpy()
    expected = SOLAR.solar_w * grid.solar_cf[idx] * ts["duration_s"].to_numpy()
    np.testing.assert_allclose(_energy(table, "onsite_power_w"), expected, rtol=1e-9, atol=1e-3)
    assert ts["curtailed_j"].sum() > 0 and res.summary["battery_charged_j"] > 0  # surplus went both ways


def test_metadata_states_units_step_and_origin(runs):
    _, folder, table, meta = runs["solar"]
    assert meta["file"] == "facility.csv" and list(meta["columns"]) == list(table.columns)
    assert meta["columns"]["facility_power_w"]["unit"] == "W"
    assert meta["columns"]["carbon_intensity_kg_per_kwh"]["unit"] == "kg CO2-eq/kWh"
    assert meta["slot_s"] == 1800.0
    assert table["offset_s"].iloc[1] == 1200.0  # 09:10 to 09:30
    assert meta["vessim_step_s"] == 600
    assert meta["sim_start"] == "2025-08-01 09:10:00"
    assert meta["grid_offset_s"] == (pd.Timestamp(START) - pd.Timestamp("2025-04-01")).total_seconds()
    assert meta["span_s"] == table["offset_s"].iloc[-1]
    assert meta["provenance"] == {"seed": 7}
    assert meta["run"]["nodes"] == 64 and meta["run"]["pue"] == 1.2
    assert sorted(p.name for p in folder.iterdir()) == ["facility.csv", "metadata.json"]  # no temp files left


def test_vessim_step_divides_the_inner_boundaries():
    assert vessim_step_s([0, 1200, 3000, 4800, 5000.3]) == 600  # the closing row may fall anywhere
    assert vessim_step_s([0, 1800, 3600, 3700]) == 1800
    assert vessim_step_s([0, 1200.5, 3000.5, 4000]) is None
    assert vessim_step_s([0, 700.0]) is None  # one slot: no boundary inside


def test_a_run_without_series_or_grid(tmp_path):
    df = generate_trace(50, 16, seed=1)
    with pytest.raises(InputError, match="no energy series"):
        vessim_table(simulate(df, nodes=16, timeseries=False))
    res = simulate(df, nodes=16)
    table = vessim_table(res)
    assert list(table.columns) == ["offset_s", "facility_power_w"]
    assert _energy(table, "facility_power_w").sum() == pytest.approx(res.summary["energy_j"], rel=1e-12)
    with pytest.raises(InputError, match="parent does not exist"):
        export_vessim(res, tmp_path / "missing" / "vessim")


def test_cli_vessim_out(tmp_path, capsys):
    trace = write_swf(generate_trace(200, 32, seed=3), tmp_path / "t.swf", {"MaxProcs": "32", "Note": "seed=3"})
    out = tmp_path / "vessim"
    status = main(["ops", "simulate", "--trace", str(trace), "--machine", "fugaku", "--grid", "tokyo-2025",
                   "--battery-kwh", "10", "--vessim-out", str(out), "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert status == 0
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["provenance"]["trace"] == str(trace) and meta["provenance"]["trace_header"]["Note"] == "seed=3"
    assert meta["provenance"]["battery_kwh"] == 10.0
    table = pd.read_csv(out / "facility.csv")
    assert _energy(table, "facility_power_w").sum() == pytest.approx(summary["energy_j"], rel=1e-12)
    status = main(["ops", "simulate", "--trace", str(trace), "--vessim-out", str(tmp_path / "no" / "dir")])
    assert status == 2


# --- against Vessim itself ---------------------------------------------------------------------------


def _vessim_run(folder, meta, battery: Battery | None = None):
    """Replay an export in a Vessim microgrid: the facility as a Consumer, on-site generation as a
    Producer, the battery (if given) as a ClcBattery with the project's efficiencies and power
    limit that follows the project's dispatch, then a GridConnection. Returns the microgrid's
    metrics, the battery, and the energy [J] by which Vessim had to clip the dispatch."""
    vs = pytest.importorskip("vessim")
    trace = vs.Trace.from_csv(folder / "facility.csv")
    actors = [vs.Consumer("facility", trace.select("facility_power_w"))]
    if "onsite_power_w" in trace.columns():
        actors.append(vs.Producer("onsite", trace.select("onsite_power_w")))
    signals = {"carbon": trace.select("carbon_intensity_kg_per_kwh"), "price": trace.select("price_jpy_per_kwh")}
    store, policy, dispatchables = None, None, [vs.GridConnection("grid")]
    if battery is not None:
        wh = battery.capacity_j / 3600
        c_rate = battery.power_w / wh  # [1/h]
        # u = v_1 = 0: no current-dependent energy limits, so the cell is an ideal store of v_2 Wh
        store = vs.ClcBattery("battery", initial_soc=battery.initial_soc, u_1=0.0, v_1=0.0, u_2=0.0, v_2=wh,
                              alpha_d=-c_rate, alpha_c=c_rate, eta_c=battery.charge_efficiency,
                              eta_d=1 / battery.discharge_efficiency)
        signals["battery"] = trace.select("battery_power_w")

        class Replay(vs.DispatchPolicy):
            clipped_j = 0.0

            def apply(self, p_delta, duration, dispatchables, grid_signals=None):
                bat, grid = dispatchables
                lo, hi = bat.feasible_range(duration)
                power = min(max(grid_signals["battery"], lo), hi)
                Replay.clipped_j += abs(power - grid_signals["battery"]) * duration
                bat.set_power(power, duration)
                grid.set_power(p_delta - power, duration)

        policy = Replay()
        dispatchables = [store, vs.GridConnection("grid")]
    env = vs.Environment(sim_start=meta["sim_start"], step_size=meta["vessim_step_s"])
    env.add_microgrid(actors=actors, dispatchables=dispatchables, policy=policy, grid_signals=signals, name="site")
    rec = env.add_controller(vs.Recorder(timeseries=False, custom_metrics={
        "carbon_kg": vs.GridImportEmissions("site", "carbon"), "cost_jpy": vs.ElectricityImportCost("site", "price", "JPY")}))
    env.run(until=meta["span_s"])
    return rec.metrics["microgrids"]["site"], store, (policy.clipped_j if policy else 0.0)


def test_vessim_grid_energy_carbon_and_cost_match(runs):
    res, folder, _, meta = runs["plain"]
    m, _, _ = _vessim_run(folder, meta)
    s = res.summary
    assert m["energy_consumed"] == pytest.approx(s["energy_j"] / 3600, rel=REL)
    assert m["grid_import"] == pytest.approx(s["energy_j"] / 3600, rel=REL)
    assert m["carbon_kg"] == pytest.approx(s["carbon_g"] / 1000, rel=REL)
    assert m["cost_jpy"] == pytest.approx(meta["totals"]["cost_series_jpy"], rel=REL)
    assert m["peak_grid_import"] == pytest.approx(res.timeseries["facility_energy_j"].div(
        res.timeseries["duration_s"]).max(), rel=REL)


def test_vessim_battery_follows_the_dispatch_and_ends_where_the_losses_say(runs):
    """Vessim's ClcBattery has the project's efficiencies and power limit but no capacity fade, so
    it can follow every setpoint and ends fuller by exactly what the project lost when its faded
    capacity fell below the charge."""
    res, folder, _, meta = runs["battery"]
    m, store, clipped = _vessim_run(folder, meta, BATTERY)
    s = res.summary
    assert clipped == 0.0
    assert m["grid_import"] == pytest.approx(s["grid_energy_j"] / 3600, rel=REL)
    assert m["carbon_kg"] * 1000 == pytest.approx(meta["totals"]["carbon_series_g"], rel=REL)
    end_wh = (s["battery_soc_end_j"] + s["battery_fade_loss_j"]) / 3600
    assert store.charge_level == pytest.approx(end_wh, rel=REL)
    assert s["battery_discharged_j"] > 0 and s["battery_charged_j"] > 0


def test_vessim_with_onsite_solar_nets_curtailment_against_import(runs):
    """The project curtails surplus it cannot store; Vessim exports it, netted against import in
    the same interval. Import − export is the project's import − curtailment, slot for slot."""
    res, folder, _, meta = runs["solar"]
    m, _, clipped = _vessim_run(folder, meta, BATTERY)
    ts = res.timeseries
    assert clipped == 0.0
    assert m["energy_produced"] == pytest.approx(_energy(runs["solar"][2], "onsite_power_w").sum() / 3600, rel=REL)
    net_wh = (ts["grid_energy_j"] - ts["curtailed_j"]).sum() / 3600
    assert m["grid_import"] - m["grid_export"] == pytest.approx(net_wh, rel=REL)
    assert m["grid_export"] > 0 and m["grid_import"] <= res.summary["grid_energy_j"] / 3600 * (1 + REL)
