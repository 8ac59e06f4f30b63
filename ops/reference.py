"""Plain-Python reference of :func:`ops.kernels.schedule` (same semantics, no tricks).

Slow and obvious: at every event instant the running jobs are re-sorted and the whole queue is
scanned. The tests run it beside the numba kernel and compare start times job for job.
"""

from __future__ import annotations

import math

import numpy as np

from ops.kernels import CONSERVATIVE, EASY, FCFS


def _limit_at(t, cap_times, cap_procs):
    k = 0
    while k + 1 < len(cap_times) and cap_times[k + 1] <= t:
        k += 1
    return int(cap_procs[k])


def _release_steps(running, start, est, procs, free):
    """[(estimated end e, processors free at e)] over the running jobs, in time order."""
    steps = []
    avail = free
    for j in sorted(running, key=lambda j: start[j] + est[j]):
        avail += procs[j]
        e = start[j] + est[j]
        if steps and steps[-1][0] == e:
            steps[-1] = (e, avail)
        else:
            steps.append((e, avail))
    return steps


def _earliest_slot(profile, p, d):
    """Earliest breakpoint s >= t with >= p free on [s, s + d); profile: sorted [(time, free)]."""
    for a, (s, _) in enumerate(profile):
        if all(f >= p for (u, f) in profile[a:] if u < s + d) and profile[a][1] >= p:
            return s
    return None


def _reserve(profile, s, d, p):
    end = s + d
    times = [u for u, _ in profile]
    if end not in times:
        f_before = [f for u, f in profile if u < end][-1]
        profile.append((end, f_before))
        profile.sort()
    return [(u, f - p if s <= u < end else f) for u, f in profile]


def schedule_reference(arrive, procs, run, est, policy, cap_times, cap_procs):
    """Start times [s]; arguments as :func:`ops.kernels.schedule`."""
    if policy not in (FCFS, EASY, CONSERVATIVE):
        raise ValueError(f"unknown policy code {policy}")
    n = len(arrive)
    start = [math.nan] * n
    running: list[int] = []
    queue: list[int] = []
    i = 0
    t_prev = -math.inf
    while True:
        pending = [start[j] + run[j] for j in running]
        if i < n:
            pending.append(arrive[i])
        if queue:
            pending.extend(c for c in cap_times if c > t_prev)
        if not pending:
            break
        t = min(pending)
        t_prev = t
        running = [j for j in running if start[j] + run[j] > t]
        while i < n and arrive[i] <= t:
            queue.append(i)
            i += 1
        if not queue:
            continue
        limit = _limit_at(t, cap_times, cap_procs)
        free = limit - sum(procs[j] for j in running)
        if policy == CONSERVATIVE:
            profile = [(t, free)] + _release_steps(running, start, est, procs, free)
            started = []
            for j in queue:
                s = _earliest_slot(profile, procs[j], est[j])
                if s is None:
                    continue
                profile = _reserve(profile, s, est[j], procs[j])
                if s == t:
                    started.append(j)
            for j in started:
                start[j] = t
                running.append(j)
            queue = [j for j in queue if j not in set(started)]
            continue
        while queue and procs[queue[0]] <= free:
            j = queue.pop(0)
            start[j] = t
            running.append(j)
            free -= procs[j]
        if not queue or policy == FCFS:
            continue
        head = queue[0]
        shadow, extra = math.inf, free
        for e, avail in _release_steps(running, start, est, procs, free):
            if avail >= procs[head]:
                shadow, extra = e, avail - procs[head]
                break
        rest = []
        for j in queue[1:]:
            ok = False
            if procs[j] <= free:
                if t + est[j] <= shadow:
                    ok = True
                elif procs[j] <= extra:
                    extra -= procs[j]
                    ok = True
            if ok:
                start[j] = t
                running.append(j)
                free -= procs[j]
            else:
                rest.append(j)
        queue = [head] + rest
    return np.array(start, dtype=np.float64)
