"""The roadmap table (archmodels/data/roadmap.toml) and the projection of a machine to a delivery year."""

from __future__ import annotations

import math
import tomllib

import pytest

from archmodels import predict
from archmodels.cost import node_cost
from archmodels.errors import InputError, SpecError
from archmodels.loaders import CATALOG_DIR, load_machine
from archmodels.memtech import memory_technology
from archmodels.power import processor_energy_per_flop_j
from archmodels.roadmap import (ROADMAP_FILE, energy_per_flop_floor_j, hbm_generation, load_roadmap,
                                project_machine, ratio, roadmap_entries, value_at, window,
                                write_projected_machine)
from archmodels.technology import default_technology
from archmodels.toml_writer import dumps_toml

#: one machine per processor type and memory kind: CPU+HBM2, GPU+HBM3 with a DDR5 host, APU+HBM3, accelerator
MACHINES = ["fugaku", "dgx-h100", "mi300a-node", "mn-core-2"]


def _walk_points(table, path=""):
    """Every (path, point) of the raw TOML: any table with a `points` list, at any depth."""
    for key, value in table.items():
        sub = f"{path}.{key}" if path else key
        if isinstance(value, dict):
            if "points" in value:
                for i, p in enumerate(value["points"]):
                    yield f"{sub}.points[{i}]", p
            else:
                yield from _walk_points(value, sub)


def test_every_roadmap_point_has_a_source_or_a_labelled_assumption():
    with ROADMAP_FILE.open("rb") as fh:
        raw = tomllib.load(fh)
    sources = raw["sources"]
    points = list(_walk_points({k: v for k, v in raw.items() if k != "sources"}))
    assert len(points) > 40
    for where, p in points:
        assert isinstance(p.get("year"), int), where
        if p["source"] == "assumption":
            assert len(p.get("assumption", "").strip()) > 20, f"{where}: an assumption needs its reason"
        else:
            assert p["source"] in sources, f"{where}: source {p['source']!r} not in [sources]"
            assert sources[p["source"]]["title"] and sources[p["source"]]["url"].startswith("http"), where
    for name, e in raw["entries"].items():  # every top-level entry says what it is and who uses it
        for entry in ([e] if "points" in e else e.values()):
            assert entry["title"] and entry["unit"] and entry["used_by"], name


def test_a_point_without_a_source_is_refused_with_its_path(tmp_path):
    text = ROADMAP_FILE.read_text().replace('{ year = 2022, value = 0.70, band = [0.9, 1.1], node = "N5/N4 (H100, MI300): -30% power vs N7", source = "tsmc-n5-vs-n7" }',
                                            '{ year = 2022, value = 0.70, band = [0.9, 1.1], source = "nowhere" }')
    bad = tmp_path / "roadmap.toml"
    bad.write_text(text)
    with pytest.raises(SpecError) as err:
        load_roadmap(str(bad))
    assert "entries.logic_energy.points[1]" in str(err.value) and "nowhere" in str(err.value)


def test_interpolation_is_log_linear_between_points_and_refuses_outside():
    pts = roadmap_entries()["logic_energy"]["points"]
    a, b = pts[1], pts[2]  # 2022 and 2025
    assert value_at("logic_energy", a["year"]).value == a["value"]
    mid = (a["year"] + b["year"]) / 2
    v = value_at("logic_energy", mid)
    assert v.value == pytest.approx(math.sqrt(a["value"] * b["value"]), rel=1e-12)
    assert v.low == pytest.approx(v.value * math.sqrt(a["band"][0] * b["band"][0]), rel=1e-12)
    assert v.low < v.value < v.high
    with pytest.raises(InputError, match="does not extrapolate"):
        value_at("logic_energy", pts[0]["year"] - 1)
    with pytest.raises(InputError, match="does not extrapolate"):
        value_at("logic_energy", pts[-1]["year"] + 1)
    with pytest.raises(InputError, match="no roadmap entry"):
        value_at("logic_energi", 2025)


def test_hbm_generation_is_a_step_over_memory_technologies():
    pts = load_roadmap()["hbm_generations"]["points"]
    for p, nxt in zip(pts, pts[1:]):
        assert hbm_generation(p["year"]) == p["technology"]
        assert hbm_generation(nxt["year"] - 1) == p["technology"]
        memory_technology(p["technology"])  # every generation is a technology of the one table
    bws = [memory_technology(p["technology"]).bandwidth_per_unit_bytes_per_s for p in pts]
    assert bws == sorted(bws)


def test_energy_per_flop_floor_by_year_follows_the_node_curve_and_keeps_precision_ratios():
    tech = default_technology()
    anchor = load_roadmap()["energy_per_flop"]["anchor_year"]
    for ptype in ("cpu", "gpu", "accelerator"):
        assert energy_per_flop_floor_j(ptype, "fp64", anchor) == pytest.approx(tech.energy_per_flop_floor_j(ptype, "fp64"))
        for prec in ("fp64", "fp32", "bf16", "fp8"):
            later = energy_per_flop_floor_j(ptype, prec, 2030)
            assert later / tech.energy_per_flop_floor_j(ptype, prec) == pytest.approx(ratio("logic_energy", anchor, 2030))
            assert later < tech.energy_per_flop_floor_j(ptype, prec)


