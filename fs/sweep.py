"""Design-space sweeps: variants of a template node, evaluated vectorised, and their Pareto front.

A design point is a variant of a template node (``cand-cpu-3dsram-cpo``: one processor type whose
memory ends with [stacked SRAM, main memory]; other levels above them are kept) with five knobs:

* ``sram_bytes`` — stacked-SRAM capacity per processor (0: no stacked SRAM);
* ``memory`` — main-memory generation (hbm3, hbm3e, hbm4, lpddr5x: bandwidth and capacity);
* ``link`` — network link technology (energy per bit and static power of the whole network);
* ``power_cap_w`` — node power cap, which caps the processors' TDP and so their FLOP rate through
  the power-capped energy roofline (Choi et al., IPDPS 2013);
* ``nodes`` — node count, or NaN to size the system to the study's power and capital budgets.

The machine of a design point is :func:`variant_machine`, built with :mod:`archmodels.transforms`.
:class:`DesignEvaluator` translates the design columns into the arguments of
:func:`archmodels.physics.processor_step` as arrays (:meth:`DesignEvaluator.step_arguments`) — the
same arguments :func:`archmodels.prediction.processor_step_arguments` builds for the variant
machine — so millions of points run through the one physics function; the study's axes come from
the one scoring function, :func:`fs.scoring.score_systems`. ``tests/fs/test_sweep.py`` checks both
translations against ``predict`` and the scorecard.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

import numpy as np
import pandas as pd

from archmodels.errors import InputError
from archmodels.quantities import GIB
from fs.evaluate import JOB_NODES, node_profile
from fs.study import Study

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


def memory_units(name: str) -> float:
    """Units (stacks, packages) of main memory of generation ``name`` one processor carries."""
    return design_table()["memory"][name]["units"]


@dataclass(frozen=True)
class TemplateLevels:
    """Where the knobs act in a template's memory list: the stacked-SRAM level (or None) and the main memory."""

    sram: int | None
    main: int


def template_levels(machine) -> TemplateLevels:
    """Check that ``machine`` can be a sweep template and find its stacked-SRAM and main-memory levels.

    A template has one processor type, a node ``power_max`` and a network. The main memory is the
    outermost level; the stacked SRAM is the level just above it when its technology is SRAM.
    """
    procs = machine.node.processors
    if len(procs) != 1 or machine.node.power_max_w is None or machine.network is None:
        raise InputError(f"machine {machine.name!r} cannot be a sweep template: it needs one processor type, "
                         "a node power_max and a network")
    mem = procs[0].memory
    main = len(mem) - 1
    sram = main - 1 if main >= 1 and (mem[main - 1].technology or "").startswith("sram") else None
    return TemplateLevels(sram, main)


