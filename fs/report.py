"""Reports of a study run: Markdown with PNG figures, and one self-contained HTML file.

Everything a report needs is in the run's folder — ``results.parquet`` (rows), ``run.json``
(study settings, rooflines, sources: :mod:`fs.provenance`) and optionally ``sweep.parquet`` — so
``fsw study report DIR`` rebuilds it without the study file. The figures come from
:mod:`fs.report_figures`; the HTML embeds them as base64 PNG data URIs: it opens offline and in a
headless browser with every image loaded.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import numpy as np
import pandas as pd

from archmodels.atomic import write_text_atomic
from fs.evaluate import JOB_NODES
from fs.report_figures import FIGURES, report_figures
from fs.report_operating import MEASURE_NOTE, measures_table, operating_text
from fs.report_page_one import (WORKLOAD_NOTE, candidate_flag, margin_table, provenance_table, uncertainty_table,
                                workload_table)
from fs.requirements import candidate_requirements, describe, format_value, status
from fs.runner import in_rank_order, summarise, tornado
from fs.weight_sensitivity import weight_sensitivity

_FORMATS = {
    "mw": lambda v: f"{v / 1e6:.1f}", "gjpy": lambda v: f"{v / 1e9:.1f}", "kt": lambda v: f"{v / 1e9:.1f}",
    "f1": lambda v: f"{v:.1f}", "f2": lambda v: f"{v:.2f}", "f3": lambda v: f"{v:.3f}", "int": lambda v: f"{int(v):,}",
    "s": lambda v: f"{v:.0f}", "pct": lambda v: f"{100 * v:.1f} %",
}


def _fmt(v: float, kind: str) -> str:
    return _FORMATS[kind](v) if np.isfinite(v) else "–"


#: What the report says in place of P(first) when no uncertainty was sampled.
NO_UNCERTAINTY = "no uncertainty sampled"

SCORECARD_COLUMNS = [
    ("candidate", "candidate", None), ("rank", "rank", "int"), ("feasible", "feasible", None),
    ("meets_requirements", "meets req.", None),
    ("score", "score", "f3"), ("score_p05", "score 5 %", "f3"), ("score_p95", "score 95 %", "f3"),
    ("p_rank_first", "P(first)", "pct"), ("nodes", "nodes", "int"), ("power_w", "power [MW]", "mw"),
    ("power_w", "power 5–95 %", "range:mw"),
    ("capital_cost_jpy", "capital [1e9 JPY]", "gjpy"), ("measures_cost_jpy", "measures [1e9 JPY]", "gjpy"),
    ("total_cost_jpy", "lifetime cost 5–95 %", "range:gjpy"),
    ("performance", "speedup", "f2"), ("performance", "speedup 5–95 %", "range:f2"),
    ("performance_per_watt", "perf/W vs ref", "f2"), ("io", "checkpoint [s]", "s"),
    ("checkpoint_s", "checkpoint 5–95 %", "range:s"),
    ("total_cost_jpy", "TCO [1e9 JPY]", "gjpy"), ("cost", "TCO / work [JPY per ref node-h]", "f1"),
    ("operability", "operability", "f3"), ("productivity", "productivity", "f2"),
    ("commercial_reach", "reach", "f2"), ("carbon_g", "carbon [kt CO2e]", "kt"),
    ("carbon", "carbon / work [g CO2e per ref node-h]", "f1"),
    ("grid_carbon_intensity_g_per_kwh", "grid [g/kWh]", "f1"), ("grid_price_jpy_per_kwh", "grid [JPY/kWh]", "f2"),
    ("violations", "violations", None),
]


def _trajectory_line(st: dict) -> str:
    """The grid's carbon over the life: the trajectory, its first year and lifetime mean."""
    plan = st.get("grid_trajectory", "none")
    if plan == "none" or "grid_lifetime_mean_g_per_kwh" not in st:
        return "none: the grid as measured, every year"
    return (f"{plan} from {st['start_year']} for {st['lifetime_years']} years: "
            f"{st['grid_first_year_g_per_kwh']:.1f} g CO2e/kWh the first year, "
            f"{st['grid_lifetime_mean_g_per_kwh']:.1f} the lifetime mean against {st['carbon_intensity_g_per_kwh']} "
            f"measured; the carbon axis scales each candidate's intensity by the lifetime mean over the measured")


