"""archmodels.technology: the cited technology tables as one value, read and changed."""

from pathlib import Path

import pytest

import archmodels
from archmodels.errors import InputError
from archmodels.memtech import memory_technologies, memory_technology
from archmodels.technology import (default_technology, efficiency, energy_per_flop_floor_j, node_other_fraction,
                                   sources, static_fraction)


def test_one_table_per_fact_the_roofline_energy_comes_from_the_memory_table():
    """A memory technology's energy per bit lives in memory_technologies.toml only: the roofline's
    technology tables read it, specs accept exactly its names, and a technology added to it (with a
    changed energy) reaches predict through ``Technology.replaced`` without another table."""
    from archmodels.technology import default_technology

    tech = default_technology()
    for name in memory_technologies():
        assert tech.memory_energy_per_bit_j(name) == memory_technology(name).energy_per_bit_j
    assert tech.memory_energy_per_bit_j(None) == pytest.approx(0.5e-12)  # a level with no technology
    changed = tech.replaced(memory_energy_per_bit_j={"hbm3e": 1e-12})
    assert changed.memory_energy_per_bit_j("hbm3e") == 1e-12
    assert tech.memory_energy_per_bit_j("hbm3e") == memory_technology("hbm3e").energy_per_bit_j
    energy = (Path(archmodels.__file__).parent / "data" / "energy.toml").read_text()
    assert "hbm" not in energy.lower() and "ddr" not in energy.lower()


def test_fit_set_keys_leave_the_fitted_values_alone():
    from archmodels.technology import efficiency, energy_per_flop_floor_j

    assert efficiency("cpu", "hpl").compute == 0.82 and efficiency("gpu", "hpl").compute == 0.78
    assert energy_per_flop_floor_j("gpu", "fp64") == pytest.approx(8.7e-12)


def test_other_precisions_scale_the_fp64_floor():
    # energy.toml: GPU 8.7 pJ per FP64 FLOP; fp32 x 0.5, fp16 x 0.25, fp8 x 0.125
    assert energy_per_flop_floor_j("gpu", "fp32") == pytest.approx(4.35e-12)
    assert energy_per_flop_floor_j("gpu", "fp16") == pytest.approx(2.175e-12)
    assert energy_per_flop_floor_j("cpu", "fp8") == pytest.approx(2.5e-12)   # 20 pJ x 0.125


def test_static_shares_and_their_sources():
    assert static_fraction() == 0.30 and node_other_fraction() == 0.10
    assert efficiency("gpu", "hpl").source == "top500-efficiency"
    cited = sources()
    assert {"top500-efficiency", "gpu-flop-energy", "horowitz-2014", "static-assumption"} <= set(cited)
    assert cited["horowitz-2014"]["url"] == "https://doi.org/10.1109/ISSCC.2014.6757323"


def test_replaced_changes_only_what_it_names_and_leaves_the_shipped_tables_alone():
    tech = default_technology()
    changed = tech.replaced(efficiency={("hpl", "gpu"): {"compute": 0.5}}, static_fraction=0.2,
                            energy_per_flop_fp64={"gpu": 1e-11})
    assert changed.efficiency("gpu", "hpl").compute == 0.5
    assert changed.efficiency("gpu", "hpl").memory == 0.85            # the entry's other figure stays
    assert changed.static_fraction == 0.2 and changed.node_other_fraction == 0.10
    assert changed.energy_per_flop_floor_j("gpu", "fp16") == pytest.approx(2.5e-12)   # 10 pJ x 0.25
    assert changed.energy_per_flop_floor_j("cpu", "fp64") == pytest.approx(20e-12)
    assert tech.efficiency("gpu", "hpl").compute == 0.78 and tech.static_fraction == 0.30
    assert tech.energy_per_flop_floor_j("gpu", "fp64") == pytest.approx(8.7e-12)
    added = tech.replaced(efficiency={("hpl", "fpga"): {"compute": 0.6, "memory": 0.7}})
    assert added.efficiency("fpga", "hpl").source == "changed by the caller"


def test_unknown_memory_technology_names_the_known_ones():
    with pytest.raises(InputError, match="unknown memory technology 'hbm9'; expected one of .*hbm3e"):
        default_technology().memory_energy_per_bit_j("hbm9")


def test_unknown_table_keys_name_the_key_and_the_choices():
    tech = default_technology()
    with pytest.raises(InputError, match=r"unknown workload class 'dens'.*'dense'"):
        tech.efficiency("cpu", "dens")
    with pytest.raises(InputError, match=r"unknown processor type 'fpga'.*accelerator, cpu, gpu"):
        tech.efficiency("fpga", "dense")
    with pytest.raises(InputError, match=r"unknown processor type 'fpga'"):
        tech.energy_per_flop_floor_j("fpga", "fp64")
    with pytest.raises(InputError, match=r"unknown precision 'fp5'"):
        tech.energy_per_flop_floor_j("cpu", "fp5")
