"""Memory technology table: lookups, cited figures, unit arithmetic."""

import dataclasses
import tomllib
from pathlib import Path

import pytest

import archmodels
from archmodels.errors import InputError
from archmodels.memtech import (
    bandwidth_for_capacity_bytes_per_s,
    memory_cost_jpy,
    memory_technologies,
    memory_technology,
    units_for_capacity,
)

TABLE = Path(archmodels.__file__).parent / "data" / "memory_technologies.toml"
REQUIRED = {"ddr5", "lpddr5x", "hbm2", "hbm2e", "hbm3", "hbm3e", "hbm4", "sram-3d", "sram"}


def test_table_covers_the_issue_list_and_is_frozen():
    assert REQUIRED <= set(memory_technologies())
    tech = memory_technology("HBM3E")
    assert tech.name == "hbm3e"
    with pytest.raises(dataclasses.FrozenInstanceError):
        tech.cost_jpy_per_gb = 0.0


def test_every_figure_cites_a_source_with_a_title():
    raw = tomllib.loads(TABLE.read_text())
    for name, entry in raw["technologies"].items():
        for key in ("bandwidth_per_unit", "capacity_per_unit", "energy_per_bit", "cost_per_gb"):
            source = entry[key]["source"]
            assert raw["sources"][source]["title"], (name, key)
            # anything not from a standard, datasheet or paper says it is an assumption
            if source.startswith("assumption"):
                assert raw["sources"][source]["title"].lower().startswith("assumption")


def test_a64fx_hbm2_four_stacks_give_1024_gb_per_s():
    # A64FX: 32 GiB HBM2 in 4 stacks, 1024 GB/s (Fugaku spec; JEDEC JESD235A 256 GB/s per stack)
    hbm2 = memory_technology("hbm2")
    assert units_for_capacity(32 * 2**30, hbm2.capacity_per_unit_bytes) == 4
    bw = bandwidth_for_capacity_bytes_per_s(32 * 2**30, hbm2.bandwidth_per_unit_bytes_per_s,
                                            hbm2.capacity_per_unit_bytes)
    assert bw == pytest.approx(1024e9)


def test_generations_get_faster_per_stack_and_stacked_sram_beats_hbm_on_energy():
    order = ["hbm2", "hbm2e", "hbm3", "hbm3e", "hbm4"]
    bws = [memory_technology(n).bandwidth_per_unit_bytes_per_s for n in order]
    assert bws == sorted(bws) and len(set(bws)) == len(bws)
    assert memory_technology("hbm4").bandwidth_per_unit_bytes_per_s == pytest.approx(2.048e12)
    sram3d, hbm3e = memory_technology("sram-3d"), memory_technology("hbm3e")
    assert sram3d.energy_per_bit_j < hbm3e.energy_per_bit_j / 5
    assert sram3d.cost_jpy_per_gb > 5 * hbm3e.cost_jpy_per_gb
    assert sram3d.bandwidth_per_capacity_per_s > 100 * hbm3e.bandwidth_per_capacity_per_s


def test_cost_arithmetic():
    assert memory_cost_jpy(80e9, 1800.0) == pytest.approx(144_000.0)
    assert units_for_capacity(80 * 2**30, 16 * 2**30) == 5
    assert units_for_capacity(1.0, 16 * 2**30) == 1


def test_unknown_technology_names_the_known_ones():
    with pytest.raises(InputError, match="hbm3e"):
        memory_technology("hbm9")
    with pytest.raises(InputError):
        units_for_capacity(0.0, 1.0)


def test_placement_drives_what_a_part_price_covers():
    assert {n for n in memory_technologies() if memory_technology(n).placement == "package"} >= {"hbm3e", "lpddr5x"}
    assert memory_technology("sram").placement == "die"
    assert memory_technology("ddr5").placement == "board"


def test_a_spec_names_only_technologies_of_the_table(tmp_path):
    from archmodels.errors import SpecError

    src = (Path(__file__).parents[2] / "examples" / "my-node.toml").read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(src.replace('technology = "ddr5"', 'technology = "hbm9"', 1))
    with pytest.raises(SpecError, match="unknown memory technology 'hbm9'; expected one of .*hbm3e"):
        archmodels.load_machine(bad)
