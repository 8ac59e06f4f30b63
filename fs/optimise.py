"""Multi-objective search over a study's design space (NSGA-II), scored by the study's own scorer.

Each genome (:mod:`fs.design_space`) is decoded into a machine spec, loaded as a machine, profiled
with :func:`fs.evaluate.node_profile` (``archmodels.predict`` on every workload of the portfolio) and
scored with :func:`fs.evaluate.score_case` (sizing to the power and capital budgets, every axis,
requirements), the path ``fsw study run`` takes for a candidate. So a design's written machine file,
run as a candidate or through ``fsw predict``, gives back its numbers.

Objectives (all minimised by pymoo), the study's axes per unit of work:

* ``-performance``: the portfolio speedup over the reference (geometric mean of throughput ratios);
* ``cost``: lifetime cost (capital + energy + measures) per delivered node-hour of reference work [JPY];
* ``carbon``: lifetime carbon (embodied + operational) per delivered node-hour of reference work [g].

Power is a budget, not an objective: energy already enters ``cost`` (at the grid price) and
``carbon`` (at the grid's intensity), each beside a term energy does not move (capital, embodied
carbon), so the three objectives are not copies of the energy.

Constraints (``g <= 0`` is met): facility power over the power budget minus 1, capital over the
capital budget minus 1, the cable-reach shortfall of the link technology, 1 where the study's other
feasibility checks fail (a workload that cannot run, no room for the checkpoint), and with
``requirements = "constraints"`` ``1 − factor`` of each requirement (:mod:`fs.requirements`).

NSGA-II (Deb, Pratap, Agarwal & Meyarivan, IEEE TEVC 6(2), 2002, https://doi.org/10.1109/4235.996017)
from pymoo (Blank & Deb, IEEE Access 8, 2020, https://doi.org/10.1109/ACCESS.2020.2990567) runs in
ask-and-tell form: each generation's offspring are evaluated in chunks on an executor
(:mod:`fs.executors`); rows depend only on the genome, so serial, process and Dask runs are identical.
After each generation the algorithm (its own ``numpy.random.Generator`` included) is pickled
atomically to ``DIR/optimise-state.pkl``; a run started again into the same folder resumes there.
"""

from __future__ import annotations

import dataclasses
import json
import math
import pickle
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from archmodels.errors import InputError

OBJECTIVES = (("performance", -1.0), ("cost", 1.0), ("carbon", 1.0))  # (column, sign: minimise sign * value)
STATE_FILE = "optimise-state.pkl"
SCHEMA = "fs-workbench/optimise/1"


def _reference_profile(study):
    from fs.evaluate import node_profile

    return node_profile(study, study.reference.label, study.reference.machine)


def evaluate_machines(study, machines, labels, reference=None) -> pd.DataFrame:
    """The study's scorecard rows (:func:`fs.evaluate.score_case`) of ``machines`` as sized candidates."""
    from fs.evaluate import node_profile, score_case
    from fs.study import Candidate

    reference = reference or _reference_profile(study)
    cands = tuple(Candidate(label=lb, machine=m, nodes=None, ref=lb) for m, lb in zip(machines, labels))
    variant = dataclasses.replace(study, candidates=cands)
    profiles = [node_profile(variant, c.label, c.machine) for c in cands]
    return score_case(variant, reference, profiles)


def constraint_columns(study, space_requirements: str, row) -> list[float]:
    """``g`` values of one scorecard row (module docstring); NaN counts as violated."""
    def frac(value, budget):
        return -1.0 if budget is None else float(value) / budget - 1.0

    g = [frac(row["power_w"], study.power_budget_w), frac(row["capital_cost_jpy"], study.capital_budget_jpy)]
    other = [v for v in str(row["violations"]).split(";") if v.strip() and "power" not in v and "capital" not in v]
    g.append(1.0 if other else -1.0)
    if space_requirements == "constraints":
        for i in range(len(study.requirements)):
            f = row[f"requirement:{i}:factor"]
            g.append(1.0 - float(f) if f is not None and np.isfinite(f) else 1.0)
    return [v if np.isfinite(v) else 1.0 for v in g]


@cache
def _context(study_file: str):
    from fs.design_space import load_design_space
    from fs.study import load_study

    study = load_study(study_file)
    return study, load_design_space(study), _reference_profile(study)


def evaluate_genomes(study_file: str, genomes: np.ndarray, start: int) -> pd.DataFrame:
    """One row per genome (:func:`evaluate_points`); a module-level function for the executors."""
    study, space, ref = _context(study_file)
    return evaluate_points(study, space, [space.decode(x) for x in np.asarray(genomes, dtype=float)], start, ref)


