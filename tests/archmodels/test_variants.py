"""Variants: a base machine plus changes, expanded into a complete, cited machine spec."""

from pathlib import Path

import pytest

from archmodels import load_machine, predict
from archmodels.errors import InputError, SpecError
from archmodels.loaders import CATALOG_DIR
from archmodels.memtech import memory_technology
from archmodels.links import link_technology, network_power
from archmodels.spec import read_toml
from archmodels.variants import expand_variant

EXAMPLES = ["fugaku-hbm3e", "fugaku-sram-512mib", "cand-cpu-3dsram-pluggable", "fugaku-next-3d"]
GIB = 2.0**30


def write(tmp_path: Path, text: str, name: str = "v.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def write_variant(tmp_path: Path, base: str, name: str, title: str, changes: str) -> Path:
    """A variant of ``base`` called ``name``: the header, then ``changes`` (its changes and sources)."""
    return write(tmp_path, f'base = "{base}"\nname = "{name}"\ntitle = "{title}"\n{changes}')


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_variants_load_and_cite_every_number(name):
    m = load_machine(name)
    assert m.hypothetical
    assert m.name == name
    for field, (text, sid) in m.provenance.items():
        assert sid is not None and sid in m.sources, f"{name}: {field} = {text} has no source"
    raw = expand_variant(read_toml(CATALOG_DIR / f"{name}.toml"), str(CATALOG_DIR / f"{name}.toml"))
    assert raw["schema"] == "fs-workbench/machine/1"
    assert "change[0]" in raw["notes"]


def test_memory_swap_keeps_the_stack_count_and_takes_the_table():
    base, var = load_machine("fugaku"), load_machine("fugaku-hbm3e")
    hbm2, hbm3e = memory_technology("hbm2"), memory_technology("hbm3e")
    stacks = base.node.processors[0].outer_memory.capacity_bytes / hbm2.capacity_per_unit_bytes
    assert stacks == 4
    outer = var.node.processors[0].outer_memory
    assert outer.name == "HBM3E" and outer.technology == "hbm3e"
    assert outer.capacity_bytes == 4 * hbm3e.capacity_per_unit_bytes
    assert outer.bandwidth_bytes_per_s == pytest.approx(4 * hbm3e.bandwidth_per_unit_bytes_per_s)
    assert outer.energy_per_bit_j == pytest.approx(hbm3e.energy_per_bit_j)
    assert var.source_of("node.processors[0].memory[2].bandwidth").id == "memtech-hbm3e"
    # only the memory changed
    assert var.node.processors[0].peak_flop_per_s == base.node.processors[0].peak_flop_per_s
    assert var.nodes == base.nodes and var.network == base.network
    # and it pays off where HBM bandwidth is the bound
    assert predict(var, "hpcg", nodes=1).time_s < predict(base, "hpcg", nodes=1).time_s


def test_add_memory_inserts_sram_above_the_outermost_level():
    var = load_machine("fugaku-sram-512mib")
    names = [lv.name for lv in var.node.processors[0].memory]
    assert names == ["L1", "L2", "SRAM-3D", "HBM2"]
    sram = var.node.processors[0].memory[2]
    tech = memory_technology("sram-3d")
    assert sram.capacity_bytes == 512 * 2**20
    assert sram.bandwidth_bytes_per_s == pytest.approx(8 * tech.bandwidth_per_unit_bytes_per_s)
    assert var.source_of("node.processors[0].memory[2].capacity").id == "assumption-sram-size"
    # the stencil's two grids (2 GiB) do not fit, but its planes already fit L2: no gain expected;
    # HPCG's working set does not fit either, so time may only fall or stay
    for wl in ("stencil-7pt", "hpcg", "spmv"):
        assert predict(var, wl, nodes=1).time_s <= predict("fugaku", wl, nodes=1).time_s


def test_link_swap_takes_static_and_per_bit_power_from_the_link_table():
    var, base = load_machine("cand-cpu-3dsram-pluggable"), load_machine("cand-cpu-3dsram-cpo")
    assert var.network.technology == "pluggable-optics"
    ref = network_power("fat-tree", var.nodes, var.network.injection_bandwidth_bytes_per_s, "pluggable-optics", 1.0)
    assert var.network.link_static_power_w == pytest.approx(ref.static_power_w / var.nodes, rel=1e-3)
    assert var.network.energy_per_bit_j == pytest.approx(
        ref.dynamic_power_w / (8 * var.nodes * var.network.injection_bandwidth_bytes_per_s), rel=1e-3)
    assert var.network.energy_per_bit_j > link_technology("pluggable-optics").energy_per_bit_j  # several hops per bit
    assert var.node.processors[0].memory == base.node.processors[0].memory
    assert base.network.technology == "co-packaged-optics"


def test_a_link_technology_that_cannot_span_the_room_is_refused(tmp_path):
    # 4096 nodes at 128 per rack: 32 racks, ~22 m cables; passive copper reaches 2 m
    path = write(tmp_path, 'base = "cand-cpu-3dsram-cpo"\nname = "cu"\ntitle = "cu"\n'
                 '[[change]]\nset = "network.technology"\nvalue = "electrical"\n', "cu.toml")
    with pytest.raises(SpecError, match="reaches 2 m.*22 m"):
        load_machine(path)


def test_variant_of_a_variant_with_relative_base_and_power_cap(tmp_path):
    var = load_machine("fugaku-next-3d")
    assert [lv.name for lv in var.node.processors[0].memory] == ["L1", "L2", "SRAM-3D", "HBM3E"]
    assert var.node.power_max_w == 250.0
    assert var.network.technology == "co-packaged-optics"


def test_power_cap_below_the_tdp_limits_the_rate(tmp_path):
    path = write_variant(tmp_path, "dgx-h100", "dgx-h100-capped", "DGX H100 capped at 6 kW", """
source = "cap"
[[change]]
power_cap = "6 kW"
[sources.cap]
title = "study knob"
""")
    capped = load_machine(path)
    assert capped.node.power_max_w == 6000.0
    assert all(p.tdp_w is None for p in capped.node.processors)
    full, low = predict("dgx-h100", "dgemm", nodes=1), predict(capped, "dgemm", nodes=1)
    assert low.power_w <= 6000.0 + 1e-6
    assert low.flop_per_s < full.flop_per_s


def test_set_nodes_and_quantities_with_sources(tmp_path):
    path = write_variant(tmp_path, "fugaku", "fugaku-small", "Fugaku, one rack's worth of nodes, faster HBM", """
[[change]]
set = "system.nodes"
value = 384
source = "rack"
[[change]]
set = "node.processors[0].memory[HBM2].bandwidth"
value = "1.2 TB/s"
source = "rack"
[sources.rack]
title = "study knob"
""")
    m = load_machine(path)
    assert m.nodes == 384
    assert m.node.processors[0].outer_memory.bandwidth_bytes_per_s == 1.2e12
    assert m.source_of("node.processors[0].memory[2].bandwidth").id == "rack"


def test_remove_a_level(tmp_path):
    path = write_variant(tmp_path, "fugaku", "fugaku-no-l2", "Fugaku without L2", """
[[change]]
remove = "node.processors[A64FX].memory[L2]"
""")
    m = load_machine(path)
    assert [lv.name for lv in m.node.processors[0].memory] == ["L1", "HBM2"]


@pytest.mark.parametrize(("body", "where", "words"), [
    ('[[change]]\nset = "node.processors[B64FX].clock"\nvalue = "3 GHz"\nsource = "s"', "change[0]", "B64FX"),
    ('[[change]]\nset = "node.processors[A64FX].clock"\nvalue = "3 GHz"', "change[0].source", "source"),
    ('[[change]]\nset = "node.processors[A64FX].clock"\nvalue = "3 GHz"\nsource = "nope"', "change[0].source", "nope"),
    ('[[change]]\nset = "node.processors[A64FX].memory[HBM2].technology"\nvalue = "hbm9"', "change[0].value", "hbm9"),
    ('[[change]]\nset = "node.processors[A64FX].clock"\nvalue = "3 parsecs"\nsource = "s"', "change[0]", "clock"),
    ('[[change]]\nadd_memory = "node.processors[A64FX]"\nname = "S"\ntechnology = "sram-3d"\ncapacity = "1 GiB"',
     "change[0].source", "source"),
    ('[[change]]\nadd_memory = "node.processors[A64FX]"\nname = "S"\ntechnology = "sram-3d"\ncapacity = "fast"\nsource = "s"',
     "change[0].capacity", "fast"),
    ('[[change]]\nset = "network.technology"\nvalue = "smoke-signals"', "change[0].value", "smoke-signals"),
    ('[[change]]\nset = "system.nodes"\nvalue = 8\nsource = "s"\n[[change]]\nsett = "x"', "change[1].sett", "unknown"),
    ('[[change]]\nset = "system.nodes"\nvalue = 8\nsource = "s"\npower_cap = "1 kW"', "change[0]", "exactly one"),
])
def test_bad_changes_name_the_file_and_the_change(tmp_path, body, where, words):
    path = write(tmp_path, f'base = "fugaku"\nname = "bad"\ntitle = "bad"\n{body}\n[sources.s]\ntitle = "t"\n')
    with pytest.raises(SpecError) as err:
        load_machine(path)
    text = str(err.value)
    assert str(path) in text
    assert where in text and words in text


def test_missing_base_and_cycles_are_reported(tmp_path):
    path = write(tmp_path, 'base = "no-such-machine.toml"\nname = "x"\ntitle = "x"\n[[change]]\nremove = "node.links[0]"\n')
    with pytest.raises(SpecError, match="base"):
        load_machine(path)
    write(tmp_path, 'base = "b.toml"\nname = "a"\ntitle = "a"\n[[change]]\nset = "title"\nvalue = "a"\n', "a.toml")
    write(tmp_path, 'base = "a.toml"\nname = "b"\ntitle = "b"\n[[change]]\nset = "title"\nvalue = "b"\n', "b.toml")
    with pytest.raises(SpecError, match="cycle"):
        load_machine(tmp_path / "a.toml")


def test_set_level_capacity_changes_one_level_only():
    from archmodels.transforms import set_level_capacity

    base = load_machine("cand-cpu-3dsram-cpo")
    m = set_level_capacity(base, "SRAM-3D", 16 * GIB)
    sram, hbm = m.node.processors[0].memory
    assert sram.capacity_bytes == 16 * GIB
    assert sram.bandwidth_bytes_per_s == base.node.processors[0].memory[0].bandwidth_bytes_per_s
    assert hbm == base.node.processors[0].memory[1]
    with pytest.raises(InputError, match="no memory level 'L9'"):
        set_level_capacity(base, "L9", GIB)
    with pytest.raises(InputError, match="positive"):
        set_level_capacity(base, "SRAM-3D", 0.0)


def test_capacity_sweep_matches_predict_and_never_rises():
    from archmodels.transforms import set_level_capacity
    from archmodels.variants import capacity_sweep

    caps = [2.0**k * 2**20 for k in (4, 8, 10, 12, 14)]
    df = capacity_sweep("cand-cpu-3dsram-cpo", ["stencil-7pt", "spmv", "llm-decode"], caps)
    assert len(df) == 15
    for wl, g in df.groupby("workload"):
        assert g["relative_time"].iloc[0] == 1.0
        assert (g["time_s"].diff().dropna() <= 0).all(), wl
    row = df[(df.workload == "spmv") & (df.capacity_bytes == 2**30)].iloc[0]
    p = predict(set_level_capacity(load_machine("cand-cpu-3dsram-cpo"), "SRAM-3D", 2**30), "spmv", nodes=1)
    assert row["time_s"] == pytest.approx(p.time_s) and row["bound"] == p.bound


def test_machines_validate_command_expands_variants(tmp_path):
    import subprocess
    import sys

    bad = write(tmp_path, 'base = "fugaku"\nname = "x"\ntitle = "x"\n[[change]]\nset = "network.latency"\nvalue = "1 us"\n')
    good = str(CATALOG_DIR / "fugaku-next-3d.toml")
    r = subprocess.run([sys.executable, "-m", "fs", "machines", "validate", good, str(bad), "--json"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    import json

    out = {Path(x["file"]).name: x for x in json.loads(r.stdout)}
    assert out["fugaku-next-3d.toml"]["ok"] and out["fugaku-next-3d.toml"]["name"] == "fugaku-next-3d"
    assert [p["path"] for p in out["v.toml"]["problems"]] == ["change[0].source"]


def test_cap_power_keeps_a_fitting_tdp_unless_told_to_share_the_cap():
    from archmodels.transforms import cap_power, renamed

    m = load_machine("dgx-h100")
    tdp_total = sum(p.tdp_w * p.count for p in m.node.processors if p.tdp_w)
    assert tdp_total > 0
    above = cap_power(m, 2 * tdp_total)
    assert [p.tdp_w for p in above.node.processors] == [p.tdp_w for p in m.node.processors]
    below = cap_power(m, 0.5 * tdp_total)
    assert all(p.tdp_w is None for p in below.node.processors)
    shared = cap_power(m, 2 * tdp_total, keep_tdp=False)
    assert all(p.tdp_w is None for p in shared.node.processors) and shared.node.power_max_w == 2 * tdp_total
    assert renamed(shared, "x").name == "x" and renamed(shared, "x").node == shared.node
