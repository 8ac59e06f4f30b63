"""Usage errors through the real entry point: exit 2, a short message, never a traceback.

Each case runs ``python -m fs`` in a fresh process as a user would; a sample of them also runs the
installed ``fsw`` console script, the path a user's shell takes (typer 0.29 bundles its own click, so
an error handler written against the installed click missed every usage error there).
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

BAD = [
    ["comapre"],                                                          # unknown command
    ["machines", "shw", "fugaku"],                                         # unknown subcommand
    ["predict", "-m", "fugaku"],                                           # missing --workload
    ["predict", "--machine", "fugaku", "--workload", "hpl", "--nodez", "3"],  # unknown option
    ["predict", "--machine", "fugaku", "--workload", "hpl", "--clock", "2.2GHz"],  # bad number
    ["predict", "-m", "fugaku", "-w", "hpl", "--nodes", "100000000000000000000"],  # absurd size
    ["predict", "-m", "fugaku", "-w", "hpl", "--nodes", "0"],
    ["predict", "-m", "fugaku", "-w", "hpl", "--nodes", "three"],
    ["predict", "-m", "fugku", "-w", "hpl"],                               # unknown machine
    ["predict", "-m", "fugaku", "-w", "hpcq"],                             # unknown workload
    ["predict", "-m", "./no-such-node.toml", "-w", "hpl"],                 # missing file
    ["scale", "--weak"],                                                   # missing --machine
    ["scale", "-m", "fugaku", "--bogus"],
    ["roofline"],                                                          # missing argument
    ["roofline", "fugaku", "--plot", "/proc/x.png"],                       # unwritable output
    ["compare", "fugaku", "-w", "hpl", "--plot", "/proc/x.png"],
    ["compare", "fugaku", "-w", "hpl", "--csv", "/proc/x.csv"],
    ["compare", "fugaku", "-w", "hpl", "--csv", "/"],                      # a folder, not a file
    ["bench", "--quick", "--out", "/proc/h.toml"],                         # refused before measuring
    ["study", "run"],                                                      # missing study
    ["study", "run", "fugakunext", "--out", "/proc/x"],
    ["study", "run", "no-such-study", "--out", "never-written"],
    ["machines", "validate"],
    ["quantum", "--nope"],
    ["ops", "simulate", "--nope"],
    ["study", "optimise", "fugakunext", "--out", "/proc/x"],
    ["study", "optimise", "fugakunext", "--out", "never-written", "--population", "1"],
    ["ops", "compare", "--trace", "cqsim_test", "--plot", "/proc/x.png"],  # refused before simulating
    ["--nope"],
]


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def _assert_clean_usage_error(r: subprocess.CompletedProcess) -> None:
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    assert "Traceback" not in r.stderr + r.stdout
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 3, r.stderr
    assert lines[0].startswith("error:"), r.stderr


@pytest.mark.parametrize("args", BAD, ids=[" ".join(a) for a in BAD])
def test_bad_invocation_exits_2_with_one_line(args, tmp_path):
    r = subprocess.run([sys.executable, "-m", "fs", *args], capture_output=True, text=True, timeout=120,
                       cwd=tmp_path)
    _assert_clean_usage_error(r)
    assert not (tmp_path / "never-written").exists()  # nothing is created for a refused run


def test_did_you_mean_names_the_closest_command_machine_and_workload():
    assert "Did you mean 'compare'?" in _run([sys.executable, "-m", "fs", "comapre"]).stderr
    assert "Did you mean 'fugaku'?" in _run([sys.executable, "-m", "fs", "predict", "-m", "fugku", "-w", "hpl"]).stderr
    assert "Did you mean 'hpcg'?" in _run([sys.executable, "-m", "fs", "predict", "-m", "fugaku", "-w", "hpcq"]).stderr


@pytest.mark.skipif(shutil.which("fsw") is None, reason="the fsw console script is not on PATH")
@pytest.mark.parametrize("args", [BAD[0], BAD[3], BAD[4], BAD[14]], ids=["command", "option", "value", "output"])
def test_installed_console_script_exits_2(args):
    _assert_clean_usage_error(_run([shutil.which("fsw"), *args]))


def test_version():
    from fs import __version__

    r = _run([sys.executable, "-m", "fs", "--version"])
    assert r.returncode == 0 and r.stdout.strip() == f"fs-workbench {__version__}"


def test_csv_dash_writes_to_stdout(tmp_path):
    r = subprocess.run([sys.executable, "-m", "fs", "compare", "fugaku", "-w", "hpl", "--csv", "-"],
                       capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].startswith("machine,workload,")
    assert not (tmp_path / "-").exists()


def test_public_names_are_listed():
    import archmodels
    import quantum

    assert {"predict", "load_machine", "problem_size", "__version__"} <= set(dir(archmodels))
    assert "EmulatorSampler" in dir(quantum)
    # a fresh process: here the submodule may already be imported, which makes it an attribute anyway
    r = subprocess.run([sys.executable, "-c", "import archmodels; print(archmodels.problem_size.PROBLEM_MODES)"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "per-machine" in r.stdout, r.stderr
