"""The GPU engine (quantum.cuda_engine) under numba's CUDA simulator, against the CPU engine.

numba reads ``NUMBA_ENABLE_CUDASIM`` once, when imported, so the simulated runs happen in one
subprocess (tests/quantum/cuda_sim_cases.py) with the variable set there only; this process, where
numba runs normally, rebuilds the same seeded circuits and checks the results against the CPU
engine and Qiskit's Statevector. The no-device error is checked here, where numba sees no GPU.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from qiskit.quantum_info import Statevector

import cuda_sim_cases as cases
from archmodels.errors import InputError
from quantum.circuits import compile_circuit
from quantum.engine import apply_plan, zero_state
from quantum.primitives import EmulatorEstimator, EmulatorSampler

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    out = tmp_path_factory.mktemp("cudasim") / "results.npz"
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "tests" / "quantum"), env.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [sys.executable, str(Path(cases.__file__)), str(out)], env=env, cwd=ROOT, capture_output=True, text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    with np.load(out) as data:
        return dict(data)


def cpu_state(qc, precision):
    program = compile_circuit(qc)
    state = zero_state(qc.num_qubits, precision)
    for plan in program.body:
        apply_plan(state, plan)
    return state


def test_simulator_does_not_leak_into_this_process():
    import numba

    assert os.environ.get("NUMBA_ENABLE_CUDASIM") in (None, "", "0")
    assert not numba.config.ENABLE_CUDASIM


@pytest.mark.parametrize("n,depth,seed,fused", cases.STATE_CASES)
def test_gpu_state_equals_cpu_engine_and_statevector(simulated, n, depth, seed, fused):
    qc = cases.state_circuit(n, depth, seed)
    ref = Statevector(qc).data
    gpu = simulated[f"state_{n}_double"]
    assert gpu.dtype == np.complex128
    np.testing.assert_allclose(gpu, cpu_state(qc, "double"), rtol=0, atol=1e-10)
    np.testing.assert_allclose(gpu, ref, rtol=0, atol=1e-10)
    single = simulated[f"state_{n}_single"]
    assert single.dtype == np.complex64
    np.testing.assert_allclose(single, cpu_state(qc, "single"), rtol=0, atol=1e-5)
    np.testing.assert_allclose(single, ref, rtol=0, atol=1e-5)


def test_gpu_estimator_matches_statevector(simulated):
    assert simulated["evs_device"] == "gpu"
    n, depth, seed, _ = cases.STATE_CASES[1]
    sv = Statevector(cases.state_circuit(n, depth, seed))
    expected = [sv.expectation_value(o).real for o in cases.observables(n)]
    np.testing.assert_allclose(simulated["evs"], expected, rtol=0, atol=1e-10)


def test_gpu_estimator_walks_reset_branches_as_cpu(simulated):
    cpu = EmulatorEstimator().run([(cases.reset_estimator_circuit(), cases.observables(3))]).result()
    np.testing.assert_allclose(simulated["evs_reset"], cpu[0].data.evs, rtol=0, atol=1e-10)


def test_gpu_sampler_draws_the_cpu_samples_for_the_same_seed(simulated):
    """The device sampler calls the generator as the CPU one does, so the bits are the same."""
    cpu = EmulatorSampler(seed=cases.SAMPLER_SEED).run(
        [cases.sampler_circuit(), cases.dynamic_circuit()], shots=cases.SHOTS
    ).result()
    np.testing.assert_array_equal(simulated["bits_static"], cpu[0].data.c.array)
    np.testing.assert_array_equal(simulated["bits_dynamic"], cpu[1].data.c.array)


def test_gpu_backend_counts_equal_cpu_backend(simulated):
    from quantum.primitives import EmulatorBackend

    job = EmulatorBackend().run(cases.dynamic_circuit(), shots=cases.SHOTS, seed_simulator=cases.SAMPLER_SEED)
    cpu = np.array(sorted(job.result().get_counts().items()), dtype=object).astype(str)
    np.testing.assert_array_equal(simulated["backend_counts"], cpu)


def test_gpu_sampler_distribution_within_shot_noise(simulated):
    """Counts of each 2-bit pattern of terminal qubits 0 and 4 against Statevector's marginal
    probabilities: every cell within 4 standard deviations of its binomial count."""
    from qiskit.primitives.containers import BitArray

    # the mid-circuit measurement of qubit 1 and the reset of qubit 2 (then h, cx on 2, 3) leave
    # the marginal of qubits 0 and 4 that of the random head
    probs = Statevector(cases.sampler_head()).probabilities([0, 4])
    bits = BitArray(simulated["bits_static"], 6).to_bool_array(order="little")
    pattern = bits[:, 0].astype(int) + 2 * bits[:, 4].astype(int)
    counts = np.bincount(pattern, minlength=4)
    shots = cases.SHOTS
    sigma = np.sqrt(shots * probs * (1 - probs))
    assert np.all(np.abs(counts - shots * probs) <= 4 * sigma + 1)


def test_gpu_scan_matches_cumsum(simulated):
    np.testing.assert_allclose(simulated["scan_out"], np.cumsum(simulated["scan_in"]), rtol=1e-13)


def test_device_memory_refusal():
    from quantum.cuda_engine import device_bytes_needed, device_memory_refusal

    need = device_bytes_needed(30, "double", sampling=True)
    assert need == 16 * 2**30 + 8 * 2**30
    assert device_memory_refusal(need, 80 * 2**30, 80 * 2**30, "a 30-qubit state") is None
    message = device_memory_refusal(need, 20 * 2**30, 80 * 2**30, "a 30-qubit state")
    assert "a 30-qubit state needs 25,769,803,776 bytes" in message and "20.0 GiB" in message
    assert device_bytes_needed(30, "single", copies=3) == 3 * 8 * 2**30


def _no_device():
    from numba import cuda

    return not cuda.is_available()


@pytest.mark.skipif(not _no_device(), reason="a CUDA device is present: the no-device error cannot occur")
def test_no_device_is_a_one_line_error():
    with pytest.raises(InputError, match="needs a CUDA device and numba.cuda finds none") as err:
        EmulatorSampler(device="gpu").run([cases.dynamic_circuit()], shots=10).result()
    assert "\n" not in str(err.value)
    with pytest.raises(InputError, match="needs a CUDA device"):
        EmulatorEstimator(device="gpu").run([(cases.reset_estimator_circuit(), cases.observables(3)[0])]).result()


@pytest.mark.skipif(not _no_device(), reason="a CUDA device is present: the no-device error cannot occur")
def test_cli_no_device_exits_2(tmp_path):
    path = tmp_path / "bell.qasm"
    path.write_text('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\nmeasure q -> c;\n')
    proc = subprocess.run(
        [sys.executable, "-m", "fs", "quantum", "run", str(path), "--device", "gpu"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 2
    assert "needs a CUDA device" in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr


def test_device_option_is_checked():
    with pytest.raises(InputError, match="device must be 'cpu' or 'gpu'"):
        EmulatorSampler(device="tpu")
