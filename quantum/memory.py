"""Memory guard: refuse a state vector that would not fit before allocating it.

A state of n qubits holds 2**n amplitudes of 16 bytes (complex128, "double") or 8 bytes
(complex64, "single"). The guard compares that with the memory this process may still allocate:
the least of available physical memory, its ``RLIMIT_AS``/``RLIMIT_DATA`` headroom and its memory
cgroup's headroom (:mod:`quantum.memory_limits`), and, when it does not fit, names the limit that
binds and says how many nodes of a catalog machine would hold it (a power of two, as distributed
state-vector emulators split the vector over 2**g nodes by its g highest qubits).
"""

from __future__ import annotations

import math

BYTES_PER_AMPLITUDE = {"double": 16, "single": 8}

USABLE_FRACTION = 0.9
"""Share of available memory a run may take (assumption: headroom for the interpreter, Qiskit and
the sampling buffers)."""


def state_bytes(n_qubits: int, precision: str = "double") -> int:
    """Bytes of one state vector: ``2**n_qubits * bytes_per_amplitude`` [B]."""
    if precision not in BYTES_PER_AMPLITUDE:
        raise ValueError(f"precision must be 'double' or 'single', got {precision!r}")
    return (1 << n_qubits) * BYTES_PER_AMPLITUDE[precision]


def available_memory() -> tuple[int, str]:
    """Memory a new allocation may take now [B], and the name of the limit that sets it."""
    from quantum.memory_limits import memory_limits

    name, free = min(memory_limits().items(), key=lambda kv: kv[1])
    return free, name


def available_bytes() -> int:
    """Memory a new allocation may take now [B] (see :func:`available_memory`)."""
    return available_memory()[0]


def nodes_to_hold(bytes_needed: float, node_memory_bytes: float, usable_fraction: float = USABLE_FRACTION) -> int:
    """Smallest power-of-two node count whose memory holds ``bytes_needed`` [B]."""
    if node_memory_bytes <= 0:
        raise ValueError("node memory must be positive")
    nodes = math.ceil(bytes_needed / (node_memory_bytes * usable_fraction))
    return 1 << max(0, math.ceil(math.log2(max(nodes, 1))))


def check_state_memory(
    n_qubits: int,
    precision: str = "double",
    *,
    copies: int = 1,
    machine: str = "fugaku",
    what: str | None = None,
) -> int:
    """Raise :class:`archmodels.errors.ResourceError` unless ``copies`` states fit in free memory.

    Parameters
    ----------
    n_qubits : int
        Qubits of the state.
    precision : {"double", "single"}
        Amplitude type.
    copies : int
        States alive at once (mid-circuit measurements keep branches).
    machine : str
        Catalog machine (or machine TOML path) named in the refusal.
    what : str, optional
        The file or object being run, for the message.

    Returns
    -------
    int
        Bytes needed [B].
    """
    from archmodels.errors import InputError, ResourceError

    needed = copies * state_bytes(n_qubits, precision)
    free, limit = available_memory()
    if needed <= USABLE_FRACTION * free:
        return needed
    hint = ""
    try:
        from archmodels import load_machine

        m = load_machine(machine)
        node_mem = m.node.memory_bytes
        nodes = nodes_to_hold(needed, node_mem)
        fits = "" if nodes <= m.nodes else f" (more than its {m.nodes:,} nodes)"
        hint = f"; {nodes:,} nodes of {m.name} ({node_mem / 2**30:.0f} GiB each) would hold it{fits}"
    except (ImportError, AttributeError, InputError, OSError) as err:  # refuse even without it
        hint = f"; node count for {machine!r} unavailable ({err})"
    states = f"a {n_qubits}-qubit state" if copies == 1 else f"{copies} live copies of a {n_qubits}-qubit state (measurement branches)"
    raise ResourceError(
        f"{states} in {precision} precision needs {needed:,} bytes "
        f"({needed / 2**30:,.1f} GiB) but only {free:,} bytes ({free / 2**30:.1f} GiB) are free ({limit}){hint}",
        file=what,
    )
