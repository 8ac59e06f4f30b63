"""The event-driven scheduling kernel (numba) for FCFS, EASY and conservative backfilling.

One kernel, :func:`schedule`, takes jobs already in scheduling order and returns their start times.
:mod:`ops.reference` holds a plain-Python implementation of the same semantics; the tests compare the
two job for job.

Semantics (shared by all policies)
----------------------------------
* Jobs arrive at ``arrive`` (the submit time, or a later release time set by a policy such as
  carbon-aware delay) and are queued in the order given, which is (arrival, job id).
* A job occupies ``procs`` processors for ``run`` seconds (run = min(run time, estimate): it is
  killed at its estimate); the scheduler sees only the estimate ``est``.
* Event instants are arrivals, completions and changes of the processor limit (a power cap) while
  jobs wait. At one instant: completions first, then arrivals, then ONE scheduling pass.
* The processor limit at time t is ``cap_procs[k]`` for the last k with ``cap_times[k] <= t``
  (``cap_times[0]`` is -inf). Free processors = limit - busy. Running jobs are never preempted when
  the limit drops; new jobs simply wait.

FCFS: start jobs from the queue head in order while they fit; stop at the first that does not.

EASY backfilling (Lifka 1995; Mu'alem and Feitelson, IEEE TPDS 12(6) 2001), exactly:
  1. start jobs from the queue head in order while they fit;
  2. when the head does not fit: shadow = the earliest estimated end (start + estimate) of a running
     job at which enough processors are free for the head; extra = processors free at the shadow
     time (free now plus every running job estimated to end by then, i.e. estimated end <= shadow)
     minus the head's processors;
  3. scan the rest of the queue in order, starting each job that fits now and either ends by its
     estimate no later than the shadow (now + estimate <= shadow) or needs no more processors than
     extra (then extra -= its processors).
  If the limit is below the head's size (a power cap), no running job frees enough: shadow = +inf,
  and any job that fits now may start.

Speed: running jobs are kept sorted by estimated end (binary search, shifting insert) for the
shadow, completions in a binary heap; the queue is an array compacted in place. At an instant with
arrivals only (no completion, no limit change) the head is still blocked and shadow and extra are
unchanged since the last pass (backfilled jobs that end by the shadow return their processors by
then; the others were taken from extra), and every job already in the queue was rejected under
looser conditions, so only the new arrivals are scanned. The scan stops when no processor is free.

Conservative backfilling (Mu'alem and Feitelson 2001): at every pass, the availability profile is
rebuilt from the running jobs (each holds its processors until its estimated end); every queued job
in order gets a reservation at the earliest time its processors are free for its whole estimate;
jobs whose reservation is now start. A job larger than the current limit gets no reservation.
Cost O(queue x profile) per pass: fine for traces of tens of thousands of jobs.
"""

from __future__ import annotations

import numba as nb
import numpy as np

FCFS = 0
EASY = 1
CONSERVATIVE = 2
POLICY_CODES = {"fcfs": FCFS, "easy": EASY, "conservative": CONSERVATIVE}


@nb.njit(cache=True)
def _heap_push(keys, jobs, n, key, job):
    k = n
    keys[k] = key
    jobs[k] = job
    while k > 0:
        parent = (k - 1) >> 1
        if keys[parent] <= keys[k]:
            break
        keys[parent], keys[k] = keys[k], keys[parent]
        jobs[parent], jobs[k] = jobs[k], jobs[parent]
        k = parent
    return n + 1


@nb.njit(cache=True)
def _heap_pop(keys, jobs, n):
    job = jobs[0]
    n -= 1
    keys[0] = keys[n]
    jobs[0] = jobs[n]
    k = 0
    while True:
        left = 2 * k + 1
        if left >= n:
            break
        child = left
        if left + 1 < n and keys[left + 1] < keys[left]:
            child = left + 1
        if keys[k] <= keys[child]:
            break
        keys[child], keys[k] = keys[k], keys[child]
        jobs[child], jobs[k] = jobs[k], jobs[child]
        k = child
    return job, n


@nb.njit(cache=True)
def _sorted_insert(ends, jobs, n, end, job):
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi) >> 1
        if ends[mid] <= end:
            lo = mid + 1
        else:
            hi = mid
    for k in range(n, lo, -1):
        ends[k] = ends[k - 1]
        jobs[k] = jobs[k - 1]
    ends[lo] = end
    jobs[lo] = job
    return n + 1


@nb.njit(cache=True)
def _sorted_remove(ends, jobs, n, end, job):
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi) >> 1
        if ends[mid] < end:
            lo = mid + 1
        else:
            hi = mid
    k = lo
    while jobs[k] != job:
        k += 1
    for m in range(k, n - 1):
        ends[m] = ends[m + 1]
        jobs[m] = jobs[m + 1]
    return n - 1


