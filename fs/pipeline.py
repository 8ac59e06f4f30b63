"""``fsw study run`` as one library call: rows, design sweep, run metadata, reports, a JSON summary."""

from __future__ import annotations

import json
import math
from pathlib import Path

from fs.spec import AXES


def _num(v):
    """A JSON-safe float (None for NaN)."""
    v = float(v)
    return None if not math.isfinite(v) else v


def candidates_json(summary, requirements: list[dict] = ()) -> list[dict]:
    """The ``candidates`` list of the JSON output, in ranking order (infeasible last).

    ``requirements`` are the study's (:func:`fs.requirements.requirements_json`); each candidate
    gets its row per requirement (:func:`fs.requirements.candidate_requirements`) and its
    ``capability`` beside the throughput ``metrics.performance`` (:func:`fs.capability.capability_json`).
    """
    from fs.capability import capability_json
    from fs.requirements import candidate_requirements
    from fs.runner import INTERVAL_COLUMNS, in_rank_order

    out = []
    for _, r in in_rank_order(summary).iterrows():
        out.append({
            "name": r["candidate"],
            "machine": r["machine"],
            "hypothetical": bool(r["hypothetical"]),
            "year": None if not math.isfinite(r["year"]) else int(r["year"]),
            "projection": r.get("projection") or None,  # "projected 2023→2030, iso-power" (fs.projected_candidates)
            "nodes": int(r["nodes"]),
            "sized_by": r["sized_by"],
            "power_w": _num(r["power_w"]),
            "average_power_w": _num(r["average_power_w"]),
            "capital_cost_jpy": _num(r["capital_cost_jpy"]),
            "measures_cost_jpy": _num(r["measures_cost_jpy"]),
            "total_cost_jpy": _num(r["total_cost_jpy"]),
            "carbon_g": _num(r["carbon_g"]),
            "work_node_hours": _num(r["work_node_hours"]),
            "utilisation": _num(r["utilisation"]),
            "wait_s": _num(r["wait_s"]),
            "checkpoint_waste": _num(r["checkpoint_waste"]),
            "metrics": {a: _num(r[a]) for a in AXES},
            "capability": capability_json(r),
            "scores": {a: _num(r[f"score_{a}"]) for a in AXES},
            "score": _num(r["score"]),
            "score_mean": _num(r["score_mean"]),
            "score_p05": _num(r["score_p05"]),
            "score_p95": _num(r["score_p95"]),
            "intervals": {col: [_num(r[f"{col}_p05"]), _num(r[f"{col}_p95"])] for col in INTERVAL_COLUMNS},
            "rank": None if not math.isfinite(r["rank"]) else int(r["rank"]),
            "feasible": bool(r["feasible"]),
            "violations": [v for v in str(r["violations"]).split("; ") if v],
            "requirements": candidate_requirements(r, list(requirements)),
            "meets_requirements": bool(r["meets_requirements"]),
            "p_rank_first": _num(r["p_rank_first"]),
        })
    return out


