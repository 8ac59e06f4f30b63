"""Design-space sweeps: variants of a template node, evaluated vectorised, and their Pareto front.

A design point is a variant of a template node (``cand-cpu-3dsram-cpo``: one processor type whose
memory is stacked SRAM above main memory) with five knobs:

* ``sram_bytes`` — stacked-SRAM capacity per processor (0: no stacked SRAM);
* ``memory`` — main-memory generation (hbm3, hbm3e, hbm4, lpddr5x: bandwidth and capacity);
* ``link`` — network link technology (electrical, pluggable-optics, co-packaged-optics: energy per
  bit and static power);
* ``power_cap_w`` — node power cap, which caps the processors' TDP and so their FLOP rate through
  the power-capped energy roofline (Choi et al., IPDPS 2013);
* ``nodes`` — node count, or NaN to size the system to the study's power and capital budgets.

:class:`DesignEvaluator` evaluates millions of points with NumPy array arithmetic. It is the same
model as :func:`archmodels.predict` (per-level roofline with capacity-dependent traffic, power cap,
network time of a ``JOB_NODES``-node job), written for arrays; ``tests/fs/test_sweep.py`` checks
it against ``predict`` on variant machines built by :func:`variant_machine`.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

import numpy as np
import pandas as pd

from archmodels.errors import InputError
from fs import metrics as M
from fs.evaluate import JOB_NODES, node_profile
from fs.study import Study

GIB = 2.0**30

#: Design variables and their default ranges (continuous) or options (categorical).
DEFAULT_RANGES = {"sram_bytes": (0.0, 16 * GIB), "power_cap_w": (1200.0, 3200.0)}

#: Objectives of the Pareto front: (column, +1 maximise / -1 minimise).
OBJECTIVES = (("performance", 1), ("power_w", -1), ("cost_jpy", -1), ("carbon_g", -1))


@cache
def design_table() -> dict:
    """Options of the design space (fs/data/design_space.toml)."""
    text = (resources.files("fs") / "data" / "design_space.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def memory_options() -> tuple[str, ...]:
    return tuple(design_table()["memory"])


def link_options() -> tuple[str, ...]:
    return tuple(design_table()["links"])


def link_option(name: str, injection_bandwidth_bytes_per_s: float) -> tuple[float, float]:
    """(energy per bit [J], static power per node [W]) of a link technology: archmodels' figures per
    link, times the links a node needs, ``ceil(injection bandwidth / line rate)``."""
    import math

    from archmodels.network import link_technology

    tech = link_technology(name)
    links = math.ceil(injection_bandwidth_bytes_per_s / tech.line_rate_bytes_per_s)
    return tech.energy_per_bit_j, links * tech.static_power_w


def memory_option(name: str) -> tuple[float, float, float, float]:
    """(capacity [B], bandwidth [B/s], energy per bit [J], price [JPY/GB]) of one processor's main
    memory of generation ``name``: ``units`` units of archmodels' memory technology."""
    from archmodels.memtech import memory_technology

    tech = memory_technology(name)
    units = design_table()["memory"][name]["units"]
    return (units * tech.capacity_per_unit_bytes, units * tech.bandwidth_per_unit_bytes_per_s,
            tech.energy_per_bit_j, tech.cost_jpy_per_gb)


def _check_template(machine):
    procs = machine.node.processors
    if len(procs) != 1 or len(procs[0].memory) != 2 or machine.node.power_max_w is None or machine.network is None:
        raise InputError(f"machine {machine.name!r} cannot be a sweep template: it needs one processor type "
                         "with [stacked SRAM, main memory], a node power_max and a network")
    return procs[0]


