"""report.html in a real headless Chromium: the page renders and every figure is an image that loads.

Skipped where Chromium is not installed (it is not a dependency of the project).
"""

import base64
import io
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from fs.pipeline import run as run_pipeline

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
STUDY = Path(__file__).parents[1] / "data" / "study" / "study-fugakunext.toml"


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_report_renders_in_headless_chromium(tmp_path):
    from matplotlib.image import imread

    run_pipeline(STUDY, tmp_path / "run", samples=8, sweep_points=300, chunk_size=4, simulate_ops=False)
    page = tmp_path / "run" / "report.html"
    text = page.read_text()
    imgs = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,([^"]+)"', text)
    assert len(imgs) == text.count("<img") == 6
    for alt, data in imgs:  # each figure decodes as a PNG of real size, so the browser can load it offline
        pixels = imread(io.BytesIO(base64.b64decode(data)), format="png")
        assert pixels.shape[0] > 200 and pixels.shape[1] > 300, alt
    shot = tmp_path / "shot.png"
    r = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run",
                        f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1280,4000",
                        page.as_uri()], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    pixels = imread(shot)
    assert pixels.shape[:2] == (4000, 1280)
    colours = np.unique((pixels[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 500  # text, tables and coloured figures, not a blank or error page
