"""Policy × trace × parameter sweeps, serial or on a Dask cluster, with identical rows either way.

A case is a plain dict (trace path, policy, simulate keyword arguments), so it pickles to a worker
process; each worker reads its trace and runs :func:`ops.simulate.simulate`. Rows hold the case's
inputs and the summary outputs, without the wall time (the only thing that differs between runs).
The numba kernels are serial, so they are safe in threaded or process workers.
"""

from __future__ import annotations

import itertools
import os

import pandas as pd

from ops.simulate import simulate

#: Summary entries left out of sweep rows: they vary between runs or are not scalars.
_NOT_IN_ROWS = ("simulation_wall_s", "policy_params")


def make_cases(traces: dict[str, str | os.PathLike], policies: list[str], vary: dict[str, list] | None = None,
               **fixed) -> list[dict]:
    """All combinations of traces, policies and the parameters in ``vary`` (name -> values).

    Keys of ``vary`` and ``fixed`` are :func:`~ops.simulate.simulate` keywords, except names
    starting with ``policy.`` which go to the policy (``{"policy.max_delay_s": [3600, 21600]}``).
    """
    vary = vary or {}
    names = list(vary)
    cases = []
    for trace_name, policy, values in itertools.product(traces, policies, itertools.product(*vary.values())):
        params = dict(fixed)
        params.update(zip(names, values))
        cases.append({"trace": trace_name, "path": str(traces[trace_name]), "policy": policy, "params": params})
    return cases


def run_case(case: dict) -> dict:
    """One row: the case's inputs and the simulation summary."""
    kwargs = {k: v for k, v in case["params"].items() if not k.startswith("policy.")}
    policy_params = {k[len("policy."):]: v for k, v in case["params"].items() if k.startswith("policy.")}
    res = simulate(case["path"], policy=case["policy"], policy_params=policy_params, timeseries=False, **kwargs)
    row = {"trace": case["trace"], "policy": case["policy"]}
    row.update({f"param.{k}": v for k, v in sorted(case["params"].items())})
    row.update({k: v for k, v in res.summary.items() if k not in _NOT_IN_ROWS and k not in ("policy", "dropped")})
    row.update({f"dropped.{k}": v for k, v in res.summary["dropped"].items()})  # tidy: one column per reason
    return row


def run_sweep(cases: list[dict], client=None) -> pd.DataFrame:
    """Rows of all cases in case order; ``client`` a ``distributed.Client`` (None: in-process)."""
    if client is None:
        rows = [run_case(c) for c in cases]
    else:
        futures = client.map(run_case, cases, pure=False)
        rows = client.gather(futures)
    return pd.DataFrame(rows)
