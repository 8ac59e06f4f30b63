"""`fsw io`: checkpoint write, drain and restart times of a job on a machine's storage, and the waste."""

from __future__ import annotations

from typing import Optional

import typer

from fs.cli.options import JsonOption


def io(machine: str = typer.Argument(..., help="Catalog name, spec or variant file."),
       job_nodes: int = typer.Option(..., "--job-nodes", "-n", help="Nodes of the job."),
       fraction: float = typer.Option(1.0, "--fraction", help="Share of node memory in a checkpoint."),
       concurrent_jobs: Optional[float] = typer.Option(None, "--concurrent-jobs",
                                                       help="Jobs checkpointing to shared tiers at once (default: machine nodes / job nodes, the fair share; 1: alone)."),
       node_mtbf_years: Optional[float] = typer.Option(None, "--node-mtbf-years",
                                                       help="MTBF of one node (default: 50 years at 200 W, rate ∝ power)."),
       json_out: JsonOption = False) -> None:
    """Tier bandwidths and times a job reaches, the checkpoint tier, burst-buffer drain and Young/Daly waste."""
    from archmodels.errors import InputError
    from archmodels.io_model import SECONDS_PER_YEAR, job_io
    from archmodels.loaders import load_machine
    from fs.cli.output import emit_json, print_table, si

    if node_mtbf_years is not None and not node_mtbf_years > 0:
        raise InputError(f"--node-mtbf-years must be > 0, got {node_mtbf_years}", location="--node-mtbf-years")
    result = job_io(load_machine(machine), job_nodes, checkpoint_fraction=fraction, concurrent_jobs=concurrent_jobs,
                    node_mtbf=None if node_mtbf_years is None else node_mtbf_years * SECONDS_PER_YEAR)
    if json_out:
        emit_json(result.as_dict())
        return
    print_table(f"{result.machine}: {result.job_nodes:,}-node job, checkpoint {si(result.checkpoint_bytes, 'B')}",
                ["tier", "scope", "units", "capacity", "write BW", "read BW", "metadata", "write", "restart", "fits"],
                [[t.tier, t.scope, t.units, si(t.capacity_bytes, "B"), si(t.write_bandwidth_bytes_per_s, "B/s"),
                  si(t.read_bandwidth_bytes_per_s, "B/s"), si(t.metadata_s, "s"), si(t.write_s, "s"),
                  si(t.read_s, "s"), "yes" if t.fits else "no"] for t in result.tiers])
    if not result.feasible:
        typer.echo(result.reason)
        return
    typer.echo(f"checkpoint to {result.checkpoint_tier}: {si(result.checkpoint_s, 's')}, restart {si(result.restart_s, 's')}"
               + (f", drain to {result.drain_tier} {si(result.drain_s, 's')}" if result.drain_tier else ""))
    typer.echo(f"job MTBF {result.job_mtbf_s / 3600:.3g} h, Daly interval {si(result.interval_s, 's')}, "
               f"waste {result.waste:.2%}" + (f" ({result.reason})" if result.reason else ""))