def evaluate_points(study, space, points, start: int = 0, reference=None) -> pd.DataFrame:
    """One row per design point ``(family, knob values)``: family, knob values, node count,
    objectives, constraints (``g``, JSON), feasibility and the machine file's text (``machine_toml``)."""
    from archmodels.toml_writer import dumps_toml
    from fs.design_space import design_spec, machine_of, with_network
    from fs.evaluate import system_nodes_estimate

    machines, labels, texts, extra = [], [], [], []
    for k, (fam, values) in enumerate(points):
        name = f"design-{start + k:06d}"
        raw = design_spec(fam, values, name)
        nodes = int(values["nodes"]) if "nodes" in values else system_nodes_estimate(study, machine_of(raw), None)
        raw, shortfall = with_network(raw, values.get("link"), nodes)
        text = dumps_toml(raw)
        machines.append(machine_of(raw))
        labels.append(name)
        texts.append(text)
        extra.append((fam, values, shortfall))
    card = evaluate_machines(study, machines, labels, reference)
    rows = []
    for k, (row, text, (fam, values, shortfall)) in enumerate(zip(card.to_dict("records"), texts, extra)):
        g = constraint_columns(study, space.requirements, row)
        g.append(shortfall)
        out = {"design": start + k, "family": fam.label, "kind": fam.kind,
               **{f"knob:{n}": (str(v) if isinstance(v, str) else float(v)) for n, v in values.items()},
               "nodes": int(row["nodes"])}
        for col in ("performance", "cost", "carbon", "power_w", "capital_cost_jpy", "total_cost_jpy", "carbon_g",
                    "performance_per_watt", "work_node_hours"):
            out[col] = float(row[col])
        out["meets_requirements"] = bool(row["meets_requirements"])
        out["feasible"] = bool(row["feasible"]) and shortfall <= 0
        out["g"] = json.dumps([float(v) for v in g])
        out["machine_toml"] = text
        rows.append(out)
    return pd.DataFrame(rows)


def objective_matrix(df: pd.DataFrame) -> np.ndarray:
    """F (rows, objectives) for pymoo: ``sign * value``; NaN (no work) as +inf-like 1e300."""
    f = np.column_stack([s * df[c].to_numpy(float) for c, s in OBJECTIVES])
    return np.where(np.isfinite(f), f, 1e300)


def evaluate_batch(study_file: str, genomes: np.ndarray, start: int, executor, chunk: int) -> pd.DataFrame:
    """Rows of ``genomes`` (numbered from ``start``), evaluated ``chunk`` at a time on ``executor``, in order."""
    args = [(study_file, genomes[a:a + chunk], start + a) for a in range(0, len(genomes), chunk)]
    parts = dict(executor.map_unordered(evaluate_genomes, args))
    return pd.concat([parts[i] for i in range(len(args))], ignore_index=True)


