"""What each technology buys, around a design: marginal values of the knobs and Sobol indices.

**Marginal value.** From a design (a family and its knob values, :mod:`fs.design_space`), one knob
is moved at a time (:data:`CHANGES`: one more device per node, one more HBM stack per processor, the
next HBM generation, 1 GiB of stacked SRAM added or the stacked SRAM removed, the links in
co-packaged optics / pluggable optics / copper, twice the injection bandwidth, a 10 % higher node
power cap or clock). Each variant is re-sized to the study's budgets and scored by the study's own
scorer (:func:`fs.optimise.evaluate_points`). Reported: the change of the portfolio speedup ``S``,
of the facility power ``P`` [MW] and of the capital ``C`` [1e9 JPY], and of the two efficiencies a
roadmap committee compares, ``S / P`` (speedup per MW) and ``S / C`` (speedup per billion yen).
A variant that breaks a budget or whose cables are longer than its links reach is marked infeasible.

**Sobol indices.** First-order ``S1`` and total ``ST`` indices (Sobol, Math. Comput. Simul. 55,
2001, https://doi.org/10.1016/S0378-4754(00)00270-6; Saltelli's estimators, Comput. Phys. Commun.
145, 2002, https://doi.org/10.1016/S0010-4655(02)00280-1, as SALib computes them, Herman & Usher,
JOSS 2(9), 2017, https://doi.org/10.21105/joss.00097) of each objective of the design to:

* the study's ``[[uncertainty]]`` multipliers of a technology kind (:data:`TECHNOLOGY_KINDS`) that act
  on the design (a machine target that changes
  nothing in it is left out), each drawn through its own distribution's quantile
  (:func:`fs.uncertainty.quantile`);
* the roadmap band of the logic energy at the delivery year (``roadmap:logic_energy``): the design
  was projected with the ratio ``r`` of archmodels/data/roadmap.toml, ``s ~ U(low, high)`` of the
  band, and under the iso-power rule the processors' peaks scale by ``r / s``
  (``processor:*:peak``). Only the peaks are varied: the processors' energy floor, which the
  projection also scales, has no uncertainty target (stated limitation).
"""

from __future__ import annotations

import dataclasses

import numpy as np

#: (name, what it changes) of the one-knob moves; applied by :func:`_moved`.
CHANGES = (
    ("devices+1", "one more device (GPU, accelerator, socket) per node"),
    ("hbm_stack+1", "one more stack of the main memory per processor"),
    ("hbm_next_generation", "the main memory one HBM generation newer"),
    ("sram+1GiB", "1 GiB more stacked SRAM per processor"),
    ("no_sram", "no stacked SRAM"),
    ("co-packaged-optics", "network links in co-packaged optics"),
    ("pluggable-optics", "network links in pluggable optics"),
    ("copper", "network links in copper (electrical; reach enforced)"),
    ("injection_x2", "twice the injection bandwidth"),
    ("power_cap+10%", "node power cap 10 % higher"),
    ("clock+10%", "clock 10 % higher"),
)
#: Kinds of the study's uncertainties that are technology (the ecosystem scores are judgements, not technology).
TECHNOLOGY_KINDS = ("memory", "network", "processor", "cost", "grid")
HBM_ORDER = ("hbm2", "hbm2e", "hbm3", "hbm3e", "hbm4", "hbm4e", "hbm5", "hbm6")


def _main(family) -> dict:
    return family.base["node"]["processors"][0]


def _moved(family, values: dict, change: str) -> dict | None:
    """The knob values after ``change``, or None where it does not apply to the family."""
    from archmodels.memtech import memory_technology

    v = dict(values)
    main = _main(family)
    outer = main["memory"][-1].get("technology") or ""
    tech = v.get("memory", outer)
    has_net = "network" in family.base
    if change == "devices+1":
        v["devices"] = int(v.get("devices", main.get("count", 1))) + 1
    elif change == "hbm_stack+1":
        if not tech.startswith("hbm"):
            return None
        per = memory_technology(tech).capacity_per_unit_bytes
        from fs.design_space import quantity_si

        base_units = round(quantity_si(main["memory"][-1]["capacity"], "bytes") / per) if tech == outer else 8
        v["memory"], v["stacks"] = tech, int(v.get("stacks", base_units)) + 1
    elif change == "hbm_next_generation":
        if tech not in HBM_ORDER or tech == HBM_ORDER[-1]:
            return None
        v["memory"] = HBM_ORDER[HBM_ORDER.index(tech) + 1]
    elif change == "sram+1GiB":
        from fs.design_space import quantity_si

        now = v.get("sram")
        if now is None:
            now = sum(quantity_si(lv["capacity"], "bytes") for lv in main["memory"] if lv.get("technology") == "sram-3d")
        v["sram"] = float(now) + 2.0**30
    elif change == "no_sram":
        has = v.get("sram", 0.0) > 0 or ("sram" not in v and any(lv.get("technology") == "sram-3d" for lv in main["memory"]))
        if not has:
            return None
        v["sram"] = 0.0
    elif change in ("co-packaged-optics", "pluggable-optics", "copper"):
        link = "electrical" if change == "copper" else change
        if not has_net or v.get("link") == link:
            return None
        v["link"] = link
    elif change == "injection_x2":
        if not has_net:
            return None
        v["injection_bandwidth"] = 2.0 * v.get("injection_bandwidth", 1.0)
    elif change == "power_cap+10%":
        v["power_cap"] = 1.1 * v.get("power_cap", 1.0)
    elif change == "clock+10%":
        v["clock"] = 1.1 * v.get("clock", 1.0)
    return v


