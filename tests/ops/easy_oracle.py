"""An independent EASY-backfilling oracle for the tests (not used by the package).

Written from the issue's wording, with its own SWF parsing, and a different structure from
ops.kernels and ops.reference: the processors free at a time T are recomputed by brute force
(capacity minus every running job still estimated to run after T), not from sorted running lists.
"""

from __future__ import annotations

import math
from collections import deque


def read_jobs(path):
    """(max_procs from header or None, [dict]) with the raw SWF fields the rules need."""
    max_procs = {}
    jobs = []
    with open(path) as fh:
        for line in fh:
            s = line.strip()
            if not s:
                continue
            if s.startswith(";"):
                for key in ("MaxProcs", "MaxNodes"):
                    if s[1:].strip().startswith(key + ":"):
                        max_procs[key] = int(float(s.split(":", 1)[1].split()[0]))
                continue
            f = s.split()
            jobs.append({"id": int(float(f[0])), "submit": float(f[1]), "run": float(f[3]),
                         "alloc": int(float(f[4])), "req": int(float(f[7])), "req_time": float(f[8])})
    size = max_procs.get("MaxProcs") or max_procs.get("MaxNodes")
    return size, jobs


def easy_start_times(jobs, capacity):
    """{position in the input list: start time} for the jobs that are not dropped."""
    ready = []
    for pos, j in enumerate(jobs):
        procs = j["req"] if j["req"] > 0 else j["alloc"]
        est = j["req_time"] if j["req_time"] > 0 else j["run"]
        if j["run"] <= 0 or procs <= 0 or procs > capacity:
            continue
        ready.append({"pos": pos, "id": j["id"], "submit": j["submit"], "procs": procs, "est": est,
                      "hold": min(j["run"], est)})
    ready.sort(key=lambda r: (r["submit"], r["id"], r["pos"]))
    pending = deque(ready)
    queue = []
    running = []  # dicts with start
    result = {}

    def start(job, t):
        job["start"] = t
        result[job["pos"]] = t
        running.append(job)

    while pending or queue:
        times = []
        if pending:
            times.append(pending[0]["submit"])
        times += [r["start"] + r["hold"] for r in running]
        t = min(times)
        running[:] = [r for r in running if r["start"] + r["hold"] > t]
        while pending and pending[0]["submit"] <= t:
            queue.append(pending.popleft())

        def free_at(T):
            return capacity - sum(r["procs"] for r in running if r["start"] + r["est"] > T)

        while queue and queue[0]["procs"] <= free_at(t):
            start(queue.pop(0), t)
        if not queue:
            continue
        head = queue[0]
        shadow = math.inf
        for T in sorted({r["start"] + r["est"] for r in running}):
            if free_at(T) >= head["procs"]:
                shadow = T
                break
        extra = free_at(shadow) - head["procs"]
        for job in list(queue[1:]):
            if job["procs"] > free_at(t):
                continue
            if t + job["est"] <= shadow:
                queue.remove(job)
                start(job, t)
            elif job["procs"] <= extra:
                extra -= job["procs"]
                queue.remove(job)
                start(job, t)
    return result
