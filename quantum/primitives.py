"""Qiskit interfaces of the emulator: ``EmulatorSampler`` (BaseSamplerV2), ``EmulatorEstimator``
(BaseEstimatorV2) and ``EmulatorBackend`` (BackendV2 with a Target).

Options common to all three:

``precision``
    ``"double"`` (complex128 amplitudes, the default) or ``"single"`` (complex64: half the memory,
    about 1e-6 relative error). Not to be confused with the estimator's target precision of a
    PUB, which keeps Qiskit's meaning (standard deviation of added shot noise; 0 = exact).
``seed``
    An int, a ``numpy.random.Generator`` or ``None``, used as Qiskit's reference primitives use
    theirs: an int restarts ``numpy.random.default_rng(seed)`` for every bound circuit of the
    sampler (``StatevectorSampler`` seeds each circuit's ``Statevector``) and for every PUB of
    the estimator (``StatevectorEstimator``), so the same circuit or PUB twice gives the same
    result; a Generator is one stream that every circuit, PUB and run continues; ``None`` draws
    a fresh seed for the run, one stream across it. The int (or the drawn seed) is recorded in
    the result's metadata; ``None`` is recorded for a Generator, whose state the caller holds.
``threads``
    Numba threads for the kernels (default: all of numba's threads).
``machine``
    Catalog machine named when the memory guard refuses a circuit (default ``"fugaku"``).
``device``
    ``"cpu"`` (the numba CPU kernels, the default) or ``"gpu"``: the same plans, walks and sampling
    on a CUDA device through numba.cuda (:mod:`quantum.cuda_engine`), the state kept on the device
    for the whole circuit and checked against the device's free memory first. Without a device
    (and without numba's simulator, ``NUMBA_ENABLE_CUDASIM=1``) the run is refused with a one-line
    :class:`archmodels.errors.InputError`.
"""

from __future__ import annotations

import threading
import time
import warnings
import uuid
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, replace
from numbers import Integral

import numpy as np
from qiskit.primitives import BaseEstimatorV2, BaseSamplerV2
from qiskit.primitives.containers import BitArray, DataBin, PrimitiveResult, PubResult, SamplerPubResult
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub
from qiskit.primitives.primitive_job import PrimitiveJob
from qiskit.providers import BackendV2, JobStatus, JobV1, Options
from qiskit.transpiler import Target

from quantum.circuits import (
    CPU_OPS,
    compile_circuit,
    prepare_circuit,
    run_branches,
    run_shots,
    supported_instruction_names,
)
from quantum.dynamic import compile_dynamic, is_dynamic, run_dynamic_shots
from quantum.engine import DEFAULT_CHUNK_QUBITS, DEFAULT_FUSED_QUBITS, DTYPES, zero_state
from quantum.memory import check_state_memory


@dataclass(frozen=True)
class EmulatorOptions:
    """Run options (see the module docstring)."""

    precision: str = "double"
    seed: int | np.random.Generator | None = None
    threads: int | None = None
    fused_qubits: int = DEFAULT_FUSED_QUBITS
    chunk_qubits: int = DEFAULT_CHUNK_QUBITS
    machine: str = "fugaku"
    device: str = "cpu"

    def __post_init__(self):
        from archmodels.errors import InputError

        if self.device not in DEVICES:
            raise InputError(f"device must be 'cpu' or 'gpu', got {self.device!r}", location="device")
        if self.precision not in DTYPES:
            raise InputError(f"precision must be 'double' or 'single', got {self.precision!r}", location="precision")
        seed = self.seed
        if not (seed is None or isinstance(seed, np.random.Generator) or (isinstance(seed, Integral) and seed >= 0)):
            raise InputError(
                f"seed must be a non-negative int, a numpy.random.Generator or None, got {seed!r}", location="seed"
            )
        if self.threads is not None:
            import numba

            if not 1 <= self.threads <= numba.config.NUMBA_NUM_THREADS:
                raise InputError(
                    f"threads must be 1..{numba.config.NUMBA_NUM_THREADS}, got {self.threads}", location="threads"
                )


