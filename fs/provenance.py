"""Provenance of a study run: its settings, the rooflines it was scored on and every source used.

:func:`run_metadata` is what ``run.json`` holds besides the rows, so a report can be rebuilt from
the run folder alone, citing the study's, the workloads' and archmodels' tables' sources.
"""

from __future__ import annotations

from pathlib import Path


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
            "grid_first_year_g_per_kwh": first_year, "grid_lifetime_mean_g_per_kwh": lifetime_mean,
            "uncertainties": [{"target": u.target, **dict(u.distribution)} for u in study.uncertainties],
            "requirements": requirements_json(study),
        },
        "samples": samples, "executor": executor, "chunks_computed": computed, "chunks_reused": reused,
        "sweep_points": sweep_points,
        "rooflines": {label: _roofline(m, study.workloads) for label, m in machines.items()},
        "sources": dict(sorted(sources.items())),
    }