def scorecard_table(summary: pd.DataFrame) -> list[list[str]]:
    """Header and rows of the scorecard, formatted for people."""
    out = [[h for _, h, _ in SCORECARD_COLUMNS]]
    for _, r in in_rank_order(summary).iterrows():
        line = []
        for col, _, kind in SCORECARD_COLUMNS:
            v = r.get(col, np.nan)
            if kind and kind.startswith("range:"):
                lo, hi = (float(r.get(f"{col}_{q}", np.nan)) for q in ("p05", "p95"))
                varied = np.isfinite(lo) and np.isfinite(hi) and lo != hi
                line.append(f"{_fmt(lo, kind[6:])}–{_fmt(hi, kind[6:])}" if varied else "–")
            elif col == "p_rank_first" and not np.isfinite(v):
                line.append(NO_UNCERTAINTY)
            elif col == "rank" and not np.isfinite(v):
                line.append("not ranked")
            elif kind is None:
                line.append(str(v) if v != "" else "–")
            else:
                line.append(_fmt(float(v), kind))
        out.append(line)
    return out


def requirements_table(summary: pd.DataFrame, requirements: list[dict]) -> list[list[str]]:
    """Header and rows of the requirement check: per candidate (ranking order) whether it meets
    every requirement, and per requirement its value, met or missed, and the factor."""
    out = [["candidate", "meets all"] + [describe(r) + (f" [{r['source']}]" if r.get("source") else "")
                                         for r in requirements]]
    for _, r in in_rank_order(summary).iterrows():
        cells = [f"{format_value(q['quantity'], q['value'])}: {status(q)}" for q in candidate_requirements(r, requirements)]
        out.append([r["candidate"], "yes" if r["meets_requirements"] else "no"] + cells)
    return out


#: What the factor of a requirement means, under its table.
FACTOR_NOTE = ("× is value / required for a lower bound (at least), required / value for an upper bound "
               "(at most): below 1 a candidate misses by that factor. Candidates that meet every "
               "requirement rank above those that do not, whatever their scores.")


def _verdict(ranked: pd.DataFrame, requirements: list[dict], samples: int) -> str:
    """The first sentence of the report: who ranks first, and its requirement status."""
    if not len(ranked):
        return "No candidate meets the constraints."
    top = ranked.iloc[0]
    chance = (f"P(first) = {100 * top['p_rank_first']:.0f} % over {samples} Monte Carlo samples"
              if np.isfinite(top["p_rank_first"]) else NO_UNCERTAINTY)
    lead = f"**{top['candidate']}** ranks first with score {top['score']:.3f} ({chance})"
    if not requirements:
        return lead + "."
    if top["meets_requirements"]:
        return lead + f"; it meets all {len(requirements)} requirements."
    met = sum(q["met"] for q in candidate_requirements(top, requirements))
    return (f"No feasible candidate meets every requirement. {lead}; it meets {met} of "
            f"{len(requirements)} requirements.")


def weight_table(ws: dict) -> list[list[str]]:
    """Header and rows of P(first) under the stated, Dirichlet and uniform weights
    (:func:`fs.weight_sensitivity.weight_sensitivity`), for the candidates that can rank first."""
    d, u = ws["dirichlet"], ws["uniform"]
    out = [["candidate", "stated weights", f"Dirichlet (k = {d['concentration']:g})", "uniform"]]
    for name, p in ws["stated"].items():
        out.append([name, _fmt(p, "pct"), _fmt(d["p_first"][name], "pct"), _fmt(u["p_first"][name], "pct")])
    return out


def weight_sentence(ws: dict) -> str:
    """The least weight change that changes the winner, in words."""
    sc, d = ws["smallest_change"], ws["dirichlet"]
    draws = (f"P(first) over {d['samples']:,} weight vectors each (seed {d['seed']} for Dirichlet, "
             f"{ws['uniform']['seed']} for uniform); Dirichlet alpha = {d['concentration']:g} × the stated weight. ")
    if not ws["stated"]:
        return "No feasible candidate: no weights make one rank first."
    if sc["rival"] is None:
        return draws + "No weights on the simplex make another candidate pass the winner."
    moved = ", ".join(f"{a} {w:.3f}" for a, w in sc["weights"].items())
    return draws + f"The winner changes to {sc['rival']} if the weights move by {sc['distance']:.3f} ({sc['norm']}): {moved}."


def _md_table(rows: list[list[str]]) -> str:
    head = "| " + " | ".join(rows[0]) + " |\n|" + "---|" * len(rows[0]) + "\n"
    return head + "".join("| " + " | ".join(r) + " |\n" for r in rows[1:])