DEVICES = ("cpu", "gpu")

_KERNEL_LOCK = threading.Lock()


class _RandomStreams:
    """The generators of one run, handed out as the reference primitives do (module docstring).

    ``recorded`` is the int seed the run can be repeated with (None for a caller's Generator).
    """

    def __init__(self, seed: int | np.random.Generator | None):
        if isinstance(seed, np.random.Generator):
            self.recorded, self._stream = None, seed
        elif seed is None:
            self.recorded = int(np.random.SeedSequence().entropy % (2**63))
            self._stream = np.random.default_rng(self.recorded)
        else:
            self.recorded, self._stream = int(seed), None

    def next(self) -> np.random.Generator:
        """The generator of the next circuit (sampler) or PUB (estimator)."""
        return self._stream if self._stream is not None else np.random.default_rng(self.recorded)


def _done_job(run_pub, options: EmulatorOptions, pubs) -> PrimitiveJob:
    """Run ``run_pub(pub, streams)`` for every PUB now, in the calling thread, with the
    :class:`_RandomStreams` of ``options.seed`` and its thread count, and wrap the result in a
    finished job.

    Qiskit's PrimitiveJob would run it in a worker thread; numba's parallel kernels must not be
    launched from several threads at once, so runs happen in the caller's thread, one at a time.
    """
    with _KERNEL_LOCK:
        streams = _RandomStreams(options.seed)
        with _threads(options.threads):
            results = [run_pub(pub, streams) for pub in pubs]
        result = PrimitiveResult(results, metadata={"version": 2, "seed": streams.recorded, **_meta(options)})
    job = PrimitiveJob(lambda: result)
    job._submit()
    return job


@contextmanager
def _threads(n: int | None):
    import numba

    if n is None:
        yield
        return
    before = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        yield
    finally:
        numba.set_num_threads(before)


def _fresh_state(program, opts: EmulatorOptions, shots: int | None = None):
    """|0...0> after the memory guard has checked every state the run keeps alive at once
    (measurement branches wait as copies, see :meth:`quantum.circuits.Program.live_states`); on
    the GPU against the device's free memory, with sampling's cumulative sum when shots are drawn."""
    copies = program.live_states(shots)
    if opts.device == "gpu":
        from quantum import cuda_engine

        sampling = shots is not None and bool(program.terminal)
        cuda_engine.check_device_memory(program.n_qubits, opts.precision, copies=copies, sampling=sampling)
        return cuda_engine.zero_state(program.n_qubits, opts.precision)
    check_state_memory(program.n_qubits, opts.precision, copies=copies, machine=opts.machine)
    return zero_state(program.n_qubits, opts.precision)


def _ops(opts: EmulatorOptions):
    """The state operations of the run's device (the GPU's check that a device is present)."""
    if opts.device == "gpu":
        from quantum.cuda_engine import cuda_ops

        return cuda_ops()
    return CPU_OPS


def _program(circuit, opts: EmulatorOptions):
    # on the GPU every fused gate is its own pass over device memory (no CPU cache blocks)
    chunk_qubits = 0 if opts.device == "gpu" else opts.chunk_qubits
    return compile_circuit(circuit, fused_qubits=opts.fused_qubits, chunk_qubits=chunk_qubits)