def variant_machine(template, sram_bytes: float, memory: str, link: str, power_cap_w: float):
    """The template with one design point's knobs applied (a real archmodels Machine)."""
    proc = _check_template(template)
    sram, main = proc.memory
    cap, bw, e_bit, _ = memory_option(memory)
    link_e, link_static = link_option(link, template.network.injection_bandwidth_bytes_per_s)
    new_main = dataclasses.replace(main, name=memory.upper(), technology=memory, capacity_bytes=cap,
                                   bandwidth_bytes_per_s=bw, energy_per_bit_j=e_bit)
    levels = (new_main,) if sram_bytes <= 0 else (dataclasses.replace(sram, capacity_bytes=float(sram_bytes)), new_main)
    new_proc = dataclasses.replace(proc, memory=levels, tdp_w=None)
    node = dataclasses.replace(template.node, processors=(new_proc,), power_max_w=float(power_cap_w))
    net = dataclasses.replace(template.network, technology=link, energy_per_bit_j=link_e, link_static_power_w=link_static)
    return dataclasses.replace(template, node=node, network=net, name=f"{template.name}-variant")


def latin_hypercube(n: int, seed: int, ranges: dict | None = None, memory: tuple[str, ...] | None = None,
                    links: tuple[str, ...] | None = None, nodes: tuple[float, float] | None = None) -> pd.DataFrame:
    """``n`` design points from a Latin hypercube (McKay, Beckman & Conover, Technometrics 21(2),
    1979, https://doi.org/10.2307/1268522): each variable's range cut into ``n`` equal strata, one
    point per stratum, strata paired at random. Categorical knobs take the stratum's option."""
    ranges = {**DEFAULT_RANGES, **(ranges or {})}
    memory = memory or memory_options()
    links = links or link_options()
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    cols = 4 + (nodes is not None)
    u = (np.argsort(rng.random((cols, n)), axis=1) + rng.random((cols, n))) / n
    out = {
        "sram_bytes": ranges["sram_bytes"][0] + u[0] * (ranges["sram_bytes"][1] - ranges["sram_bytes"][0]),
        "memory": pd.Categorical.from_codes(np.minimum((u[1] * len(memory)).astype(int), len(memory) - 1), memory),
        "link": pd.Categorical.from_codes(np.minimum((u[2] * len(links)).astype(int), len(links) - 1), links),
        "power_cap_w": ranges["power_cap_w"][0] + u[3] * (ranges["power_cap_w"][1] - ranges["power_cap_w"][0]),
        "nodes": np.floor(nodes[0] + u[4] * (nodes[1] - nodes[0])) if nodes is not None else np.full(n, np.nan),
    }
    return pd.DataFrame(out)


def grid(sram_bytes, memory=None, links=None, power_cap_w=(2400.0,), nodes=(np.nan,)) -> pd.DataFrame:
    """Every combination of the given knob values (a full factorial grid)."""
    memory = memory or memory_options()
    links = links or link_options()
    mesh = np.meshgrid(np.arange(len(sram_bytes)), np.arange(len(memory)), np.arange(len(links)),
                       np.arange(len(power_cap_w)), np.arange(len(nodes)), indexing="ij")
    idx = [m.ravel() for m in mesh]
    return pd.DataFrame({
        "sram_bytes": np.asarray(sram_bytes, dtype=float)[idx[0]],
        "memory": pd.Categorical.from_codes(idx[1], memory),
        "link": pd.Categorical.from_codes(idx[2], links),
        "power_cap_w": np.asarray(power_cap_w, dtype=float)[idx[3]],
        "nodes": np.asarray(nodes, dtype=float)[idx[4]],
    })


@dataclass(frozen=True)
class _WorkloadTable:
    peak: float
    peak_any: float  # matrix units included: sets the energy per FLOP a TDP implies
    eff_compute: float
    eff_memory: float
    eps: float  # technology floor of the energy per FLOP [J]
    flop_per_unit: float
    units: np.ndarray  # (n_memory,) units per processor
    fits: np.ndarray  # (n_memory,) bool
    ws: np.ndarray  # (n_memory, n_points) working sets
    bytes_per_point: np.ndarray  # (n_points,)
    net_time_s: np.ndarray  # (n_memory,) per step
    net_bytes: np.ndarray  # (n_memory,) per node per step


