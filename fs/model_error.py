"""The model's own error, from its out-of-sample validation, as a study uncertainty.

``fsw validate --suite out-of-sample`` predicts the published HPL, HPCG and HPL-power figures of
systems no constant was fitted on (:func:`archmodels.validation_suite.out_of_sample`). Its rows
give the model's error on a machine it has not seen, by workload class and by the machine's
dominant processor type (:func:`dominant_type`, the processor with the largest peak):

* ``compute``: HPL rows (Rmax), the error of a compute- or power-bound rate;
* ``memory``: HPCG rows, the error of a memory-bound rate (and of a network-bound one: HPCG is the
  suite's only benchmark bound by bandwidth and communication rather than by FLOP/s);
* ``power``: HPL-power rows, the error of a node's power while it runs.

For class ``c`` and type ``t`` the spread is ``s = sd(ln(model / published))``, the sample standard
deviation (``statistics.stdev``) over the suite's rows of that class and type; a type with fewer than
:data:`MIN_ROWS` rows takes the rows of every type of its class (``pooled``). The uncertainty is a
lognormal multiplier of median 1 and that ``sd`` (:func:`fs.uncertainty.draw`), one per machine of
the study and class, target ``model:<machine>:<class>``: each machine draws its own error, as each
validated system has its own, and a machine that is both the reference and a candidate shares it.
The mean of ``ln(model / published)`` (the model's bias, e.g. its HPCG rates below the published
ones) is reported beside ``s`` but not applied: it is a fault of the model to fix, not a spread.

In a case a machine's multiplier ``f`` of class ``c`` divides the node-seconds per unit of work of
each workload whose job is bound in that class (``compute``/``power`` bound: ``compute``;
``memory:<level>`` or ``network`` bound: ``memory``) and its capability time; ``f`` of ``power``
multiplies the node's busy power (capped at its maximum). A study's own ``model:`` uncertainty,
its selector a machine name, candidate label or processor type (or ``*``), replaces the default of
the machines it picks. The suite is computed once per process (about half a second).
"""

from __future__ import annotations

import math
import statistics
from functools import cache
from types import MappingProxyType

#: The validation metric of each workload class.
CLASS_METRIC = MappingProxyType({"compute": "hpl", "memory": "hpcg", "power": "hpl_power"})

#: ``Uncertainty.source`` of these defaults.
SOURCE = "model error (fsw validate --suite out-of-sample)"

#: Fewest rows of a class and type for a type's own spread; fewer: the class's rows of every type.
MIN_ROWS = 3


def dominant_type(machine) -> str:
    """The type (``cpu``, ``gpu``, ``accelerator``) of the processor with the largest peak per node:
    ``count x max(vector and matrix peaks over precisions)`` [FLOP/s]."""
    def peak(p):
        return p.count * max((*p.peak_flop_per_s.values(), *p.peak_matrix_flop_per_s.values()), default=0.0)

    return max(machine.node.processors, key=peak).type


def bound_class(bound: str) -> str:
    """The workload class of a prediction's bound: ``compute`` for ``compute`` and ``power``,
    ``memory`` for ``memory:<level>`` and ``network``."""
    return "compute" if bound in ("compute", "power") else "memory"


def validation_log_errors() -> list[dict]:
    """The out-of-sample suite's rows of the three classes: ``system``, ``metric``, ``class``,
    ``type`` (:func:`dominant_type` of the suite machine) and ``log_error = ln(model / published)``."""
    from archmodels.loaders import load_machine
    from archmodels.validation_suite import out_of_sample, suite_machines

    machines = suite_machines()
    by_metric = {m: c for c, m in CLASS_METRIC.items()}
    types = {}
    out = []
    for row in out_of_sample(metrics=list(CLASS_METRIC.values())):
        if row.system not in types:
            types[row.system] = dominant_type(load_machine(str(machines[row.system])))
        out.append({"system": row.system, "metric": row.metric, "class": by_metric[row.metric],
                    "type": types[row.system], "log_error": math.log(row.model / row.published)})
    return out


@cache
def model_error_table() -> MappingProxyType:
    """``(class, type) -> {"sd", "mean_log_error", "n", "pooled"}`` for every class and every type
    the suite holds (module docstring), plus ``(class, "*")``: the class over every type."""
    rows = validation_log_errors()
    out = {}
    for cls in CLASS_METRIC:
        pooled = [r["log_error"] for r in rows if r["class"] == cls]
        out[(cls, "*")] = MappingProxyType({"sd": statistics.stdev(pooled), "mean_log_error": statistics.fmean(pooled),
                                            "n": len(pooled), "pooled": True})
        for t in sorted({r["type"] for r in rows}):
            own = [r["log_error"] for r in rows if r["class"] == cls and r["type"] == t]
            if len(own) < MIN_ROWS:
                out[(cls, t)] = out[(cls, "*")]
                continue
            out[(cls, t)] = MappingProxyType({"sd": statistics.stdev(own), "mean_log_error": statistics.fmean(own),
                                              "n": len(own), "pooled": False})
    return MappingProxyType(out)


def spread(cls: str, ptype: str) -> MappingProxyType:
    """The row of :func:`model_error_table` for a class and processor type (the pooled one for a
    type the suite does not hold)."""
    table = model_error_table()
    return table.get((cls, ptype), table[(cls, "*")])


def selector_names(label: str, machine) -> tuple[str, ...]:
    """What a ``model:`` selector is matched against: the label, the machine's name and its
    dominant processor type."""
    return (label, machine.name, dominant_type(machine))


def model_uncertainties(systems, explicit) -> list[tuple[str, dict]]:
    """The model's error as (target, lognormal distribution) pairs: per machine of ``systems``
    (:class:`fs.study.Candidate`; the reference and the candidates, a machine once) and class, unless
    one of the study's own ``model:`` uncertainties (``explicit``) of that class picks the machine."""
    from archmodels.transforms import selector_matches

    out: dict[str, dict] = {}
    labels: dict[str, list[str]] = {}
    machines = {}
    for c in systems:
        machines.setdefault(c.machine.name, c.machine)
        labels.setdefault(c.machine.name, []).append(c.label)
    for name, machine in machines.items():
        names = {n for label in labels[name] for n in selector_names(label, machine)}
        ptype = dominant_type(machine)
        for cls in CLASS_METRIC:
            if any(u.kind == "model" and u.parameter == cls and selector_matches(u.selector, *names) for u in explicit):
                continue
            out[f"model:{name}:{cls}"] = {"kind": "lognormal", "mean": 1.0, "sd": float(spread(cls, ptype)["sd"])}
    return list(out.items())


def rate_and_power_factors(multipliers, names, bounds) -> tuple[tuple[float, ...], float]:
    """A system's ``model:`` factors in one case: per workload the rate factor of its bound's class
    (:func:`bound_class`), and the power factor [-]; the product of every ``model:`` multiplier whose
    selector picks one of ``names`` (:func:`selector_names`)."""
    from archmodels.transforms import selector_matches

    by_class = dict.fromkeys(CLASS_METRIC, 1.0)
    for target, f in multipliers.items():
        if target.startswith("model:"):
            _, selector, parameter = target.split(":")
            if selector_matches(selector, *names):
                by_class[parameter] *= f
    return tuple(by_class[bound_class(b)] for b in bounds), by_class["power"]
