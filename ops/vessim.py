"""A facility power series in the layout of Vessim's historical signals (interoperation, no dependency).

Vessim (https://github.com/dos-group/vessim, tested with 0.16.0) replays time series through
``vessim.Trace``: an offset-indexed table whose first column is seconds since the simulation start
(row 0 at 0) and whose other columns are values, held from their row until the next
(``fill_method="ffill"``). :func:`vessim_table` writes one row per energy slot of
:func:`ops.simulate.simulate` — the mean power of the slot, so that power × slot length is the
slot's energy — and a closing row at the end of the last slot that repeats the last values (Vessim
refuses to sample past the last row). Slot boundaries stay where the simulation put them: the
first and the last slot may be shorter than the grid's step, so the table is irregular; a Vessim
environment whose ``step_size`` divides every boundary (:func:`vessim_step_s`) integrates it
exactly.

Columns (each present only when the run has it; signs as Vessim's: a consumer's and a
producer's input are nonnegative magnitudes, a dispatchable's power is positive when it absorbs):

* ``facility_power_w``: the facility's demand, PUE × IT [W] (a ``vessim.Consumer``);
* ``onsite_power_w``: on-site solar and wind generation, before curtailment [W] (a ``vessim.Producer``);
* ``battery_power_w``: the battery's power at its terminals, charging > 0, discharging < 0 [W]
  (the project's dispatch, to replay on a Vessim storage);
* ``grid_power_w``: the import the project computed [W] (for checking; Vessim computes its own);
* ``carbon_intensity_kg_per_kwh``: grid carbon intensity [kg CO2-eq/kWh], the unit
  ``vessim.GridImportEmissions`` integrates;
* ``price_jpy_per_kwh``: energy price with retail adder and renewable surcharge [JPY/kWh] (no
  demand charge, as ``vessim.ElectricityImportCost``).

:func:`export_vessim` writes ``facility.csv`` and ``metadata.json`` (units, step, origin, grid,
totals and where the run came from) into a folder, each file atomically.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from archmodels.atomic import write_text_atomic
from archmodels.errors import InputError
from ops.simulate import DEFAULT_STEP_S, SimulationResult

J_PER_KWH = 3.6e6
#: The Vessim release the layout was checked against (tests/ops/test_ops_vessim.py).
VESSIM_VERSION = "0.16.0"
CSV_NAME = "facility.csv"
METADATA_NAME = "metadata.json"
#: Column -> (unit, meaning) for metadata.json.
COLUMNS = {
    "offset_s": ("s", "seconds since the simulation start (row 0 at 0); each row holds until the next"),
    "facility_power_w": ("W", "facility demand (PUE x IT), mean over the slot; a vessim.Consumer"),
    "onsite_power_w": ("W", "on-site solar and wind generation before curtailment; a vessim.Producer"),
    "battery_power_w": ("W", "battery power at its terminals, > 0 charging, < 0 discharging (the project's dispatch)"),
    "grid_power_w": ("W", "grid import the project computed (load and battery charging)"),
    "carbon_intensity_kg_per_kwh": ("kg CO2-eq/kWh", "grid carbon intensity (life-cycle, ops.grid)"),
    "price_jpy_per_kwh": ("JPY/kWh", "energy price + retail adder + renewable surcharge (no demand charge)"),
}


def vessim_table(result: SimulationResult) -> pd.DataFrame:
    """The run's slots as a Vessim trace table (see the module docstring), closing row included.

    Parameters
    ----------
    result : SimulationResult
        A run with its per-slot series (``simulate(..., timeseries=True)``, or any run with a grid).
    """
    ts = result.timeseries
    if ts.empty or "facility_energy_j" not in ts:
        raise InputError("the run has no energy series to export (simulate with timeseries=True, "
                         "and a trace with at least one job)")
    dt = ts["duration_s"].to_numpy()
    offsets = ts["time_s"].to_numpy() - float(ts["time_s"].iloc[0])
    cols = {"offset_s": offsets, "facility_power_w": ts["facility_energy_j"].to_numpy() / dt}
    if "carbon_intensity_g_per_kwh" in ts:
        charge = ts["battery_charge_j"].to_numpy()
        discharge = ts["battery_discharge_j"].to_numpy()
        if np.any(ts["onsite_j"].to_numpy() > 0):
            cols["onsite_power_w"] = ts["onsite_j"].to_numpy() / dt
        if np.any(charge > 0) or np.any(discharge > 0):
            cols["battery_power_w"] = (charge - discharge) / dt
        cols["grid_power_w"] = ts["grid_energy_j"].to_numpy() / dt
        cols["carbon_intensity_kg_per_kwh"] = ts["carbon_intensity_g_per_kwh"].to_numpy() / 1000.0
        cols["price_jpy_per_kwh"] = ts["price_jpy_per_kwh"].to_numpy()
    table = pd.DataFrame(cols)
    closing = table.iloc[[-1]].copy()
    closing["offset_s"] = offsets[-1] + dt[-1]
    return pd.concat([table, closing], ignore_index=True)


def vessim_step_s(offsets) -> int | None:
    """Largest whole number of seconds that divides every slot boundary (``step_size`` for a
    Vessim environment that samples each slot at its start), or None if a boundary is fractional.

    The closing row (the run's end) is left out: Vessim integrates a partial last interval itself.
    """
    inner = np.asarray(offsets, dtype=np.float64)[1:-1]
    if len(inner) == 0:
        return None
    if np.any(inner != np.round(inner)):
        return None
    return int(np.gcd.reduce(np.round(inner).astype(np.int64)))


def vessim_metadata(result: SimulationResult, table: pd.DataFrame, provenance: dict | None = None) -> dict:
    """``metadata.json``: units, step, origin, grid, totals and provenance of an export."""
    s = result.summary
    ts = result.timeseries
    grid = s.get("grid")
    sim_start, step = None, DEFAULT_STEP_S
    if grid is not None:
        from ops.grid import load_grid

        g = load_grid(grid)
        sim_start, step = str(g.start + pd.Timedelta(seconds=s["grid_offset_s"])), g.step_s
    carbon_series = float(ts["carbon_g"].sum()) if "carbon_g" in ts else None
    return {
        "format": f"vessim.Trace offset-indexed CSV (checked with vessim {VESSIM_VERSION})",
        "file": CSV_NAME,
        "columns": {c: {"unit": COLUMNS[c][0], "meaning": COLUMNS[c][1]} for c in table.columns},
        "rows": len(table),
        "slots": len(table) - 1,
        "closing_row": "the last row is the end of the last slot; it repeats the values before it",
        "slot_s": step,
        "vessim_step_s": vessim_step_s(table["offset_s"]),
        "span_s": float(table["offset_s"].iloc[-1]),
        "origin_trace_time_s": float(ts["time_s"].iloc[0]),
        "grid": grid,
        "grid_offset_s": s.get("grid_offset_s"),
        "sim_start": sim_start,
        "sim_start_note": ("local time of offset 0 in the grid series; a trace longer than the grid "
                           "wraps around it, so later rows repeat the grid's year"),
        "totals": {
            "facility_energy_j": s["energy_j"],
            "grid_energy_j": s["grid_energy_j"],
            "carbon_series_g": carbon_series,
            "carbon_g": s["carbon_g"],
            "carbon_note": ("carbon_series_g = sum of grid import x intensity (what Vessim's "
                            "GridImportEmissions integrates); carbon_g adds the battery's end-state "
                            "reconciliation (ops.storage)"),
            "cost_series_jpy": float(ts["cost_jpy"].sum()) if "cost_jpy" in ts else None,
            "cost_jpy": s["cost_jpy"],
            "cost_note": ("cost_series_jpy = sum of grid import x price_jpy_per_kwh (what Vessim's "
                          "ElectricityImportCost integrates); cost_jpy adds the demand charge and the "
                          "battery's degradation and reconciliation"),
        },
        "run": {k: s.get(k) for k in ("jobs", "nodes", "nodes_source", "policy", "policy_params", "power_source",
                                      "node_idle_w", "node_max_w", "pue", "tariff")},
        "provenance": provenance or {},
    }


def export_vessim(result: SimulationResult, folder, provenance: dict | None = None) -> Path:
    """Write ``facility.csv`` and ``metadata.json`` for Vessim into ``folder`` (created if its
    parent exists); returns the folder.

    Parameters
    ----------
    result : SimulationResult
        A run with its per-slot series.
    folder : path
        Output folder.
    provenance : dict, optional
        Where the run came from (trace, machine, seed, command), copied into the metadata.
    """
    out = Path(folder)
    if not out.parent.exists():
        raise InputError("output folder's parent does not exist", file=str(out.parent))
    if out.exists() and not out.is_dir():
        raise InputError("--vessim-out must be a folder", file=str(out))
    table = vessim_table(result)
    meta = vessim_metadata(result, table, provenance)
    out.mkdir(exist_ok=True)
    write_text_atomic(out / CSV_NAME, table.to_csv(index=False))
    write_text_atomic(out / METADATA_NAME, json.dumps(meta, indent=2, default=lambda o: o.item()) + "\n")
    return out

