"""Run a study: the nominal case, one-at-a-time sensitivity, Monte Carlo; summarise the rows.

The rows of a run (``DIR/results.parquet``) are one per candidate and case:

* ``case = "nominal"``: every uncertain multiplier at its nominal value (``sample = -1``);
* ``case = "tornado"``: one uncertainty at its 5 % or 95 % quantile (``parameter``, ``level``);
* ``case = "monte-carlo"``: sample ``sample`` with every multiplier drawn from its own stream
  (``seed`` is the study's seed, ``sample_seed`` identifies the sample's stream).

Chunk 0 holds the nominal and tornado cases; the Monte Carlo samples follow in chunks of
``chunk_size``. Each chunk is a pure function of the study file, its own arguments and the
operations figures, so where it runs does not change a single value.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from fs import uncertainty as U
from fs.evaluate import node_profiles, score_case
from fs.executors import ChunkRun, chunk_ranges, run_chunks
from fs.provenance import inputs_fingerprint
from fs.study import Study, load_study

MULT_PREFIX = "mult:"


@lru_cache(maxsize=8)
def _study(path: str, digest: str) -> Study:
    return load_study(path)


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes (short): ties rows to the exact study text."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def evaluate_case(study: Study, multipliers: dict[str, float], operations: dict | None = None) -> pd.DataFrame:
    """Profiles and scorecard of one case; multiplier columns record the case's factors."""
    ref, profiles, _ = node_profiles(study, multipliers)
    df = score_case(study, ref, profiles, multipliers, operations)
    # one block of multiplier columns, not one insert each (a study with projected candidates has 100+)
    mult = {MULT_PREFIX + u.target: multipliers.get(u.target, 1.0) for u in study.uncertainties}
    return pd.concat([df, pd.DataFrame(mult, index=df.index, dtype=float)], axis=1) if mult else df


def _tag(df: pd.DataFrame, case: str, sample: int, seed: int, sample_seed: int, parameter: str, level: str) -> pd.DataFrame:
    df.insert(0, "case", case)
    df.insert(1, "sample", sample)
    df.insert(2, "seed", seed)
    df.insert(3, "sample_seed", np.uint64(sample_seed))
    df.insert(4, "parameter", parameter)
    df.insert(5, "level", level)
    return df


def study_chunk(study_file: str, digest: str, kind: str, start: int, stop: int, operations: dict | None) -> pd.DataFrame:
    """Rows of one chunk: ``kind="fixed"`` (nominal and tornado) or ``"monte-carlo"`` samples [start, stop)."""
    study = _study(study_file, digest)
    frames = []
    if kind == "fixed":
        frames.append(_tag(evaluate_case(study, U.nominal_multipliers(study.uncertainties), operations),
                           "nominal", -1, study.seed, 0, "", ""))
        for target, level, mult in U.tornado_cases(study.uncertainties):
            frames.append(_tag(evaluate_case(study, mult, operations), "tornado", -1, study.seed, 0, target, level))
    else:
        for i in range(start, stop):
            mult = U.sample_multipliers(study.uncertainties, study.seed, i)
            frames.append(_tag(evaluate_case(study, mult, operations), "monte-carlo", i, study.seed,
                               U.sample_seed(study.seed, i), "", ""))
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class StudyRun:
    """A finished run: its folder, rows and the chunk bookkeeping."""

    study: Study
    out_dir: Path
    rows: pd.DataFrame
    chunks: ChunkRun
    samples: int


def run_study(name_or_path: str | Path, out_dir: str | Path, *, samples: int = 200, chunk_size: int = 25,
              executor=None, operations: dict | None = None, progress=None) -> StudyRun:
    """Run a study into ``out_dir``: rows in ``results.parquet`` (chunked, resumable).

    Parameters
    ----------
    name_or_path : str or path
        A study file or a built-in study's name.
    out_dir : path
        Folder of the run; created if missing. Re-running into it resumes.
    samples : int
        Monte Carlo samples (0: nominal and tornado only).
    chunk_size : int
        Samples per chunk (the unit of resumption and of distribution).
    executor : from :func:`fs.executors.make_executor`; in-process if None.
    operations : dict
        Candidate label -> {"utilisation", "wait_s"} from :func:`fs.operations.simulate_operations`.
    progress : callable(done, total), optional
    """
    from archmodels.errors import InputError

    study = load_study(name_or_path)
    if samples < 0:
        raise InputError(f"--samples must be >= 0, got {samples}")
    study_file = str(Path(study.file).resolve())
    digest = file_digest(study_file)
    args = [(study_file, digest, "fixed", 0, 0, operations)]
    args += [(study_file, digest, "monte-carlo", a, b, operations) for a, b in chunk_ranges(samples, chunk_size)]
    config = {"study": digest, "samples": samples, "chunk_size": chunk_size, "operations": operations,
              "inputs": inputs_fingerprint(study),  # a machine, workload or code edit recomputes
              "schema": "fs-workbench/study-results/2"}  # 2: cost and carbon per unit of work
    total = len(args)
    run = run_chunks(out_dir, "results", study_chunk, args, config, executor,
                     (lambda done: progress(done, total)) if progress else None)
    rows = pd.read_parquet(run.path)
    return StudyRun(study, Path(out_dir), rows, run, samples)


