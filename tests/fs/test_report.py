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
    out = tmp_path_factory.mktemp("run")
    run_pipeline(study_dir / "study-fugakunext.toml", out, samples=4, sweep_points=300)
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
               p_rank_first=0.875, nodes=1234, power_w=39.5e6, capital_cost_jpy=1.1e11, performance=2.5,
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
                        "110.0", "–", "2.50", "2.00–2.75", "1.25", "312", "–", "200.0", "10.6", "0.900", "1.00",
                        "0.50", "1.5", "51.7", "365.5", "19.10", "–"]
    assert table[2][:5] == ["b", "not ranked", "False", "True", "0.900"] and table[2][-1] == "power 45.0 MW > 40.0 MW"
    nan_score = scorecard_table(pd.DataFrame([{**row, "score": np.nan}]))
    assert nan_score[1][4] == "–"


def test_a_folder_without_a_run_is_refused(tmp_path):
    with pytest.raises(InputError, match="not a study run folder"):
        write_report(tmp_path)
