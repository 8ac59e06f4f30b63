"""Close the loop: predict each measured application kernel on the measured host profile.

For every application kernel the suite ran, :func:`archmodels.predict` is asked for the same
problem on one node of the host profile (``units_per_node`` = the kernel's size in the workload's
units), and its time per step is set against the measured time per call:
error = predicted / measured - 1.

The stream-triad row is a calibration, not a prediction: the profile's DRAM bandwidth is that
very measurement, so its error only checks that the predictor reads the profile back unchanged.
:func:`median_abs_error` leaves calibration rows out.
"""

from __future__ import annotations

import os

#: Kernels whose measurement went into the profile (their error is not a test of the model).
CALIBRATION = frozenset({"stream-triad"})

#: Application kernel -> workload of the portfolio (archmodels/workloads/*.toml).
WORKLOADS = {
    "stream-triad": "stream-triad",
    "dgemm": "dgemm",
    "spmv": "spmv",
    "stencil-7pt": "stencil-7pt",
    "fft3d": "fft3d",
}


def validate_apps(machine, apps_df):
    """Predicted against measured time for each application kernel.

    Parameters
    ----------
    machine : Machine or str or path-like
        The host profile (a machine spec written by ``fsw bench``).
    apps_df : pandas.DataFrame
        Rows of :meth:`archmodels.bench.apps.AppResult.as_dict` (``kernel``, ``size``, ``units``,
        ``time_s``...).

    Returns
    -------
    pandas.DataFrame
        One row per kernel: ``kernel, workload, size, units, measured_time_s, predicted_time_s,
        error`` (predicted / measured - 1), ``abs_error``, ``bound``, measured and predicted
        FLOP/s (the workload's FLOP count), predicted bandwidth.
    """
    import pandas as pd

    import archmodels

    if isinstance(machine, (str, os.PathLike)):
        machine = archmodels.load_machine(str(machine))
    rows = []
    for rec in apps_df.to_dict(orient="records"):
        name = WORKLOADS.get(rec["kernel"])
        if name is None:
            continue
        wl = archmodels.load_workload(name)
        pred = archmodels.predict(machine, wl, nodes=1, units_per_node=float(rec["units"]))
        predicted = pred.time_s / wl.steps
        measured = float(rec["time_s"])
        rows.append({
            "kernel": rec["kernel"],
            "workload": name,
            "size": rec["size"],
            "units": rec["units"],
            "unit": wl.unit,
            "measured_time_s": measured,
            "predicted_time_s": predicted,
            "error": predicted / measured - 1.0,
            "abs_error": abs(predicted / measured - 1.0),
            "bound": pred.bound,
            "calibration": rec["kernel"] in CALIBRATION,
            "measured_flop_per_s": rec["flop_per_s"],
            "predicted_flop_per_s": pred.flop_per_s,
            "predicted_bandwidth_bytes_per_s": pred.bandwidth_bytes_per_s,
        })
    return pd.DataFrame(rows)


def median_abs_error(checks) -> float:
    """Median of |predicted / measured - 1| over the rows that are predictions (not calibration)."""
    import numpy as np

    rows = checks[~checks["calibration"]]
    return float(np.median(rows["abs_error"])) if len(rows) else float("nan")
