import copy
import tomllib

import pytest

from archmodels.errors import SpecError
from archmodels.loaders import load_machine, machine_names
from archmodels.spec import read_toml
from archmodels.validation import published_figures


def test_shared_example_specs_load_unchanged(shared_specs):
    files = sorted(shared_specs.glob("machine-*.toml"))
    assert len(files) == 3
    for f in files:
        m = load_machine(f)
        assert m.nodes >= 1 and m.node.processors


def test_fugaku_spec_in_si_with_sources(shared_specs):
    m = load_machine(shared_specs / "machine-fugaku.toml")
    a64fx = m.node.processor("A64FX")
    assert a64fx.peak_flop_per_s["fp64"] == pytest.approx(3.3792e12)
    assert a64fx.outer_memory.bandwidth_bytes_per_s == pytest.approx(1.024e12)
    assert a64fx.outer_memory.capacity_bytes == 32 * 2**30
    assert m.network.latency_s == pytest.approx(0.49e-6)
    # per-value source overrides the file default
    assert m.source_of("network.latency").id == "ajima-2018"
    assert m.source_of("node.processors[0].peak.fp64").id == "riken-about"


def test_two_processor_types_and_links(shared_specs):
    m = load_machine(shared_specs / "machine-dgx-h100.toml")
    gpu = m.node.processor("H100-SXM5")
    assert gpu.count == 8 and gpu.type == "gpu"
    assert gpu.peak_matrix_flop_per_s["fp64"] == pytest.approx(67e12)
    assert gpu.peak_for("fp64", matrix=False) == pytest.approx(34e12)
    assert gpu.peak_for("fp64", matrix=True) == pytest.approx(67e12)
    assert gpu.precision_for("tf32", matrix=False) == "fp32"    # tf32 exists only on tensor cores
    assert gpu.precision_for("tf32", matrix=True) == "tf32"
    assert {link.name for link in m.node.links} == {"NVLink4", "PCIe Gen5 x16"}


def test_every_catalog_machine_validates():
    names = machine_names()
    assert len(names) >= 12
    for name in names:
        assert load_machine(name).name == name


def test_every_published_system_is_in_the_catalog():
    # or a fit-set system the catalog does not hold (archmodels/data/validation/fit_systems/)
    from archmodels.validation import FIT_SYSTEMS

    figures, sources = published_figures()
    names = set(machine_names()) | {p.stem for p in FIT_SYSTEMS.glob("*.toml")}
    for fig in figures:
        assert fig["system"] in names
        assert fig["source"] in sources


def _fugaku(shared_specs):
    return read_toml(shared_specs / "machine-fugaku.toml")


@pytest.mark.parametrize("mutate, path, fragment", [
    (lambda r: r["node"]["processors"][0].__setitem__("colour", "red"), "node.processors[0].colour", "unknown key"),
    (lambda r: r["node"]["processors"][0]["memory"][2].__setitem__("bandwidth", "1024 GB"),
     "node.processors[0].memory[2].bandwidth", "expected a bandwidth"),
    (lambda r: r["node"]["processors"][0].__setitem__("clock", "0 GHz"), "node.processors[0].clock", "positive"),
    (lambda r: r["node"].__setitem__("power_max", "-5 W"), "node.power_max", "positive"),
    (lambda r: r["system"].pop("nodes"), "system.nodes", "missing"),
    (lambda r: r["network"].__setitem__("latency", {"value": "1 us", "source": "nope"}), "network.latency.source",
     "not defined"),
])
def test_bad_input_names_the_field(shared_specs, machine_spec_problems, mutate, path, fragment):
    raw = copy.deepcopy(_fugaku(shared_specs))
    mutate(raw)
    error, problems = machine_spec_problems(raw, "fugaku.toml")
    assert path in problems, problems
    assert fragment in problems[path]
    assert str(error).startswith("fugaku.toml")


def test_every_problem_reported_not_only_the_first(shared_specs, machine_spec_problems):
    raw = copy.deepcopy(_fugaku(shared_specs))
    raw["node"]["processors"][0]["colour"] = "red"
    raw["system"]["nodes"] = 0
    raw["network"]["latency"] = "fast"
    _, problems = machine_spec_problems(raw, "x.toml")
    assert len(problems) == 3


def test_invalid_toml_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nnodes = = 3\n')
    with pytest.raises(SpecError, match=r"bad\.toml.*invalid TOML.*line 2"):
        load_machine(bad)


def test_reading_catalog_toml_is_plain_tomllib():
    # the catalog is data: plain TOML any tool can read
    from archmodels.loaders import CATALOG_DIR

    with (CATALOG_DIR / "fugaku.toml").open("rb") as fh:
        assert tomllib.load(fh)["name"] == "fugaku"
