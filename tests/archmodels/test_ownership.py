"""Package-name collisions with real PyPI distributions: one line naming them and the fix, never a
half-working tool.

The real wheels of Canonical's ``ops`` 3.9.0 and PyFilesystem2's ``fs`` 2.4.16 (tests/data/conflicts)
are installed into temporary site folders the way pip installs a wheel: unpacked over whatever is
there, RECORD and all. fs-workbench's own regular install is reproduced the same way (the four package
folders plus a dist-info whose RECORD lists their files). Each case then runs Python in a fresh
process with that folder first on ``sys.path``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import archmodels
from archmodels import ownership

CONFLICTS = Path(__file__).parents[1] / "data" / "conflicts"
OPS_WHEEL = CONFLICTS / "ops-3.9.0-py3-none-any.whl"
FS_WHEEL = CONFLICTS / "fs-2.4.16-py2.py3-none-any.whl"
REPO = Path(archmodels.__file__).parent.parent


def _install_wheel(site: Path, wheel: Path) -> None:
    """What pip does with a pure wheel: unpack it into the site folder, overwriting files."""
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)


def _install_ours(site: Path) -> None:
    """A regular (non-editable) install of fs-workbench: the four packages and a RECORD of their files."""
    site.mkdir(parents=True, exist_ok=True)
    records = []
    for name in ownership.PACKAGES:
        shutil.copytree(REPO / name, site / name, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
        records += [p.relative_to(REPO).as_posix() for p in sorted((REPO / name).rglob("*"))
                    if p.is_file() and "__pycache__" not in p.parts]
    info = site / "fs_workbench-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fs-workbench\nVersion: 0.1.0\n")
    (info / "top_level.txt").write_text("\n".join(ownership.PACKAGES) + "\n")
    records += [f"{info.name}/METADATA", f"{info.name}/top_level.txt", f"{info.name}/RECORD"]
    (info / "RECORD").write_text("".join(f"{r},,\n" for r in records))


def _uninstall(site: Path, dist_info: str) -> None:
    """What pip uninstall does: delete every file the distribution's RECORD lists."""
    for line in (site / dist_info / "RECORD").read_text().splitlines():
        path = site / line.split(",")[0]
        if path.is_file():
            path.unlink()


def _python(args: list[str], path: list[Path], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in path)}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=180, cwd=cwd, env=env)


def _assert_one_line_exit_2(r: subprocess.CompletedProcess, *expected: str) -> str:
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    assert "Traceback" not in r.stderr + r.stdout
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("error: "), lines[0]
    for text in expected:
        assert text in lines[0], lines[0]
    assert "separate venv" in lines[0]
    return lines[0]


def test_this_environment_has_no_conflict():
    assert ownership.find_conflicts() == []
    for name in ownership.PACKAGES:  # the marker each package carries
        assert getattr(__import__(name), ownership.MARKER) == name


def test_clean_regular_install_imports_and_runs(tmp_path):
    """The negative control: our own regular install alone is not a conflict."""
    site = tmp_path / "site"
    _install_ours(site)
    r = _python(["-c", "import fs, ops, quantum, archmodels, ops.storage; print(ops.__file__)"], [site], tmp_path)
    assert r.returncode == 0, r.stderr
    assert Path(r.stdout.strip()) == site / "ops" / "__init__.py"
    r = _python(["-m", "fs", "--version"], [site], tmp_path)
    assert r.returncode == 0 and r.stdout.startswith("fs-workbench "), r.stderr


def test_real_ops_installed_over_our_regular_install(tmp_path):
    """`pip install ops` after fs-workbench: its ops/__init__.py and ops/storage.py replace ours."""
    site = tmp_path / "site"
    _install_ours(site)
    _install_wheel(site, OPS_WHEEL)
    assert "class Battery" not in (site / "ops" / "storage.py").read_text()  # the breakage is real
    r = _python(["-m", "fs", "study", "run", "fugakunext", "--out", str(tmp_path / "out")], [site], tmp_path)
    _assert_one_line_exit_2(r, "'import ops' finds the distribution 'ops 3.9.0'", str(site / "ops"))
    assert not (tmp_path / "out").exists()
    r = _python(["-c", "import archmodels"], [site], tmp_path)  # a Python importer gets an ImportError
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1].startswith("archmodels.ownership.PackageConflictError: 'import ops'")


def test_real_ops_shadowing_our_source_tree(tmp_path):
    """An editable install or a source checkout with another `ops` earlier on sys.path."""
    site = tmp_path / "site"
    _install_wheel(site, OPS_WHEEL)
    r = _python(["-m", "fs", "compare", "fugaku", "frontier", "-w", "hpcg"], [site, REPO], tmp_path)
    _assert_one_line_exit_2(r, "'import ops' finds the distribution 'ops 3.9.0'")
    script = Path(sys.executable).parent / "fsw"  # the console script a user's shell runs
    if not script.exists():
        pytest.skip("no installed fsw script beside this interpreter")
    r = _python([str(script), "compare", "fugaku", "frontier", "-w", "hpcg"], [site, REPO], tmp_path)
    _assert_one_line_exit_2(r, "'import ops' finds the distribution 'ops 3.9.0'")


def test_doctor_runs_beside_a_conflict_and_reports_it(tmp_path):
    site = tmp_path / "site"
    _install_wheel(site, OPS_WHEEL)
    r = _python(["-m", "fs", "doctor", "--json"], [site, REPO], tmp_path)
    assert r.returncode == 1, r.stderr
    conflicts = json.loads(r.stdout)["conflicts"]
    assert [(c["package"], c["problem"], c["distributions"]) for c in conflicts] == [
        ("ops", "not-ours", ["ops 3.9.0"])]


def test_real_pyfilesystem2_sharing_our_fs_folder(tmp_path):
    """`pip install fs` before fs-workbench: our fs/__init__.py overwrote theirs, their modules stay."""
    site = tmp_path / "site"
    _install_wheel(site, FS_WHEEL)
    _install_ours(site)
    r = _python(["-m", "fs", "compare", "fugaku", "frontier", "-w", "hpcg"], [site], tmp_path)
    _assert_one_line_exit_2(r, "package 'fs'", "shares its folder with the distribution 'fs 2.4.16'")


def test_uninstalling_pyfilesystem2_after_us_is_caught(tmp_path):
    """`pip install fs` then `pip uninstall fs` after fs-workbench: our fs/__init__.py is gone."""
    site = tmp_path / "site"
    _install_ours(site)
    _install_wheel(site, FS_WHEEL)
    _uninstall(site, "fs-2.4.16.dist-info")
    assert not (site / "fs" / "__init__.py").exists()
    r = _python(["-m", "fs", "compare", "fugaku", "frontier", "-w", "hpcg"], [site], tmp_path)
    _assert_one_line_exit_2(r, "package 'fs'", "lost its own __init__.py")