def _efficiencies(row) -> tuple[float, float]:
    return (row["performance"] / (row["power_w"] / 1e6), row["performance"] / (row["capital_cost_jpy"] / 1e9))


def marginal_values(study, space, family, values: dict, reference=None) -> list[dict]:
    """One record per applicable change of :data:`CHANGES` around ``(family, values)`` (module docstring)."""
    from fs.optimise import evaluate_points

    moves = [(name, text, _moved(family, values, name)) for name, text in CHANGES]
    moves = [m for m in moves if m[2] is not None]
    rows = evaluate_points(study, space, [(family, values)] + [(family, m[2]) for m in moves], 0, reference)
    base = rows.iloc[0]
    s_mw0, s_jpy0 = _efficiencies(base)
    out = []
    for (name, text, _), (_, r) in zip(moves, rows.iloc[1:].iterrows()):
        s_mw, s_jpy = _efficiencies(r)
        out.append({
            "change": name, "description": text, "feasible": bool(r["feasible"]),
            "performance": float(r["performance"]), "delta_performance": float(r["performance"] - base["performance"]),
            "delta_power_mw": float((r["power_w"] - base["power_w"]) / 1e6),
            "delta_capital_billion_jpy": float((r["capital_cost_jpy"] - base["capital_cost_jpy"]) / 1e9),
            "speedup_per_mw": float(s_mw), "delta_speedup_per_mw": float(s_mw - s_mw0),
            "speedup_per_billion_jpy": float(s_jpy), "delta_speedup_per_billion_jpy": float(s_jpy - s_jpy0),
            "nodes": int(r["nodes"]),
        })
    return out


def _factors(study, machine, ratios: dict) -> list[tuple[str, object]]:
    """(name, how to draw its multiplier from u in [0, 1)) of the factors acting on ``machine``
    (``ratios``: its spec's ``projection.ratios``)."""
    from archmodels.transforms import MACHINE_KINDS, scale_parts
    from fs.uncertainty import quantile

    out = []
    for u in study.uncertainties:
        if u.kind not in TECHNOLOGY_KINDS:
            continue
        if u.kind in MACHINE_KINDS and not scale_parts(machine, {u.target: 2.0})[1]:
            continue
        out.append((u.target, lambda q, d=u.distribution: quantile(d, q)))
    if "logic_energy" in ratios:
        r, lo, hi = ratios["logic_energy"]
        out.append(("roadmap:logic_energy", lambda q, r=r, lo=lo, hi=hi: r / (lo + q * (hi - lo))))
    return out


def sobol_indices(study, machine_toml: str, samples: int = 64, seed: int = 0) -> dict:
    """S1 and ST of each objective of a design (its machine file's text, sized by the study) to the
    factors of :func:`_factors`, from ``samples · (2D + 2)`` Saltelli evaluations (SALib)."""
    import tomllib
    from SALib.analyze import sobol
    from SALib.sample import sobol as sobol_sample

    from archmodels.transforms import MACHINE_KINDS, scale_parts
    from fs.evaluate import node_profile, score_case
    from fs.optimise import OBJECTIVES
    from fs.study import Candidate

    from fs.design_space import machine_of

    raw = tomllib.loads(machine_toml)
    machine = machine_of(raw)
    factors = _factors(study, machine, raw.get("projection", {}).get("ratios", {}))
    if not factors:
        return {"factors": [], "samples": 0, "indices": {}}
    problem = {"num_vars": len(factors), "names": [f for f, _ in factors], "bounds": [[0.0, 1.0]] * len(factors)}
    u = sobol_sample.sample(problem, samples, calc_second_order=True, seed=seed)
    variant = dataclasses.replace(study, candidates=(Candidate("design", machine, None, "design"),))
    y = np.empty((len(u), len(OBJECTIVES)))
    for k, row in enumerate(u):
        mult = {}
        for (name, draw), q in zip(factors, row):
            if name == "roadmap:logic_energy":
                mult["processor:*:peak"] = mult.get("processor:*:peak", 1.0) * draw(q)
            else:
                mult[name] = mult.get(name, 1.0) * draw(q)
        machine_mult = {t: f for t, f in mult.items() if t.split(":")[0] in MACHINE_KINDS}
        ref_m = scale_parts(study.reference.machine, {t: f for t, f in machine_mult.items() if t != "processor:*:peak"})[0]
        ref = node_profile(study, study.reference.label, ref_m)
        m = scale_parts(machine, machine_mult)[0]
        card = score_case(variant, ref, [node_profile(variant, "design", m)], mult).iloc[0]
        y[k] = [card[c] for c, _ in OBJECTIVES]
    out = {}
    for j, (col, _) in enumerate(OBJECTIVES):
        yj = y[:, j]
        if not np.all(np.isfinite(yj)) or np.ptp(yj) == 0:
            out[col] = {f: {"S1": None, "ST": None} for f, _ in factors}
            continue
        si = sobol.analyze(problem, yj, calc_second_order=True, seed=seed)
        out[col] = {f: {"S1": float(si["S1"][i]), "ST": float(si["ST"][i])} for i, (f, _) in enumerate(factors)}
    return {"factors": [f for f, _ in factors], "samples": int(len(u)), "seed": int(seed), "indices": out,
            "note": "roadmap:logic_energy varies the processors' peaks only (iso-power rule), not their energy floor"}