@pytest.fixture(scope="module", params=MACHINES)
def projected(request, tmp_path_factory):
    name = request.param
    path = tmp_path_factory.mktemp("proj") / f"{name}-2030.toml"
    spec = write_projected_machine(name, 2030, path)
    return name, load_machine(name), load_machine(path), spec


def test_projection_lowers_energy_per_flop_by_the_table_ratio(projected):
    name, before, after, spec = projected
    s = ratio("logic_energy", before.year, 2030)
    assert s < 1
    for p0, p1 in zip(before.node.processors, after.node.processors):
        for prec in p0.peak_flop_per_s:
            e0 = processor_energy_per_flop_j(before.node, p0, prec)
            e1 = processor_energy_per_flop_j(after.node, p1, prec)
            assert e1 / e0 == pytest.approx(s, rel=1e-9), (name, p0.name, prec)
            # iso-power: the same TDP drives 1/s more FLOP/s
            assert p1.peak_for(prec, True) == pytest.approx(p0.peak_for(prec, True) / s, rel=1e-12)


def test_projection_raises_hbm_bandwidth_as_the_table_says(projected):
    name, before, after, spec = projected
    new = hbm_generation(2030)
    seen = 0
    for p0, p1 in zip(before.node.processors, after.node.processors):
        for m0, m1 in zip(p0.memory, p1.memory):
            if m0.technology and memory_technology(m0.technology).kind == "hbm":
                seen += 1
                old_t, new_t = memory_technology(m0.technology), memory_technology(new)
                assert m1.technology == new
                assert m1.bandwidth_bytes_per_s / m0.bandwidth_bytes_per_s == pytest.approx(
                    new_t.bandwidth_per_unit_bytes_per_s / old_t.bandwidth_per_unit_bytes_per_s, rel=1e-12)
                assert m1.capacity_bytes / m0.capacity_bytes == pytest.approx(
                    new_t.capacity_per_unit_bytes / old_t.capacity_per_unit_bytes, rel=1e-12)
                assert m1.bandwidth_bytes_per_s > m0.bandwidth_bytes_per_s
            elif m0.technology and memory_technology(m0.technology).kind == "dram":
                assert (m1.technology, m1.bandwidth_bytes_per_s) == (m0.technology, m0.bandwidth_bytes_per_s)
    assert seen or name == "mn-core-2"
    if seen:
        assert after.node.memory_bandwidth_bytes_per_s > before.node.memory_bandwidth_bytes_per_s


def test_the_projected_file_loads_and_predicts_more_work_per_joule(projected):
    name, before, after, spec = projected
    hbm = any(m.technology and memory_technology(m.technology).kind == "hbm"
              for p in before.node.processors for m in p.memory)
    for wl in ("hpl", "stream-triad"):
        p0, p1 = predict(before, wl, nodes=1), predict(after, wl, nodes=1)
        assert p1.flop_per_j > p0.flop_per_j, (name, wl)
        if wl == "hpl" or hbm:  # a stream on DRAM (MN-Core 2's) stays as fast: no DRAM generation is projected
            assert p1.flop_per_s > p0.flop_per_s, (name, wl)
        else:
            assert p1.flop_per_s == pytest.approx(p0.flop_per_s, rel=1e-12), (name, wl)
    assert after.year == 2030 and after.hypothetical and after.name == f"{name}-2030"


def test_the_projection_is_labelled_and_each_changed_field_cites_the_roadmap(projected):
    name, before, after, spec = projected
    proj = spec["projection"]
    assert (proj["from_machine"], proj["from_year"], proj["to_year"], proj["rule"]) == (name, before.year, 2030, "iso-power")
    assert any("iso-power" in a for a in proj["assumptions"])
    r, low, high = proj["ratios"]["logic_energy"]
    assert r == pytest.approx(ratio("logic_energy", before.year, 2030)) and low < r < high
    changed = [f for f, (text, _) in after.provenance.items() if before.provenance.get(f, (None,))[0] != text]
    assert any(".energy_per_flop" in f for f in changed) and any(".peak." in f for f in changed)
    for field in changed:
        src = after.source_of(field)
        assert src is not None and src.id.startswith("roadmap-"), field
        assert src.title.startswith("Projected ") and "roadmap.toml" in src.title, field


def test_projected_prices_follow_the_class_curve_and_the_cost_model_charges_them(projected):
    from archmodels.cost import part_price
    from archmodels.machine import machine_from_spec
    from archmodels.spec import validate_machine_dict

    name, before, after, spec = projected
    same = machine_from_spec(validate_machine_dict(project_machine(name, before.year)))
    priced = [(p0, p1) for p0, p1 in zip(same.node.processors, after.node.processors) if p1.price_jpy is not None]
    assert priced
    for p0, p1 in priced:
        assert p1.price_jpy / p0.price_jpy == pytest.approx(ratio(f"processor_price.{p1.type}", before.year, 2030), rel=1e-12)
    expected = sum(p.count * (p.price_jpy if p.price_jpy is not None else part_price(p.name, p.type).price_jpy)
                   for p in after.node.processors)
    assert node_cost(after).processors_list_jpy == pytest.approx(expected, rel=1e-12)
    memory = sum(p.count * m.price_jpy for p in after.node.processors for m in p.memory if m.price_jpy is not None)
    assert node_cost(after).memory_jpy >= memory > 0
    if before.year <= 2024:  # the price-per-GB curves are flat from 2020 to the tables' 2024: the same cost
        assert node_cost(same).total_jpy == pytest.approx(node_cost(before).total_jpy, rel=1e-12)