class DesignEvaluator:
    """Vectorised evaluation of design points of one study (the template and reference fixed).

    Build once per process (it runs ``archmodels.predict`` on the reference and prepares per
    workload tables), then call :meth:`evaluate` on arrays of any length.
    """

    def __init__(self, study: Study, template: str | None = None):
        import archmodels
        from archmodels.collectives import communication_time_s
        from archmodels.power import node_power_range_w
        from archmodels.prediction import _TOPOLOGY_FOR_COLLECTIVES
        from archmodels.technology import efficiency, energy_per_flop_j, memory_energy_per_bit_j, node_other_fraction, static_fraction

        self.study = study
        self.template = archmodels.load_machine(template or design_table()["template"])
        proc = _check_template(self.template)
        self.memory = memory_options()
        self.links = link_options()
        self.count = proc.count
        self.static_fraction = static_fraction()
        self.other_fraction = node_other_fraction()
        self.idle_w = float(node_power_range_w(self.template)[0])
        self.sram_bw = proc.memory[0].bandwidth_bytes_per_s
        self.sram_e = proc.memory[0].energy_per_bit_j or memory_energy_per_bit_j(proc.memory[0].technology)
        opts = np.array([memory_option(m) for m in self.memory], dtype=float)
        self.mem_cap, self.mem_bw, self.mem_e, self.mem_price = opts.T
        links = np.array([link_option(k, self.template.network.injection_bandwidth_bytes_per_s) for k in self.links])
        self.link_e, self.link_static = links.T
        net = self.template.network
        self.tables = []
        for name in study.workloads:
            wl = archmodels.load_workload(name)
            prec = proc.precision_for(wl.precision, wl.matrix)
            if prec is None:
                raise InputError(f"the sweep template {self.template.name!r} cannot run {name!r} in {wl.precision}")
            eff = efficiency(proc.type, wl.workload_class)
            units = np.array([wl.units_for(c) for c in self.mem_cap])
            fits = np.array([u > 0 and wl.footprint_for(u) <= c for u, c in zip(units, self.mem_cap)])
            ws = np.array([[p.working_set(u) for p in wl.traffic] for u in units])
            net_t, net_b = [], []
            for u in units:
                upn = u * proc.count
                tt = bb = 0.0
                for comm in wl.communication:
                    nbytes = comm.bytes_per_node(upn)
                    tt += comm.count * communication_time_s(
                        comm.pattern, nbytes, JOB_NODES, injection_bandwidth_bytes_per_s=net.injection_bandwidth_bytes_per_s,
                        latency_s=net.latency_s, topology=_TOPOLOGY_FOR_COLLECTIVES.get(net.topology, net.topology),
                        dimensions=net.dimensions)
                    bb += comm.count * nbytes
                net_t.append(tt)
                net_b.append(bb)
            self.tables.append(_WorkloadTable(
                peak=proc.peak_for(prec, wl.matrix), peak_any=proc.peak_for(prec, True), eff_compute=eff.compute, eff_memory=min(eff.memory, 1.0),
                eps=energy_per_flop_j(proc.type, prec), flop_per_unit=wl.flop_per_unit, units=units, fits=fits,
                ws=ws, bytes_per_point=np.array([p.bytes_per_unit for p in wl.traffic]),
                net_time_s=np.array(net_t), net_bytes=np.array(net_b)))

    @cached_property
    def reference(self):
        """The reference machine's node profile (archmodels.predict on each workload)."""
        return node_profile(self.study, self.study.reference.label, self.study.reference.machine)

    @cached_property
    def _cost_tables(self) -> tuple[np.ndarray, np.ndarray]:
        """Capital [JPY] and embodied carbon [g] per node for each (memory, link) at the template's
        stacked-SRAM size: archmodels.cost and archmodels.carbon on the variant machines."""
        from archmodels.carbon import node_embodied_carbon_g
        from archmodels.cost import node_capital_cost_jpy

        s0 = self.template.node.processors[0].memory[0].capacity_bytes
        cap = np.empty((len(self.memory), len(self.links)))
        emb = np.empty_like(cap)
        for i, m in enumerate(self.memory):
            for j, k in enumerate(self.links):
                v = variant_machine(self.template, s0, m, k, self.template.node.power_max_w)
                cap[i, j] = node_capital_cost_jpy(v)
                emb[i, j] = node_embodied_carbon_g(v)
        return cap, emb

    def node_capital_and_embodied(self, sram_bytes, memory_code, link_code):
        """Capital [JPY] and embodied carbon [g] of one node of each design point.

        archmodels.cost and archmodels.carbon price memory per GB, so the stacked SRAM adds
        ``count x (s - s_template) / 1e9 x (price or carbon per GB)``; the rest is tabulated per
        (memory, link) from the variant machines.
        """
        from archmodels.carbon import memory_carbon_per_gb_g
        from archmodels.memtech import memory_technology

        sram = self.template.node.processors[0].memory[0]
        cap, emb = self._cost_tables
        d_gb = self.count * (np.asarray(sram_bytes, dtype=float) - sram.capacity_bytes) / 1e9
        capital = cap[memory_code, link_code] + d_gb * memory_technology(sram.technology).cost_jpy_per_gb
        embodied = emb[memory_code, link_code] + d_gb * memory_carbon_per_gb_g(sram.technology)
        return capital, embodied

    def _codes(self, values, options, what):
        """Indices into ``options`` of a column of option names (categorical or plain)."""
        lookup = {o: i for i, o in enumerate(options)}
        if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
            cats = list(values.cat.categories)
            bad = [c for c in cats if c not in lookup]
            if bad:
                raise InputError(f"unknown {what} {bad}; expected one of {list(options)}")
            return np.array([lookup[c] for c in cats], dtype=np.int64)[values.cat.codes.to_numpy()]
        values = np.asarray(values)
        uniq, inv = np.unique(values, return_inverse=True)
        bad = [u for u in uniq if u not in lookup]
        if bad:
            raise InputError(f"unknown {what} {bad}; expected one of {list(options)}")
        return np.array([lookup[u] for u in uniq], dtype=np.int64)[inv]

    def node_rates(self, sram_bytes, memory_code, power_cap_w):
        """Per-node time per unit [s] (n, n_workloads), busy power [W] before the network, and feasibility."""
        s = np.asarray(sram_bytes, dtype=float)
        g = np.asarray(memory_code)
        cap = np.asarray(power_cap_w, dtype=float)
        c = self.count
        tdp = cap / (1.0 + self.other_fraction) / c
        static = self.static_fraction * tdp
        other_w = cap - c * tdp
        has_sram = s > 0
        out_t = np.empty((s.size, len(self.tables)))
        out_p = np.empty((s.size, len(self.tables)))
        out_node_t = np.empty((s.size, len(self.tables)))
        ok = np.ones(s.size, dtype=bool)
        for i, w in enumerate(self.tables):
            u = w.units[g]
            ok &= w.fits[g]
            flops = w.flop_per_unit * u
            budget = np.maximum(tdp - static, 0.0)
            eps = np.maximum(w.eps, budget / w.peak_any)
            rate = w.eff_compute * np.minimum(w.peak, budget / eps)
            best = flops / rate
            b0 = w.bytes_per_point[0]
            moved_top = b0 * u
            t_sram = np.where(has_sram, moved_top / (w.eff_memory * self.sram_bw), 0.0)
            below = np.where(w.ws[g] <= s[:, None], w.bytes_per_point[None, :], np.inf).min(axis=1)
            b_main = np.where(has_sram, np.minimum(b0, below), b0)
            moved_main = b_main * u
            t_main = moved_main / (w.eff_memory * self.mem_bw[g])
            best = np.maximum(np.maximum(best, t_sram), t_main)
            e_mem = 8.0 * (np.where(has_sram, moved_top * self.sram_e, 0.0) + moved_main * self.mem_e[g])
            # compute units draw eps x rate while busy, stalls included (as archmodels.predict)
            dynamic = np.minimum(tdp - static, (eps * flops / w.eff_compute + e_mem) / best)
            step = best + w.net_time_s[g]
            out_node_t[:, i] = step
            out_t[:, i] = step / (c * u)
            out_p[:, i] = np.minimum(other_w + c * (static + dynamic * best / step), cap)
        return out_t, out_p, out_node_t, ok

    def evaluate(self, designs: pd.DataFrame) -> pd.DataFrame:
        """Tidy rows: the design variables, sizing and every sweep metric, one row per design point."""
        st = self.study
        g = self._codes(designs["memory"], self.memory, "memory")
        lk = self._codes(designs["link"], self.links, "link")
        s = designs["sram_bytes"].to_numpy(float)
        cap = designs["power_cap_w"].to_numpy(float)
        t_unit, p_node, step, ok = self.node_rates(s, g, cap)
        net_power = np.stack([8.0 * w.net_bytes[g] * self.link_e[lk] / step[:, i] for i, w in enumerate(self.tables)], axis=1)
        busy = (p_node + net_power) @ np.asarray(st.workload_weights) + self.link_static[lk]
        capital_node, embodied_node = self.node_capital_and_embodied(s, g, lk)
        nodes = designs["nodes"].to_numpy(float) if "nodes" in designs else np.full(len(s), np.nan)
        budget_p = st.power_budget_w if st.power_budget_w is not None else np.nan
        budget_c = st.capital_budget_jpy if st.capital_budget_jpy is not None else np.nan
        sized = M.fit_nodes(budget_p, cap, st.pue, budget_c, capital_node)
        nodes = np.where(np.isnan(nodes), sized, nodes)
        n = np.maximum(nodes, 1.0)
        ref = self.reference
        speed = M.portfolio_speedup(t_unit, ref.time_per_unit_s, n, ref.machine_nodes, st.workload_weights)
        avg = M.facility_power_w(n, M.average_node_power_w(busy, self.idle_w, st.utilisation), st.pue)
        ref_avg = M.facility_power_w(ref.machine_nodes, M.average_node_power_w(ref.busy_power_w, ref.idle_power_w, st.utilisation), st.pue)
        energy = M.lifetime_energy_j(avg, st.lifetime_years)
        capital = n * capital_node
        power = M.facility_power_w(n, cap, st.pue)
        feasible = ok & (nodes >= 1) & ~(power > budget_p * (1 + 1e-9)) & ~(capital > budget_c * (1 + 1e-9))
        return pd.DataFrame({
            "sram_bytes": s,
            "memory": designs["memory"].values,
            "link": designs["link"].values,
            "power_cap_w": cap,
            "nodes": n,
            "performance": np.where(ok, speed, np.nan),
            "performance_per_watt": np.where(ok, M.performance_per_watt(speed, avg, ref_avg), np.nan),
            "power_w": power,
            "average_power_w": avg,
            "capital_cost_jpy": capital,
            "cost_jpy": M.total_cost_jpy(capital, energy, st.grid.price_jpy_per_kwh),
            "carbon_g": M.total_carbon_g(n * embodied_node, energy, st.grid.carbon_intensity_g_per_kwh),
            "feasible": feasible,
        })


