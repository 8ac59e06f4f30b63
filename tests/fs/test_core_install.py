"""The core install: roofline, predict, compare and study run without Qiskit, dimod or Dask, and a
command that needs an extra says which, in one line, with exit 2.

A core install is reproduced by a ``sitecustomize`` on ``PYTHONPATH`` that makes the optional
modules fail to import exactly as missing ones do (ModuleNotFoundError), in a fresh process.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from fs.cli.extras import EXTRA_OF_MODULE

REPO = Path(__file__).parents[2]
OPTIONAL = sorted(EXTRA_OF_MODULE) + ["qiskit_aer", "dwave"]  # the last two: test-only peers

BLOCKER = f'''
import sys

BLOCKED = {set(OPTIONAL)!r}


class _NotInstalled:
    """Behave as if the optional distributions were not installed."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None


sys.meta_path.insert(0, _NotInstalled())
'''


@pytest.fixture(scope="module")
def core_env(tmp_path_factory) -> dict:
    site = tmp_path_factory.mktemp("core-site")
    (site / "sitecustomize.py").write_text(BLOCKER)
    path = os.pathsep.join([str(site), str(REPO), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path}


def _fsw(args: list[str], env: dict | None, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fs", *args], capture_output=True, text=True, timeout=600,
                          env=env, cwd=cwd)


def _requirement_names(requirements: list[str]) -> set[str]:
    names = set()
    for req in requirements:
        m = re.match(r"\s*([A-Za-z0-9._-]+)(?:\[([^\]]+)\])?", req)
        names.add(m.group(1).lower())
        names.update(x.strip().lower() for x in (m.group(2) or "").split(",") if x.strip())
    return names


def test_extras_in_pyproject_install_the_modules_the_cli_names():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    core = _requirement_names(project["dependencies"])
    owners = packages_distributions()  # module -> distributions, from the installed metadata
    for module, extra in EXTRA_OF_MODULE.items():
        dists = {d.lower() for d in owners[module]}
        assert dists & _requirement_names(extras[extra]), (module, extra)
        assert not dists & core, f"{module} is still a core dependency"
    assert {"fs-workbench"} <= _requirement_names(extras["test"])
    assert "fs-workbench[quantum,dask]" in [r.replace(" ", "") for r in extras["test"]]


def test_importing_the_packages_and_the_cli_pulls_no_optional_module():
    code = ("import sys, fs, fs.cli, archmodels, quantum, ops, archmodels.prediction, fs.study; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {set(OPTIONAL)!r}))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_compare_and_predict_run_on_the_core_install(core_env, tmp_path):
    args = ["compare", "fugaku", "frontier", "-w", "hpcg", "--json"]
    core = _fsw(args, core_env, tmp_path)
    assert core.returncode == 0, core.stderr
    full = _fsw(args, None, tmp_path)
    assert json.loads(core.stdout) == json.loads(full.stdout)  # the extras change nothing on this path
    r = _fsw(["predict", "--machine", "fugaku", "--workload", "hpcg", "--json"], core_env, tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["time_s"] > 0
    r = _fsw(["roofline", "fugaku", "dgx-h100"], core_env, tmp_path)
    assert r.returncode == 0, r.stderr


@pytest.mark.slow
def test_study_run_fugakunext_on_the_core_install(core_env, tmp_path):
    r = _fsw(["study", "run", "fugakunext", "--out", str(tmp_path / "study"), "--samples", "20",
              "--sweep-points", "200", "--json"], core_env, tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert (tmp_path / "study" / "report.html").is_file()
    assert json.loads(r.stdout)["candidates"]


NEEDS_EXTRA = [
    (["quantum", "run", "bell.qasm"], "fsw quantum run", "qiskit", "quantum"),
    (["quantum", "vqe", "h2"], "fsw quantum vqe", "qiskit", "quantum"),
    (["anneal", "problem.toml"], "fsw anneal", "dimod", "quantum"),
    (["ops", "sweep", "--trace", "small.swf", "--policies", "easy", "--workers", "2"], "fsw ops sweep",
     "distributed", "dask"),
    (["study", "run", "fugakunext", "--out", "study", "--scheduler", "tcp://127.0.0.1:9"], "fsw study run",
     "distributed", "dask"),
]


@pytest.mark.parametrize("args,command,module,extra", NEEDS_EXTRA, ids=[c for _, c, _, _ in NEEDS_EXTRA])
def test_a_command_needing_an_extra_names_it(core_env, tmp_path, args, command, module, extra):
    (tmp_path / "bell.qasm").write_text('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\n'
                                        'h q[0];\ncx q[0],q[1];\nmeasure q -> c;\n')
    (tmp_path / "problem.toml").write_text("")
    r = _fsw(["ops", "generate", "--out", "small.swf", "--jobs", "50", "--procs", "16", "--seed", "1"],
             core_env, tmp_path)
    assert r.returncode == 0, r.stderr
    r = _fsw(args, core_env, tmp_path)
    assert r.returncode == 2, r.stderr[-3000:]
    assert "Traceback" not in r.stderr + r.stdout
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert lines == [f"error: {command} needs {module}, which the core install leaves out: "
                     f"install fs-workbench[{extra}] (pip install -e \".[{extra}]\")"]