class EmulatorSampler(BaseSamplerV2):
    """Sampler V2 on the numba state-vector emulator.

    Every PUB's circuit is run once per parameter set; classical registers come back as
    :class:`~qiskit.primitives.BitArray` named after the registers, as in Qiskit's samplers. A
    circuit without classical registers gives an empty result and the ``UserWarning``
    ``StatevectorSampler`` gives.
    """

    def __init__(self, *, default_shots: int = 1024, options: EmulatorOptions | dict | None = None, **kwargs):
        self._default_shots = default_shots
        self.options = _coerce_options(options, kwargs)

    @property
    def default_shots(self) -> int:
        """Shots when neither the PUB nor ``run`` gives them."""
        return self._default_shots

    @property
    def seed(self) -> int | np.random.Generator | None:
        """The seed given at construction (None: fresh entropy per run), as StatevectorSampler.seed."""
        return self.options.seed

    def run(self, pubs: Iterable, *, shots: int | None = None) -> PrimitiveJob:
        coerced = [SamplerPub.coerce(pub, shots if shots is not None else self._default_shots) for pub in pubs]
        if any(len(pub.circuit.cregs) == 0 for pub in coerced):
            warnings.warn(  # StatevectorSampler.run's words
                "One of your circuits has no output classical registers and so the result "
                "will be empty. Did you mean to add measurement instructions?",
                UserWarning,
                stacklevel=2,
            )
        return self._job(coerced)

    def _job(self, pubs: list[SamplerPub]) -> PrimitiveJob:
        return _done_job(self._run_pub, self.options, pubs)

    def _run_pub(self, pub: SamplerPub, streams: _RandomStreams) -> SamplerPubResult:
        t0 = time.perf_counter()
        circuit = prepare_circuit(pub.circuit)
        bound = pub.parameter_values.bind_all(circuit)
        cregs = [(c.name, [circuit.find_bit(b).index for b in c]) for c in circuit.cregs]
        arrays = {name: np.zeros(bound.shape + (pub.shots, len(bits)), dtype=bool) for name, bits in cregs}
        passes = branches = 0
        ops = _ops(self.options)
        for index, bc in np.ndenumerate(bound):
            if is_dynamic(bc):  # control flow, stores or variables: shot branching per construct
                opts = self.options
                chunk_qubits = 0 if opts.device == "gpu" else opts.chunk_qubits
                program = compile_dynamic(bc, fused_qubits=opts.fused_qubits, chunk_qubits=chunk_qubits)
                state = _fresh_state(program, self.options, pub.shots)
                bits, figures = run_dynamic_shots(program, state, pub.shots, streams.next(), ops)
                passes += figures["passes"]
                branches += figures["branches"]
            else:
                program = _program(bc, self.options)
                passes += program.passes
                state = _fresh_state(program, self.options, pub.shots)
                bits = run_shots(program, state, pub.shots, streams.next(), ops)
            for name, idx in cregs:
                arrays[name][index] = bits[:, idx].astype(bool)
        data = {name: BitArray.from_bool_array(arr, order="little") for name, arr in arrays.items()}
        metadata = {"shots": pub.shots, "circuit_metadata": pub.circuit.metadata, "passes": passes}
        if branches:
            metadata["branches"] = branches
        metadata["time_s"] = time.perf_counter() - t0
        return SamplerPubResult(DataBin(**data, shape=pub.shape), metadata=metadata)


