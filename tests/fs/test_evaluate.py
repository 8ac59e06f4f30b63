"""Scoring a case: sizing to budgets, flags on violations, technology multipliers on real machines."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import archmodels
from archmodels.transforms import scale_parts as apply_multipliers
from archmodels.transforms import selector_matches
from fs.evaluate import NodeProfile, add_scores, score_case
from fs.study import load_study

DATA = Path(__file__).parents[1] / "data" / "study"
STUDY = DATA / "study-fugakunext.toml"


def _profile(label, t, pmax, cost, nodes=1, mem=32 * 2**30):
    return NodeProfile(label=label, machine=label, machine_nodes=nodes, hypothetical=False,
                       time_per_unit_s=tuple(float(x) for x in t), busy_power_w=0.8 * pmax, idle_power_w=0.3 * pmax,
                       max_power_w=pmax, memory_bytes=mem, capital_per_node_jpy=cost,
                       embodied_per_node_g=1e5, productivity=0.8, commercial_reach=0.5)


@pytest.fixture(scope="module")
def study():
    return load_study(STUDY)


def test_candidates_are_sized_to_the_tighter_budget(study):
    n = len(study.workloads)
    ref = _profile("fugaku", [1.0] * n, 188.0, 6e5, nodes=158976)
    cands = [_profile("fugaku", [1.0] * n, 188.0, 6e5), _profile("cand-cpu-3dsram-cpo", [0.1] * n, 2400.0, 5e6),
             _profile("dgx-h100", [0.05] * n, 10200.0, 6e7)]
    df = score_case(study, ref, cands).set_index("candidate")
    # fugaku: 40 MW / (188 W x 1.15) = 185,013 nodes; 110e9 / 6e5 = 183,333 -> capital decides
    assert df.loc["fugaku", "nodes"] == 183_333 and df.loc["fugaku", "sized_by"] == "capital"
    # dgx: 40e6 / (10200 x 1.15) = 3,410; 110e9 / 6e7 = 1,833 -> capital
    assert df.loc["dgx-h100", "nodes"] == 1833
    assert df["feasible"].all()
    assert (df["power_w"] <= 40e6).all() and (df["capital_cost_jpy"] <= 110e9).all()
    # the reference rebuilt at a different size: speedup = node ratio
    assert df.loc["fugaku", "performance"] == pytest.approx(183_333 / 158_976)
    assert set(df["rank"]) == {1.0, 2.0, 3.0}
    assert df["score"].between(0, 1).all()


def test_given_nodes_over_budget_are_flagged_not_ranked(study):
    study = dataclasses.replace(study, candidates=(dataclasses.replace(study.candidates[0], nodes=300_000),
                                                   *study.candidates[1:]))
    n = len(study.workloads)
    ref = _profile("fugaku", [1.0] * n, 188.0, 6e5, nodes=158976)
    cands = [_profile("fugaku", [1.0] * n, 188.0, 6e5), _profile("cand-cpu-3dsram-cpo", [0.1] * n, 2400.0, 5e6),
             _profile("dgx-h100", [0.05] * n, 10200.0, 6e7)]
    df = score_case(study, ref, cands).set_index("candidate")
    assert not df.loc["fugaku", "feasible"]
    assert "power" in df.loc["fugaku", "violations"] and "capital" in df.loc["fugaku", "violations"]
    assert np.isnan(df.loc["fugaku", "rank"])
    assert sorted(df["rank"].dropna()) == [1.0, 2.0]


def test_add_scores_weights_normalised_axes():
    import pandas as pd

    from fs.spec import AXES

    df = pd.DataFrame({a: [1.0, 2.0] for a in AXES} | {"feasible": [True, True]})
    weights = {a: 0.0 for a in AXES} | {"performance": 0.5, "cost": 0.5}
    out = add_scores(df, weights)
    # performance: 0.5, 1.0; cost (lower better): 1.0, 0.5 -> equal scores, tie for first
    np.testing.assert_allclose(out["score"], [0.75, 0.75])
    assert list(out["rank"]) == [1.0, 1.0]


def test_selector_matches_technology_name_or_initials():
    assert selector_matches("hbm3e", "hbm3e", "HBM3e")
    assert selector_matches("co-packaged-optics", None, "CPO fat tree")
    assert not selector_matches("co-packaged-optics", None, "Tofu-D")
    assert not selector_matches("hbm3e", "hbm3", "HBM3")
    assert selector_matches("*", None, None)


def test_multipliers_change_only_the_matching_parts():
    cand = archmodels.load_machine(str(DATA / "machine-candidate-3d.toml"))
    fug = archmodels.load_machine(str(DATA / "machine-fugaku.toml"))
    mult = {"memory:hbm3e:energy_per_bit": 2.0, "memory:sram-3d:bandwidth": 0.5,
            "network:co-packaged-optics:energy_per_bit": 1.5}
    new, hit = apply_multipliers(cand, mult)
    assert hit == set(mult)
    old_mem, new_mem = cand.node.processors[0].memory, new.node.processors[0].memory
    assert new_mem[-1].energy_per_bit_j == pytest.approx(2.0 * old_mem[-1].energy_per_bit_j)
    assert new_mem[0].bandwidth_bytes_per_s == pytest.approx(0.5 * old_mem[0].bandwidth_bytes_per_s)
    assert new_mem[-1].bandwidth_bytes_per_s == old_mem[-1].bandwidth_bytes_per_s
    assert new.network.energy_per_bit_j == pytest.approx(1.5 * cand.network.energy_per_bit_j)
    same, hit = apply_multipliers(fug, mult)
    assert same is fug and hit == set()


def test_one_node_specs_are_priced_with_their_share_of_the_network(study):
    from archmodels.cost import node_capital_cost_jpy

    from fs.evaluate import node_profiles, system_nodes_estimate

    _, profiles, _ = node_profiles(study)
    dgx = study.candidates[2].machine
    assert dgx.nodes == 1
    n = system_nodes_estimate(study, dgx, None)
    assert n > 1000
    assert profiles[2].capital_per_node_jpy == pytest.approx(node_capital_cost_jpy(dgx.with_nodes(n)))
    assert profiles[2].capital_per_node_jpy > node_capital_cost_jpy(dgx)


def test_a_checkpoint_that_does_not_fit_the_storage_tier_is_flagged(study):
    small = dataclasses.replace(study, storage=dataclasses.replace(study.storage, node_flash_capacity_bytes=100e9))
    n = len(study.workloads)
    ref = _profile("fugaku", [1.0] * n, 188.0, 6e5, nodes=158976)
    cands = [_profile("fugaku", [1.0] * n, 188.0, 6e5), _profile("cand-cpu-3dsram-cpo", [0.1] * n, 2400.0, 5e6, mem=300e9),
             _profile("dgx-h100", [0.05] * n, 10200.0, 6e7, mem=2.7e12)]
    df = score_case(small, ref, cands).set_index("candidate")
    assert list(df["feasible"]) == [True, False, False]
    assert "no room for a checkpoint" in df.loc["dgx-h100", "violations"]


def test_the_io_axis_is_the_job_checkpoint_on_the_machines_own_tiers(study):
    # DGX H100: one node-scope tier (8 internal NVMe drives per node). A 256-node job writes
    # S = 256 m at 256 b_write, plus 256 nodes x 4 files x 3 operations at 256 x the metadata rate.
    from archmodels.io_model import checkpoint_waste
    from fs.evaluate import JOB_NODES, job_checkpoint, node_profiles

    m = archmodels.load_machine("dgx-h100")
    (tier,) = m.storage.tiers
    assert tier.scope == "node"
    n = JOB_NODES
    transfer = n * m.node.memory_bytes / (n * tier.write_bandwidth_bytes_per_s)
    md = n * 4 * 3 / (n * tier.metadata_ops_per_s) if tier.metadata_ops_per_s else 0.0
    c = job_checkpoint(m, n)
    assert c.tier == tier.name and c.fits
    assert c.write_transfer_s == pytest.approx(transfer, rel=1e-12) and c.write_metadata_s == pytest.approx(md, rel=1e-12)
    assert c.read_transfer_s == pytest.approx(n * m.node.memory_bytes / (n * tier.read_bandwidth_bytes_per_s), rel=1e-12)
    builtin = load_study("fugakunext")  # catalog machines, with their [storage]
    ref, profs, _ = node_profiles(builtin)
    df = score_case(builtin, ref, profs).set_index("candidate")
    row = df.loc["dgx-h100"]
    assert row["io"] == row["checkpoint_s"] == pytest.approx(transfer + md, rel=1e-12)
    assert row["checkpoint_tier"] == tier.name and row["checkpoint_job_nodes"] == n
    # the waste is the job's: its MTBF from 256 nodes and the drives it writes to, not the system's
    restart = c.read_transfer_s + c.read_metadata_s
    job_mtbf = 1.0 / (n / (row["system_mtbf_s"] * row["nodes"]) + c.storage_failures_per_s)
    assert row["checkpoint_mtbf_s"] == pytest.approx(job_mtbf, rel=1e-12)
    assert row["checkpoint_waste"] == pytest.approx(float(checkpoint_waste(transfer + md, job_mtbf, restart)), rel=1e-12)


def test_a_machine_without_storage_takes_the_studys_tier_and_an_unheld_checkpoint_is_flagged(study):
    from fs.evaluate import job_checkpoint, node_profile
    from fs.scoring import CheckpointInputs, SystemInputs, score_systems, violation_text

    m = archmodels.load_machine("dgx-h100")
    assert job_checkpoint(dataclasses.replace(m, storage=None), 256) is None
    huge = job_checkpoint(m, 256, node_memory_bytes=1e15)  # 1 PB per node: no drive holds it
    assert not huge.fits and huge.tier is None
    ref, _, _ = node_profiles_once(study)
    prof = node_profile(study, "dgx", m)
    one = np.array
    base = dict(time_per_unit_s=one([prof.time_per_unit_s]), busy_power_w=one([prof.busy_power_w]),
                idle_power_w=one([prof.idle_power_w]), max_power_w=one([prof.max_power_w]),
                memory_bytes=one([prof.memory_bytes]), capital_per_node_jpy=one([prof.capital_per_node_jpy]),
                embodied_per_node_g=one([prof.embodied_per_node_g]), nodes=one([100.0]))
    study_tier = score_systems(study, ref, SystemInputs(**base, checkpoint=CheckpointInputs.stack([None])))
    # the study's node-local flash: t = M_node / B_flash
    assert study_tier["checkpoint_s"][0] == pytest.approx(
        prof.memory_bytes / study.storage.node_flash_bandwidth_bytes_per_s, rel=1e-12)
    unheld = score_systems(study, ref, SystemInputs(**base, checkpoint=CheckpointInputs.stack([huge])))
    assert not unheld["feasible"][0] and unheld["violation_bits"][0] & 16
    assert unheld["checkpoint_waste"][0] == 1.0
    row = {k: (v[0] if np.ndim(v) else v) for k, v in unheld.items()}
    assert "no storage tier of the machine holds a 256-node job's checkpoint" in violation_text(study, row)


def node_profiles_once(study):
    from fs.evaluate import node_profiles

    return node_profiles(study)


def test_storage_is_sized_priced_and_powered_with_the_nodes():
    # Fugaku: LLIO (one SSD unit per 16 nodes) and FEFS (one shared tier). Each node carries
    # (158976/16 x P_LLIO + P_FEFS) / 158976 of power and P_FEFS-price / 158976 of capital.
    from fs.evaluate import node_profiles, storage_share_per_node

    m = archmodels.load_machine("fugaku")
    llio, fefs = m.storage.tiers
    assert (llio.scope, fefs.scope) == ("group", "system")
    units = -(-m.nodes // llio.nodes_per_unit)
    watts, jpy = storage_share_per_node(m)
    assert watts == pytest.approx((units * llio.power_w + fefs.power_w) / m.nodes, rel=1e-12)
    from archmodels.cost import tier_price_jpy

    assert jpy == pytest.approx(tier_price_jpy(fefs) / m.nodes, rel=1e-12)
    builtin = load_study("fugakunext")
    ref, profs, _ = node_profiles(builtin)
    df = score_case(builtin, ref, profs).set_index("candidate")
    row, prof = df.loc["fugaku-rebuilt"], next(p for p in profs if p.label == "fugaku-rebuilt")
    assert prof.storage_power_w == pytest.approx(watts, rel=1e-9)
    assert row["power_w"] == pytest.approx(row["nodes"] * (prof.max_power_w + watts) * builtin.pue, rel=1e-12)
    assert row["capital_cost_jpy"] == pytest.approx(row["nodes"] * (prof.capital_per_node_jpy + jpy), rel=1e-12)


def test_a_dgx_b200_checkpoints_to_its_shipped_nvme_in_a_study():
    # 8 x 3.84 TB NVMe per node against its node memory: the study's old one-drive tier refused it
    from fs.evaluate import job_checkpoint

    m = archmodels.load_machine("dgx-b200")
    (tier,) = m.storage.tiers
    assert tier.capacity_bytes >= m.node.memory_bytes > 3.84e12
    c = job_checkpoint(m, 256)
    assert c.fits and c.tier == tier.name
    assert c.write_transfer_s == pytest.approx(m.node.memory_bytes / tier.write_bandwidth_bytes_per_s, rel=1e-12)


def test_fugaku_rebuilt_at_its_published_budget_is_fugaku_within_the_issues_band():
    # Out of sample for the cost model's one fitted constant (the procurement factor is fitted to
    # LUMI and Alps): Fugaku's ~130 billion JPY (Nikkei 2020) rebuys 0.8-1.25x of Fugaku.
    import math

    from archmodels.cost import cost_validation
    from fs.evaluate import node_profiles, rebuilt_at_budget

    (row,) = [r for r in cost_validation() if r.system == "fugaku"]
    assert not row.in_sample and row.currency == "JPY"
    st = load_study("fugakunext")
    m = archmodels.load_machine("fugaku")
    out = rebuilt_at_budget(st, m, row.published)
    assert out["sized_by"] == "capital" and out["reference_nodes"] == 158976
    _, profs, _ = node_profiles(st)
    prof = next(p for p in profs if p.label == "fugaku-rebuilt")  # the same machine in the built-in study
    assert out["nodes"] == math.floor(row.published / (prof.capital_per_node_jpy + prof.storage_capital_jpy))
    assert out["performance"] == pytest.approx(out["nodes"] / 158976, rel=1e-9)  # same node, same throughput
    assert 0.8 <= out["performance"] <= 1.25


def test_cost_and_carbon_axes_are_per_unit_of_delivered_work():
    """Cost and carbon are per reference node-hour of useful work over the lifetime: doubling a
    system doubles its carbon and (but for the network's capital per node, which grows with the
    fat tree: +0.1 %) its total cost, and leaves the axes unchanged, and each axis is the total
    over the work the row's own speedup, operability and lifetime give."""
    from fs.study import Candidate

    base = load_study("fugakunext")
    m = archmodels.load_machine("mi300a-node")
    s = dataclasses.replace(base, candidates=(Candidate("small", m, 2000, "mi300a-node"),
                                              Candidate("large", m, 4000, "mi300a-node")))
    ref, profiles = score_inputs(s)
    df = score_case(s, ref, profiles).set_index("candidate")
    small, large = df.loc["small"], df.loc["large"]
    assert large["total_cost_jpy"] == pytest.approx(2 * small["total_cost_jpy"], rel=5e-3)
    assert large["carbon_g"] == pytest.approx(2 * small["carbon_g"], rel=1e-9)
    assert large["cost"] == pytest.approx(small["cost"], rel=5e-3)
    assert large["carbon"] == pytest.approx(small["carbon"], rel=1e-9)
    for _, r in df.iterrows():
        work = r["performance"] * ref.machine_nodes * r["operability"] * s.lifetime_years * 365.25 * 24
        assert r["work_node_hours"] == pytest.approx(work, rel=1e-12)
        assert r["cost"] == pytest.approx(r["total_cost_jpy"] / work, rel=1e-12)
        assert r["carbon"] == pytest.approx(r["carbon_g"] / work, rel=1e-12)


