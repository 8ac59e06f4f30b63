"""The numba kernel against the plain-Python reference and an independent EASY oracle, job for job."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ops.jobs import prepare_jobs
from ops.kernels import CONSERVATIVE, EASY, FCFS, schedule
from ops.reference import schedule_reference
from ops.swf import read_swf, write_swf
from ops.synthetic import generate_trace
from ops_traces import trace_path
from easy_oracle import easy_start_times, read_jobs



def run(jobs, policy, fn=schedule, cap=None):
    cap_t, cap_p = cap if cap is not None else (np.array([-np.inf]), np.array([jobs.capacity], dtype=np.int64))
    return fn(jobs.submit_s, jobs.procs, jobs.run_s, jobs.estimate_s, policy, cap_t, cap_p)


@pytest.mark.parametrize("policy", [FCFS, EASY, CONSERVATIVE])
@pytest.mark.parametrize("seed", [0, 1])
def test_kernel_matches_reference_on_synthetic(policy, seed):
    df = generate_trace(1500, 64, load=0.85, seed=seed)
    jobs = prepare_jobs(df, 64)
    a, b = run(jobs, policy), run(jobs, policy, schedule_reference)
    np.testing.assert_array_equal(a, b)
    assert np.all(a >= jobs.submit_s)


@pytest.mark.parametrize("name,n", [("cqsim_test.swf", None), ("lublin_256.swf", None), ("theta_argonne.swf", 6000)])
@pytest.mark.parametrize("policy", [FCFS, EASY])
def test_kernel_matches_reference_on_real_traces(name, n, policy):
    tr = read_swf(trace_path(name))
    jobs = prepare_jobs(tr.jobs, tr.max_procs)
    if n is not None:
        jobs = jobs.take(np.arange(n))
    np.testing.assert_array_equal(run(jobs, policy), run(jobs, policy, schedule_reference))


def test_conservative_matches_reference_on_a_real_trace():
    tr = read_swf(trace_path("lublin_256.swf"))
    jobs = prepare_jobs(tr.jobs, tr.max_procs).take(np.arange(800))
    np.testing.assert_array_equal(run(jobs, CONSERVATIVE), run(jobs, CONSERVATIVE, schedule_reference))


def _oracle_vs_kernel(path, capacity=None, limit=None):
    size, raw = read_jobs(path)
    capacity = capacity or size
    if limit is not None:
        raw = sorted(raw, key=lambda j: (j["submit"], j["id"]))[:limit]
    expected = easy_start_times(raw, capacity)
    import pandas as pd

    df = pd.DataFrame({"id": [j["id"] for j in raw], "submit_s": [j["submit"] for j in raw],
                       "run_s": [j["run"] for j in raw], "alloc_procs": [j["alloc"] for j in raw],
                       "req_procs": [j["req"] for j in raw], "req_time_s": [j["req_time"] for j in raw]})
    df["pos"] = np.arange(len(df))
    jobs = prepare_jobs(df, capacity)
    start = run(jobs, EASY)
    # prepare_jobs keeps (submit, id, file position) order; map back by id and submit
    got = dict(zip(zip(jobs.id.tolist(), jobs.submit_s.tolist()), start.tolist()))
    want = {(raw[p]["id"], raw[p]["submit"]): t for p, t in expected.items()}
    assert got == want
    return len(want)


@pytest.mark.parametrize("name,limit", [("cqsim_test.swf", None), ("lublin_256.swf", None), ("theta_argonne.swf", None)])
def test_easy_matches_independent_oracle_on_real_traces(name, limit):
    assert _oracle_vs_kernel(trace_path(name), limit=limit) > 0


def test_easy_matches_independent_oracle_on_synthetic(tmp_path):
    df = generate_trace(2000, 128, load=0.9, seed=5)
    path = write_swf(df, tmp_path / "s.swf", {"MaxProcs": "128"})
    assert _oracle_vs_kernel(path) == 2000


def test_cqsim_easy_starts_by_hand():
    # KTH-SP2 head of log, 100 processors. Job 8 (50 procs) cannot start at 8000 while jobs 3..7 run;
    # job 9 (10 procs, estimate 5000) backfills into the 10 free processors because it needs no
    # more than extra: shadow = 10000 (job 3 ends by estimate), free then 10 + 90 - 50 = 50.
    tr = read_swf(trace_path("cqsim_test.swf"))
    jobs = prepare_jobs(tr.jobs, 100)
    start = dict(zip(jobs.id.tolist(), run(jobs, EASY).tolist()))
    fcfs = dict(zip(jobs.id.tolist(), run(jobs, FCFS).tolist()))
    assert start[9] < fcfs[9]
    assert start[1] == 0 and start[2] == 4000  # 40 + 80 > 100: job 2 waits for job 1's end


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(1, 8), st.integers(1, 40), st.integers(1, 60)),
                min_size=1, max_size=40),
       st.sampled_from([FCFS, EASY, CONSERVATIVE]))
def test_kernel_matches_reference_on_random_small_cases(rows, policy):
    import pandas as pd

    df = pd.DataFrame(rows, columns=["submit_s", "req_procs", "run_s", "req_time_s"])
    df["id"] = np.arange(len(df))
    df["alloc_procs"] = df["req_procs"]
    jobs = prepare_jobs(df, 8)
    np.testing.assert_array_equal(run(jobs, policy), run(jobs, policy, schedule_reference))


@pytest.mark.parametrize("policy", [FCFS, EASY, CONSERVATIVE])
def test_processor_limit_is_respected_and_matches_reference(policy):
    df = generate_trace(600, 32, load=0.8, seed=9)
    jobs = prepare_jobs(df, 32)
    t = np.r_[-np.inf, np.arange(1, 40) * 3600.0]
    p = np.where(np.arange(40) % 2 == 0, 32, 16).astype(np.int64)
    a = run(jobs, policy, cap=(t, p))
    np.testing.assert_array_equal(a, run(jobs, policy, schedule_reference, cap=(t, p)))
    # busy processors right after every start never exceed the limit in force
    end = a + jobs.run_s
    for s in np.unique(a):
        busy = jobs.procs[(a <= s) & (end > s)].sum()
        started_now = jobs.procs[a == s].sum()
        limit = p[np.searchsorted(t, s, side="right") - 1]
        assert started_now == 0 or busy <= limit
    assert np.any(a != run(jobs, policy))  # the limit changed something


def test_drop_rules_and_kill_at_estimate():
    import pandas as pd

    df = pd.DataFrame({"id": [1, 2, 3, 4, 5], "submit_s": [0, 0, 1, 2, 3], "run_s": [10, 0, 10, 10, 100],
                       "alloc_procs": [4, 4, 0, 9, 2], "req_procs": [-1, 4, -1, -1, 2],
                       "req_time_s": [-1, 5, 5, -1, 20]})
    jobs = prepare_jobs(df, 8)
    assert jobs.dropped == 3  # run 0, procs 0, 9 > 8
    assert jobs.id.tolist() == [1, 5]
    assert jobs.estimate_s.tolist() == [10, 20] and jobs.run_s.tolist() == [10, 20]  # killed at 20