#: Figures whose 5–95 % Monte Carlo interval the summary carries beside the score's: speedup,
#: facility power [W], lifetime cost [JPY] and checkpoint time [s].
INTERVAL_COLUMNS = ("performance", "power_w", "total_cost_jpy", "checkpoint_s")


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per candidate: the nominal scorecard plus the Monte Carlo score distribution.

    ``p_rank_first`` is the share of Monte Carlo samples in which the candidate ranks first among
    the feasible ones; with no samples it is NaN (no uncertainty sampled: a nominal ranking says
    nothing about the probability of ranking first). ``<col>_p05`` / ``<col>_p95`` are the 5 % and
    95 % quantiles over the samples of the score and of each of :data:`INTERVAL_COLUMNS` (the
    nominal value with no samples).
    """
    nominal = rows[rows["case"] == "nominal"].set_index("candidate")
    mc = rows[rows["case"] == "monte-carlo"]
    out = nominal.copy()
    if "meets_requirements" not in out:  # rows written before requirements existed
        out["meets_requirements"] = True
    for col in ("grid_carbon_intensity_g_per_kwh", "grid_price_jpy_per_kwh", "work_node_hours"):  # rows written before these
        if col not in out:
            out[col] = float("nan")
    if "measures_cost_jpy" not in out:  # rows written before the measures' capital was costed
        out["measures_cost_jpy"] = 0.0
    if len(mc):
        n = mc["sample"].nunique()
        first = mc[mc["rank"] == 1].groupby("candidate")["sample"].nunique() / n
        out["p_rank_first"] = first.reindex(out.index).fillna(0.0)
        out["score_mean"] = mc.groupby("candidate")["score"].mean()
        for col in ("score",) + INTERVAL_COLUMNS:
            q = mc.groupby("candidate")[col]
            out[f"{col}_p05"] = q.quantile(0.05)
            out[f"{col}_p95"] = q.quantile(0.95)
    else:
        out["p_rank_first"] = float("nan")
        out["score_mean"] = out["score"]
        for col in ("score",) + INTERVAL_COLUMNS:
            out[f"{col}_p05"] = out[col]
            out[f"{col}_p95"] = out[col]
    return out.reset_index()


def in_rank_order(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary in ranking order: feasible first, then those meeting every requirement, then by
    score (:func:`fs.evaluate.add_scores`); infeasible candidates last, in the same order."""
    return summary.sort_values(["feasible", "meets_requirements", "score"], ascending=[False, False, False],
                               ignore_index=True)


def tornado(rows: pd.DataFrame, sources: dict[str, str] | None = None) -> pd.DataFrame:
    """Score change of each candidate when one uncertainty moves to its 5 % / 95 % quantile.

    Columns: candidate, parameter, source (``sources[parameter]``: where the uncertainty comes from,
    "the study" for its own; "" without ``sources``), low, high (score minus nominal score), swing
    (|high - low|).
    """
    nominal = rows[rows["case"] == "nominal"].set_index("candidate")["score"]
    t = rows[rows["case"] == "tornado"]
    columns = ["candidate", "parameter", "source", "low", "high", "swing"]
    if t.empty:
        return pd.DataFrame(columns=columns)
    wide = t.pivot_table(index=["candidate", "parameter"], columns="level", values="score").reset_index()
    wide["low"] = wide["low"] - wide["candidate"].map(nominal)
    wide["high"] = wide["high"] - wide["candidate"].map(nominal)
    wide["swing"] = (wide["high"] - wide["low"]).abs()
    wide["source"] = [(sources or {}).get(p, "") for p in wide["parameter"]]
    wide.columns.name = None
    return wide[columns].sort_values(["candidate", "swing"], ascending=[True, False], ignore_index=True)
