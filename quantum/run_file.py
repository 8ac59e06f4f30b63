"""Run a circuit file on the emulator: what ``fsw quantum run`` does."""

from __future__ import annotations

import time

from quantum.circuit_files import load_circuit
from quantum.memory import check_state_memory, state_bytes


def run_circuit_file(
    path: str,
    *,
    shots: int = 1024,
    seed: int | None = None,
    precision: str = "double",
    threads: int | None = None,
    machine: str = "fugaku",
    device: str = "cpu",
) -> dict:
    """Load an OpenQASM 2/3 file, check memory, sample it, return counts and run figures.

    A circuit without classical bits has all qubits measured. The memory guard reads the qubit
    count of the parsed circuit and runs before any numba kernel is imported or any state
    allocated, so an oversized circuit is refused at once (:class:`archmodels.errors.ResourceError`,
    naming the bytes, the binding limit and the nodes of ``machine``). An allocation that fails
    anyway (a limit the guard cannot see) becomes the same kind of error, not a traceback.
    ``device="gpu"`` runs it on a CUDA device (:mod:`quantum.cuda_engine`): refused in one line when
    there is none, the host guard skipped (the state lives on the device, checked against its
    free memory).

    Returns
    -------
    dict
        ``counts`` (per classical register, bitstring -> count), ``n_qubits``, ``shots``,
        ``seed``, ``precision``, ``device``, ``state_bytes``, ``passes``, ``time_s``, ``file``.
    """
    from archmodels.errors import InputError

    if shots < 1:
        raise InputError(f"shots must be >= 1, got {shots}", location="--shots")
    circuit = load_circuit(path)
    if device == "gpu":
        from quantum.cuda_engine import require_device

        require_device()
    else:
        check_state_memory(circuit.num_qubits, precision, machine=machine, what=str(path))
    try:
        return _run(circuit, str(path), shots, seed, precision, threads, machine, device)
    except MemoryError as err:  # numpy's _ArrayMemoryError included
        from archmodels.errors import ResourceError
        from quantum.memory import available_memory

        free, limit = available_memory()
        raise ResourceError(
            f"out of memory running a {circuit.num_qubits}-qubit circuit in {precision} precision "
            f"({state_bytes(circuit.num_qubits, precision):,} bytes per state; {free:,} bytes free "
            f"now, bound by {limit})",
            file=str(path),
        ) from err


def _run(circuit, path: str, shots, seed, precision, threads, machine, device) -> dict:
    from archmodels.errors import InputError
    from quantum.circuits import prepare_circuit
    from quantum.primitives import EmulatorSampler

    circuit = prepare_circuit(circuit, where=path)
    if circuit.num_clbits == 0:
        circuit = circuit.copy()
        circuit.measure_all()
    if circuit.num_parameters:
        names = ", ".join(p.name for p in circuit.parameters)
        raise InputError(f"circuit has unbound parameters ({names}); give them values in the file", file=path)
    t0 = time.perf_counter()
    result = EmulatorSampler(
        default_shots=shots, seed=seed, precision=precision, threads=threads, machine=machine, device=device
    ).run([circuit]).result()
    elapsed = time.perf_counter() - t0
    pub = result[0]
    counts = {name: dict(sorted(getattr(pub.data, name).get_counts().items())) for name in pub.data}
    return {
        "file": path,
        "n_qubits": circuit.num_qubits,
        "shots": shots,
        "seed": result.metadata["seed"],
        "precision": precision,
        "device": device,
        "state_bytes": state_bytes(circuit.num_qubits, precision),
        "passes": pub.metadata["passes"],
        "time_s": elapsed,
        "counts": counts,
    }