def test_a_slow_candidate_never_ranks_first_when_another_meets_the_speedup_requirement():
    """Under any weights (2,000 Dirichlet draws on the simplex), the built-in study with a
    'speedup >= 1' requirement never ranks Fugaku rebuilt (0.76x) first: a faster feasible
    candidate meets the requirement and ranks above it."""
    from fs.spec import AXES
    from fs.study import Requirement

    base = load_study("fugakunext")
    s = dataclasses.replace(base, requirements=(Requirement("speedup", "at_least", 1.0, "1"),))
    ref, profiles = score_inputs(s)
    df = score_case(s, ref, profiles)
    slow = df.set_index("candidate").loc["fugaku-rebuilt"]
    assert slow["performance"] < 0.8 and not slow["meets_requirements"]
    assert (df["feasible"] & df["meets_requirements"]).any()
    rng = np.random.default_rng(7)
    for w in rng.dirichlet(np.ones(len(AXES)), 2000):
        ranked = add_scores(df, dict(zip(AXES, w)))
        assert ranked.loc[ranked["rank"] == 1, "candidate"].tolist() != ["fugaku-rebuilt"]


def score_inputs(study):
    from fs.evaluate import node_profiles

    ref, profiles, _ = node_profiles(study)
    return ref, profiles


def test_a_selector_scales_only_the_candidates_and_reference_it_picks(study):
    """``cost:gpu:capital`` moves the GPU machine's capital, never CPU-only Fugaku's (issue 15)."""
    n = len(study.workloads)
    cpu = ("fugaku", "Fugaku", "A64FX", "cpu")
    gpu = ("dgx-h100", "DGX H100", "H100 SXM", "cpu", "gpu")
    ref = dataclasses.replace(_profile("fugaku", [1.0] * n, 188.0, 6e5, nodes=158976), selector_names=cpu)
    cands = [dataclasses.replace(_profile("fugaku", [1.0] * n, 188.0, 6e5), selector_names=cpu),
             dataclasses.replace(_profile("dgx-h100", [0.05] * n, 10200.0, 6e7), selector_names=gpu)]
    base = score_case(study, ref, cands).set_index("candidate")
    for target in ("cost:gpu:capital", "cost:dgx-h100:capital", "cost:H100 SXM:capital"):
        moved = score_case(study, ref, cands, {target: 2.0}).set_index("candidate")
        per_node = moved["capital_cost_jpy"] / moved["nodes"] / (base["capital_cost_jpy"] / base["nodes"])
        assert per_node["fugaku"] == pytest.approx(1.0) and per_node["dgx-h100"] == pytest.approx(2.0), target
        assert moved.loc["fugaku", "nodes"] == base.loc["fugaku", "nodes"]
    everyone = score_case(study, ref, cands, {"cost:*:capital": 2.0}).set_index("candidate")
    assert everyone.loc["fugaku", "capital_cost_jpy"] / everyone.loc["fugaku", "nodes"] == pytest.approx(2 * 6e5)
    # node power on the GPU machine only: Fugaku's power and the reference's (perf/W) are untouched
    hot = score_case(study, ref, cands, {"node:gpu:power": 1.5}).set_index("candidate")
    assert hot.loc["fugaku", "performance_per_watt"] == pytest.approx(base.loc["fugaku", "performance_per_watt"])
    assert hot.loc["dgx-h100", "average_power_w"] > base.loc["dgx-h100", "average_power_w"]
    # a grid selector picks the study's grid by name
    pricier = score_case(study, ref, cands, {f"grid:{study.grid.name}:price": 2.0})
    assert (pricier["grid_price_jpy_per_kwh"] == 2 * study.grid.price_jpy_per_kwh).all()
    assert (score_case(study, ref, cands, {"grid:elsewhere:price": 2.0})["grid_price_jpy_per_kwh"]
            == study.grid.price_jpy_per_kwh).all()


def test_node_profiles_carry_the_names_selectors_match(study):
    from fs.evaluate import node_profile

    profile = node_profile(study, "dgx", archmodels.load_machine("dgx-h100"))
    assert profile.selector_names[:2] == ("dgx", archmodels.load_machine("dgx-h100").name)
    assert selector_matches("gpu", *profile.selector_names)
    fugaku = node_profile(study, "fugaku", archmodels.load_machine("fugaku"))
    assert not selector_matches("gpu", *fugaku.selector_names)