def latin_hypercube_genomes(n: int, n_genes: int, seed: int) -> np.ndarray:
    """``n`` genomes of a Latin hypercube (McKay, Beckman & Conover 1979): one point per stratum per gene."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    return (np.argsort(rng.random((n_genes, n)), axis=1).T + rng.random((n, n_genes))) / n


def _write_pickle_atomic(obj, path: Path) -> None:
    from archmodels.atomic import atomic_path

    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        pickle.dump(obj, fh)


def _front(df: pd.DataFrame) -> np.ndarray:
    """Mask of the feasible non-dominated rows (objectives of :data:`OBJECTIVES`), duplicates kept once."""
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    ok = np.flatnonzero(df["feasible"].to_numpy(bool) & np.isfinite(df["performance"].to_numpy(float)))
    mask = np.zeros(len(df), dtype=bool)
    if ok.size:
        f = objective_matrix(df.iloc[ok])
        first = NonDominatedSorting().do(f, only_non_dominated_front=True)
        _, uniq = np.unique(f[first], axis=0, return_index=True)
        mask[ok[np.asarray(first)[np.sort(uniq)]]] = True
    return mask


def best_vs_random(designs: pd.DataFrame, random: pd.DataFrame) -> dict:
    """Each objective's best feasible value among the optimiser's designs over the best among as many
    random (Latin-hypercube) designs (a ratio > 1 means the optimiser did better: speedup over speedup,
    random cost over optimiser cost)."""
    out = {"random_points": int(len(random)), "optimiser_points": int(len(designs))}
    for col, sign in OBJECTIVES:
        def best(df):
            v = df.loc[df["feasible"], col].to_numpy(float)
            v = v[np.isfinite(v)]
            return None if v.size == 0 else float(v.max() if sign < 0 else v.min())
        a, b = best(designs), best(random)
        ratio = None if a is None or b is None else (a / b if sign < 0 else b / a)
        out[col] = {"optimiser": a, "random": b, "ratio": ratio}
    out["random_feasible"] = int(random["feasible"].sum())
    return out


def run_optimise(study, out_dir, *, generations: int = 20, population: int = 40, seed: int | None = None,
                 chunk: int = 10, executor=None, progress=None, random_baseline: bool = True,
                 sobol_samples: int = 0) -> dict:
    """Run NSGA-II on the study's design space into ``out_dir`` (resumable); write the Pareto set.

    Writes ``designs.parquet`` (every evaluated design), ``pareto.csv`` (the final feasible front:
    knobs, nodes, objectives, power, capital, the machine file), ``machines/<design>.toml`` for each
    Pareto design, ``best.toml`` (highest speedup on the front) and ``optimise.json``.
    """
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.operators.sampling.lhs import LHS
    from pymoo.core.evaluator import Evaluator
    from pymoo.core.problem import Problem
    from pymoo.problems.static import StaticProblem

    from archmodels.atomic import write_text_atomic
    from fs.design_space import load_design_space
    from fs.executors import SerialExecutor, write_parquet_atomic
    from fs.runner import file_digest

    if generations < 1 or population < 2:
        raise InputError(f"need at least 1 generation and a population of 2, got {generations} and {population}",
                         location="--generations/--population")
    executor = executor or SerialExecutor()
    study_file = str(Path(study.file).resolve())
    seed = study.seed if seed is None else int(seed)
    space = load_design_space(study)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n_g = 3 + (len(study.requirements) if space.requirements == "constraints" else 0) + 1
    problem = Problem(n_var=space.n_genes, n_obj=len(OBJECTIVES), n_ieq_constr=n_g, xl=0.0, xu=1.0)
    config = {"schema": SCHEMA, "study": file_digest(study_file), "generations": generations,
              "population": population, "seed": seed, "space": space.file}
    state_path = out / STATE_FILE
    state = None
    if state_path.is_file():
        with open(state_path, "rb") as fh:
            state = pickle.load(fh)
        if state["config"] != config:
            raise InputError(f"{out} holds a run with other settings ({state['config']}); use another --out",
                             location="--out")
    if state is None:
        algorithm = NSGA2(pop_size=population, sampling=LHS(), eliminate_duplicates=True, seed=seed)
        algorithm.setup(problem, termination=("n_gen", generations), seed=seed)
        state = {"config": config, "algorithm": algorithm, "rows": [], "done": 0}
    algorithm = state["algorithm"]
    while state["done"] < generations:
        pop = algorithm.ask()
        x = pop.get("X")
        start = sum(len(r) for r in state["rows"])
        rows = evaluate_batch(study_file, x, start, executor, chunk)
        rows.insert(1, "generation", state["done"])
        static = StaticProblem(problem, F=objective_matrix(rows),
                               G=np.array([json.loads(g) for g in rows["g"]], dtype=float))
        Evaluator().eval(static, pop)
        algorithm.tell(infills=pop)
        state["rows"].append(rows)
        state["done"] += 1
        _write_pickle_atomic(state, state_path)
        if progress:
            progress(state["done"], generations)
    designs = pd.concat(state["rows"], ignore_index=True)
    designs["pareto"] = _front(designs)
    write_parquet_atomic(designs, out / "designs.parquet")
    result = {"schema": SCHEMA, "study": study.name, "seed": seed, "generations": generations,
              "population": population, "evaluations": int(len(designs)), "design_space_year": space.year,
              "requirements": space.requirements, "families": [f.label for f in space.families],
              "objectives": [{"name": c, "sense": "maximise" if s < 0 else "minimise"} for c, s in OBJECTIVES]}
    front = designs[designs["pareto"]].sort_values("performance", ascending=False)
    mdir = out / "machines"
    mdir.mkdir(exist_ok=True)
    pareto = []
    for r in front.to_dict("records"):
        path = mdir / f"design-{int(r['design']):06d}.toml"
        write_text_atomic(path, r["machine_toml"])
        pareto.append({"machine_file": str(path), "design": int(r["design"]), "family": r["family"],
                       "kind": r["kind"], "nodes": int(r["nodes"]),
                       "knobs": {k[5:]: r[k] for k in front.columns if k.startswith("knob:") and _given(r[k])},
                       "objectives": {c: float(r[c]) for c, _ in OBJECTIVES},
                       "power_w": float(r["power_w"]), "capital_cost_jpy": float(r["capital_cost_jpy"]),
                       "meets_requirements": bool(r["meets_requirements"])})
    result["pareto"] = pareto
    result["feasible_designs"] = int(designs["feasible"].sum())
    result["best_machine_file"] = None
    if pareto:
        write_text_atomic(out / "best.toml", front.iloc[0]["machine_toml"])
        result["best_machine_file"] = str(out / "best.toml")
    csv_cols = [c for c in front.columns if c not in ("machine_toml", "g")]
    table = front[csv_cols].copy()
    table.insert(0, "machine_file", [p["machine_file"] for p in pareto])
    write_text_atomic(out / "pareto.csv", table.to_csv(index=False))
    result["best_by_kind"] = {}
    for kind, rows in designs[designs["feasible"]].groupby("kind"):
        r = rows.sort_values(["performance", "design"], ascending=[False, True]).iloc[0]
        result["best_by_kind"][kind] = {"design": int(r["design"]), "family": r["family"], "nodes": int(r["nodes"]),
                                        "objectives": {c: float(r[c]) for c, _ in OBJECTIVES},
                                        "power_w": float(r["power_w"]), "capital_cost_jpy": float(r["capital_cost_jpy"])}
    if pareto:
        from fs.technology_value import marginal_values, sobol_indices

        best = front.iloc[0]
        fam = next(f for f in space.families if f.label == best["family"])
        values = {k[5:]: best[k] for k in front.columns if k.startswith("knob:") and _given(best[k])}
        values = {k: (v if isinstance(v, str) else int(v) if k in ("devices", "stacks", "nodes") else float(v))
                  for k, v in values.items()}
        result["marginal_values"] = marginal_values(study, space, fam, values)
        write_text_atomic(out / "marginal_values.csv", pd.DataFrame(result["marginal_values"]).to_csv(index=False))
        if sobol_samples > 0:
            result["sobol"] = sobol_indices(study, best["machine_toml"], samples=sobol_samples, seed=seed)
    if random_baseline:
        rnd_path = out / "random.parquet"
        if rnd_path.is_file():
            rnd = pd.read_parquet(rnd_path)
        else:
            rnd = evaluate_batch(study_file, latin_hypercube_genomes(len(designs), space.n_genes, seed), 0,
                                 executor, chunk)
            write_parquet_atomic(rnd, rnd_path)
        result["best_vs_random"] = best_vs_random(designs, rnd)
    result["figures"] = _figures(designs, result.get("marginal_values"), out)
    from fs.optimise_report import optimise_markdown

    write_text_atomic(out / "report.md", optimise_markdown(result, out))
    result["report_md"] = str(out / "report.md")
    write_text_atomic(out / "optimise.json", json.dumps(result, indent=2, sort_keys=True, default=_json_default))
    result["out"] = str(out)
    return result


def _figures(designs: pd.DataFrame, marginal, out: Path) -> dict:
    """``pareto.png`` (the 2-D projections) and ``marginal_values.png`` (:mod:`fs.optimise_plot`)."""
    from fs.figure_file import save_figure
    from fs.optimise_plot import plot_marginal_values, plot_pareto_projections

    figs = {"pareto": str(save_figure(plot_pareto_projections(designs), out / "pareto.png"))}
    if marginal:
        figs["marginal_values"] = str(save_figure(plot_marginal_values(marginal), out / "marginal_values.png"))
    return figs


def _given(v) -> bool:
    return isinstance(v, str) or (v is not None and not (isinstance(v, float) and math.isnan(v)))


def _json_default(v):
    if isinstance(v, np.generic):
        return v.item()
    raise TypeError(f"not JSON: {type(v)}")


def optimise(study, out_dir, *, generations: int = 20, population: int = 40, seed: int | None = None,
             processes: int | None = None, scheduler: str | None = None, progress=None,
             sobol_samples: int = 64) -> dict:
    """Load the study (a file or a built-in name), run :func:`run_optimise` on the executor asked
    for (``--processes``, ``--scheduler``) and return its JSON summary."""
    from fs.executors import make_executor
    from fs.study import load_study

    loaded = load_study(study)
    executor = make_executor(processes, scheduler)
    try:
        return run_optimise(loaded, out_dir, generations=generations, population=population, seed=seed,
                            executor=executor, progress=progress, sobol_samples=sobol_samples)
    finally:
        executor.close()
