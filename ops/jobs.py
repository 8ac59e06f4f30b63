"""From trace rows to the arrays the scheduler runs on.

The rules (they are part of the EASY semantics the simulator promises, see :mod:`ops.kernels`):

* processors = field 8 (requested) if > 0, else field 5 (allocated);
* estimate = field 9 (requested time) if > 0, else the run time (field 4);
* jobs with run time <= 0, processors <= 0, or more processors than the machine are dropped
  (and counted);
* a job runs min(run time, estimate): it is killed at its estimate;
* jobs are ordered by (submit time, job id); equal keys keep file order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from archmodels.errors import InputError


@dataclass(frozen=True)
class JobSet:
    """Jobs ready to schedule, in scheduling order (submit, id). Arrays share one length."""

    id: np.ndarray  #: job number from the trace (int64)
    submit_s: np.ndarray  #: submit time [s] (float64)
    procs: np.ndarray  #: processors (int64)
    run_s: np.ndarray  #: time the job occupies its processors, min(run time, estimate) [s]
    estimate_s: np.ndarray  #: user estimate [s]
    utilization: np.ndarray  #: fraction of the processors' dynamic power the job draws [-]
    data_bytes: np.ndarray  #: data to move if the job runs at another site [B]
    capacity: int  #: machine size [processors]
    dropped: int  #: jobs dropped by the rules above
    #: jobs dropped per reason (the first rule a job breaks): ``run_time_not_positive``,
    #: ``procs_not_positive``, ``wider_than_machine``
    dropped_by_reason: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.id)

    def take(self, index: np.ndarray) -> "JobSet":
        """A subset (index in scheduling order), the capacity kept, nothing counted as dropped."""
        return JobSet(self.id[index], self.submit_s[index], self.procs[index], self.run_s[index],
                      self.estimate_s[index], self.utilization[index], self.data_bytes[index],
                      self.capacity, 0)


#: Job utilisation when the trace does not give CPU time (``assumption``: HPC batch jobs keep their
#: processors busy; power then scales linearly from idle to maximum, as in SPECpower-style models).
DEFAULT_UTILIZATION = 1.0


def prepare_jobs(jobs: pd.DataFrame, capacity: int) -> JobSet:
    """Apply the processor, estimate, drop and ordering rules to trace rows.

    Parameters
    ----------
    jobs : pandas.DataFrame
        Trace rows with at least ``id, submit_s, run_s, alloc_procs, req_procs, req_time_s``
        (:data:`ops.swf.SWF_COLUMNS`); ``cpu_time_s`` and ``mem_kb`` are used when present.
    capacity : int
        Machine size [processors].
    """
    if capacity < 1:
        raise InputError(f"machine size must be >= 1 processor, got {capacity}")
    req = jobs["req_procs"].to_numpy(dtype=np.int64)
    alloc = jobs["alloc_procs"].to_numpy(dtype=np.int64)
    procs = np.where(req > 0, req, alloc)
    run = jobs["run_s"].to_numpy(dtype=np.float64)
    req_time = jobs["req_time_s"].to_numpy(dtype=np.float64)
    est = np.where(req_time > 0, req_time, run)
    bad_run = ~(run > 0)
    bad_procs = ~bad_run & ~(procs > 0)
    too_wide = ~bad_run & ~bad_procs & (procs > capacity)
    keep = ~(bad_run | bad_procs | too_wide)
    reasons = {"run_time_not_positive": int(bad_run.sum()), "procs_not_positive": int(bad_procs.sum()),
               "wider_than_machine": int(too_wide.sum())}
    ids = jobs["id"].to_numpy(dtype=np.int64)
    submit = jobs["submit_s"].to_numpy(dtype=np.float64)
    order = np.lexsort((ids[keep], submit[keep]))  # stable: equal keys keep file order
    idx = np.flatnonzero(keep)[order]
    run_eff = np.minimum(run, est)
    if "cpu_time_s" in jobs.columns:
        cpu = jobs["cpu_time_s"].to_numpy(dtype=np.float64)
        util = np.where(cpu > 0, np.clip(cpu / np.where(run > 0, run, 1.0), 0.0, 1.0), DEFAULT_UTILIZATION)
    else:
        util = np.full(len(jobs), DEFAULT_UTILIZATION)
    if "mem_kb" in jobs.columns:
        mem = jobs["mem_kb"].to_numpy(dtype=np.float64)
        data = np.where(mem > 0, mem * 1024.0 * procs, 0.0)
    else:
        data = np.zeros(len(jobs))
    return JobSet(
        id=ids[idx], submit_s=submit[idx], procs=procs[idx], run_s=run_eff[idx], estimate_s=est[idx],
        utilization=util[idx], data_bytes=data[idx], capacity=int(capacity),
        dropped=int(len(jobs) - len(idx)), dropped_by_reason=reasons,
    )
