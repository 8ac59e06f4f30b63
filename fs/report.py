"""Reports of a study run: Markdown with PNG figures, and one self-contained HTML file.

Everything a report needs is in the run's folder — ``results.parquet`` (rows), ``run.json``
(study settings, rooflines, sources) and optionally ``sweep.parquet`` — so ``fsw study report DIR``
rebuilds it without the study file. The HTML embeds its figures as base64 PNG data URIs: it opens
offline and in a headless browser with every image loaded.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from archmodels.atomic import write_text_atomic
from fs.runner import summarise, tornado
from fs.spec import AXES

AXIS_TITLES = {
    "performance": "Performance", "performance_per_watt": "Perf/W", "io": "I/O", "cost": "Cost",
    "operability": "Operability", "productivity": "Productivity", "commercial_reach": "Reach", "carbon": "Carbon",
}


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
    for t in sorted(techs):
        try:
            tech = memory_technology(t)
        except InputError:
            continue
        for field, title in tech.sources:
            out[f"memory:{t}:{field}"] = {"title": title, "url": ""}
    for k in sorted(links):
        try:
            tech = link_technology(k)
        except InputError:
            continue
        for field, title in tech.sources:
            out[f"link:{k}:{field}"] = {"title": title, "url": ""}
    return out


def run_metadata(study, *, samples: int, executor: str, computed: int, reused: int, sweep_points: int) -> dict:
    """What the report needs besides the rows: settings, rooflines and every source used."""
    from archmodels.technology import sources as tech_sources

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
            "uncertainties": [{"target": u.target, **dict(u.distribution)} for u in study.uncertainties],
        },
        "samples": samples, "executor": executor, "chunks_computed": computed, "chunks_reused": reused,
        "sweep_points": sweep_points,
        "rooflines": {label: _roofline(m, study.workloads) for label, m in machines.items()},
        "sources": dict(sorted(sources.items())),
    }


# ---------------------------------------------------------------- figures

def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def _fig_rooflines(meta: dict) -> bytes:
    from fs.roofline_plot import plot_rooflines

    entries, points = [], []
    for label, roof in meta["rooflines"].items():
        entries += [{**c, "machine": label} for c in roof["ceilings"]]
        points += [{"label": p["workload"], "machine": label, "intensity_flop_per_byte": p["flop_per_byte"],
                    "flop_per_s": p["flop_per_s"]} for p in roof["points"]]
    return _png(plot_rooflines(entries, points, title="Rooflines (one node) with the portfolio's predicted points"))


def _fig_scorecard(summary: pd.DataFrame) -> bytes:
    from matplotlib.figure import Figure

    summary = _in_rank_order(summary)
    m = summary[[f"score_{a}" for a in AXES]].to_numpy()
    fig = Figure(figsize=(9, 0.6 * len(summary) + 1.6), layout="constrained")
    ax = fig.subplots()
    ax.imshow(m, vmin=0, vmax=1, cmap="viridis", aspect="auto")
    ax.set_xticks(range(len(AXES)), [AXIS_TITLES[a] for a in AXES], rotation=30, ha="right")
    ax.set_yticks(range(len(summary)), summary["candidate"])
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            ax.text(j, i, f"{m[i, j]:.2f}", ha="center", va="center", color="w" if m[i, j] < 0.6 else "k", fontsize=8)
    ax.set_title("Scorecard: each axis as a fraction of the best feasible candidate")
    return _png(fig)


def _fig_radar(summary: pd.DataFrame) -> bytes:
    from matplotlib.figure import Figure

    angles = np.linspace(0, 2 * np.pi, len(AXES), endpoint=False)
    fig = Figure(figsize=(6.5, 5.5), layout="constrained")
    ax = fig.add_subplot(projection="polar")
    for _, row in summary.iterrows():
        v = np.array([row[f"score_{a}"] for a in AXES])
        ax.plot(np.r_[angles, angles[0]], np.r_[v, v[0]], label=row["candidate"])
        ax.fill(np.r_[angles, angles[0]], np.r_[v, v[0]], alpha=0.08)
    ax.set_xticks(angles, [AXIS_TITLES[a] for a in AXES], fontsize=8)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper right", bbox_to_anchor=(1.35, 1.1), fontsize=7)
    ax.set_title("Radar of axis scores")
    return _png(fig)


def _fig_pareto(sweep: pd.DataFrame | None, summary: pd.DataFrame) -> bytes:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 5), layout="constrained")
    ax = fig.subplots()
    if sweep is not None and len(sweep):
        feas = sweep[sweep["feasible"]]
        show = feas.sample(min(len(feas), 20000), random_state=0) if len(feas) > 20000 else feas
        sc = ax.scatter(show["cost_jpy"] / 1e9, show["performance"], c=show["carbon_g"] / 1e12, s=3, alpha=0.3, cmap="magma")
        front = feas[feas["pareto"]]
        ax.scatter(front["cost_jpy"] / 1e9, front["performance"], s=12, facecolors="none", edgecolors="tab:blue",
                   label=f"Pareto front ({len(front)} of {len(sweep)} points)")
        fig.colorbar(sc, ax=ax, label="carbon [Mt CO2e]")
    ax.scatter(summary["cost"] / 1e9, summary["performance"], marker="*", s=120, c="tab:red", label="study candidates")
    for _, r in summary.iterrows():
        ax.annotate(r["candidate"], (r["cost"] / 1e9, r["performance"]), fontsize=7, xytext=(4, 2), textcoords="offset points")
    ax.set_xlabel("capital + lifetime energy [1e9 JPY]")
    ax.set_ylabel("portfolio speedup over the reference")
    ax.set_title("Design space: performance against cost (front over performance, power, cost, carbon)")
    ax.legend(fontsize=7)
    return _png(fig)


def _fig_tornado(tor: pd.DataFrame, summary: pd.DataFrame) -> bytes:
    from matplotlib.ticker import MaxNLocator

    from matplotlib.figure import Figure

    cands = list(_in_rank_order(summary)["candidate"])
    cols = min(len(cands), 2)
    nrows = (len(cands) + cols - 1) // cols
    height = 0.35 * max(tor["parameter"].nunique(), 1) + 1.2
    fig = Figure(figsize=(13, height * nrows + 0.8), layout="constrained")
    axes = fig.subplots(nrows, cols, squeeze=False, sharex=True)
    for ax in axes.ravel()[len(cands):]:
        ax.axis("off")
    for ax, cand in zip(axes.ravel(), cands):
        t = tor[tor["candidate"] == cand].sort_values("swing")
        y = np.arange(len(t))
        ax.barh(y, t["low"], color="tab:blue", label="5 % quantile")
        ax.barh(y, t["high"], color="tab:orange", label="95 % quantile")
        ax.set_yticks(y, t["parameter"], fontsize=7)
        ax.axvline(0, color="k", lw=0.6)
        ax.set_title(cand, fontsize=9)
        ax.set_xlabel("score change", fontsize=8)
    axes[0][0].legend(fontsize=6)
    axes[0][0].xaxis.set_major_locator(MaxNLocator(6))
    fig.suptitle("One-at-a-time sensitivity (tornado)")
    return _png(fig)


def _in_rank_order(summary: pd.DataFrame) -> pd.DataFrame:
    """Feasible candidates by score (rank 1 first), then the infeasible ones."""
    return summary.sort_values(["feasible", "score"], ascending=[False, False], ignore_index=True)


def _fig_ranks(rows: pd.DataFrame, summary: pd.DataFrame) -> bytes:
    """Share of Monte Carlo samples in which each candidate takes each rank, and its score spread."""
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    order = list(_in_rank_order(summary)["candidate"])
    fig = Figure(figsize=(11, 4.2), layout="constrained")
    a1, a2 = fig.subplots(1, 2)
    mc = rows[rows["case"] == "monte-carlo"]
    if len(mc):
        ranks = mc.assign(rank=mc["rank"].fillna(0).astype(int))
        share = pd.crosstab(ranks["candidate"], ranks["rank"], normalize="index").reindex(order).fillna(0.0)
    else:
        share = pd.crosstab(summary["candidate"], summary["rank"].fillna(0).astype(int)).reindex(order).fillna(0.0)
    left = np.zeros(len(order))
    cmap = colormaps["viridis"]
    ranked = [k for k in share.columns if k > 0]
    for k in share.columns:
        width = share[k].to_numpy()
        colour = "0.7" if k == 0 else cmap(0.9 * (k - 1) / max(len(ranked) - 1, 1))
        a1.barh(range(len(order)), width, left=left, color=colour, edgecolor="w", lw=0.5,
                label="not ranked" if k == 0 else f"rank {k}")
        for i, (w, x) in enumerate(zip(width, left)):
            if w >= 0.08:
                a1.text(x + w / 2, i, f"{100 * w:.0f} %", ha="center", va="center", fontsize=7,
                        color="w" if k > 0 and (k - 1) < 0.6 * len(ranked) else "k")
        left += width
    a1.set_yticks(range(len(order)), order, fontsize=8)
    a1.invert_yaxis()
    a1.set_xlim(0, 1)
    a1.set_xlabel("share of Monte Carlo samples")
    a1.set_title("Rank distribution", fontsize=10)
    a1.legend(fontsize=7, ncol=min(len(share.columns), 4), loc="upper center", bbox_to_anchor=(0.5, -0.15), frameon=False)
    data = [mc.loc[mc["candidate"] == c, "score"].to_numpy() for c in order]
    if any(len(d) for d in data):
        a2.boxplot(data, tick_labels=order, orientation="horizontal")
        a2.invert_yaxis()
    else:
        a2.barh(order, _in_rank_order(summary)["score"])
    a2.set_xlabel("score")
    a2.set_title("Score distribution", fontsize=10)
    a2.tick_params(axis="y", labelsize=8)
    fig.suptitle(f"Monte Carlo over {mc['sample'].nunique() if len(mc) else 0} samples")
    return _png(fig)


# ---------------------------------------------------------------- tables and documents

_FORMATS = {
    "mw": lambda v: f"{v / 1e6:.1f}", "gjpy": lambda v: f"{v / 1e9:.1f}", "kt": lambda v: f"{v / 1e9:.1f}",
    "f2": lambda v: f"{v:.2f}", "f3": lambda v: f"{v:.3f}", "int": lambda v: f"{int(v):,}",
    "s": lambda v: f"{v:.0f}", "pct": lambda v: f"{100 * v:.1f} %",
}


def _fmt(v: float, kind: str) -> str:
    return _FORMATS[kind](v) if np.isfinite(v) else "–"


SCORECARD_COLUMNS = [
    ("candidate", "candidate", None), ("rank", "rank", "int"), ("feasible", "feasible", None),
    ("score", "score", "f3"), ("score_p05", "score 5 %", "f3"), ("score_p95", "score 95 %", "f3"),
    ("p_rank_first", "P(first)", "pct"), ("nodes", "nodes", "int"), ("power_w", "power [MW]", "mw"),
    ("capital_cost_jpy", "capital [1e9 JPY]", "gjpy"), ("performance", "speedup", "f2"),
    ("performance_per_watt", "perf/W vs ref", "f2"), ("io", "checkpoint [s]", "s"),
    ("cost", "TCO [1e9 JPY]", "gjpy"), ("operability", "operability", "f3"), ("productivity", "productivity", "f2"),
    ("commercial_reach", "reach", "f2"), ("carbon", "carbon [kt CO2e]", "kt"), ("violations", "violations", None),
]


def scorecard_table(summary: pd.DataFrame) -> list[list[str]]:
    """Header and rows of the scorecard, formatted for people."""
    out = [[h for _, h, _ in SCORECARD_COLUMNS]]
    for _, r in summary.sort_values(["feasible", "score"], ascending=[False, False]).iterrows():
        line = []
        for col, _, kind in SCORECARD_COLUMNS:
            v = r[col]
            if col == "rank" and not np.isfinite(v):
                line.append("not ranked")
            elif kind is None:
                line.append(str(v) if v != "" else "–")
            else:
                line.append(_fmt(float(v), kind))
        out.append(line)
    return out


def _md_table(rows: list[list[str]]) -> str:
    head = "| " + " | ".join(rows[0]) + " |\n|" + "---|" * len(rows[0]) + "\n"
    return head + "".join("| " + " | ".join(r) + " |\n" for r in rows[1:])


def _html_table(rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows[1:])
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


FIGURES = (
    ("rooflines", "Rooflines"), ("scorecard", "Scorecard"), ("radar", "Radar chart"), ("pareto", "Pareto front"),
    ("tornado", "Sensitivity (tornado)"), ("ranks", "Rank probabilities"),
)


def write_report(out_dir: str | Path) -> dict[str, Path]:
    """(Re)build every report file of a run folder; returns their paths.

    Writes ``summary.csv``, ``tornado.csv``, ``results.csv``, ``figures/*.png``, ``report.md``
    and ``report.html``.
    """
    from archmodels.errors import InputError

    out = Path(out_dir)
    if not (out / "run.json").is_file() or not (out / "results.parquet").is_file():
        raise InputError("not a study run folder (needs run.json and results.parquet); run `fsw study run` first", file=str(out))
    meta = json.loads((out / "run.json").read_text())
    rows = pd.read_parquet(out / "results.parquet")
    sweep = pd.read_parquet(out / "sweep.parquet") if (out / "sweep.parquet").is_file() else None
    summary = summarise(rows)
    tor = tornado(rows)
    write_text_atomic(out / "summary.csv", summary.to_csv(index=False))
    write_text_atomic(out / "tornado.csv", tor.to_csv(index=False))
    write_text_atomic(out / "results.csv", rows.to_csv(index=False))
    if sweep is not None:
        write_text_atomic(out / "pareto.csv", sweep[sweep["pareto"]].to_csv(index=False))

    figs = {
        "rooflines": _fig_rooflines(meta), "scorecard": _fig_scorecard(summary), "radar": _fig_radar(summary),
        "pareto": _fig_pareto(sweep, summary), "tornado": _fig_tornado(tor, summary), "ranks": _fig_ranks(rows, summary),
    }
    fig_dir = out / "figures"
    fig_dir.mkdir(exist_ok=True)
    for name, data in figs.items():
        tmp = fig_dir / f".{name}.png.tmp"
        tmp.write_bytes(data)
        tmp.replace(fig_dir / f"{name}.png")

    st = meta["study"]
    table = scorecard_table(summary)
    ranked = summary[summary["feasible"]].sort_values("score", ascending=False)
    infeasible = summary[~summary["feasible"]]
    lead = (f"**{ranked.iloc[0]['candidate']}** ranks first with score {ranked.iloc[0]['score']:.3f} "
            f"(P(first) = {100 * ranked.iloc[0]['p_rank_first']:.0f} % over {meta['samples']} Monte Carlo samples)."
            if len(ranked) else "No candidate meets the constraints.")
    flags = "".join(f"- {r['candidate']}: {r['violations']} — flagged, not ranked.\n" for _, r in infeasible.iterrows())
    settings = [
        ["setting", "value"],
        ["reference", st["reference"]], ["power budget", f"{(st['power_budget_w'] or float('nan')) / 1e6:.1f} MW"],
        ["capital budget", f"{(st['capital_budget_jpy'] or float('nan')) / 1e9:.1f}e9 JPY"],
        ["lifetime, PUE", f"{st['lifetime_years']} years, {st['pue']}"],
        ["grid", f"{st['grid']}: {st['carbon_intensity_g_per_kwh']} g CO2e/kWh, {st['price_jpy_per_kwh']} JPY/kWh"],
        ["checkpoint tier", st["storage_tier"]],
        ["axis weights", ", ".join(f"{k} {v:g}" for k, v in st["axis_weights"].items())],
        ["portfolio", ", ".join(f"{k} {v:g}" for k, v in st["portfolio"].items())],
        ["Monte Carlo", f"{meta['samples']} samples, seed {st['seed']} (SeedSequence, one stream per sample)"],
        ["design sweep", f"{meta['sweep_points']} points"],
        ["executor", f"{meta['executor']} ({meta['chunks_computed']} chunks computed, {meta['chunks_reused']} reused)"],
    ]
    src_rows = [["id", "source"]] + [[k, v["title"] + (f" — {v['url']}" if v.get("url") else "")] for k, v in meta["sources"].items()]
    tor_rows = [["candidate", "parameter", "low", "high"]] + [
        [r["candidate"], r["parameter"], f"{r['low']:+.4f}", f"{r['high']:+.4f}"] for _, r in tor.iterrows()]

    md = [f"# {st['title'] or st['name']}\n", f"Study `{st['name']}` ({st['file']}).\n", lead + "\n"]
    if flags:
        md.append("\nConstraint violations:\n\n" + flags)
    md.append("\n## Settings\n\n" + _md_table(settings))
    md.append("\n## Scorecard\n\n" + _md_table(table))
    for name, title in FIGURES:
        md.append(f"\n## {title}\n\n![{title}](figures/{name}.png)\n")
    md.append("\n## Sensitivity\n\n" + _md_table(tor_rows))
    md.append("\n## Provenance\n\nEvery source behind the numbers above.\n\n" + _md_table(src_rows))
    md_path = out / "report.md"
    write_text_atomic(md_path, "".join(md))

    imgs = "".join(
        f"<h2>{html.escape(title)}</h2><img alt=\"{html.escape(title)}\" src=\"data:image/png;base64,"
        f"{base64.b64encode(figs[name]).decode()}\">" for name, title in FIGURES)
    flags_html = "".join(f"<li>{html.escape(r['candidate'])}: {html.escape(r['violations'])} — flagged, not ranked.</li>"
                         for _, r in infeasible.iterrows())
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(st['title'] or st['name'])}</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse;font-size:12px;margin:1em 0}}td,th{{border:1px solid #ccc;padding:3px 6px;text-align:left}}
img{{max-width:100%;display:block;margin:1em 0}}</style></head><body>
<h1>{html.escape(st['title'] or st['name'])}</h1>
<p>Study <code>{html.escape(st['name'])}</code> ({html.escape(st['file'])}).</p>
<p>{html.escape(lead).replace('**', '')}</p>
{f'<p>Constraint violations:</p><ul>{flags_html}</ul>' if flags_html else ''}
<h2>Settings</h2>{_html_table(settings)}
<h2>Scorecard</h2>{_html_table(table)}
{imgs}
<h2>Sensitivity</h2>{_html_table(tor_rows)}
<h2>Provenance</h2><p>Every source behind the numbers above.</p>{_html_table(src_rows)}
</body></html>
"""
    html_path = out / "report.html"
    write_text_atomic(html_path, page)
    return {"markdown": md_path, "html": html_path, "summary": out / "summary.csv", "results_csv": out / "results.csv"}
