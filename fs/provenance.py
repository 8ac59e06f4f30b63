"""Provenance of a study run: its settings, the rooflines it was scored on and every source used.

:func:`run_metadata` is what ``run.json`` holds besides the rows, so a report can be rebuilt from
the run folder alone, citing the study's, the workloads' and archmodels' tables' sources.
"""

from __future__ import annotations

import hashlib
import subprocess
from functools import cache
from pathlib import Path

#: The packages a study's rows depend on; their source and data files make :func:`code_identity`'s digest.
STUDY_PACKAGES = ("archmodels", "fs", "ops")


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes [hex]."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


@cache
def code_identity() -> dict:
    """The code a run came from: ``version``, ``git_commit`` and ``git_dirty`` (None when the packages
    are not in a git checkout or git is absent), and ``source_sha256``: one SHA-256 over the relative
    path and bytes of every file of :data:`STUDY_PACKAGES` (``__pycache__`` aside), so an edit that
    no commit records still changes it."""
    import archmodels

    roots = [Path(__import__(name).__file__).resolve().parent for name in STUDY_PACKAGES]
    h = hashlib.sha256()
    for root in roots:
        for f in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            h.update(f"{root.name}/{f.relative_to(root).as_posix()}\0".encode())
            h.update(f.read_bytes())
    repo = roots[0].parent
    commit = _git(repo, "rev-parse", "HEAD") if (repo / ".git").exists() else None
    dirty = None
    if commit is not None:
        status = _git(repo, "status", "--porcelain", "--untracked-files=no", "--", *STUDY_PACKAGES)
        dirty = None if status is None else bool(status)
    return {"version": archmodels.__version__, "git_commit": commit, "git_dirty": dirty,
            "source_sha256": h.hexdigest()}


def _plain(value):
    """A [projection] table as plain JSON (mappings to dicts, tuples to lists)."""
    if hasattr(value, "items"):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def input_files(study) -> dict:
    """The files a study read, each ``{"path", "sha256"}``: the study file, every machine file (by
    candidate label, with the machine's name) and every workload file (by name). A machine or
    workload without a file (built in code) has ``path`` and ``sha256`` None."""
    import archmodels

    def entry(path):
        return {"path": str(path) if path else None, "sha256": file_sha256(path) if path else None}

    machines = {c.label: {"machine": c.machine.name, **entry(c.machine.path)}
                for c in (study.reference, *study.candidates)}
    workloads = {w: entry(archmodels.load_workload(w).path) for w in study.workloads}
    return {"study": entry(study.file), "machines": machines, "workloads": workloads}


def inputs_fingerprint(study) -> dict:
    """What a run's rows depend on besides its options: the digests of every input file and of the
    code (:func:`input_files`, :func:`code_identity`); a resumed run whose fingerprint differs
    recomputes its chunks."""
    files = input_files(study)
    return {"study": files["study"]["sha256"],
            "machines": {k: v["sha256"] for k, v in files["machines"].items()},
            "workloads": {k: v["sha256"] for k, v in files["workloads"].items()},
            "code": code_identity()["source_sha256"]}


def _workload_sources(name: str) -> dict[str, dict]:
    import tomllib

    import archmodels

    wl = archmodels.load_workload(name)
    if not wl.path:
        return {}
    data = tomllib.loads(Path(wl.path).read_text(encoding="utf-8"))
    return {f"workload:{name}:{k}": {"title": v.get("title", ""), "url": v.get("url", "")} for k, v in data.get("sources", {}).items()}


def _roofline(machine, workloads) -> dict:
    from fs.roofline_plot import ceilings_for_points, predicted_points

    pts = predicted_points(machine, workloads)
    points = [{"workload": p["label"], "flop_per_s": p["flop_per_s"], "flop_per_byte": p["intensity_flop_per_byte"],
               "bound": p["bound"], "precision": p["precision"], "processor": p["processor"]} for p in pts]
    return {"ceilings": ceilings_for_points(machine, pts), "points": points}


