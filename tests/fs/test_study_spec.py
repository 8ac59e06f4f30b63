"""Study specs: the shared example loads unchanged; each kind of bad input names its field."""

import copy
import tomllib
from pathlib import Path

import pytest

from archmodels.errors import SpecError
from fs import spec

DATA = Path(__file__).parents[1] / "data" / "study"
EXAMPLE = DATA / "study-fugakunext.toml"


@pytest.fixture(scope="module")
def raw():
    return tomllib.loads(EXAMPLE.read_text())


def test_shared_example_loads_unchanged():
    s = spec.read_spec(EXAMPLE)
    assert s.name == "fugakunext-sketch"
    assert [c.machine for c in s.candidates] == ["machine-fugaku.toml", "machine-candidate-3d.toml", "machine-dgx-h100.toml"]
    assert s.metrics.performance == 0.25 and s.metrics.carbon == 0.10
    assert [u.target for u in s.uncertainty][0] == "memory:hbm3e:energy_per_bit"
    assert s.uncertainty[1].distribution.mode == 1.0


def _problem_paths(data):
    with pytest.raises(SpecError) as info:
        spec.parse_spec(data, "x.toml")
    return info.value, [p for p, _ in info.value.problems]


def test_unknown_metric_is_named(raw):
    bad = copy.deepcopy(raw)
    bad["metrics"]["speed"] = 0.0
    err, paths = _problem_paths(bad)
    assert paths == ["metrics.speed"]
    assert "unknown metric 'speed'" in str(err) and "x.toml" in str(err)


def test_weights_must_sum_to_one(raw):
    bad = copy.deepcopy(raw)
    bad["metrics"]["performance"] = 0.5
    err, paths = _problem_paths(bad)
    assert paths == ["metrics"]
    assert "sum to 1.25" in str(err)


def test_portfolio_weights_must_sum_to_one(raw):
    bad = copy.deepcopy(raw)
    bad["portfolio"][0]["weight"] = 0.9
    _, paths = _problem_paths(bad)
    assert paths == ["portfolio"]


def test_every_problem_is_reported(raw):
    bad = copy.deepcopy(raw)
    bad["metrics"]["speed"] = 0.0
    bad["lifetime"]["pue"] = 0.5
    bad["uncertainty"][0]["target"] = "memory:hbm3e:colour"
    bad["candidates"][1]["nodes"] = -3
    _, paths = _problem_paths(bad)
    assert sorted(paths) == ["candidates[1].nodes", "lifetime.pue", "metrics.speed", "uncertainty[0].target"]


def test_distribution_needs_its_parameters(raw):
    bad = copy.deepcopy(raw)
    bad["uncertainty"][1]["distribution"] = {"kind": "triangular", "low": 0.5, "high": 1.5}
    err, paths = _problem_paths(bad)
    assert paths == ["uncertainty[1].distribution"]
    assert "mode" in str(err)


@pytest.mark.parametrize("dist", [{"kind": "uniform", "low": 0.0, "high": 1.5},
                                  {"kind": "triangular", "low": -0.2, "mode": 1.0, "high": 1.5},
                                  {"kind": "normal", "mean": 0.0, "sd": 0.1}])
def test_a_distribution_that_reaches_zero_is_refused_naming_its_field(raw, dist):
    bad = copy.deepcopy(raw)
    bad["uncertainty"][1]["distribution"] = dist
    _, paths = _problem_paths(bad)
    assert paths == ["uncertainty[1].distribution"]


def test_builtin_study_is_valid():
    assert "fugakunext" in spec.builtin_studies()
    s = spec.read_spec(spec.locate_study("fugakunext"))
    assert s.reference == "fugaku"


