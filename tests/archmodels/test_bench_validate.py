"""Closing the loop on the host: the quick profile predicts the application kernels it measured.

The profile and the kernels are measured the way a user gets them, by ``fsw bench --quick
--validate`` in a fresh process: numba then compiles with 512-bit vectors where the CPU has them
(:func:`archmodels.bench.prepare_process`). Inside the test process numba has long been running
with LLVM's default preference for 256-bit vectors, so an in-process profile held half the fp64
peak of an AVX-512 host while numpy's DGEMM used all of it: dgemm then read +84 % to +267 %, and
that alone failed CI once (median 0.67).

Bound: the median |predicted / measured - 1| over the predicted kernels (dgemm, spmv, stencil-7pt,
fft3d; the stream-triad row is the calibration) stays below 0.5. We aim for 0.25; five runs on the
2-vCPU development VM gave medians of 0.15-0.28. The steady misses are fft3d (-45 to -78 %: the
workload's fixed 135 FLOP/point at the FFT class's compute efficiency, which describes FFTW-class
libraries, against scipy's pocketfft) and spmv (-6 to -39 %: CSR reaches 70-80 % of the STREAM
bandwidth here, the model assumes ~94 %). Timing-dependent, so slow, and skipped while the machine
is overloaded (1-minute load average above its CPU count): with other jobs time-slicing the cores, a
kernel and the profile it is predicted from are measured under different shares of the CPU, and
errors of 50-140 % came from that alone. It also skips when the run itself reports a busy host
(the CPU share of its peak or application kernels below 0.8): the load average lags, the share
does not.
"""

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from archmodels.bench.validate import median_abs_error
from fs.cli import main

MEDIAN_ABS_ERROR_BOUND = 0.5
FSW = "import sys; from fs.cli import main; sys.exit(main(sys.argv[1:]))"


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "host.toml"
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CPU_FEATURES"}  # let fsw bench choose
    proc = subprocess.run(
        [sys.executable, "-c", FSW, "bench", "--quick", "--out", str(path), "--validate", "--json"],
        capture_output=True, text=True, env=env, timeout=600, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout), path


@pytest.fixture
def quiet_machine():
    load, cpus = os.getloadavg()[0], len(os.sched_getaffinity(0))
    if load > cpus:
        pytest.skip(f"machine overloaded (load average {load:.1f} on {cpus} CPUs): timings are not comparable")


@pytest.mark.slow
def test_median_prediction_error_on_the_host(quiet_machine, quick):
    data, _ = quick
    if data["busy"]:  # the run's own CPU share: other jobs held the cores while it measured
        pytest.skip(f"busy host during the run: {data['notes']}")
    checks = pd.DataFrame(data["validation"])
    assert set(checks["kernel"]) == {"stream-triad", "dgemm", "spmv", "stencil-7pt", "fft3d"}
    assert checks.loc[checks["kernel"] == "stream-triad", "calibration"].all()
    assert (checks["predicted_time_s"] > 0).all() and (checks["measured_time_s"] > 0).all()
    detail = checks[["kernel", "error", "bound"]].to_string() + f"\npeak: {data['peak_flop_per_s']}"
    assert median_abs_error(checks) < MEDIAN_ABS_ERROR_BOUND, detail


@pytest.mark.slow
def test_fsw_predict_reads_the_profile_back(quick, capsys):
    data, path = quick
    assert main(["predict", "--machine", str(path), "--workload", "stream-triad", "--nodes", "1", "--json"]) == 0
    predicted = json.loads(capsys.readouterr().out)["bandwidth_bytes_per_s"]
    (triad,) = [r for r in data["apps"] if r["kernel"] == "stream-triad"]
    assert predicted == pytest.approx(triad["bandwidth_bytes_per_s"], rel=0.15)