def _technology_sources(machines, with_sweep: bool) -> dict[str, dict]:
    """Sources of archmodels' cost and carbon tables and of the memory and link technologies used."""
    import tomllib
    from importlib import resources

    from archmodels.errors import InputError
    from archmodels.memtech import memory_technology
    from archmodels.links import link_technology

    from fs.sweep import link_options, memory_options

    out: dict[str, dict] = {}
    for name in ("cost", "carbon"):
        data = tomllib.loads((resources.files("archmodels") / "data" / f"{name}.toml").read_text(encoding="utf-8"))
        for sid, v in data.get("sources", {}).items():
            out[f"archmodels-{name}:{sid}"] = {"title": v.get("title", ""), "url": v.get("url", "")}
    techs = {lv.technology for m in machines for p in m.node.processors for lv in p.memory if lv.technology}
    links = {m.network.technology for m in machines if m.network is not None and m.network.technology}
    if with_sweep:
        techs |= set(memory_options()) | {"sram-3d"}
        links |= set(link_options())
    for prefix, names, lookup in (("memory", techs, memory_technology), ("link", links, link_technology)):
        for name in sorted(names):
            try:
                tech = lookup(name)
            except InputError:
                continue
            for field, title in tech.sources:
                out[f"{prefix}:{name}:{field}"] = {"title": title, "url": ""}
    return out


def run_metadata(study, *, samples: int, executor: str, computed: int, reused: int, sweep_points: int) -> dict:
    """What the report needs besides the rows: settings, rooflines and every source used."""
    from archmodels.technology import sources as tech_sources

    from ops.grid_trajectory import trajectory_table

    from fs.operations import grid_lifetime
    from fs.requirements import requirements_json
    from fs.sweep import design_table

    sources: dict[str, dict] = {}
    for sid, s in study.sources.items():
        sources[sid] = {"title": s.title, "url": s.url}
    for w in study.workloads:
        sources.update(_workload_sources(w))
    for sid, s in tech_sources().items():
        sources[f"archmodels:{sid}"] = {"title": s.get("title", ""), "url": s.get("url", "")}
    machines = {c.label: c.machine for c in (study.reference, *study.candidates)}
    sources.update(_technology_sources(machines.values(), sweep_points > 0))
    if sweep_points:
        for sid, s in design_table().get("sources", {}).items():
            sources[f"design-space:{sid}"] = {"title": s.get("title", ""), "url": s.get("url", "")}
    if study.grid_trajectory != "none":
        for sid, s in trajectory_table()["sources"].items():
            sources[f"grid-trajectory:{sid}"] = {"title": s["title"], "url": s.get("url", "")}
    if study.operating.measures:  # what the measures cost to own, and the PPA's network charges
        from fs.measures_capital import capital_sources
        from ops.ppa import ppa_sources

        for sid, s in capital_sources().items():
            sources[f"measures-capital:{sid}"] = {"title": s["title"], "url": s.get("url", "")}
        if "ppa" in study.operating.measures:
            for sid, s in ppa_sources().items():
                sources[f"ppa:{sid}"] = {"title": s["title"], "url": s.get("url", "")}
    first_year, lifetime_mean = grid_lifetime(study)
    return {
        "schema": "fs-workbench/study-run/1",
        "study": {
            "name": study.name, "title": study.title, "file": study.file, "seed": study.seed,
            "reference": study.reference.label, "axis_weights": dict(study.axis_weights),
            "portfolio": dict(zip(study.workloads, study.workload_weights)),
            "power_budget_w": study.power_budget_w, "capital_budget_jpy": study.capital_budget_jpy,
            "lifetime_years": study.lifetime_years, "pue": study.pue, "grid": study.grid.name,
            "carbon_intensity_g_per_kwh": study.grid.carbon_intensity_g_per_kwh,
            "price_jpy_per_kwh": study.grid.price_jpy_per_kwh, "storage_tier": study.storage.tier,
            "start_year": study.start_year, "grid_trajectory": study.grid_trajectory,
            "project_candidates": study.project_candidates,
            "projections": {c.label: _plain(c.projection) for c in study.candidates if c.projection is not None},
            "grid_first_year_g_per_kwh": first_year, "grid_lifetime_mean_g_per_kwh": lifetime_mean,
            "uncertainties": [{"target": u.target, **dict(u.distribution), **({"source": u.source} if u.source else {})}
                              for u in study.uncertainties],
            "requirements": requirements_json(study),
        },
        "samples": samples, "executor": executor, "chunks_computed": computed, "chunks_reused": reused,
        "sweep_points": sweep_points,
        "provenance": {**code_identity(), "files": input_files(study)},
        "rooflines": {label: _roofline(m, study.workloads) for label, m in machines.items()},
        "sources": dict(sorted(sources.items())),
    }
