import numpy as np
import pandas as pd
import pytest

from archmodels.errors import InputError
from ops.grid import load_grid
from ops.jobs import prepare_jobs
from ops.policies import Context, SignalAwareDelay, make_policy, signal_integral
from ops.power import PowerModel
from ops.savings import compare_policies
from ops.simulate import simulate
from ops.swf import read_swf
from ops_traces import trace_path

SETUP = dict(machine="fugaku", grid="tokyo-2025", off_after_s=600.0)


@pytest.fixture(scope="module")
def theta():
    return read_swf(trace_path("theta_argonne.swf"))


@pytest.fixture(scope="module")
def savings(theta):
    return compare_policies(theta, ["carbon-delay", "price-delay", "carbon-cap"], **SETUP).set_index("policy")


def test_wait_awhile_release_lowers_mean_intensity_within_the_window(theta):
    grid = load_grid("tokyo-2025")
    jobs = prepare_jobs(theta.jobs, 4392)
    ctx = Context(nodes=4392, power=PowerModel(), grid=grid, origin_s=float(jobs.submit_s.min()))
    pol = SignalAwareDelay(max_delay_s=6 * 3600.0)
    release = pol.release_s(jobs, ctx)
    delay = release - jobs.submit_s
    assert np.all(delay >= 0) and np.all(delay <= 6 * 3600.0)
    assert np.mean(delay > 0) > 0.2  # many jobs find a cleaner slot

    def mean_ci(t):
        x = ctx.grid_offset_s(t)
        return (signal_integral(grid.carbon_g_per_kwh, 1800.0, x + jobs.estimate_s)
                - signal_integral(grid.carbon_g_per_kwh, 1800.0, x)) / jobs.estimate_s

    assert np.all(mean_ci(release) <= mean_ci(jobs.submit_s) + 1e-9)
    assert np.all(delay[jobs.estimate_s > pol.flexible_max_estimate_s] == 0)


def test_policies_save_against_easy_and_pay_in_waiting(savings):
    s = savings
    assert s.loc["carbon-delay", "carbon_saving_g"] > 0
    assert s.loc["carbon-cap", "carbon_saving_g"] > 0
    # price-delay buys cheaper spot energy, but its shifted starts raise the monthly peak, and under
    # the TEPCO tariff the demand charge takes more than the energy saves
    assert s.loc["price-delay", "energy_cost_saving_jpy"] > 0
    assert s.loc["price-delay", "peak_demand_w"] > s.loc["easy", "peak_demand_w"]
    assert s.loc["price-delay", "demand_charge_saving_jpy"] < 0
    assert s.loc["price-delay", "cost_saving_jpy"] == pytest.approx(
        s.loc["easy", "cost_jpy"] - s.loc["price-delay", "cost_jpy"])
    for pol in ("carbon-delay", "price-delay", "carbon-cap"):
        assert s.loc[pol, "wait_increase_s"] > 0
        assert s.loc[pol, "slowdown_increase"] > 0
    assert s.loc["easy", "carbon_saving_g"] == 0


