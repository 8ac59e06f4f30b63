import pytest

from archmodels import predict
from archmodels.errors import InputError
from fs.compare import COLUMNS, compare


def test_compare_rows_match_predict():
    df = compare(["fugaku", "dgx-h100"], ["hpcg", "dgemm", "llm-decode"])
    assert list(df.columns) == COLUMNS
    assert len(df) == 6
    row = df[(df.machine == "fugaku") & (df.workload == "hpcg")].iloc[0]
    assert row.time_s == pytest.approx(predict("fugaku", "hpcg", nodes=1).time_s)


def test_infeasible_rows_say_why(tmp_path, shared_specs):
    # llm-train needs bf16/fp16 or wider: every machine has fp64, so make one that has too little memory
    text = (shared_specs / "machine-fugaku.toml").read_text().replace('capacity = "32 GiB"', 'capacity = "1 GiB"')
    small = tmp_path / "small.toml"
    small.write_text(text)
    df = compare([str(small)], ["llm-decode"])
    assert not df.feasible.iloc[0]
    assert "GiB needed" in df.reason.iloc[0]


def test_whole_catalog_and_portfolio():
    df = compare()
    assert len(df) >= 12 * 11
    assert df.feasible.sum() > 0.8 * len(df)


# --- problem size: the same problem on every machine (default) or each machine's own ---------------

# hpcg.toml: 25% of the 32 GiB HBM2 over the kernel model's 16.89 B per fine-grid nonzero
FUGAKU_HPCG_UNITS = 0.25 * 32 * 2**30 / 16.89


def _fugaku_variant(tmp_path, shared_specs, name, *, bandwidth="1024 GB/s", capacity="32 GiB"):
    """Fugaku's spec with the HBM2 bandwidth and capacity changed: a machine built for the test."""
    text = (shared_specs / "machine-fugaku.toml").read_text()
    assert text.count('bandwidth = "1024 GB/s"') == 1 and text.count('capacity = "32 GiB"') == 1
    text = text.replace('bandwidth = "1024 GB/s"', f'bandwidth = "{bandwidth}"')
    text = text.replace('capacity = "32 GiB"', f'capacity = "{capacity}"')
    text = text.replace('name = "fugaku"', f'name = "{name}"', 1)
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return str(path)


def test_same_problem_is_the_largest_every_machine_runs(tmp_path, shared_specs):
    base = _fugaku_variant(tmp_path, shared_specs, "base")
    big = _fugaku_variant(tmp_path, shared_specs, "big", capacity="64 GiB")
    df = compare([big, base, "dgx-h100"], ["hpcg"])
    assert set(df.problem) == {"same"} and df.feasible.all()
    # one size for all: the smallest machine's default, 25% of 32 GiB at 16.89 B per unit
    assert list(df.units_per_node) == pytest.approx([FUGAKU_HPCG_UNITS] * 3)
    assert list(df.total_units) == pytest.approx([FUGAKU_HPCG_UNITS] * 3)
    assert df.footprint_bytes_per_node.tolist() == pytest.approx([16.89 * FUGAKU_HPCG_UNITS] * 3)
    spec = {"base": base, "big": big, "dgx-h100": "dgx-h100"}
    for r in df.itertuples():  # each row is predict at that size
        at_size = predict(spec[r.machine], "hpcg", nodes=1, units_per_node=FUGAKU_HPCG_UNITS)
        assert r.time_s == pytest.approx(at_size.time_s, rel=1e-12)
    own = compare([big, base], ["hpcg"], problem="per-machine").set_index("machine").units_per_node
    assert own["big"] == pytest.approx(2 * FUGAKU_HPCG_UNITS) and own["base"] == pytest.approx(FUGAKU_HPCG_UNITS)


def test_twice_the_bandwidth_is_twice_as_fast_on_the_same_problem(tmp_path, shared_specs):
    # the trap: a node with 2x bandwidth AND 2x memory runs a 2x problem by default and "takes" as long
    base = _fugaku_variant(tmp_path, shared_specs, "base")
    fast = _fugaku_variant(tmp_path, shared_specs, "fast", bandwidth="2048 GB/s", capacity="64 GiB")
    same = compare([base, fast], ["hpcg"]).set_index("machine")
    assert same.bound["fast"] == same.bound["base"] == "memory:HBM2"
    assert same.time_s["base"] / same.time_s["fast"] == pytest.approx(2.0, rel=1e-6)
    own = compare([base, fast], ["hpcg"], problem="per-machine").set_index("machine")
    assert own.time_s["base"] / own.time_s["fast"] == pytest.approx(1.0, rel=1e-6)
    # rates say 2x in both modes
    assert own.units_per_s["fast"] / own.units_per_s["base"] == pytest.approx(2.0, rel=1e-6)


def test_whole_systems_run_the_same_total_problem():
    df = compare(["fugaku", "frontier"], ["hpl"], nodes=None).set_index("machine")
    assert df.total_units["fugaku"] == df.total_units["frontier"]
    assert df.nodes["fugaku"] == 158976 and df.nodes["frontier"] == 9604
    for m in ("fugaku", "frontier"):
        assert df.units_per_node[m] * df.nodes[m] == pytest.approx(df.total_units[m], rel=1e-12)
    # the smaller of the two systems' own HPL problems (80% of memory on every node)
    own = compare(["fugaku", "frontier"], ["hpl"], nodes=None, problem="per-machine")
    assert df.total_units["fugaku"] == pytest.approx(own.total_units.min(), rel=1e-12)


def test_a_given_size_runs_on_every_machine_or_says_it_does_not_fit():
    df = compare(["fugaku", "dgx-h100"], ["hpcg"], total_units=1e10).set_index("machine")
    assert not df.feasible["fugaku"] and "GiB needed" in df.reason["fugaku"]  # 160 GB on a 32 GiB node
    assert df.feasible["dgx-h100"] and df.units_per_node["dgx-h100"] == 1e10
    with pytest.raises(InputError, match="problem"):
        compare(["fugaku"], ["hpcg"], problem="weak")
    with pytest.raises(InputError, match="same problem"):
        compare(["fugaku"], ["hpcg"], problem="per-machine", total_units=1e9)
    with pytest.raises(InputError, match="positive"):
        compare(["fugaku"], ["hpcg"], total_units=0)