def pareto_front(df: pd.DataFrame, objectives=OBJECTIVES, block: int = 2048) -> np.ndarray:
    """Boolean mask of the non-dominated rows (feasible rows only) under ``objectives``.

    A row is dominated when another is at least as good on every objective and better on one.
    Rows are visited best-first on the first objective, block by block; each block is compared
    with the front so far and with itself, so the cost is O(n x front size).
    """
    sign = np.array([d for _, d in objectives], dtype=float)
    v = df[[c for c, _ in objectives]].to_numpy(float) * sign  # all maximised now
    ok = np.isfinite(v).all(axis=1)
    if "feasible" in df:
        ok &= df["feasible"].to_numpy(bool)
    idx = np.flatnonzero(ok)
    if idx.size > 4 * block:
        # exact pre-filter: drop every point dominated by the front of a random subsample
        rng = np.random.default_rng(0)
        sub = idx[rng.choice(idx.size, 2 * block, replace=False)]
        sub_front = v[sub[pareto_front(df.iloc[sub], objectives, block)]]
        keep = np.ones(idx.size, dtype=bool)
        for a in range(0, idx.size, 32768):
            x = v[idx[a:a + 32768]]
            ge = (sub_front[None, :, :] >= x[:, None, :]).all(-1)
            gt = (sub_front[None, :, :] > x[:, None, :]).any(-1)
            keep[a:a + 32768] = ~(ge & gt).any(1)
        idx = idx[keep]
    idx = idx[np.lexsort(tuple(-v[idx, k] for k in range(v.shape[1] - 1, -1, -1)))]
    front: list[int] = []
    front_v = np.empty((0, v.shape[1]))
    for start in range(0, idx.size, block):
        b = idx[start:start + block]
        bv = v[b]
        if front_v.size:
            ge = (front_v[None, :, :] >= bv[:, None, :]).all(-1)
            dom = (ge & (front_v[None, :, :] > bv[:, None, :]).any(-1)).any(1)
            dom |= (ge & (front_v[None, :, :] <= bv[:, None, :]).all(-1)).any(1)  # a duplicate of a front point
            b, bv = b[~dom], bv[~dom]
        ge = (bv[None, :, :] >= bv[:, None, :]).all(-1)
        gt = (bv[None, :, :] > bv[:, None, :]).any(-1)
        dup = (bv[None, :, :] == bv[:, None, :]).all(-1) & (np.arange(len(b))[None, :] < np.arange(len(b))[:, None])
        keep = ~((ge & gt) | dup).any(1)
        front.extend(b[keep].tolist())
        front_v = np.vstack([front_v, bv[keep]])
    mask = np.zeros(len(df), dtype=bool)
    mask[front] = True
    return mask