@nb.njit(cache=True)
def _conservative_pass(t, limit, busy, procs, est, q, qs, qe, r_end, r_job, rn, start, prof_t, prof_f):
    """Reserve every queued job in the rebuilt profile; return the queued jobs that start now."""
    # profile: free processors on [prof_t[k], prof_t[k+1]); the last step lasts forever
    m = 1
    prof_t[0] = t
    prof_f[0] = limit - busy
    k = 0
    while k < rn:
        e = r_end[k]
        released = 0
        while k < rn and r_end[k] == e:
            released += procs[r_job[k]]
            k += 1
        prof_t[m] = e
        prof_f[m] = prof_f[m - 1] + released
        m += 1
    n_start = 0
    for r in range(qs, qe):
        j = q[r]
        p = procs[j]
        d = est[j]
        a = 0
        found = -1
        while a < m:
            if prof_f[a] < p:
                a += 1
                continue
            b = a + 1
            ok = True
            while b < m and prof_t[b] < prof_t[a] + d:
                if prof_f[b] < p:
                    ok = False
                    break
                b += 1
            if ok:
                found = a
                break
            a = b + 1
        if found < 0:
            continue  # larger than the limit: no reservation
        s = prof_t[found]
        end = s + d
        # split the profile at end, then take p processors on [s, end)
        b = found + 1
        while b < m and prof_t[b] < end:
            b += 1
        if b == m or prof_t[b] != end:
            for x in range(m, b, -1):
                prof_t[x] = prof_t[x - 1]
                prof_f[x] = prof_f[x - 1]
            prof_t[b] = end
            prof_f[b] = prof_f[b - 1]
            m += 1
        for x in range(found, b):
            prof_f[x] -= p
        if s == t:
            start[j] = t
            n_start += 1
    return n_start


@nb.njit(cache=True)
def _event_arrays(n):
    """The event loop's arrays for ``n`` jobs: start times [s] (NaN until started), the waiting
    queue, the completion heap (end [s], job) and the running jobs sorted by estimated end."""
    size = n + 1
    return (np.full(n, np.nan), np.empty(n, np.int64), np.empty(size), np.empty(size, np.int64),
            np.empty(size), np.empty(size, np.int64))


@nb.njit(cache=True)
def _next_event(arrive, i, h_end, hn, cap_times, ci, waiting):
    """The next event instant [s]: arrival ``i``, the earliest completion or, while jobs wait, the
    next change of the processor limit; +inf when none is left."""
    t = np.inf
    if i < arrive.shape[0]:
        t = arrive[i]
    if hn > 0 and h_end[0] < t:
        t = h_end[0]
    if ci + 1 < cap_times.shape[0] and waiting and cap_times[ci + 1] < t:
        t = cap_times[ci + 1]
    return t


@nb.njit(cache=True)
def _limit_index(cap_times, ci, t):
    """Index of the processor limit in force at ``t`` [s], moving on from ``ci``."""
    while ci + 1 < cap_times.shape[0] and cap_times[ci + 1] <= t:
        ci += 1
    return ci


@nb.njit(cache=True)
def _complete(t, procs, est, start, h_end, h_job, hn, r_end, r_job, rn):
    """Takes every job ending by ``t`` [s] off the heap and the running list; returns the new heap
    and list sizes and the processors freed."""
    freed = 0
    while hn > 0 and h_end[0] <= t:
        j, hn = _heap_pop(h_end, h_job, hn)
        freed += procs[j]
        rn = _sorted_remove(r_end, r_job, rn, start[j] + est[j], j)
    return hn, rn, freed


@nb.njit(cache=True)
def _enqueue(t, arrive, i, q, qe):
    """Appends the jobs arriving by ``t`` [s], from job ``i`` on, to the queue; returns the next
    job to arrive and the new queue end."""
    while i < arrive.shape[0] and arrive[i] <= t:
        q[qe] = i
        qe += 1
        i += 1
    return i, qe


@nb.njit(cache=True)
def _run(j, t, run, est, h_end, h_job, hn, r_end, r_job, rn):
    """Puts job ``j``, started at ``t`` [s], on the completion heap and the running list; returns
    their new sizes."""
    hn = _heap_push(h_end, h_job, hn, t + run[j], j)
    rn = _sorted_insert(r_end, r_job, rn, t + est[j], j)
    return hn, rn