def run(study: str | Path, out_dir: str | Path, *, samples: int = 200, sweep_points: int = 20_000,
        chunk_size: int = 25, processes: int | None = None, scheduler: str | None = None, simulate_ops: bool = True,
        progress=None) -> dict:
    """Run a study end to end into ``out_dir`` and return the JSON summary.

    Writes ``results.parquet`` (nominal, tornado and Monte Carlo rows, chunked and resumable),
    ``sweep.parquet`` (design points with their Pareto flag) when ``sweep_points`` > 0,
    ``run.json``, CSV tables, ``report.md`` and ``report.html``.

    With ``simulate_ops`` the candidates' utilisation and wait come from a scheduling simulation of
    the study's trace (:func:`fs.operations.simulate_operations`) at their nominal size and speed;
    otherwise the study's stated utilisation is used. ``progress(stage, done, total)`` is called as
    chunks finish.
    """
    from archmodels.atomic import write_text_atomic
    from fs.executors import make_executor
    from fs.provenance import run_metadata
    from fs.report import write_report
    from fs.runner import run_study, summarise
    from fs.sweep import run_sweep
    from fs.weight_sensitivity import weight_sensitivity

    from fs.operations import operating_json, simulate_operations
    from fs.runner import evaluate_case
    from fs.study import load_study

    out = Path(out_dir)
    loaded = load_study(study)
    operations = simulate_operations(loaded, evaluate_case(loaded, {})) if simulate_ops else None
    out.mkdir(parents=True, exist_ok=True)
    executor = make_executor(processes, scheduler)
    try:
        res = run_study(study, out, samples=samples, chunk_size=chunk_size, executor=executor, operations=operations,
                        progress=(lambda d, t: progress("study", d, t)) if progress else None)
        sweep_rows = None
        if sweep_points > 0:
            sweep_rows = run_sweep(res.study, out, points=sweep_points, chunk_size=max(10_000, sweep_points // 8),
                                   executor=executor, progress=(lambda d, t: progress("sweep", d, t)) if progress else None)
        elif (out / "sweep.parquet").is_file():
            (out / "sweep.parquet").unlink()
    finally:
        executor.close()
    meta = run_metadata(res.study, samples=samples, executor=executor.name, computed=len(res.chunks.computed),
                        reused=len(res.chunks.reused), sweep_points=sweep_points)
    meta["operating"] = operating_json(loaded.operating, operations)
    summary = summarise(res.rows)
    meta["weight_sensitivity"] = weight_sensitivity(summary, res.study.axis_weights, res.study.seed)
    write_text_atomic(out / "run.json", json.dumps(meta, sort_keys=True, indent=1))
    paths = write_report(out)
    return {
        "study": res.study.name,
        "title": res.study.title,
        "seed": res.study.seed,
        "samples": samples,
        "executor": executor.name,
        "chunks_computed": len(res.chunks.computed),
        "chunks_reused": len(res.chunks.reused),
        "requirements": meta["study"]["requirements"],
        "uncertainties": meta["study"]["uncertainties"],
        "candidates": candidates_json(summary, meta["study"]["requirements"]),
        "weight_sensitivity": meta["weight_sensitivity"],
        "operating": meta["operating"],
        "provenance": meta["provenance"],
        "sweep_points": sweep_points,
        "pareto_points": int(sweep_rows["pareto"].sum()) if sweep_rows is not None else 0,
        "results_parquet": str(res.chunks.path),
        "results_csv": str(paths["results_csv"]),
        "report_markdown": str(paths["markdown"]),
        "report_html": str(paths["html"]),
    }


#: The default full-factorial grid of ``fsw study sweep --method grid``.
DEFAULT_GRID = {
    "sram_bytes": [0.0, 64 * 2**20, 256 * 2**20, 2**30, 4 * 2**30, 16 * 2**30],
    "power_cap_w": [1600.0, 2000.0, 2400.0, 2800.0, 3200.0],
}


def sweep(study: str | Path, out_dir: str | Path, *, method: str = "lhs", points: int = 100_000,
          seed: int | None = None, processes: int | None = None, scheduler: str | None = None,
          progress=None) -> dict:
    """Sweep the design space of a study (``fs.sweep``) into ``out_dir/sweep.parquet``; return the
    JSON summary with the Pareto-optimal points (performance, power, cost, carbon)."""
    from fs.executors import make_executor
    from fs.study import load_study
    from fs.sweep import run_sweep

    loaded = load_study(study)
    options = {"grid": DEFAULT_GRID} if method == "grid" else {}
    executor = make_executor(processes, scheduler)
    try:
        rows = run_sweep(loaded, out_dir, method=method, points=points, seed=seed, options=options,
                         chunk_size=max(10_000, points // 8), executor=executor,
                         progress=(lambda d, t: progress("sweep", d, t)) if progress else None)
    finally:
        executor.close()
    front = rows[rows["pareto"]].sort_values("performance", ascending=False)
    cols = ["point", "sram_bytes", "memory", "link", "power_cap_w", "nodes", "performance", "performance_per_watt",
            "power_w", "capital_cost_jpy", "cost_jpy", "carbon_g"]
    return {
        "study": loaded.name,
        "method": method,
        "points": int(len(rows)),
        "feasible_points": int(rows["feasible"].sum()),
        "pareto_points": int(len(front)),
        "seed": int(rows["seed"].iloc[0]) if len(rows) else None,
        "sweep_parquet": str(Path(out_dir) / "sweep.parquet"),
        "pareto": [{k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()} for r in front[cols].to_dict("records")],
    }


def report(out_dir: str | Path) -> dict:
    """Rebuild the reports of a run folder; return the JSON summary (no computation)."""
    import pandas as pd

    from fs.report import write_report
    from fs.runner import summarise

    from fs.weight_sensitivity import weight_sensitivity

    paths = write_report(out_dir)
    rows = pd.read_parquet(Path(out_dir) / "results.parquet")
    meta = json.loads((Path(out_dir) / "run.json").read_text())
    st = meta["study"]
    requirements = st.get("requirements", [])
    summary = summarise(rows)
    return {
        "requirements": requirements,
        "candidates": candidates_json(summary, requirements),
        "weight_sensitivity": weight_sensitivity(summary, st["axis_weights"], st["seed"]),
        "provenance": meta.get("provenance"),  # of the run (None for a run.json written before it existed)
        "report_markdown": str(paths["markdown"]),
        "report_html": str(paths["html"]),
        "results_csv": str(paths["results_csv"]),
    }


def list_studies() -> list[dict]:
    """The built-in studies: name, title, path."""
    from fs.spec import builtin_studies, read_spec

    out = []
    for name, path in sorted(builtin_studies().items()):
        s = read_spec(path)
        out.append({"name": name, "title": s.title, "path": str(path), "candidates": [c.machine for c in s.candidates]})
    return out
