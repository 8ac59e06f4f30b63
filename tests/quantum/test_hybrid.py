"""Hybrid workflow model: QPU timing, scenario files, the shared-device simulation, what-ifs, CLI."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archmodels.errors import InputError, SpecError
from fs.cli import main
from quantum.hybrid.qpu import CLOUD, CO_LOCATED, H2_IONS, HERON_R2, circuit_fidelity, job_time, shot_time
from quantum.hybrid.scenario import example_scenario_path, load_scenario
from quantum.hybrid.simulation import CATEGORIES, Scenario, simulate
from quantum.hybrid.sweep import run_scenario, what_if
from quantum.hybrid.workflow import Workflow, sqd_diagonalisation


def test_shot_time_is_the_sum_of_its_parts():
    # Heron: 10 CZ layers of 68 ns + 11 sx layers of 32 ns + 1.56 us readout + 250 us rep delay
    t = shot_time(10, 11, 68e-9, 32e-9, 0.0, 1.56e-6, 250e-6)
    assert t == pytest.approx(10 * 68e-9 + 11 * 32e-9 + 1.56e-6 + 250e-6)


def test_job_time_counts_overheads_and_shot_splitting():
    one = job_time(HERON_R2, 1, 1000, 10, 11)
    per_shot = shot_time(10, 11, 68e-9, 32e-9, 0.0, 1.56e-6, 250e-6)
    assert one == pytest.approx(HERON_R2.job_overhead_s + HERON_R2.circuit_overhead_s + 1000 * per_shot)
    # above max_shots a circuit runs as several executions, each with its loading overhead
    split = job_time(HERON_R2, 1, 2 * HERON_R2.max_shots, 10, 11)
    assert split == pytest.approx(
        HERON_R2.job_overhead_s + 2 * HERON_R2.circuit_overhead_s + 2 * HERON_R2.max_shots * per_shot
    )
    # ions are much slower per shot than superconducting qubits but more accurate
    ion_shot = shot_time(10, 11, H2_IONS.gate_2q_time_s, H2_IONS.gate_1q_time_s, H2_IONS.layer_overhead_s,
                         H2_IONS.readout_time_s, H2_IONS.shot_overhead_s)
    assert ion_shot > 10 * per_shot
    assert job_time(H2_IONS, 1, 1000, 10, 11) > one
    assert circuit_fidelity(H2_IONS, 20, 10, 11) > circuit_fidelity(HERON_R2, 20, 10, 11)


def _scenario(placement, users=3, iterations=4, classical=0.5, job=2.0, policy="fair-share", seed=0, circuits=2):
    wf = Workflow("vqe", 10, 4, 5, circuits, 1000, iterations, classical)
    return Scenario(
        title="t", users=users, seed=seed, policy=policy, workflow=wf, device="heron-r2", placement=placement,
        job_time_s=job, jobs_per_iteration=1, device_power_w=25e3, device_price_jpy_per_s=10.0,
        hpc_machine="fugaku", nodes_per_user=2, node_active_power_w=188.0, node_idle_power_w=68.0,
        node_price_jpy_per_s=0.03,
    )


def test_breakdown_parts_sum_to_total_and_single_user_has_no_shared_wait():
    res = simulate(_scenario(CO_LOCATED, users=1))
    d = res.as_dict()
    assert sum(d["breakdown"][f"{c}_time_s"] for c in CATEGORIES) == pytest.approx(d["total_time_s"], rel=1e-12)
    assert sum(d["breakdown"][f"{c}_energy_j"] for c in CATEGORIES) == pytest.approx(d["total_energy_j"])
    assert d["breakdown"]["queue_time_s"] == pytest.approx(0.0, abs=1e-12)
    assert d["breakdown"]["quantum_time_s"] == pytest.approx(4 * 2.0)
    assert d["breakdown"]["classical_time_s"] == pytest.approx(4 * 0.5)


def test_shared_device_makes_users_wait():
    one = simulate(_scenario(CO_LOCATED, users=1)).total_time_s
    many = simulate(_scenario(CO_LOCATED, users=6))
    assert many.total_time_s > one
    assert many.time_s["queue"] > 0
    # the device is the bottleneck: it is busy users x iterations x job
    assert many.device_busy_s == pytest.approx(6 * 4 * 2.0)
    assert many.total_time_s >= many.device_busy_s


placements = st.builds(
    lambda lat, bw, sub, med, sig: (
        replace(CLOUD, link_latency_s=lat, bandwidth_bytes_per_s=bw, submit_overhead_s=sub, queue_median_s=med,
                queue_sigma=sig)
    ),
    st.floats(1e-6, 1.0),
    st.floats(1e6, 1e10),
    st.floats(0.0, 5.0),
    st.floats(0.0, 600.0),
    st.floats(0.0, 2.0),
)


@settings(max_examples=150, deadline=None)
@given(
    cloud=placements,
    users=st.integers(1, 8),
    iterations=st.integers(1, 6),
    classical=st.floats(0.0, 50.0),
    job=st.floats(1e-3, 100.0),
    circuits=st.integers(1, 400),
    seed=st.integers(0, 2**31),
)
def test_moving_the_qpu_from_cloud_to_co_located_never_makes_it_slower(cloud, users, iterations, classical, job,
                                                                      circuits, seed):
    # co-located: the same device and workflow, no outside queue, a link no worse than the cloud's
    near = replace(
        CO_LOCATED,
        link_latency_s=min(CO_LOCATED.link_latency_s, cloud.link_latency_s),
        bandwidth_bytes_per_s=max(CO_LOCATED.bandwidth_bytes_per_s, cloud.bandwidth_bytes_per_s),
        submit_overhead_s=min(CO_LOCATED.submit_overhead_s, cloud.submit_overhead_s),
    )
    kw = dict(users=users, iterations=iterations, classical=classical, job=job, seed=seed, circuits=circuits)
    far_t = simulate(_scenario(cloud, **kw)).total_time_s
    near_t = simulate(_scenario(near, **kw)).total_time_s
    assert near_t <= far_t * (1 + 1e-12)


@pytest.mark.parametrize("policy", ["fair-share", "fifo"])
def test_example_scenario_co_located_is_faster_than_cloud(policy):
    path = example_scenario_path()
    cloud = run_scenario(path, {"policy": policy})
    near = run_scenario(path, {"policy": policy, "qpu.placement": "co-located"})
    assert near["total_time_s"] < cloud["total_time_s"]
    assert near["breakdown"]["quantum_time_s"] == pytest.approx(cloud["breakdown"]["quantum_time_s"])
    assert near["seed"] == cloud["seed"] == 1


def test_a_session_waits_for_outside_tenants_once():
    path = example_scenario_path()
    jobs = run_scenario(path)
    session = run_scenario(path, {"qpu.session": True})
    assert session["total_time_s"] < jobs["total_time_s"]
    assert session["breakdown"]["quantum_time_s"] == pytest.approx(jobs["breakdown"]["quantum_time_s"])
    # co-located has no outside tenants: a session changes nothing
    near = run_scenario(path, {"qpu.placement": "co-located"})
    near_session = run_scenario(path, {"qpu.placement": "co-located", "qpu.session": True})
    assert near_session["total_time_s"] == near["total_time_s"]


def test_what_if_sweep_over_users_is_monotone():
    frame = what_if(example_scenario_path(), "users", [1, 2, 4, 8])
    assert list(frame["value"]) == [1, 2, 4, 8]
    assert frame["total_time_s"].is_monotonic_increasing
    assert {"quantum_time_s", "queue_time_s", "transfer_time_s", "classical_time_s", "seed"} <= set(frame.columns)


def test_sqd_diagonalisation_is_sized_with_predict_and_scales_with_nodes():
    t1, p1 = sqd_diagonalisation("fugaku", 64, 1e8, 1000, 30)
    t4, p4 = sqd_diagonalisation("fugaku", 256, 1e8, 1000, 30)
    assert t4 < t1 and p4 > p1
    # memory-bound: 30 products over 1e11 non-zeros at >= 12 B each cannot beat the nodes' bandwidth
    from archmodels.loaders import load_machine

    bw = load_machine("fugaku").node.memory_bandwidth_bytes_per_s
    assert t1 >= 30 * 1e11 * 12 / (64 * bw)
    # 1.3 TB of matrix does not fit 16 nodes of 32 GiB: refused, not silently sized
    with pytest.raises(InputError, match="memory"):
        sqd_diagonalisation("fugaku", 16, 1e8, 1000, 30)


def test_sqd_scenario_runs(tmp_path):
    p = tmp_path / "sqd.toml"
    p.write_text(
        'users = 2\n[hpc]\nmachine = "fugaku"\nnodes_per_user = 64\n[qpu]\nplacement = "co-located"\n'
        '[workflow]\nkind = "sqd"\nqubits = 77\nshots = 100000\niterations = 3\nsubspace_dimension = 1e8\n'
    )
    out = run_scenario(p)
    assert out["workflow"] == "sqd"
    assert out["classical_step_s"] > 0 and out["breakdown"]["classical_time_s"] > 0


def test_bad_scenarios_name_the_field(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text('users = 0\n[workflow]\nkind = "vqe"\nqubits = 4\nshots = 10\niterations = 2\ncolour = 1\n')
    with pytest.raises(SpecError) as err:
        load_scenario(p)
    assert "users" in str(err.value) and "workflow.colour" in str(err.value)
    p.write_text('[workflow]\nkind = "vqe"\nqubits = 4\nshots = 10\niterations = 2\nclassical_step = "1 s"\n')
    with pytest.raises(InputError, match="workflow.layers"):
        load_scenario(p)
    p.write_text('[workflow]\nkind = "vqe"\nqubits = 400\nlayers = 1\nshots = 10\niterations = 2\nclassical_step = "1 s"\n')
    with pytest.raises(InputError, match="do not fit"):
        load_scenario(p)
    p.write_text('[workflow]\nkind = "vqe"\nqubits = 4\nlayers = 1\nshots = 10\niterations = 2\nclassical_step = "1 GB"\n')
    with pytest.raises(InputError, match="classical_step"):
        load_scenario(p)


def test_cli_hybrid_json(capsys):
    assert main(["quantum", "hybrid", str(example_scenario_path()), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    parts = sum(out["breakdown"][f"{c}_time_s"] for c in CATEGORIES)
    assert out["total_time_s"] == pytest.approx(parts, rel=1e-12)
    assert main(["quantum", "hybrid", "example", "--sweep", "qpu.placement=cloud,co-located", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[1]["total_time_s"] < rows[0]["total_time_s"]
    assert main(["quantum", "hybrid", "example", "--set", "users=0"]) == 2