class EmulatorEstimator(BaseEstimatorV2):
    """Estimator V2 on the numba state-vector emulator: exact expectation values of Pauli sums.

    A PUB's target precision > 0 adds Gaussian noise of that standard deviation, drawn as
    Qiskit's ``StatevectorEstimator`` draws it (an int seed restarts the generator for every PUB,
    so with the same seed the noise is the reference's); the default 0 returns exact values.
    """

    def __init__(self, *, default_precision: float = 0.0, options: EmulatorOptions | dict | None = None, **kwargs):
        self._default_precision = default_precision
        self.options = _coerce_options(options, kwargs)

    @property
    def default_precision(self) -> float:
        """Target precision (noise std) when the PUB gives none."""
        return self._default_precision

    @property
    def seed(self) -> int | np.random.Generator | None:
        """The seed given at construction, as StatevectorEstimator.seed."""
        return self.options.seed

    def run(self, pubs: Iterable, *, precision: float | None = None) -> PrimitiveJob:
        p = self._default_precision if precision is None else precision
        coerced = [EstimatorPub.coerce(pub, p) for pub in pubs]
        return _done_job(self._run_pub, self.options, coerced)

    def _run_pub(self, pub: EstimatorPub, streams: _RandomStreams) -> PubResult:
        t0 = time.perf_counter()
        circuit = pub.circuit.remove_final_measurements(inplace=False)
        if is_dynamic(circuit):
            from archmodels.errors import InputError

            raise InputError(
                "EmulatorEstimator does not run dynamic circuits (classical control flow, stores or "
                "variables; Qiskit's StatevectorEstimator refuses them too): sample them with "
                "EmulatorSampler and estimate from the counts"
            )
        circuit = prepare_circuit(circuit)
        param_shape = pub.parameter_values.shape
        bound = pub.parameter_values.bind_all(circuit)
        obs = pub.observables
        evs = np.zeros(pub.shape, dtype=np.float64)
        passes = 0
        ops = _ops(self.options)
        # run each parameter set once, evaluate every observable broadcast against it on each
        # measurement branch as the walk reaches it (branches are never held all at once)
        for pindex, bc in np.ndenumerate(bound):
            program = _program(bc, self.options)
            passes += program.passes
            targets = [index for index in np.ndindex(*pub.shape) if _broadcast_index(index, param_shape) == pindex]
            terms = [obs[_broadcast_index(index, obs.shape)] for index in targets]
            terms = [(list(o.keys()), list(o.values())) for o in terms]
            sums = np.zeros(len(targets), dtype=np.complex128)
            for w, st in run_branches(program, _fresh_state(program, self.options), ops):
                for j, (labels, coeffs) in enumerate(terms):
                    sums[j] += w * ops.expectation(st, labels, coeffs)
            for index, value in zip(targets, sums):
                evs[index] = float(np.real(value))
        if pub.precision:
            evs = streams.next().normal(evs, pub.precision)
        data = DataBin(evs=evs, stds=np.full(pub.shape, float(pub.precision)), shape=pub.shape)
        return PubResult(
            data,
            metadata={
                "target_precision": pub.precision,
                "circuit_metadata": pub.circuit.metadata,
                "passes": passes,
                "time_s": time.perf_counter() - t0,
            },
        )


def _broadcast_index(index, shape):
    """Index into an array of ``shape`` broadcast to a larger shape (numpy's rules)."""
    off = len(index) - len(shape)
    return tuple(0 if s == 1 else index[off + i] for i, s in enumerate(shape))


def _coerce_options(options, kwargs) -> EmulatorOptions:
    if isinstance(options, EmulatorOptions):
        if kwargs:
            return replace(options, **kwargs)  # not asdict: it would deep-copy a Generator seed
        return options
    return EmulatorOptions(**{**(options or {}), **kwargs})


def _meta(opts: EmulatorOptions) -> dict:
    return {"precision": opts.precision, "threads": opts.threads, "device": opts.device}


class _EmulatorJob(JobV1):
    def __init__(self, backend, job_id, result):
        super().__init__(backend, job_id)
        self._result = result

    def submit(self):
        """Runs happen in :meth:`EmulatorBackend.run`; nothing to submit."""

    def result(self):
        return self._result

    def status(self):
        return JobStatus.DONE