def _html_table(rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows[1:])
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _markdown(title: str, sections: list) -> str:
    """The report in Markdown; figures link figures/<name>.png."""
    md = [f"# {title}\n"]
    for sec in sections:
        if sec == "page break":
            continue
        head, blocks = sec
        if head:
            md.append(f"\n## {head}\n")
        for kind, body in blocks:
            md.append({"text": lambda b: f"\n{b}\n", "table": lambda b: "\n" + _md_table(b),
                       "list": lambda b: "\n" + "".join(f"- {x}\n" for x in b),
                       "figure": lambda b: f"\n![{head}](figures/{b}.png)\n"}[kind](body))
    return "".join(md)


def _html(title: str, sections: list, figs: dict[str, bytes]) -> str:
    """The report as one self-contained HTML page: figures as base64 data URIs; what comes before the
    page break is the first page when printed."""
    parts = ["<section class=\"page-one\">"]
    for sec in sections:
        if sec == "page break":
            parts.append("</section><section>")
            continue
        head, blocks = sec
        if head:
            parts.append(f"<h2>{html.escape(head)}</h2>")
        for kind, body in blocks:
            if kind == "text":
                text = html.escape(body)
                while text.count("**") >= 2:
                    text = text.replace("**", "<strong>", 1).replace("**", "</strong>", 1)
                parts.append(f"<p>{text}</p>")
            elif kind == "table":
                parts.append(_html_table(body))
            elif kind == "list":
                parts.append("<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in body) + "</ul>")
            else:
                parts.append(f"<img alt=\"{html.escape(head)}\" src=\"data:image/png;base64,"
                             f"{base64.b64encode(figs[body]).decode()}\">")
    parts.append("</section>")
    body = "\n".join(parts)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse;font-size:12px;margin:1em 0}}td,th{{border:1px solid #ccc;padding:3px 6px;text-align:left}}
img{{max-width:100%;display:block;margin:1em 0}}
@media print{{section.page-one{{break-after:page}}}}</style></head><body>
<h1>{html.escape(title)}</h1>
{body}
</body></html>
"""


def write_report(out_dir: str | Path) -> dict[str, Path]:
    """(Re)build every report file of a run folder; returns their paths.

    Writes ``summary.csv``, ``tornado.csv``, ``results.csv``, ``figures/*.png``, ``report.md``
    and ``report.html``.
    """
    from archmodels.errors import InputError
    from fs.report_optimise import optimise_section

    out = Path(out_dir)
    if not (out / "run.json").is_file() or not (out / "results.parquet").is_file():
        raise InputError("not a study run folder (needs run.json and results.parquet); run `fsw study run` first", file=str(out))
    meta = json.loads((out / "run.json").read_text())
    rows = pd.read_parquet(out / "results.parquet")
    sweep = pd.read_parquet(out / "sweep.parquet") if (out / "sweep.parquet").is_file() else None
    summary = summarise(rows)
    tor = tornado(rows, {u["target"]: u.get("source", "the study") for u in meta["study"]["uncertainties"]})
    write_text_atomic(out / "summary.csv", summary.to_csv(index=False))
    write_text_atomic(out / "tornado.csv", tor.to_csv(index=False))
    write_text_atomic(out / "results.csv", rows.to_csv(index=False))
    if sweep is not None:
        write_text_atomic(out / "pareto.csv", sweep[sweep["pareto"]].to_csv(index=False))

    figs = report_figures(meta, rows, summary, tor, sweep)
    fig_dir = out / "figures"
    fig_dir.mkdir(exist_ok=True)
    for name, data in figs.items():
        tmp = fig_dir / f".{name}.png.tmp"
        tmp.write_bytes(data)
        tmp.replace(fig_dir / f"{name}.png")

    st = meta["study"]
    requirements = st.get("requirements", [])
    table = scorecard_table(summary)
    ordered = in_rank_order(summary)
    ranked = ordered[ordered["feasible"]]
    infeasible = summary[~summary["feasible"]]
    lead = _verdict(ranked, requirements, meta["samples"])
    req_table = requirements_table(summary, requirements) if requirements else None
    settings = [
        ["setting", "value"],
        ["reference", st["reference"]], ["power budget", f"{(st['power_budget_w'] or float('nan')) / 1e6:.1f} MW"],
        ["capital budget", f"{(st['capital_budget_jpy'] or float('nan')) / 1e9:.1f}e9 JPY"],
        ["lifetime, PUE", f"{st['lifetime_years']} years, {st['pue']}"],
        ["grid", f"{st['grid']}: {st['carbon_intensity_g_per_kwh']} g CO2e/kWh, {st['price_jpy_per_kwh']} JPY/kWh"],
        ["grid trajectory", _trajectory_line(st)],
        ["checkpoint", f"a {JOB_NODES}-node job's memory on each machine's own storage tiers (archmodels.io_model); "
                       f"the study's {st['storage_tier']} tier for a machine without [storage]"],
        ["axis weights", ", ".join(f"{k} {v:g}" for k, v in st["axis_weights"].items())],
        ["portfolio", ", ".join(f"{k} {v:g}" for k, v in st["portfolio"].items())],
        ["Monte Carlo", f"{meta['samples']} samples, seed {st['seed']} (SeedSequence, one stream per sample)"],
        ["operations", operating_text(meta["operating"]) if "operating" in meta else "not recorded"],
        ["design sweep", f"{meta['sweep_points']} points"],
        ["executor", f"{meta['executor']} ({meta['chunks_computed']} chunks computed, {meta['chunks_reused']} reused)"],
    ]
    src_rows = [["id", "source"]] + [[k, v["title"] + (f" — {v['url']}" if v.get("url") else "")] for k, v in meta["sources"].items()]
    ws = weight_sensitivity(summary, st["axis_weights"], st["seed"])
    ws_rows, ws_text = weight_table(ws), weight_sentence(ws)
    tor_rows = [["candidate", "parameter", "source", "low", "high"]] + [
        [r["candidate"], r["parameter"], r["source"], f"{r['low']:+.4f}", f"{r['high']:+.4f}"] for _, r in tor.iterrows()]

    workload_rows = workload_table(ordered, st["portfolio"])
    margin_rows, margin_text = margin_table(ranked, st["axis_weights"])
    hypothetical = [f"{r['candidate']} ({r['projection'] if r.get('projection') else candidate_flag(r).removeprefix('hypothetical (').rstrip(')') or 'year not given'})"
                    for _, r in ordered.iterrows() if bool(r["hypothetical"])]
    flags_text = ("Hypothetical candidates (not built; their values include assumptions; a projected one is a catalog "
                  "machine moved to the delivery year by archmodels/data/roadmap.toml, docs/roadmap.md): "
                  + ", ".join(hypothetical) + "." if hypothetical else "Every candidate is a shipping machine.")
    unc_rows = uncertainty_table(st["uncertainties"])
    sections = [
        (None, [("text", f"Study `{st['name']}` ({st['file']})."), ("text", lead), ("text", flags_text)]
         + ([("text", "Constraint violations:"), ("list", [f"{r['candidate']}: {r['violations']} — flagged, not ranked."
                                                          for _, r in infeasible.iterrows()])] if len(infeasible) else [])),
        *([("Requirements", [("table", req_table), ("text", FACTOR_NOTE)])] if req_table else []),
        ("Per workload", [("table", workload_rows), ("text", WORKLOAD_NOTE)]),
        ("Margin of the winner", [("table", margin_rows), ("text", margin_text)] if margin_rows else [("text", margin_text)]),
        ("Uncertainty inputs", [("table", unc_rows)] if len(unc_rows) > 1 else [("text", "None: a nominal study.")]),
        ("Weight sensitivity", [("table", ws_rows), ("text", ws_text)]),
        "page break",
        ("Settings", [("table", settings)]),
        ("Scorecard", [("table", table)]),
        *[(title, [("figure", name)]) for name, title in FIGURES],
        ("Sensitivity", [("table", tor_rows)]),
        *([("Operating measures", [("text", operating_text(meta["operating"])),
                                   ("table", measures_table(meta["operating"], summary)), ("text", MEASURE_NOTE)])]
          if meta.get("operating", {}).get("savings") else []),
        *([design] if (design := optimise_section(out / "optimise")) else []),
        ("Provenance", [("text", "The code and the exact files this run read."), ("table", provenance_table(meta.get("provenance"))),
                        ("text", "Every source behind the numbers above."), ("table", src_rows)]),
    ]
    title = st["title"] or st["name"]
    md_path = out / "report.md"
    write_text_atomic(md_path, _markdown(title, sections))
    page = _html(title, sections, figs)
    html_path = out / "report.html"
    write_text_atomic(html_path, page)
    return {"markdown": md_path, "html": html_path, "summary": out / "summary.csv", "results_csv": out / "results.csv"}
