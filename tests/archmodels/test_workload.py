"""archmodels.workload: sizing, footprint, the reuse step function and the workload file rules."""

import copy
import os
from pathlib import Path

import pytest

from archmodels.errors import InputError, SpecError
from archmodels.workload import (fixed_or_scaled, load_workload, validate_workload_dict, workload_from_spec,
                                 workload_names)

# half the outermost memory, 1 GB fixed plus 16 B per point; traffic 64 B/point with no cache,
# 40 B once 10 * sqrt(units) bytes fit, 24 B once 1 MB fits; a halo of 48 * sqrt(units) bytes
RAW = {
    "schema": "fs-workbench/workload/1", "name": "toy", "title": "toy stencil", "class": "stencil",
    "precision": "fp64", "unit": "point", "flop_per_unit": 8.0, "memory_fraction": 0.5,
    "footprint_per_unit": 16.0, "footprint": "1 GB",
    "traffic": [{"working_set_per_unit": 0, "bytes_per_unit": 64},
                {"working_set_per_unit": 10, "exponent": 0.5, "bytes_per_unit": 40},
                {"working_set": "1 MB", "bytes_per_unit": 24}],
    "communication": [{"pattern": "halo", "bytes_per_unit": 48, "exponent": 0.5}],
}


def toy():
    return workload_from_spec(validate_workload_dict(copy.deepcopy(RAW), "toy.toml"))


def test_fixed_or_scaled():
    assert fixed_or_scaled(5.0, 2.0, 9.0, 0.5) == 5.0        # a stated figure wins
    assert fixed_or_scaled(None, 2.0, 9.0, 0.5) == 6.0       # 2 * 9**0.5


def test_units_from_a_share_of_memory_and_the_footprint_they_need():
    w = toy()
    assert w.footprint_bytes == 1e9
    assert w.units_for(64e9) == pytest.approx((0.5 * 64e9 - 1e9) / 16)   # 1.9375e9 points
    assert w.units_for(1e9) == 0.0                                         # 0.5 GB cannot hold the fixed 1 GB
    assert w.footprint_for(1e6) == pytest.approx(1e9 + 16e6)


def test_bytes_below_a_cache_follow_the_last_point_that_fits():
    w = toy()
    units = 1e6                                   # second point's working set: 10 * 1e3 = 10 kB
    assert w.bytes_per_unit_below(0.0, units) == 64.0
    assert w.bytes_per_unit_below(9.99e3, units) == 64.0
    assert w.bytes_per_unit_below(1e4, units) == 40.0
    assert w.bytes_per_unit_below(1e6, units) == 24.0
    assert w.bytes_per_unit_below(4e4, 16e6) == 40.0   # 16x the units: the working set is 40 kB
    assert w.communication[0].bytes_per_node(units) == pytest.approx(48e3)


def test_shipped_stream_triad_by_hand():
    w = load_workload("stream-triad")
    assert w.units_per_processor == 2**27 and w.units_for(1.0) == 2**27
    assert w.footprint_for(2**27) == 3 * 2**30           # 24 B per element: three arrays of 1 GiB
    assert w.bytes_per_unit_below(3 * 2**30 - 1, 2**27) == 24.0
    assert w.bytes_per_unit_below(3 * 2**30, 2**27) == 0.0
    assert load_workload(w) is w


@pytest.mark.parametrize("change, path", [
    (lambda r: r["traffic"][1].update(bytes_per_unit=80), "traffic[1].bytes_per_unit"),   # traffic rises
    (lambda r: r["traffic"][0].update(working_set_per_unit=5), "traffic[0]"),            # no zero point
    (lambda r: r["traffic"][2].update(working_set_per_unit=3), "traffic[2]"),             # two working sets
])
def test_file_rules_name_the_field(change, path):
    raw = copy.deepcopy(RAW)
    change(raw)
    with pytest.raises(SpecError) as info:
        validate_workload_dict(raw, "toy.toml")
    assert path in dict(info.value.problems), info.value.problems


def test_a_workload_is_sized_one_way():
    with pytest.raises(SpecError, match="exactly one of `units_per_processor` or `memory_fraction`"):
        validate_workload_dict({**copy.deepcopy(RAW), "units_per_processor": 10.0}, "toy.toml")


def test_a_file_reloads_when_it_changes(tmp_path):
    f = tmp_path / "triad.toml"
    text = Path(load_workload("stream-triad").path).read_text()
    f.write_text(text)
    assert load_workload(f).flop_per_unit == 2
    f.write_text(text.replace("flop_per_unit = 2", "flop_per_unit = 3"))
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert load_workload(f).flop_per_unit == 3


def test_portfolio_names():
    names = workload_names()
    assert names == sorted(names) and len(names) == 11 and {"stream-triad", "hpl", "llm-decode"} <= set(names)
    with pytest.raises(InputError, match="unknown workload"):
        load_workload("no-such-workload")