class EmulatorBackend(BackendV2):
    """BackendV2 whose Target lists the emulator's instructions on all qubits that fit in memory.

    ``run(circuits, shots=..., seed_simulator=..., memory=False)`` returns a job whose ``Result``
    has counts (and per-shot memory when asked), through :class:`EmulatorSampler`.
    ``seed_simulator`` is Aer's name, the one ``BackendSamplerV2`` passes; when it is ``None`` the
    backend's ``set_options`` value applies, then the ``seed`` of its :class:`EmulatorOptions`. A run
    option outside ``shots``, ``seed_simulator`` and ``memory`` (a noise model, say) is refused
    with an :class:`archmodels.errors.InputError` naming it, where Aer would ignore what it does not
    know: an option the emulator cannot honour should not pass unnoticed.
    """

    def __init__(self, options: EmulatorOptions | dict | None = None, **kwargs):
        super().__init__(name="fsw_emulator", description="fs-workbench numba state-vector emulator")
        self.emulator_options = _coerce_options(options, kwargs)
        self._target = _build_target(self.emulator_options.precision)

    @property
    def target(self) -> Target:
        return self._target

    @property
    def max_circuits(self):
        return None

    @classmethod
    def _default_options(cls):
        return Options(shots=1024, seed_simulator=None, memory=False)

    def run(self, run_input, **options):
        from qiskit import QuantumCircuit
        from qiskit.result import Result

        from archmodels.errors import InputError

        known = sorted(self.options)
        unknown = sorted(set(options) - set(known))
        if unknown:
            names = ", ".join(repr(name) for name in unknown)
            plural = "s" if len(unknown) > 1 else ""
            raise InputError(
                f"unknown run option{plural} {names} for {self.name}; it takes {', '.join(known)}", location="run"
            )
        circuits = [run_input] if isinstance(run_input, QuantumCircuit) else list(run_input)
        shots = int(options.get("shots", self.options.shots))
        seed = next(
            (s for s in (options.get("seed_simulator"), self.options.seed_simulator) if s is not None),
            self.emulator_options.seed,
        )
        sampler = EmulatorSampler(default_shots=shots, options=replace(self.emulator_options, seed=seed))
        # circuits without classical registers give all-zero counts, as Aer's, without the
        # sampler's warning (BackendSamplerV2 gives its own)
        prim = sampler._job([SamplerPub.coerce(circ, shots) for circ in circuits]).result()
        experiments = []
        for circ, res in zip(circuits, prim):
            n_clbits = circ.num_clbits
            bits = np.zeros((shots, n_clbits), dtype=np.uint8)
            for creg in circ.cregs:
                arr = getattr(res.data, creg.name).to_bool_array(order="little")
                for j, b in enumerate(creg):
                    bits[:, circ.find_bit(b).index] = arr[:, j]
            values = bits.astype(np.int64) @ (1 << np.arange(n_clbits, dtype=np.int64)) if n_clbits else np.zeros(shots, np.int64)
            uniq, cnt = np.unique(values, return_counts=True)
            data = {"counts": {hex(int(u)): int(c) for u, c in zip(uniq, cnt)}}
            if options.get("memory", self.options.memory):
                data["memory"] = [hex(int(v)) for v in values]
            experiments.append(
                {
                    "shots": shots,
                    "success": True,
                    "data": data,
                    "header": {
                        "name": circ.name,
                        "creg_sizes": [[c.name, c.size] for c in circ.cregs],
                        "memory_slots": n_clbits,
                    },
                    "seed_simulator": prim.metadata["seed"],
                }
            )
        job_id = str(uuid.uuid4())
        result = Result.from_dict(
            {
                "backend_name": self.name,
                "backend_version": "0.1.0",
                "job_id": job_id,
                "success": True,
                "results": experiments,
            }
        )
        return _EmulatorJob(self, job_id, result)


def _build_target(precision: str) -> Target:
    from qiskit.circuit import Measure, Reset
    from qiskit.circuit.library import get_standard_gate_name_mapping

    from quantum.memory import available_bytes, state_bytes

    n_max = 1
    while state_bytes(n_max + 1, precision) <= available_bytes():
        n_max += 1
    target = Target(description="fs-workbench emulator", num_qubits=n_max)
    mapping = get_standard_gate_name_mapping()
    for name in supported_instruction_names():
        if name in ("barrier", "unitary"):
            continue
        op = {"measure": Measure(), "reset": Reset()}.get(name, mapping.get(name))
        if op is None:
            continue
        target.add_instruction(op, {None: None} if op.num_qubits or name == "global_phase" else None, name=name)
    for name, cls in _control_flow_classes().items():  # run by quantum.dynamic
        target.add_instruction(cls, name=name)
    return target


def _control_flow_classes() -> dict:
    """Qiskit's control-flow operation classes by name (``box`` where the installed Qiskit has it)."""
    import qiskit.circuit as qc

    names = {
        "if_else": "IfElseOp",
        "while_loop": "WhileLoopOp",
        "for_loop": "ForLoopOp",
        "switch_case": "SwitchCaseOp",
        "box": "BoxOp",
        "break_loop": "BreakLoopOp",
        "continue_loop": "ContinueLoopOp",
    }
    return {name: getattr(qc, cls) for name, cls in names.items() if hasattr(qc, cls)}
