"""Optional dependencies: which extra of fs-workbench installs each, and the one line the CLI prints
when a command needs one that is missing.

The core install (``pip install -e .``) runs roofline, predict, compare, validate, scale, cost, io,
the study commands, ``ops`` and the quantum cost and hybrid models. Sampling circuits (``fsw quantum
run``, ``vqe``) needs Qiskit and annealing (``fsw anneal``) needs dimod: the ``quantum`` extra.
A Dask cluster (``--scheduler``, ``ops sweep --workers``) needs the ``dask`` extra; ``fsw study
optimise`` needs pymoo and SALib, the ``optimise`` extra.
"""

from __future__ import annotations

#: Top-level module -> the extra of fs-workbench that installs it (pyproject.toml's
#: [project.optional-dependencies]; tests/fs/test_core_install.py checks the two agree).
EXTRA_OF_MODULE = {
    "qiskit": "quantum",
    "dimod": "quantum",
    "dask": "dask",
    "distributed": "dask",
    "pymoo": "optimise",
    "SALib": "optimise",
}


def missing_extra_message(err: ModuleNotFoundError, command: str) -> str | None:
    """The line to print when ``command`` failed because an extra is not installed, else None.

    Parameters
    ----------
    err : ModuleNotFoundError
        The error the command raised; only a missing top-level module of :data:`EXTRA_OF_MODULE`
        counts (a module missing inside an installed package is a real bug and is not hidden).
    command : str
        The command as typed, e.g. ``"fsw quantum run"``.
    """
    root = (err.name or "").split(".")[0]
    extra = EXTRA_OF_MODULE.get(root)
    if extra is None:
        return None
    return (f"error: {command} needs {root}, which the core install leaves out: "
            f"install fs-workbench[{extra}] (pip install -e \".[{extra}]\")")
