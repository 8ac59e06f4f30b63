"""What a policy saves against a baseline (EASY) and what it costs in waiting."""

from __future__ import annotations

import pandas as pd

from ops.policies import Policy
from ops.simulate import SimulationResult, resolve_trace, simulate

SUMMARY_COLUMNS = ("policy", "jobs", "dropped_jobs", "nodes", "nodes_source", "procs_per_node", "mean_wait_s", "mean_bounded_slowdown", "utilization", "makespan_s",
                   "it_energy_j", "energy_j", "grid_energy_j", "carbon_g", "carbon_marginal_g", "cost_jpy", "cost_energy_jpy",
                   "cost_demand_jpy", "peak_demand_w", "renewable_share")


def compare_policies(trace, policies: list[str | Policy], *, baseline: str | Policy = "easy",
                     **simulate_kwargs) -> pd.DataFrame:
    """One row per policy (baseline first): summary metrics, savings and their price.

    Savings are baseline minus policy (positive = the policy saves): ``carbon_saving_g``,
    ``carbon_saving_frac`` (average intensity), ``carbon_marginal_saving_g`` and ``_frac`` (marginal
    intensity, :mod:`ops.marginal`, on grids with a half-hourly mix), ``energy_saving_j``, ``cost_saving_jpy`` (the whole tariff), of which
    ``energy_cost_saving_jpy`` (the spot-price part) and ``demand_charge_saving_jpy``; the price is
    ``wait_increase_s`` and ``slowdown_increase`` (policy minus baseline). The runs are those of
    :func:`policy_runs`.
    """
    return savings_table(policy_runs(trace, policies, baseline=baseline, **simulate_kwargs))


def policy_runs(trace, policies: list[str | Policy], *, baseline: str | Policy = "easy", timeseries: bool = False,
                **simulate_kwargs) -> list[SimulationResult]:
    """The baseline's simulation, then each policy's, all charged over the same span: from the
    first submit to the latest job end under any of them, so a policy that ends later is not
    charged for idle time the others escape (and the time series share one time axis).
    """
    tr = resolve_trace(trace)
    everyone = [baseline, *policies]
    ends = [float(r.jobs["end_s"].max()) for r in
            (simulate(tr, policy=pol, timeseries=False, **simulate_kwargs) for pol in everyone) if len(r.jobs)]
    until = max(ends) if ends else None
    return [simulate(tr, policy=pol, until_s=until, timeseries=timeseries, **simulate_kwargs) for pol in everyone]


def savings_table(runs: list[SimulationResult]) -> pd.DataFrame:
    """The table of :func:`compare_policies` from runs of the same trace, the baseline first."""
    df = pd.DataFrame([{k: r.summary[k] for k in SUMMARY_COLUMNS} for r in runs])
    base = df.iloc[0]
    df["energy_saving_j"] = base["energy_j"] - df["energy_j"]
    if df["carbon_g"].notna().all():
        df["carbon_saving_g"] = base["carbon_g"] - df["carbon_g"]
        df["carbon_saving_frac"] = df["carbon_saving_g"] / base["carbon_g"]
        df["cost_saving_jpy"] = base["cost_jpy"] - df["cost_jpy"]
    if df["carbon_marginal_g"].notna().all():  # what the grid emits less at the margin
        df["carbon_marginal_saving_g"] = base["carbon_marginal_g"] - df["carbon_marginal_g"]
        df["carbon_marginal_saving_frac"] = df["carbon_marginal_saving_g"] / base["carbon_marginal_g"]
        df["energy_cost_saving_jpy"] = base["cost_energy_jpy"] - df["cost_energy_jpy"]
        df["demand_charge_saving_jpy"] = base["cost_demand_jpy"] - df["cost_demand_jpy"]
    df["wait_increase_s"] = df["mean_wait_s"] - base["mean_wait_s"]
    df["slowdown_increase"] = df["mean_bounded_slowdown"] - base["mean_bounded_slowdown"]
    return df