@cache
def _evaluator(study_file: str, digest: str) -> DesignEvaluator:
    from fs.study import load_study

    return DesignEvaluator(load_study(study_file))


def sweep_chunk(study_file: str, digest: str, designs: pd.DataFrame, start: int, seed: int) -> pd.DataFrame:
    """Rows of the design points ``designs`` (numbered from ``start``) of a sweep (for the executors)."""
    out = _evaluator(study_file, digest).evaluate(designs.reset_index(drop=True))
    out.insert(0, "point", np.arange(start, start + len(designs), dtype=np.int64))
    out.insert(1, "seed", seed)
    return out


def run_sweep(study, out_dir, *, method: str = "lhs", points: int = 10_000, seed: int | None = None,
              chunk_size: int = 200_000, options: dict | None = None, executor=None, progress=None):
    """Sweep the design space of a study into ``out_dir/sweep.parquet`` (chunked, resumable); mark the
    Pareto front (``pareto`` column) over the feasible points."""
    from pathlib import Path

    from fs.executors import chunk_ranges, run_chunks, write_parquet_atomic
    from fs.runner import file_digest

    study_file = str(Path(study.file).resolve())
    digest = file_digest(study_file)
    seed = study.seed if seed is None else seed
    options = options or {}
    if method == "lhs":
        designs = latin_hypercube(points, seed, options.get("ranges"), options.get("memory"), options.get("links"),
                                  options.get("nodes"))
    elif method == "grid":
        designs = grid(**options["grid"])
        points = len(designs)
    else:
        raise InputError(f"unknown sweep method {method!r}; expected 'lhs' or 'grid'")
    args = [(study_file, digest, designs.iloc[a:b], a, seed) for a, b in chunk_ranges(points, chunk_size)]
    config = {"study": digest, "method": method, "points": points, "seed": seed, "chunk_size": chunk_size,
              "options": options, "schema": "fs-workbench/sweep/1"}
    total = len(args)
    run = run_chunks(out_dir, "sweep", sweep_chunk, args, config, executor,
                     (lambda done: progress(done, total)) if progress else None)
    rows = pd.read_parquet(run.path)
    rows["pareto"] = pareto_front(rows)
    write_parquet_atomic(rows, run.path)
    return rows