@nb.njit(cache=True)
def _schedule_queue(arrive, procs, run, est, policy, cap_times, cap_procs):
    """FCFS and EASY (see :func:`schedule`)."""
    start, q, h_end, h_job, r_end, r_job = _event_arrays(arrive.shape[0])
    qs = 0
    qe = 0
    hn = 0
    rn = 0
    busy = 0
    i = 0
    ci = 0
    shadow = np.inf
    extra = 0
    while True:
        t = _next_event(arrive, i, h_end, hn, cap_times, ci, qe > qs)
        if t == np.inf:
            break
        ci_before = ci
        ci = _limit_index(cap_times, ci, t)
        limit_changed = ci != ci_before
        hn_before = hn
        hn, rn, freed = _complete(t, procs, est, start, h_end, h_job, hn, r_end, r_job, rn)
        busy -= freed
        completed = hn != hn_before
        waiting_before = qe - qs
        first_new = qe
        i, qe = _enqueue(t, arrive, i, q, qe)
        if qe == qs:
            continue
        limit = cap_procs[ci]
        free = limit - busy

        if policy == EASY and not completed and not limit_changed and waiting_before > 0:
            p0 = first_new  # arrivals only: shadow and extra as left by the last pass
        else:
            while qs < qe and procs[q[qs]] <= free:
                j = q[qs]
                qs += 1
                start[j] = t
                busy += procs[j]
                free -= procs[j]
                hn, rn = _run(j, t, run, est, h_end, h_job, hn, r_end, r_job, rn)
            if qs == qe or policy == FCFS:
                continue
            hp = procs[q[qs]]
            shadow = np.inf
            extra = free
            avail = free
            k = 0
            while k < rn:
                e = r_end[k]
                while k < rn and r_end[k] == e:
                    avail += procs[r_job[k]]
                    k += 1
                if avail >= hp:
                    shadow = e
                    extra = avail - hp
                    break
            p0 = qs + 1

        w = p0
        r = p0
        while r < qe:
            if free <= 0:
                if w == r:
                    w = qe
                else:
                    while r < qe:
                        q[w] = q[r]
                        w += 1
                        r += 1
                break
            j = q[r]
            pj = procs[j]
            started = False
            if pj <= free:
                if t + est[j] <= shadow:
                    started = True
                elif pj <= extra:
                    extra -= pj
                    started = True
            if started:
                start[j] = t
                busy += pj
                free -= pj
                hn, rn = _run(j, t, run, est, h_end, h_job, hn, r_end, r_job, rn)
            else:
                q[w] = j
                w += 1
            r += 1
        qe = w
    return start


@nb.njit(cache=True)
def _schedule_conservative(arrive, procs, run, est, cap_times, cap_procs):
    """Conservative backfilling (see :func:`schedule`); same event loop as :func:`_schedule_queue`."""
    start, q, h_end, h_job, r_end, r_job = _event_arrays(arrive.shape[0])
    qs = 0
    qe = 0
    hn = 0
    rn = 0
    size = arrive.shape[0] + 1
    prof_t = np.empty(2 * size + 2)
    prof_f = np.empty(2 * size + 2, np.int64)
    busy = 0
    i = 0
    ci = 0
    while True:
        t = _next_event(arrive, i, h_end, hn, cap_times, ci, qe > qs)
        if t == np.inf:
            break
        ci = _limit_index(cap_times, ci, t)
        hn, rn, freed = _complete(t, procs, est, start, h_end, h_job, hn, r_end, r_job, rn)
        busy -= freed
        i, qe = _enqueue(t, arrive, i, q, qe)
        if qe == qs:
            continue
        limit = cap_procs[ci]
        if _conservative_pass(t, limit, busy, procs, est, q, qs, qe, r_end, r_job, rn, start,
                              prof_t, prof_f) > 0:
            w = qs
            for r in range(qs, qe):
                j = q[r]
                if start[j] == t:
                    busy += procs[j]
                    hn, rn = _run(j, t, run, est, h_end, h_job, hn, r_end, r_job, rn)
                else:
                    q[w] = j
                    w += 1
            qe = w
    return start


def schedule(arrive, procs, run, est, policy, cap_times, cap_procs):
    """Start times [s] of jobs under FCFS, EASY or conservative backfilling.

    Parameters
    ----------
    arrive : float64[n]
        Arrival (queueing) times [s], non-decreasing; ties in queue order.
    procs : int64[n]
        Processors per job, each <= max(cap_procs).
    run : float64[n]
        Time each job holds its processors [s], > 0 and <= est.
    est : float64[n]
        Estimates the scheduler plans with [s].
    policy : int
        :data:`FCFS`, :data:`EASY` or :data:`CONSERVATIVE`.
    cap_times, cap_procs : float64[k], int64[k]
        Processor limit as a step function; ``cap_times[0]`` must be -inf.

    Returns
    -------
    float64[n]
        Start times [s]; NaN for jobs that never start (only when a limit stays below their size).
    """
    if policy == CONSERVATIVE:
        return _schedule_conservative(arrive, procs, run, est, cap_times, cap_procs)
    if policy not in (FCFS, EASY):
        raise ValueError(f"unknown policy code {policy}")
    return _schedule_queue(arrive, procs, run, est, policy, cap_times, cap_procs)
