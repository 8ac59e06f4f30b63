"""`fsw doctor`: the report matches what the libraries and the OS say on their own."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys

import numba
import numpy
import scipy


def _doctor(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fs", "doctor", *args], capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})})


def test_doctor_json_reports_versions_cpu_memory_and_no_conflict():
    r = _doctor("--json")
    assert r.returncode == 0, r.stderr
    env = json.loads(r.stdout)
    assert env["conflicts"] == []
    assert env["python"]["version"] == platform.python_version()
    assert env["versions"]["numpy"] == numpy.__version__
    assert env["versions"]["numba"] == numba.__version__
    assert env["versions"]["scipy"] == scipy.__version__
    assert env["cpu"]["logical_cpus"] == os.cpu_count()
    assert 1 <= env["cpu"]["usable_cpus"] <= os.cpu_count()
    assert env["numba"]["layer"] in {"tbb", "omp", "workqueue"}
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert abs(env["memory"]["total_bytes"] - total) <= 0.01 * total
    assert 0 < env["memory"]["available_bytes"] <= env["memory"]["total_bytes"]
    if platform.machine() in ("x86_64", "AMD64") and os.path.exists("/proc/cpuinfo"):
        # the kernel's flags and LLVM's own CPUID reading agree on the features the kernels use
        for os_name, llvm_name in (("avx2", "avx2"), ("fma", "fma"), ("avx512f", "avx512f")):
            assert (os_name in env["cpu"]["features"]) == (llvm_name in env["cpu"]["llvm_features"])


def test_doctor_reports_the_threading_layer_numba_really_uses():
    r = _doctor("--json", env={"NUMBA_THREADING_LAYER": "workqueue"})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["numba"] == {"layer": "workqueue", "requested": "workqueue",
                                             "threads": numba.config.NUMBA_NUM_THREADS}


def test_doctor_table():
    r = _doctor()
    assert r.returncode == 0, r.stderr
    for item in ("fs-workbench", "numba threading", "cpu features", "memory", "conflicts"):
        assert item in r.stdout
