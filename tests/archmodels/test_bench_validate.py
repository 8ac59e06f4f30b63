"""Closing the loop on the host: the quick profile predicts the application kernels it measured.

Bound: the median |predicted / measured - 1| over the predicted kernels (dgemm, spmv, stencil-7pt,
fft3d; the stream-triad row is the calibration) stays below 0.5. We aim for 0.25; on the 2-vCPU
development VM at load average below 2 the medians were 0.14-0.32. The steady misses are fft3d
(-60 to -77 %: the workload's fixed 135 FLOP/point and 30 % compute efficiency against scipy's FFT)
and spmv (-16 to -40 %: CSR reaches ~65 % of the STREAM bandwidth here, the model assumes ~94 %).
Timing-dependent, so slow, and skipped while the machine is overloaded (1-minute load average above
its CPU count): with other jobs time-slicing the cores, a kernel and the profile it is predicted from
are measured under different shares of the CPU, and errors of 50-140 % came from that alone.
"""

import json
import os

import pytest

from archmodels.bench import prepare_process
from archmodels.atomic import write_text_atomic
from archmodels.bench.profile import profile_toml
from archmodels.bench.suite import run_suite
from archmodels.bench.validate import median_abs_error, validate_apps
from fs.cli import main

MEDIAN_ABS_ERROR_BOUND = 0.5


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    prepare_process(wide_vectors=False)  # only takes effect if numba has not compiled yet
    result = run_suite(quick=True)
    path = write_text_atomic(tmp_path_factory.mktemp("bench") / "host.toml", profile_toml(result.profile))
    return result, path


@pytest.fixture
def quiet_machine():
    load, cpus = os.getloadavg()[0], len(os.sched_getaffinity(0))
    if load > cpus:
        pytest.skip(f"machine overloaded (load average {load:.1f} on {cpus} CPUs): timings are not comparable")


@pytest.mark.slow
def test_median_prediction_error_on_the_host(quiet_machine, quick):
    result, path = quick
    checks = validate_apps(path, result.apps)
    assert set(checks["kernel"]) == {"stream-triad", "dgemm", "spmv", "stencil-7pt", "fft3d"}
    assert checks.loc[checks["kernel"] == "stream-triad", "calibration"].all()
    assert median_abs_error(checks) < MEDIAN_ABS_ERROR_BOUND, checks[["kernel", "error", "bound"]].to_string()


@pytest.mark.slow
def test_fsw_predict_reads_the_profile_back(quick, capsys):
    result, path = quick
    assert main(["predict", "--machine", str(path), "--workload", "stream-triad", "--nodes", "1", "--json"]) == 0
    predicted = json.loads(capsys.readouterr().out)["bandwidth_bytes_per_s"]
    measured = float(result.apps.loc[result.apps["kernel"] == "stream-triad", "bandwidth_bytes_per_s"].iloc[0])
    assert predicted == pytest.approx(measured, rel=0.15)
