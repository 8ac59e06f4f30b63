"""``report.md`` of an optimiser run (:func:`fs.optimise.run_optimise`): the Pareto set, the best
design of each node kind, the best against random designs, what each change buys around the best
design and the Sobol indices of its objectives, with the figures."""

from __future__ import annotations

from pathlib import Path


def _num(v, fmt: str) -> str:
    return "–" if v is None else format(v, fmt)


def optimise_markdown(result: dict, out: Path) -> str:
    """The Markdown report of ``result`` (the summary ``run_optimise`` returns), figures relative to ``out``."""
    lines = [f"# Design search: {result['study']}", "",
             f"NSGA-II, {result['generations']} generations of {result['population']} (seed {result['seed']}): "
             f"{result['evaluations']} designs at {result['design_space_year']}, {result['feasible_designs']} within "
             f"the budgets, {len(result['pareto'])} on the Pareto set. Requirements: {result['requirements']}. "
             "Objectives: portfolio speedup (max), lifetime cost and carbon per delivered node-hour of reference "
             "work (min); docs/optimise.md.", ""]
    b = result.get("best_vs_random")
    if b:
        lines += ["## Best against random designs", "",
                  f"| objective | optimiser | best of {b['random_points']} random | ratio |", "|---|---|---|---|"]
        for col in ("performance", "cost", "carbon"):
            v = b[col]
            lines.append(f"| {col} | {_num(v['optimiser'], '.4g')} | {_num(v['random'], '.4g')} | {_num(v['ratio'], '.3f')} |")
        lines.append("")
    lines += ["## Best design of each node kind", "", "| kind | family | nodes | speedup | JPY / node-h | g / node-h | power [MW] | capital [1e9 JPY] |",
              "|---|---|---|---|---|---|---|---|"]
    for kind, v in sorted(result.get("best_by_kind", {}).items()):
        o = v["objectives"]
        lines.append(f"| {kind} | {v['family']} | {v['nodes']:,} | {o['performance']:.3f} | {o['cost']:.3f} | "
                     f"{o['carbon']:.3f} | {v['power_w'] / 1e6:.2f} | {v['capital_cost_jpy'] / 1e9:.2f} |")
    lines += ["", "## Pareto set", "", "| design | family | nodes | speedup | JPY / node-h | g / node-h | power [MW] | machine file |",
              "|---|---|---|---|---|---|---|---|"]
    for p in result["pareto"]:
        o = p["objectives"]
        lines.append(f"| {p['design']} | {p['family']} | {p['nodes']:,} | {o['performance']:.3f} | {o['cost']:.3f} | "
                     f"{o['carbon']:.3f} | {p['power_w'] / 1e6:.2f} | `{Path(p['machine_file']).relative_to(out)}` |")
    figs = result.get("figures", {})
    if "pareto" in figs:
        lines += ["", f"![Pareto projections]({Path(figs['pareto']).name})"]
    if result.get("marginal_values"):
        lines += ["", "## What each change buys around the best design", "",
                  "| change | feasible | Δ speedup | Δ power [MW] | Δ capital [1e9 JPY] | Δ speedup / MW | Δ speedup / 1e9 JPY |",
                  "|---|---|---|---|---|---|---|"]
        for r in result["marginal_values"]:
            lines.append(f"| {r['change']} | {'yes' if r['feasible'] else 'no'} | {r['delta_performance']:+.4f} | "
                         f"{r['delta_power_mw']:+.3f} | {r['delta_capital_billion_jpy']:+.3f} | "
                         f"{r['delta_speedup_per_mw']:+.5f} | {r['delta_speedup_per_billion_jpy']:+.6f} |")
        if "marginal_values" in figs:
            lines += ["", f"![Marginal values]({Path(figs['marginal_values']).name})"]
    s = result.get("sobol")
    if s and s.get("factors"):
        lines += ["", f"## Sobol indices of the best design ({s['samples']} evaluations)", "",
                  "| factor | " + " | ".join(f"{c} S1 | {c} ST" for c in s["indices"]) + " |",
                  "|---|" + "---|---|" * len(s["indices"])]
        for f in s["factors"]:
            cells = []
            for c in s["indices"]:
                v = s["indices"][c][f]
                cells += [_num(v["S1"], ".3f"), _num(v["ST"], ".3f")]
            lines.append(f"| {f} | " + " | ".join(cells) + " |")
        lines += ["", s["note"]]
    return "\n".join(lines) + "\n"