def test_carbon_cap_limits_busy_nodes_in_high_carbon_slots(theta):
    res = simulate(theta, policy="carbon-cap", policy_params={"cap_fraction": 0.5}, **SETUP)
    jobs = res.jobs
    grid = load_grid("tokyo-2025")
    high = grid.carbon_g_per_kwh >= np.quantile(grid.carbon_g_per_kwh, 0.75)
    origin = jobs["submit_s"].min()
    starts = np.unique(jobs["start_s"])
    checked = 0
    for s in starts[:: max(1, len(starts) // 400)]:
        slot = int((s - origin) // 1800) % len(grid)
        busy = jobs.loc[(jobs.start_s <= s) & (jobs.end_s > s), "procs"].sum()
        if high[slot] and (jobs.start_s == s).any():
            assert busy <= 4392 // 2  # a job starts in a capped slot only if all fit under the cap
            checked += 1
    assert checked > 0


def test_power_cap_in_watts(theta):
    small = theta.jobs.iloc[:3000]
    pm = PowerModel(idle_w=100.0, max_w=400.0)
    largest = int(np.where(small.req_procs > 0, small.req_procs, small.alloc_procs).max())
    cap_w = 4392 * 100.0 + largest * 300.0
    res = simulate(small, nodes=4392, power=pm, policy="power-cap", policy_params={"cap_w": cap_w})
    jobs = res.jobs
    for s in np.unique(jobs.start_s):
        assert jobs.loc[(jobs.start_s <= s) & (jobs.end_s > s), "procs"].sum() <= largest
    with pytest.raises(InputError, match="power cap"):
        simulate(small, nodes=4392, power=pm, policy="power-cap", policy_params={"cap_w": 4392 * 100.0})


def test_grid_policies_need_a_grid_and_names_are_checked(theta):
    with pytest.raises(InputError, match="needs a grid"):
        simulate(theta.jobs.iloc[:100], nodes=4392, policy="carbon-delay")
    with pytest.raises(InputError, match="unknown policy"):
        make_policy("teleport")
    with pytest.raises(InputError):
        make_policy("carbon-delay", bogus=1)


def test_compare_charges_every_policy_over_the_same_span(theta):
    # without switch-off, energy = N * idle * span + dynamic work: equal across policies when the span is
    df = compare_policies(theta.jobs.iloc[:3000], ["carbon-delay", "fcfs"], nodes=4392, grid="tokyo-2025")
    np.testing.assert_allclose(df["energy_j"], df["energy_j"].iloc[0], rtol=1e-12)
    assert (df.loc[1:, "wait_increase_s"] > 0).all()


def _two_job_case(carbon):
    """A 4-processor machine and two whole-machine jobs submitted at t = 0: A (7,200 s, too long to
    be flexible) ahead of B (1,800 s); a grid of 30-min slots with the given carbon intensities."""
    from ops.grid import Grid
    from ops.jobs import JobSet

    n = len(carbon)
    grid = Grid("hand", pd.Timestamp("2025-04-01"), 1800.0, np.asarray(carbon, dtype=float), np.full(n, 10.0),
                np.zeros(n), np.zeros(n), np.zeros(n))
    jobs = JobSet(np.array([1, 2]), np.zeros(2), np.array([4, 4]), np.array([7200.0, 1800.0]),
                  np.array([7200.0, 1800.0]), np.ones(2), np.zeros(2), 4, 0)
    return jobs, Context(nodes=4, power=PowerModel(), grid=grid, origin_s=0.0)


def test_queue_aware_delay_aims_at_the_start_the_queue_allows():
    from ops.policies import QueueAwareDelay
    from ops.simulate import run_policy

    # slot 1 (1,800-3,600 s) is the cleanest, but A holds the machine until 7,200 s; of the
    # starts B can reach, 9,000 s (slot 5, 300 g/kWh) beats 7,200 s (slot 4, 500 g/kWh)
    carbon = [500.0] * 48
    carbon[1], carbon[5] = 100.0, 300.0
    jobs, ctx = _two_job_case(carbon)
    blind = SignalAwareDelay(flexible_max_estimate_s=3600.0)
    aware = QueueAwareDelay(flexible_max_estimate_s=3600.0)
    # carbon-delay holds B to the clean slot it cannot use: released at 1,800 s, started at 7,200 s
    np.testing.assert_array_equal(blind.release_s(jobs, ctx), [0.0, 1800.0])
    np.testing.assert_array_equal(run_policy(jobs, blind, ctx)[1], [0.0, 7200.0])
    # B's queue wait is 7,200 s (A's 4 x 7,200 processor-seconds on 4 processors): window [7,200, 21,600]
    np.testing.assert_array_equal(aware.release_s(jobs, ctx), [0.0, 9000.0])
    np.testing.assert_array_equal(run_policy(jobs, aware, ctx)[1], [0.0, 9000.0])


def test_queue_aware_delay_holds_nothing_the_queue_already_delays():
    from ops.policies import QueueAwareDelay

    carbon = [500.0] * 48
    carbon[1], carbon[5] = 100.0, 300.0
    jobs, ctx = _two_job_case(carbon)
    # B's queue wait (7,200 s) exceeds the 7,000 s budget: not held, while carbon-delay still holds it
    np.testing.assert_array_equal(QueueAwareDelay(flexible_max_estimate_s=3600.0, max_delay_s=7000.0)
                                  .release_s(jobs, ctx), [0.0, 0.0])
    np.testing.assert_array_equal(SignalAwareDelay(flexible_max_estimate_s=3600.0, max_delay_s=7000.0)
                                  .release_s(jobs, ctx), [0.0, 1800.0])
    # the queue carries B to 7,200 s, which is already its cleanest reachable start: no hold, B keeps
    # its queue place (released at submit)
    carbon[5] = 500.0
    carbon[4] = 200.0
    jobs, ctx = _two_job_case(carbon)
    np.testing.assert_array_equal(QueueAwareDelay(flexible_max_estimate_s=3600.0).release_s(jobs, ctx), [0.0, 0.0])


def _fugaku_ctx(nodes):
    import archmodels
    from ops.power import power_model_for_machine

    machine = archmodels.load_machine("fugaku")
    return Context(nodes=nodes, power=power_model_for_machine(machine), grid=None, origin_s=0.0, machine=machine)


def test_dvfs_cap_clock_stretch_and_power_by_hand():
    from archmodels.power import node_power_range_w
    from archmodels.transforms import at_clock
    from ops.jobs import JobSet
    from ops.policies import DvfsPowerCap
    from ops.simulate import run_policy

    ctx = _fugaku_ctx(10)
    # the archmodels Fugaku node (idle, max) [W] at clock ratios 1, 0.9, 0.8, 0.7
    by_clock = {r: node_power_range_w(at_clock(ctx.machine, r)) for r in (1.0, 0.9, 0.8, 0.7)}
    assert by_clock[1.0] == pytest.approx((68.364, 188.0), abs=1e-3)
    assert by_clock[0.9] == pytest.approx((58.637, 155.579), abs=1e-3)
    assert by_clock[0.8] == pytest.approx((50.849, 129.617), abs=1e-3)
    assert by_clock[0.7] == pytest.approx((44.783, 109.399), abs=1e-3)
    # a cap of 10 nodes at full power at 0.9x clock: at 1.0x only floor((1,556 - 683.6) / 119.6) = 7
    # nodes may run, less than the 10-node job, so the clock is 0.9 and a compute-bound job
    # (beta = 1) takes 1/0.9 as long
    wide = JobSet(np.array([1, 2]), np.zeros(2), np.array([10, 10]), np.array([900.0, 900.0]),
                  np.array([1800.0, 1800.0]), np.ones(2), np.zeros(2), 10, 0)
    pol = DvfsPowerCap(cap_w=10 * 155.58)
    assert pol.clock(wide, ctx) == 0.9
    ran, model = pol.execution(wide, ctx)
    np.testing.assert_allclose(ran.run_s, [1000.0, 1000.0])
    np.testing.assert_allclose(ran.estimate_s, [2000.0, 2000.0])
    assert (model.idle_w, model.max_w) == pytest.approx(by_clock[0.9])
    np.testing.assert_allclose(run_policy(ran, pol, ctx)[1], [0.0, 1000.0])
    # 5-node jobs, clocks 1, 0.9, 0.8, 0.7, cap = 10 idle nodes + 5 at full power at 1.0x (1,281.8 W): k(r) = floor((cap - 10
    # idle(r)) / (max(r) - idle(r))) = 5, 7, 9, 12 -> 10 at r = 1, 0.9, 0.8, 0.7; capacity k r
    # (beta = 1) = 5, 6.3, 7.2, 7.0: the clock is 0.8. With beta = 0 (no slowdown) capacity is k, and
    # the highest clock reaching 10 nodes is 0.7
    narrow = wide.take(np.array([0]))
    narrow = JobSet(narrow.id, narrow.submit_s, np.array([5]), narrow.run_s, narrow.estimate_s,
                    narrow.utilization, narrow.data_bytes, 10, 0)
    cap, ratios = 10 * 68.36364 + 5 * (188.0 - 68.36364), (1.0, 0.9, 0.8, 0.7)
    assert DvfsPowerCap(cap_w=cap, clock_ratios=ratios).clock(narrow, ctx) == 0.8
    assert DvfsPowerCap(cap_w=cap, clock_ratios=ratios).limit(narrow, ctx)[1][0] == 9
    memory_bound = DvfsPowerCap(cap_w=cap, compute_fraction=0.0, clock_ratios=ratios)
    assert memory_bound.clock(narrow, ctx) == 0.7
    assert memory_bound.execution(narrow, ctx)[0].run_s[0] == 900.0
    # no cap to meet: the nominal clock
    assert DvfsPowerCap().clock(wide, ctx) == 1.0


def test_dvfs_cap_slowdown_counts_the_stretch():
    res = simulate(pd.DataFrame({"id": [1], "submit_s": [0.0], "wait_s": [-1.0], "run_s": [900.0],
                                 "alloc_procs": [10], "avg_cpu_s": [-1.0], "mem_kb": [-1.0], "req_procs": [10],
                                 "req_time_s": [1800.0], "req_mem_kb": [-1.0], "status": [1], "user": [1],
                                 "group": [1], "app": [1], "queue": [1], "partition": [1], "prev_job": [-1],
                                 "think_s": [-1.0]}),
                   nodes=10, machine="fugaku", policy="dvfs-cap", policy_params={"cap_w": 10 * 155.58})
    row = res.jobs.iloc[0]
    assert row["run_s"] == pytest.approx(1000.0) and row["nominal_run_s"] == 900.0
    assert row["bounded_slowdown"] == pytest.approx(1000.0 / 900.0)
    assert "0.9x clock" in res.summary["power_source"]


@pytest.mark.parametrize("name, params, field", [
    ("carbon-queue-delay", {"max_delay_s": -1.0}, "max_delay_s"),
    ("carbon-queue-delay", {"flexible_max_estimate_s": 0.0}, "flexible_max_estimate_s"),
    ("carbon-delay", {"max_delay_s": float("inf")}, "max_delay_s"),
    ("dvfs-cap", {"cap_w": 0.0}, "cap_w"),
    ("dvfs-cap", {"cap_w": 1e6, "compute_fraction": 1.5}, "compute_fraction"),
    ("dvfs-cap", {"cap_w": 1e6, "clock_ratios": (0.2, 1.0)}, "clock_ratios"),
    ("dvfs-cap", {"cap_w": 1e6, "clock": 0.5}, "clock"),
])
def test_bad_policy_parameters_name_the_field(name, params, field):
    with pytest.raises(InputError, match=field):
        make_policy(name, **params)


def test_dvfs_cap_needs_a_machine_and_a_cap_it_can_meet():
    from ops.jobs import JobSet
    from ops.policies import DvfsPowerCap

    jobs = JobSet(np.array([1]), np.zeros(1), np.array([10]), np.array([900.0]), np.array([1800.0]),
                  np.ones(1), np.zeros(1), 10, 0)
    with pytest.raises(InputError, match="--machine"):
        DvfsPowerCap(cap_w=1e4).clock(jobs, Context(nodes=10, power=PowerModel(), grid=None, origin_s=0.0))
    # 10 nodes at 0.3x clock still draw more than 10 idle nodes at 1.0x
    with pytest.raises(InputError, match="cap_w"):
        DvfsPowerCap(cap_w=700.0).clock(jobs, _fugaku_ctx(10))