def _write_variant(tmp_path, edit):
    import shutil

    shutil.copytree(DATA, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "variant.toml"
    # the candidates as datasheeted (fs.projected_candidates): these tests are about the other tables
    path.write_text(edit(EXAMPLE.read_text()).replace("seed = 20261129", 'seed = 20261129\nproject_candidates = "none"', 1))
    return path


def test_optional_tables_reach_the_resolved_study(tmp_path):
    from fs.study import load_study

    path = _write_variant(tmp_path, lambda t: t.replace('mode = "fit-constraints"', 'mode = "as-specified"')
                          .replace('machine = "machine-dgx-h100.toml"', 'machine = "machine-dgx-h100.toml"\nnodes = 512\nlabel = "dgx"')
                          + '\n[storage]\ntier = "parallel-fs"\npfs_bandwidth = "5 TB/s"\n'
                          + '\n[assumptions]\nproductivity = { gpu = 0.7 }\n')
    s = load_study(path)
    assert s.scale_mode == "as-specified"
    assert [c.label for c in s.candidates] == ["fugaku", "cand-cpu-3dsram-cpo", "dgx"]
    assert s.candidates[2].nodes == 512 and s.candidates[0].nodes is None
    assert s.storage.tier == "parallel-fs" and s.storage.pfs_bandwidth_bytes_per_s == 5e12
    assert dict(s.productivity) == {"gpu": 0.7}  # the study's override; the table is fs/data/ecosystems.toml


def test_as_specified_uses_the_machines_node_counts(tmp_path):
    from fs.runner import evaluate_case
    from fs.study import load_study

    path = _write_variant(tmp_path, lambda t: t.replace('mode = "fit-constraints"', 'mode = "as-specified"'))
    df = evaluate_case(load_study(path), {}).set_index("candidate")
    assert df.loc["fugaku", "nodes"] == 158976 and df.loc["cand-cpu-3dsram-cpo", "nodes"] == 4096
    assert (df["sized_by"] == "as-specified").all()
    # Fugaku at its own size is the reference: speedup 1; it costs more than 110e9 JPY in the cost model
    assert df.loc["fugaku", "performance"] == pytest.approx(1.0)
    assert df.loc["fugaku", "feasible"] == (df.loc["fugaku", "capital_cost_jpy"] <= 110e9)


def test_missing_machine_and_unknown_workload_are_named(tmp_path):
    from fs.study import load_study

    path = _write_variant(tmp_path, lambda t: t.replace('machine = "machine-dgx-h100.toml"', 'machine = "no-such-machine"')
                          .replace('workload = "md"', 'workload = "nbody"'))
    with pytest.raises(SpecError) as info:
        load_study(path)
    paths = [p for p, _ in info.value.problems]
    assert paths == ["candidates[2].machine", "portfolio[3].workload"]


def _builtin_with_lifetime(tmp_path, lines):
    from fs.study import load_study

    text = (Path(spec.__file__).parent / "studies" / "fugakunext.toml").read_text()
    head, rest = text.split("[lifetime]\n", 1)
    rest = rest.split("\n\n", 1)[1]
    path = tmp_path / "study.toml"
    path.write_text(head + "[lifetime]\nyears = 6\npue = 1.15\n" + "".join(f"{line}\n" for line in lines) + "\n" + rest)
    return load_study(path)


def test_lifetime_names_its_start_year_and_grid_trajectory(tmp_path):
    default = _builtin_with_lifetime(tmp_path, [])
    assert (default.start_year, default.grid_trajectory) == (2030, "japan-strategic-energy-plan")
    off = _builtin_with_lifetime(tmp_path, ['start_year = 2032', 'grid_trajectory = "none"'])
    assert (off.start_year, off.grid_trajectory) == (2032, "none")
    with pytest.raises(SpecError):
        _builtin_with_lifetime(tmp_path, ['grid_trajectory = "eu-2040"'])


def test_a_site_names_its_grid_and_a_contradiction_is_refused(tmp_path):
    # the built-in study stands in Kobe: the Kansai grid's figures from fs/data/defaults.toml
    assert _builtin_with_lifetime(tmp_path, ['site = "kobe"']).grid.name == "kansai-2025"
    kobe = _builtin_with_lifetime(tmp_path, ['site = "kobe"'])
    assert (kobe.grid.carbon_intensity_g_per_kwh, kobe.grid.price_jpy_per_kwh) == (365.5, 16.53)
    assert _builtin_with_lifetime(tmp_path, ['grid = "tokyo-2025"']).grid.name == "tokyo-2025"
    # neither: the study stands where its reference does (catalog Fugaku: site = "kobe")
    assert archmodels_machine("fugaku").site == "kobe"
    assert _builtin_with_lifetime(tmp_path, []).grid.name == "kansai-2025"
    with pytest.raises(SpecError) as err:
        _builtin_with_lifetime(tmp_path, ['site = "kobe"', 'grid = "tokyo-2025"'])
    assert [p for p, _ in err.value.problems] == ["lifetime.grid"] and "kansai-2025" in str(err.value)
    with pytest.raises(SpecError) as err:
        _builtin_with_lifetime(tmp_path, ['site = "osaka"'])
    assert [p for p, _ in err.value.problems] == ["lifetime.site"] and "kobe" in str(err.value)


def archmodels_machine(name):
    import archmodels

    return archmodels.load_machine(name)


def test_selectors_that_pick_a_candidate_the_reference_or_the_grid_load(tmp_path):
    from fs.study import load_study

    extra = "".join(f'\n[[uncertainty]]\ntarget = "{t}"\ndistribution = {{ kind = "uniform", low = 0.9, high = 1.1 }}\n'
                    for t in ("cost:gpu:capital", "node:fugaku:power", "reliability:a64fx:node_mtbf",
                              "grid:tokyo-2025:price", "processor:gpu:peak"))
    s = load_study(_write_variant(tmp_path, lambda t: t + extra))
    assert [u.target for u in s.uncertainties if u.source is None][-5:] == ["cost:gpu:capital", "node:fugaku:power",
                                                        "reliability:a64fx:node_mtbf", "grid:tokyo-2025:price",
                                                        "processor:gpu:peak"]
