"""What-if sweeps over a hybrid scenario: one row per value of one (dotted) scenario field."""

from __future__ import annotations

from pathlib import Path

from quantum.hybrid.scenario import build_scenario, read_scenario_file, validate_scenario, with_overrides
from quantum.hybrid.simulation import simulate


def run_scenario(path: str | Path, overrides: dict | None = None) -> dict:
    """Simulate a scenario file; returns :meth:`HybridResult.as_dict` plus what was simulated."""
    raw = read_scenario_file(path)
    if overrides:
        raw = with_overrides(raw, overrides)
    scn = build_scenario(validate_scenario(raw, str(path)), str(path))
    out = simulate(scn).as_dict()
    out.update(
        {
            "title": scn.title,
            "device": scn.device,
            "placement": scn.placement.kind,
            "users": scn.users,
            "policy": scn.policy,
            "workflow": scn.workflow.kind,
            "iterations": scn.workflow.iterations,
            "job_time_s": scn.job_time_s,
            "classical_step_s": scn.workflow.classical_step_s,
        }
    )
    return out


def what_if(path: str | Path, field: str, values, base_overrides: dict | None = None):
    """Simulate the scenario once per value of ``field`` (dotted path, e.g. ``qpu.placement``).

    Returns a pandas DataFrame, one row per value: the value, total time, energy and cost, and the
    critical-path breakdown columns (``quantum_time_s``...), with the seed.
    """
    import pandas as pd

    rows = []
    for value in values:
        res = run_scenario(path, {**(base_overrides or {}), field: value})
        breakdown = res.pop("breakdown")
        rows.append({"field": field, "value": value, **res, **breakdown})
    return pd.DataFrame(rows)