def test_iso_performance_keeps_the_peaks_and_lowers_processor_power():
    before = load_machine("dgx-h100")
    spec = project_machine("dgx-h100", 2030, rule="iso-performance")
    from archmodels.machine import machine_from_spec
    from archmodels.power import node_power
    from archmodels.spec import validate_machine_dict

    after = machine_from_spec(validate_machine_dict(spec))
    s = ratio("logic_energy", before.year, 2030)
    pw0, pw1 = node_power(before.node), node_power(after.node)
    for p0, p1 in zip(before.node.processors, after.node.processors):
        assert dict(p1.peak_flop_per_s) == dict(p0.peak_flop_per_s)
        assert pw1.tdp_w[p1.name] == pytest.approx(s * pw0.tdp_w[p0.name], rel=1e-12)
        assert processor_energy_per_flop_j(after.node, p1, "fp64") == pytest.approx(
            s * processor_energy_per_flop_j(before.node, p0, "fp64"), rel=1e-9)
    assert pw1.max_w < pw0.max_w
    assert pw1.other_w == pytest.approx(pw0.other_w, rel=1e-12)  # the rest of the node is not projected


def test_projecting_to_the_datasheet_year_changes_no_prediction():
    before = load_machine("dgx-h100")
    from archmodels.machine import machine_from_spec
    from archmodels.spec import validate_machine_dict

    same = machine_from_spec(validate_machine_dict(project_machine("dgx-h100", before.year)))
    for wl in ("hpl", "stream-triad", "hpcg"):
        p0, p1 = predict(before, wl), predict(same, wl)
        assert (p1.time_s, p1.energy_j) == pytest.approx((p0.time_s, p0.energy_j), rel=1e-12), wl


@pytest.mark.parametrize("year, message", [
    (2022, "before machine dgx-h100's datasheet year 2023"),
    (window()[1] + 1, "the roadmap covers"),
])
def test_a_year_before_the_datasheet_or_outside_the_window_is_refused(year, message):
    with pytest.raises(InputError, match=message):
        project_machine("dgx-h100", year)


def test_a_machine_without_a_year_or_an_unknown_rule_is_refused(tmp_path):
    text = (CATALOG_DIR / "dgx-h100.toml").read_text()
    no_year = tmp_path / "no-year.toml"
    no_year.write_text("\n".join(line for line in text.splitlines() if not line.startswith("year =")))
    with pytest.raises(InputError, match="has no `year`"):
        project_machine(str(no_year), 2030)
    with pytest.raises(InputError, match="unknown projection rule"):
        project_machine("dgx-h100", 2030, rule="next-part")


@pytest.mark.parametrize("name", sorted(p.stem for p in CATALOG_DIR.glob("*.toml")))
def test_every_catalog_machine_projects_to_the_last_window_year(name):
    """Every machine of the catalog has a datasheet year the roadmap covers; its projection validates."""
    spec = project_machine(name, window()[1])
    assert tomllib.loads(dumps_toml(spec)) == spec


def test_network_energy_per_bit_follows_its_link_technology_curve():
    before = load_machine("fugakunext-like")
    from archmodels.machine import machine_from_spec
    from archmodels.spec import validate_machine_dict

    after = machine_from_spec(validate_machine_dict(project_machine("fugakunext-like", 2034)))
    r = ratio("link_energy.co-packaged-optics", before.year, 2034)
    assert r < 1
    assert after.network.energy_per_bit_j / before.network.energy_per_bit_j == pytest.approx(r, rel=1e-12)
    assert after.network.link_static_power_w / before.network.link_static_power_w == pytest.approx(r, rel=1e-12)
    assert after.network.injection_bandwidth_bytes_per_s == before.network.injection_bandwidth_bytes_per_s


def test_the_fitted_energy_bands_record_published_figures_as_their_fit_set():
    # logic_energy's high band ends from 2025 on were widened to cover the Frontier backcast: each
    # figure of that fit set is a published Green500 figure of a catalog system
    from archmodels.roadmap import load_roadmap

    fit_set = load_roadmap()["entries"]["logic_energy"]["band_fit_set"]
    with open(CATALOG_DIR.parent / "data" / "published.toml", "rb") as fh:
        published = {(f["system"], f["metric"]) for f in tomllib.load(fh)["figure"]}
    assert len(fit_set) == 3
    for item in fit_set:
        pair, metric = item.split(":")
        start, target = pair.split("->")
        assert (target, metric) in published and (start, metric) in published, item