def variant_machine(template, sram_bytes: float, memory: str, link: str, power_cap_w: float):
    """The template with one design point's knobs applied (a real archmodels Machine), built with
    :mod:`archmodels.transforms`: main memory swapped to ``memory_units(memory)`` units of ``memory``,
    the stacked SRAM resized (removed at 0), the node capped, the links swapped."""
    from archmodels import transforms as T

    where = template_levels(template)
    mem = template.node.processors[0].memory
    m = T.swap_memory(template, mem[where.main].name, memory, memory_units(memory))
    if where.sram is None:
        if sram_bytes > 0:
            raise InputError(f"template {template.name!r} has no stacked-SRAM level to size", location="sram_bytes")
    elif sram_bytes > 0:
        m = T.set_level_capacity(m, mem[where.sram].name, float(sram_bytes))
    else:
        m = T.remove_level(m, mem[where.sram].name)
    m = T.cap_power(m, float(power_cap_w), keep_tdp=False)
    m = T.swap_link_technology(m, link)
    return T.renamed(m, f"{template.name}-variant")


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
    """What a workload needs of the template, per main-memory option ``g``."""

    precision: str
    peak: float
    peak_any: float   # matrix units included: sets the energy per FLOP a TDP implies
    eff_compute: float
    eff_memory: np.ndarray  # (levels,) achievable fraction of each level's bandwidth
    eps_floor: float  # technology floor of the energy per FLOP [J]
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

    Parameters
    ----------
    study : Study
    template : str, optional
        Template machine (default: the design table's).
    technology : archmodels.technology.Technology, optional
        Efficiencies and energies (default: the shipped tables), as ``predict`` takes them.
    """

    def __init__(self, study: Study, template: str | None = None, technology=None):
        import archmodels
        from archmodels.links import link_technology
        from archmodels.physics import network_step
        from archmodels.prediction import communications, network_step_arguments
        from archmodels.technology import default_technology
        from archmodels.transforms import link_swap_figures, memory_level_figures

        self.study = study
        self.technology = tech = technology or default_technology()
        self.template = archmodels.load_machine(template or design_table()["template"])
        self.where = template_levels(self.template)
        proc = self.template.node.processors[0]
        self.proc = proc
        self.memory = memory_options()
        self.links = link_options()
        self.count = proc.count
        levels = proc.memory
        self.level_capacity = np.array([lv.capacity_bytes for lv in levels])
        self.level_bandwidth = np.array([lv.bandwidth_bytes_per_s for lv in levels])
        self.level_energy = np.array([lv.energy_per_bit_j or tech.memory_energy_per_bit_j(lv.technology)
                                      for lv in levels])
        self.level_measured = np.array([lv.measured for lv in levels])
        self.level_measured[self.where.main] = False  # the main memory is swapped for a datasheet part
        opts = np.array([memory_level_figures(m, memory_units(m)) for m in self.memory], dtype=float)
        self.mem_cap, self.mem_bw, self.mem_e = opts.T
        net = self.template.network
        for k in self.links:
            link_technology(k)
        links = np.array([link_swap_figures(k, net.topology, self.template.nodes, net.injection_bandwidth_bytes_per_s,
                                            net.dimensions) for k in self.links])
        self.link_e, self.link_static = links.T
        self.idle_w = self.template.node.power_idle_w  # None: other + static, per design
        self.tables = []
        self._checkpoints = None
        for name in study.workloads:
            wl = archmodels.load_workload(name)
            prec = proc.precision_for(wl.precision, wl.matrix)
            if prec is None:
                raise InputError(f"the sweep template {self.template.name!r} cannot run {name!r} in {wl.precision}")
            eff = tech.efficiency(proc.type, wl.workload_class)
            stream = tech.efficiency(proc.type, "stream").memory
            units = np.array([wl.units_for(c) for c in self.mem_cap])
            fits = np.array([u > 0 and wl.footprint_for(u) <= c for u, c in zip(units, self.mem_cap)])
            ws = np.array([[p.working_set(u) for p in wl.traffic] for u in units])
            net_t, net_b = network_step(communications(wl), units * proc.count, JOB_NODES,
                                        **network_step_arguments(self.template, wl))
            self.tables.append(_WorkloadTable(
                precision=prec, peak=proc.peak_for(prec, wl.matrix), peak_any=proc.peak_for(prec, True),
                eff_compute=eff.compute,
                eff_memory=np.where(self.level_measured, eff.memory / stream, eff.memory),
                eps_floor=tech.processor_energy_per_flop_floor_j(proc, prec), flop_per_unit=wl.flop_per_unit,
                units=units, fits=fits, ws=ws, bytes_per_point=np.array([p.bytes_per_unit for p in wl.traffic]),
                net_time_s=net_t, net_bytes=net_b))

    @cached_property
    def reference(self):
        """The reference machine's node profile (archmodels.predict on each workload)."""
        return node_profile(self.study, self.study.reference.label, self.study.reference.machine)

    @cached_property
    def _cost_tables(self) -> dict:
        """Capital [JPY] and embodied carbon [g] per node for each (memory, link): archmodels.cost and
        archmodels.carbon on the variant machines without stacked SRAM, at the template's SRAM size
        and 1 GiB above it (the models are affine in a level's capacity: the two sizes give the slope)."""
        from archmodels.carbon import node_embodied_carbon_g
        from archmodels.cost import node_capital_cost_jpy

        sizes = [0.0] if self.where.sram is None else [0.0, self.sram_template_bytes, self.sram_template_bytes + GIB]
        cap = np.empty((len(sizes), len(self.memory), len(self.links)))
        emb = np.empty_like(cap)
        for i, m in enumerate(self.memory):
            for j, k in enumerate(self.links):
                for n, size in enumerate(sizes):
                    v = variant_machine(self.template, size, m, k, self.template.node.power_max_w)
                    cap[n, i, j] = node_capital_cost_jpy(v)
                    emb[n, i, j] = node_embodied_carbon_g(v)
        return {"capital": cap, "embodied": emb}

    @property
    def sram_template_bytes(self) -> float:
        return 0.0 if self.where.sram is None else float(self.level_capacity[self.where.sram])

    def node_capital_and_embodied(self, sram_bytes, memory_code, link_code):
        """Capital [JPY] and embodied carbon [g] of one node of each design point: the tabulated
        variant machines (:attr:`_cost_tables`), the stacked SRAM priced along the cost model's slope."""
        t = self._cost_tables
        out = []
        for table in (t["capital"], t["embodied"]):
            none = table[0][memory_code, link_code]
            if self.where.sram is None:
                out.append(none)
                continue
            at, above = table[1][memory_code, link_code], table[2][memory_code, link_code]
            s = np.asarray(sram_bytes, dtype=float)
            out.append(np.where(s > 0, at + (above - at) * (s - self.sram_template_bytes) / GIB, none))
        return out[0], out[1]

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

    def node_power_terms(self, power_cap_w) -> dict:
        """Per-design node power terms of the variant machines [W]: the processors share the cap
        (:func:`archmodels.physics.processors_power_budget_w`), as :func:`archmodels.power.node_power`."""
        from archmodels.physics import node_power_split_w, processor_cap_w, processors_power_budget_w

        cap = np.asarray(power_cap_w, dtype=float)
        c = self.count
        tdp = processors_power_budget_w(cap, self.technology.node_other_fraction) / c
        static = self.technology.static_fraction * tdp
        # a published idle power above the cap is dropped (archmodels.transforms.cap_power)
        idle_given = np.nan if self.idle_w is None else np.where(self.idle_w <= cap, self.idle_w, np.nan)
        other, max_w, idle = node_power_split_w(cap, c * tdp, c * static, idle_given)
        return {"tdp_w": tdp, "static_w": static, "other_w": other, "idle_w": idle,
                "max_w": max_w, "cap_w": processor_cap_w(tdp, cap, other, 0.0, c)}

    def levels_present(self, sram_bytes):
        """Which memory levels each design point has, level axis last (a stacked SRAM of 0 B is absent)."""
        s = np.asarray(sram_bytes, dtype=float)
        present = np.ones((s.size, self.level_capacity.size), dtype=bool)
        if self.where.sram is not None:
            present[:, self.where.sram] = s > 0
        return present

    def step_arguments(self, i: int, sram_bytes, memory: int, power: dict):
        """Arguments of :func:`archmodels.physics.processor_step` for workload ``i`` at design points
        that share the main-memory option ``memory`` (a code into :attr:`memory`) and have the given
        stacked-SRAM sizes and node power terms (:meth:`node_power_terms`). The level axis is last; an
        absent stacked SRAM carries 0 bytes (:meth:`levels_present`)."""
        from archmodels.physics import reuse_bytes_per_unit

        w = self.tables[i]
        s = np.asarray(sram_bytes, dtype=float)
        n, main, sram = s.size, self.where.main, self.where.sram
        held = self.level_capacity  # the main memory's own capacity is below every boundary
        u = w.units[memory]
        # capacity above each level's boundary: the largest level held above it (innermost first);
        # only the main memory's (below the stacked SRAM, the last level) varies from point to point
        above = np.concatenate([[0.0], np.maximum.accumulate(held)[:-1]])
        q = np.broadcast_to(reuse_bytes_per_unit(above, w.ws[memory], w.bytes_per_point) * u, (n, held.size)).copy()
        if sram is not None:
            q[:, main] = reuse_bytes_per_unit(np.maximum(above[sram], s), w.ws[memory], w.bytes_per_point) * u
            q[:, sram] = np.where(s > 0, q[:, sram], 0.0)
        bw = self.level_bandwidth.copy()
        bw[main] = self.mem_bw[memory]
        e_bit = self.level_energy.copy()
        e_bit[main] = self.mem_e[memory]
        return {
            "flops": w.flop_per_unit * u,
            "level_bytes": q,
            "peak_flop_per_s": w.peak,
            "peak_any_flop_per_s": w.peak_any,
            "compute_efficiency": w.eff_compute,
            "memory_efficiency": w.eff_memory,
            "bandwidth_bytes_per_s": bw,
            "energy_per_bit_j": e_bit,
            "tdp_w": power["tdp_w"],
            "static_w": power["static_w"],
            "power_cap_w": power["cap_w"],
            "energy_per_flop_floor_j": w.eps_floor,
        }

    #: Design points evaluated together (a block's temporaries stay in cache).
    BLOCK = 16_384

    def node_rates(self, sram_bytes, memory_code, power_cap_w, link_code=None):
        """Per design point and workload: node-seconds per unit of work [s] and running node power
        [W] (network included when ``link_code`` is given); and whether every workload fits.

        Points are grouped by main-memory option (the option fixes the levels' bandwidths, energies
        and the work per processor) and evaluated in blocks of :attr:`BLOCK`."""
        from archmodels.physics import processor_step, running_node_power_w

        s = np.asarray(sram_bytes, dtype=float)
        g = np.asarray(memory_code)
        cap = np.broadcast_to(np.asarray(power_cap_w, dtype=float), s.shape)
        out_t = np.empty((s.size, len(self.tables)))
        out_p = np.empty_like(out_t)
        ok = np.ones(s.size, dtype=bool)
        for i, w in enumerate(self.tables):
            ok &= w.fits[g]
        for m in np.unique(g):
            members = np.flatnonzero(g == m)
            for a in range(0, members.size, self.BLOCK):
                idx = members[a:a + self.BLOCK]
                power = self.node_power_terms(cap[idx])
                for i, w in enumerate(self.tables):
                    step = processor_step(**self.step_arguments(i, s[idx], m, power))
                    step_t = step.time_s + w.net_time_s[m]
                    net = {} if link_code is None else {
                        "network_bytes": w.net_bytes[m], "network_energy_per_bit_j": self.link_e[link_code[idx]],
                        "link_static_w": self.link_static[link_code[idx]]}
                    out_p[idx, i] = running_node_power_w(
                        other_w=power["other_w"], idle_others_w=0.0, count=self.count, static_w=power["static_w"],
                        dynamic_w=step.dynamic_w, node_time_s=step.time_s, step_time_s=step_t, **net)
                    out_t[idx, i] = step_t / (self.count * w.units[m])
        return out_t, out_p, ok

    def checkpoints(self):
        """The job-scale checkpoint of the template with each memory option's node memory
        (:func:`fs.evaluate.job_checkpoint`, as the scorecard takes it), one record per option."""
        if self._checkpoints is None:
            from fs.evaluate import JOB_NODES, job_checkpoint
            from fs.scoring import CheckpointInputs

            job_nodes = JOB_NODES if self.template.network is not None else 1
            self._checkpoints = CheckpointInputs.stack(
                [job_checkpoint(self.template, job_nodes, node_memory_bytes=self.count * cap) for cap in self.mem_cap])
        return self._checkpoints

    def evaluate(self, designs: pd.DataFrame) -> pd.DataFrame:
        """Tidy rows: the design variables, sizing and every study axis, one row per design point
        (:func:`fs.scoring.score_systems`, the scorecard's own scoring)."""
        from fs.evaluate import storage_share_per_node
        from fs.scoring import SystemInputs, score_systems

        st = self.study
        g = self._codes(designs["memory"], self.memory, "memory")
        lk = self._codes(designs["link"], self.links, "link")
        s = designs["sram_bytes"].to_numpy(float)
        cap = designs["power_cap_w"].to_numpy(float)
        t_unit, p_node, ok = self.node_rates(s, g, cap, lk)
        power = self.node_power_terms(cap)
        capital_node, embodied_node = self.node_capital_and_embodied(s, g, lk)
        memory_bytes = self.count * self.mem_cap[g]  # a node's outermost memory, as Node.memory_bytes
        nodes = designs["nodes"].to_numpy(float) if "nodes" in designs else np.full(len(s), np.nan)
        store_w, store_jpy = storage_share_per_node(self.template)  # as the scorecard's node_profile
        inputs = SystemInputs(
            time_per_unit_s=t_unit, busy_power_w=np.minimum(p_node @ np.asarray(st.workload_weights), power["max_w"]),
            idle_power_w=power["idle_w"], max_power_w=power["max_w"], memory_bytes=memory_bytes,
            capital_per_node_jpy=capital_node, embodied_per_node_g=embodied_node, nodes=nodes, runs=ok,
            storage_power_w=store_w, storage_capital_jpy=store_jpy,
            checkpoint=self.checkpoints().take(g))
        axes = score_systems(st, self.reference, inputs)
        out = pd.DataFrame({
            "sram_bytes": s,
            "memory": designs["memory"].values,
            "link": designs["link"].values,
            "power_cap_w": cap,
        })
        for col in ("nodes", "performance", "performance_per_watt", "power_w", "average_power_w", "capital_cost_jpy",
                    "total_cost_jpy", "carbon_g", "checkpoint_s", "checkpoint_waste", "operability", "feasible"):
            out[col] = axes[col]
        out["cost_jpy"] = out.pop("total_cost_jpy")
        return out


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
    from fs.provenance import inputs_fingerprint
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
              "options": options, "inputs": inputs_fingerprint(study), "schema": "fs-workbench/sweep/1"}
    total = len(args)
    run = run_chunks(out_dir, "sweep", sweep_chunk, args, config, executor,
                     (lambda done: progress(done, total)) if progress else None)
    rows = pd.read_parquet(run.path)
    rows["pareto"] = pareto_front(rows)
    write_parquet_atomic(rows, run.path)
    return rows

