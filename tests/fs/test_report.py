"""The report of a study run (fs.report, its figures fs.report_figures, run.json of fs.provenance):
self-contained HTML, every figure, every source, rebuilt from the run folder alone."""

import base64
import io
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from archmodels.errors import InputError
from fs.cli import main
from fs.pipeline import run as run_pipeline
from fs.report import SCORECARD_COLUMNS, scorecard_table, write_report
from fs.report_figures import FIGURES

DATA = Path(__file__).parents[1] / "data" / "study"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A run folder as ``fsw study run <copy of the study> --samples 4 --sweep-points 300`` writes it."""
    study_dir = tmp_path_factory.mktemp("spec")
    shutil.copytree(DATA, study_dir, dirs_exist_ok=True)
    study = study_dir / "study-fugakunext.toml"
    # the candidates as datasheeted (fs.projected_candidates): the report's shipping-machine text is tested
    study.write_text(study.read_text().replace("seed = 20261129", 'seed = 20261129\nproject_candidates = "none"', 1))
    out = tmp_path_factory.mktemp("run")
    run_pipeline(study, out, samples=4, sweep_points=300)
    return out


@pytest.mark.slow
def test_html_is_self_contained(run_dir):
    page = (run_dir / "report.html").read_text()
    imgs = re.findall(r'<img[^>]*src="([^"]+)"', page)
    assert len(imgs) == 6
    from PIL import Image

    for src in imgs:
        assert src.startswith("data:image/png;base64,")
        data = base64.b64decode(src.split(",", 1)[1])
        with Image.open(io.BytesIO(data)) as im:  # a whole, decodable image of real size
            im.load()
            assert im.size[0] > 300 and im.size[1] > 200
    assert not re.search(r'(src|href)="https?:', page)
    assert "Provenance" in page and "TOP500" in page


@pytest.mark.slow
def test_report_rebuilds_from_the_folder_alone(run_dir, tmp_path, capsys):
    shutil.copytree(run_dir, tmp_path, dirs_exist_ok=True)
    (tmp_path / "report.html").unlink()
    status = main(["study", "report", str(tmp_path), "--json"])
    assert status == 0 and Path(json.loads(capsys.readouterr().out)["report_html"]).is_file()


@pytest.mark.slow
def test_markdown_links_every_figure_file_and_cites_every_source(run_dir):
    md = (run_dir / "report.md").read_text()
    assert {p.stem for p in (run_dir / "figures").glob("*.png")} == {name for name, _ in FIGURES}
    for name, title in FIGURES:
        assert f"## {title}\n\n![{title}](figures/{name}.png)" in md
    meta = json.loads((run_dir / "run.json").read_text())
    assert meta["samples"] == 4 and meta["sweep_points"] == 300
    assert set(meta["rooflines"]) == {"fugaku", "cand-cpu-3dsram-cpo", "dgx-h100"}   # reference and candidates
    assert "archmodels:horowitz-2014" in meta["sources"]            # the technology tables' sources
    assert any(k.startswith("workload:") for k in meta["sources"])  # and the workloads'
    st = meta["study"]  # the test study stands on tokyo-2025: Japan's plan by default, its sources cited
    assert st["grid_trajectory"] == "japan-strategic-energy-plan" and "grid-trajectory:enerdata-2025-7th-sep" in meta["sources"]
    assert (f"| grid trajectory | japan-strategic-energy-plan from 2030 for {st['lifetime_years']} years: "
            f"{st['grid_first_year_g_per_kwh']:.1f} g CO2e/kWh the first year, "
            f"{st['grid_lifetime_mean_g_per_kwh']:.1f} the lifetime mean") in md
    assert st["grid_lifetime_mean_g_per_kwh"] < st["grid_first_year_g_per_kwh"] < st["carbon_intensity_g_per_kwh"]
    provenance = md.split("## Provenance", 1)[1]
    for sid in meta["sources"]:
        assert f"| {sid} |" in provenance


def test_scorecard_formats_for_people_feasible_first():
    row = dict(candidate="a", rank=1.0, feasible=True, score=0.61234, score_p05=0.5, score_p95=0.7,
               p_rank_first=0.875, nodes=1234, power_w=39.5e6, capital_cost_jpy=1.1e11, measures_cost_jpy=1.85e9,
               performance=2.5,
               performance_per_watt=1.25, io=312.4, total_cost_jpy=2.0e11, cost=10.64, operability=0.9,
               productivity=1.0, commercial_reach=0.5, carbon_g=1.5e9, carbon=51.66, violations="", meets_requirements=True,
               grid_carbon_intensity_g_per_kwh=365.5229, grid_price_jpy_per_kwh=19.096,
               power_w_p05=38e6, power_w_p95=41e6, performance_p05=2.0, performance_p95=2.75)
    bad = {**row, "candidate": "b", "rank": np.nan, "feasible": False, "score": 0.9,
           "violations": "power 45.0 MW > 40.0 MW"}
    table = scorecard_table(pd.DataFrame([bad, row]))
    assert table[0] == [h for _, h, _ in SCORECARD_COLUMNS]
    # intervals where the samples moved a figure, a dash where they did not (or were not run)
    assert table[1] == ["a", "1", "True", "True", "0.612", "0.500", "0.700", "87.5 %", "1,234", "39.5", "38.0–41.0",
                        "110.0", "1.9", "–", "2.50", "2.00–2.75", "1.25", "312", "–", "200.0", "10.6", "0.900", "1.00",
                        "0.50", "1.5", "51.7", "365.5", "19.10", "–"]
    assert table[2][:5] == ["b", "not ranked", "False", "True", "0.900"] and table[2][-1] == "power 45.0 MW > 40.0 MW"
    nan_score = scorecard_table(pd.DataFrame([{**row, "score": np.nan}]))
    assert nan_score[1][4] == "–"


def test_a_folder_without_a_run_is_refused(tmp_path):
    with pytest.raises(InputError, match="not a study run folder"):
        write_report(tmp_path)


def test_page_one_argues_before_the_settings(run_dir):
    """Verdict, per-workload table, the winner's margin, the uncertainty inputs and the weight
    sensitivity come before the settings and the scorecard, in Markdown and in the printed HTML's
    first page."""
    md = (run_dir / "report.md").read_text()
    order = ["ranks first", "## Per workload", "## Margin of the winner", "## Uncertainty inputs",
             "## Weight sensitivity", "## Settings", "## Scorecard", "## Provenance"]
    assert [md.index(h) for h in order] == sorted(md.index(h) for h in order)
    page = (run_dir / "report.html").read_text()
    first = page[page.index('<section class="page-one">'):page.index("</section>")]
    for h in ("Per workload", "Margin of the winner", "Uncertainty inputs", "Weight sensitivity"):
        assert f"<h2>{h}</h2>" in first
    assert "<h2>Settings</h2>" not in first
    # the study's three uncertainties with their distributions
    for target in ("memory:hbm3e:energy_per_bit", "memory:sram-3d:bandwidth", "network:co-packaged-optics:energy_per_bit"):
        assert target in first
    assert "uniform" in first and "low 0.8" in first
    # each candidate's status and year (the test copy of the example spec does not flag its candidate
    # hypothetical: the catalog's copy does)
    assert "Every candidate is a shipping machine." in first and "<td>shipping (2030)</td>" in first


def test_workload_table_cells_are_the_rows_speedup_bound_and_capability():
    from fs.report_page_one import workload_table

    row = {"candidate": "x", "hypothetical": True, "year": 2030.0, "feasible": True, "performance": 1.5,
           "speedup:a": 2.0, "bound:a": "memory:HBM4", "capability_time_s:a": 0.25,
           "speedup:b": 0.5, "bound:b": "network", "capability_time_s:b": float("inf"), "capability_speedup": 1.2}
    slow = {**row, "candidate": "y", "hypothetical": False, "year": float("nan"), "feasible": False}
    for k in ("speedup:b", "bound:b", "capability_time_s:b", "capability_speedup"):
        slow.pop(k)  # a run written before these columns existed
    table = workload_table(pd.DataFrame([row, slow]), {"a": 0.7, "b": 0.3})
    assert table[0] == ["candidate", "status", "a (0.7)", "b (0.3)", "portfolio"]
    assert table[1] == ["x", "hypothetical (2030)", "2.00× · memory:HBM4 · 0.25 s", "0.50× · network · never",
                        "1.50× throughput, 1.20× capability"]
    assert table[2] == ["y", "shipping, infeasible", "2.00× · memory:HBM4 · 0.25 s", "– · – · –", "1.50× throughput"]


def test_the_margin_by_axis_sums_to_the_score_difference(run_dir):
    from fs.report_page_one import margin_table
    from fs.runner import in_rank_order, summarise
    from fs.spec import AXES

    meta = json.loads((run_dir / "run.json").read_text())
    ordered = in_rank_order(summarise(pd.read_parquet(run_dir / "results.parquet")))
    ranked = ordered[ordered["feasible"]]
    weights = meta["study"]["axis_weights"]
    table, words = margin_table(ranked, weights)
    a, b = ranked.iloc[0], ranked.iloc[1]
    terms = [float(r[-1]) for r in table[1:-1]]
    assert [r[0] for r in table[1:-1]] == list(AXES)
    for axis, t in zip(AXES, terms):
        assert t == pytest.approx(weights[axis] * (a[f"score_{axis}"] - b[f"score_{axis}"]), abs=6e-4)
    assert float(table[-1][-1]) == pytest.approx(a["score"] - b["score"], abs=6e-4)
    assert sum(terms) == pytest.approx(a["score"] - b["score"], abs=5e-3)  # rounding of eight terms
    assert words.startswith(f"{a['candidate']} leads {b['candidate']} by")
    one, alone = margin_table(ranked.iloc[:1], weights)
    assert one == [] and "no runner-up" in alone


def test_run_json_and_report_carry_version_commit_and_file_digests(run_dir):
    import hashlib
    import subprocess

    import archmodels

    prov = json.loads((run_dir / "run.json").read_text())["provenance"]
    assert prov["version"] == archmodels.__version__
    repo = Path(archmodels.__file__).resolve().parents[1]
    if (repo / ".git").exists() and shutil.which("git"):
        head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
        assert prov["git_commit"] == head
    assert len(prov["source_sha256"]) == 64
    files = prov["files"]

    def sha(path):
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()

    assert files["study"]["sha256"] == sha(files["study"]["path"])
    assert set(files["machines"]) == {"fugaku", "cand-cpu-3dsram-cpo", "dgx-h100"}
    for m in files["machines"].values():
        assert m["sha256"] == sha(m["path"])
    assert set(files["workloads"]) == set(json.loads((run_dir / "run.json").read_text())["study"]["portfolio"])
    md = (run_dir / "report.md").read_text()
    assert files["study"]["sha256"] in md and all(m["sha256"] in md for m in files["machines"].values())
