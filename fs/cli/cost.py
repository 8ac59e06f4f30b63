"""`fsw cost`: what a machine costs, by component; `fsw cost --validate`: against published contracts."""

from __future__ import annotations

from typing import Optional

import typer

from fs.cli.options import JsonOption


def cost(machine: Optional[str] = typer.Argument(None, help="Catalog name, spec or variant file."),
         nodes: Optional[int] = typer.Option(None, "--nodes", "-n", help="Node count (default: the spec's)."),
         jpy_per_usd: Optional[float] = typer.Option(None, "--jpy-per-usd", help="Exchange rate (default: cost.toml's)."),
         validate: bool = typer.Option(False, "--validate", help="Every published contract figure against the model."),
         json_out: JsonOption = False) -> None:
    """Capital cost of a system by component (processors, memory, network, integration, storage, NRE, facility)."""
    import dataclasses

    from archmodels.cost import cost_validation, default_exchange, system_cost
    from archmodels.errors import InputError
    from archmodels.loaders import load_machine
    from fs.cli.output import emit_json, print_table

    exchange = default_exchange()
    if jpy_per_usd is not None:
        if not jpy_per_usd > 0:
            raise InputError(f"--jpy-per-usd must be > 0, got {jpy_per_usd}", location="--jpy-per-usd")
        exchange = dataclasses.replace(exchange, jpy_per_usd=jpy_per_usd)
    if validate:
        checks = cost_validation([machine] if machine else None, exchange)
        if json_out:
            emit_json([c.as_dict() for c in checks])
            return
        print_table("Capital cost against published contract figures",
                    ["system", "model", "published", "error", "in sample", "compared", "source"],
                    [[c.system, f"{c.model / 1e6:,.0f} M {c.currency}", f"{c.published / 1e6:,.0f} M {c.currency}",
                      f"{c.error * 100:+.1f}%", "yes" if c.in_sample else "no", c.compare, c.source_title[:70]]
                     for c in checks])
        return
    if machine is None:
        raise InputError("give a machine (catalog name or spec file), or --validate", location="MACHINE")
    result = system_cost(load_machine(machine), nodes, exchange).as_dict()
    if json_out:
        emit_json(result)
        return
    parts = ("processors", "memory", "network", "integration", "storage", "nre")
    rows = [[p, f"{result[f'{p}_jpy'] / 1e9:,.2f}", f"{result[f'{p}_jpy'] / result['capital_jpy']:.1%}"] for p in parts]
    rows.append(["capital (contract)", f"{result['capital_jpy'] / 1e9:,.2f}", "100%"])
    rows.append(["facility (apart)", f"{result['facility_jpy'] / 1e9:,.2f}", ""])
    print_table(f"{result['machine']} at {result['nodes']:,} nodes: {result['capital_usd'] / 1e6:,.0f} M USD "
                f"at {result['jpy_per_usd']:g} JPY/USD ({result['price_year']} prices, processors at "
                f"{result['procurement_factor']:.3f} x list)", ["component", "1e9 JPY", "share"], rows)
