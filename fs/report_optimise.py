"""The study report's "Design search" section: the summary of an ``fsw study optimise`` run written
into the run folder's ``optimise/`` (``fsw study optimise STUDY --out RUN/optimise``), as tables."""

from __future__ import annotations

import json
from pathlib import Path


def _f(v, fmt: str) -> str:
    return "–" if v is None else format(v, fmt)


def optimise_section(opt_dir: Path):
    """``(heading, blocks)`` for :func:`fs.report.write_report`, or None without ``opt_dir/optimise.json``."""
    path = Path(opt_dir) / "optimise.json"
    if not path.is_file():
        return None
    r = json.loads(path.read_text())
    blocks = [("text", f"NSGA-II over the design space at {r['design_space_year']} ({r['generations']} generations of "
                       f"{r['population']}, seed {r['seed']}): {r['evaluations']} designs, {r['feasible_designs']} within "
                       f"the budgets, {len(r['pareto'])} on the Pareto set (docs/optimise.md; files in {opt_dir.name}/).")]
    kinds = [["kind", "family", "nodes", "speedup", "JPY / node-h", "g CO2e / node-h", "power [MW]"]]
    for kind, v in sorted(r.get("best_by_kind", {}).items()):
        o = v["objectives"]
        kinds.append([kind, v["family"], f"{v['nodes']:,}", f"{o['performance']:.3f}", f"{o['cost']:.3f}",
                      f"{o['carbon']:.3f}", f"{v['power_w'] / 1e6:.2f}"])
    blocks.append(("table", kinds))
    b = r.get("best_vs_random")
    if b:
        rows = [["objective", "optimiser", f"best of {b['random_points']} random", "ratio"]]
        rows += [[c, _f(b[c]["optimiser"], ".4g"), _f(b[c]["random"], ".4g"), _f(b[c]["ratio"], ".3f")]
                 for c in ("performance", "cost", "carbon")]
        blocks.append(("table", rows))
    if r.get("marginal_values"):
        rows = [["change around the best design", "feasible", "Δ speedup", "Δ speedup / MW", "Δ speedup / 1e9 JPY"]]
        rows += [[m["change"], "yes" if m["feasible"] else "no", f"{m['delta_performance']:+.4f}",
                  f"{m['delta_speedup_per_mw']:+.5f}", f"{m['delta_speedup_per_billion_jpy']:+.6f}"]
                 for m in r["marginal_values"]]
        blocks.append(("table", rows))
    s = r.get("sobol")
    if s and s.get("factors"):
        objs = list(s["indices"])
        rows = [["factor"] + [f"{c} ST" for c in objs]]
        rows += [[f] + [_f(s["indices"][c][f]["ST"], ".3f") for c in objs] for f in s["factors"]]
        blocks += [("table", rows), ("text", f"Total Sobol indices of the best design ({s['samples']} evaluations); {s['note']}.")]
    return ("Design search", blocks)
