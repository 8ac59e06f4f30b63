"""Seeds, run options and warnings as Qiskit's reference primitives handle them (issue 18 item 0).

The references are ``StatevectorSampler``/``StatevectorEstimator`` (qiskit.primitives) and, for
the backend, ``BackendSamplerV2`` run on it. Sampled bits cannot equal the reference's (the
emulator draws them another way), so the sampler is compared by what a seed reproduces; the
estimator's noise is drawn as the reference draws it, so its values are compared exactly.
"""

import warnings

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.primitives import BackendSamplerV2, StatevectorEstimator, StatevectorSampler
from qiskit.quantum_info import SparsePauliOp

from archmodels.errors import InputError
from quantum import EmulatorBackend, EmulatorEstimator, EmulatorSampler

SAMPLERS = (StatevectorSampler, EmulatorSampler)
ESTIMATORS = (StatevectorEstimator, EmulatorEstimator)


def coin_circuit(n: int = 4) -> QuantumCircuit:
    qc = QuantumCircuit(n)
    qc.h(range(n))
    qc.measure_all()
    return qc


def bits(result) -> list[np.ndarray]:
    return [pub.data.meas.array for pub in result]


def noisy_pubs():
    """Two identical PUBs and a broadcast one, with target precision 0.1."""
    qc = QuantumCircuit(2)
    qc.ry(0.4, 0)
    qc.cx(0, 1)
    obs = SparsePauliOp(["ZZ", "XI"], [1.0, 0.5])
    wide = (qc, [[obs], [SparsePauliOp("IZ")]])
    return [(qc, obs), (qc, obs), wide]


def evs(estimator, pubs) -> list[np.ndarray]:
    return [np.atleast_1d(pub.data.evs) for pub in estimator.run(pubs, precision=0.1).result()]


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_sampler_takes_a_generator_and_continues_its_stream(sampler):
    gen = np.random.default_rng(21)
    s = sampler(seed=gen)
    assert s.seed is gen
    first = bits(s.run([coin_circuit()], shots=200).result())[0]
    second = bits(s.run([coin_circuit()], shots=200).result())[0]
    assert not np.array_equal(first, second)  # the stream went on
    again = bits(sampler(seed=np.random.default_rng(21)).run([coin_circuit()], shots=200).result())[0]
    assert np.array_equal(first, again)


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_an_int_seed_restarts_for_every_circuit_none_does_not(sampler):
    """StatevectorSampler seeds every bound circuit with the seed: the same circuit twice in one
    run gives the same bits; with no seed it does not."""
    same = bits(sampler(seed=8).run([coin_circuit(), coin_circuit()], shots=300).result())
    assert np.array_equal(same[0], same[1])
    fresh = bits(sampler().run([coin_circuit(), coin_circuit()], shots=300).result())
    assert not np.array_equal(fresh[0], fresh[1])


def test_int_seed_noise_is_the_reference_noise_pub_by_pub():
    """StatevectorEstimator draws each PUB's noise from ``default_rng(seed)`` afresh."""
    ours = evs(EmulatorEstimator(seed=13), noisy_pubs())
    ref = evs(StatevectorEstimator(seed=13), noisy_pubs())
    for a, b in zip(ours, ref):
        assert a.shape == b.shape
        assert np.abs(a - b).max() < 1e-10
    assert ours[0] == ours[1]  # identical PUBs, identical noise


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_estimator_generator_seed_is_one_stream_across_pubs(estimator):
    gen = np.random.default_rng(5)
    est = estimator(seed=gen)
    assert est.seed is gen
    a, b, _ = evs(est, noisy_pubs())
    assert a != b
    again = evs(estimator(seed=np.random.default_rng(5)), noisy_pubs())
    assert again[0] == a and again[1] == b


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_estimator_without_seed_draws_independent_noise(estimator):
    a, b, _ = evs(estimator(), noisy_pubs())
    assert a != b


def test_generator_seed_is_recorded_as_none_and_bad_seeds_are_refused():
    result = EmulatorSampler(seed=np.random.default_rng(1)).run([coin_circuit()], shots=4).result()
    assert result.metadata["seed"] is None  # the caller holds the generator's state
    assert EmulatorSampler(seed=np.int64(4)).run([coin_circuit()], shots=4).result().metadata["seed"] == 4
    for bad in ("7", 1.5, -1):
        with pytest.raises(InputError, match="seed"):
            EmulatorSampler(seed=bad)


def no_classical_register_warnings(sampler) -> list[str]:
    qc = QuantumCircuit(2)
    qc.h(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = sampler().run([coin_circuit(), qc], shots=10).result()
    assert len(result[1].data) == 0
    return [f"{w.category.__name__}: {w.message}" for w in caught]


def test_no_classical_register_warns_as_the_reference():
    ref = no_classical_register_warnings(StatevectorSampler)
    assert ref == [
        "UserWarning: One of your circuits has no output classical registers and so the result "
        "will be empty. Did you mean to add measurement instructions?"
    ]
    assert no_classical_register_warnings(EmulatorSampler) == ref


def test_backend_honours_seed_simulator():
    backend = EmulatorBackend()
    qc = coin_circuit(3)
    runs = [backend.run(qc, shots=300, seed_simulator=4, memory=True).result() for _ in range(2)]
    assert runs[0].get_memory() == runs[1].get_memory()
    assert runs[0].results[0].seed_simulator == 4
    other = backend.run(qc, shots=300, seed_simulator=5, memory=True).result()
    assert other.get_memory() != runs[0].get_memory()
    # BackendSamplerV2 passes its seed_simulator option to backend.run
    sampler = BackendSamplerV2(backend=backend, options={"seed_simulator": 4})
    twice = [sampler.run([qc], shots=300).result()[0].data.meas.array for _ in range(2)]
    assert np.array_equal(*twice)
    # set_options and the constructor's seed are the defaults when run is given none
    backend.set_options(seed_simulator=4)
    assert backend.run(qc, shots=300, memory=True).result().get_memory() == runs[0].get_memory()
    seeded = EmulatorBackend(seed=4)
    assert seeded.run(qc, shots=300, memory=True).result().get_memory() == runs[0].get_memory()


def test_backend_refuses_unknown_run_options():
    backend = EmulatorBackend()
    with pytest.raises(InputError, match=r"unknown run option 'noise_model'.*memory, seed_simulator, shots"):
        backend.run(coin_circuit(2), shots=10, noise_model=object())
    with pytest.raises(AttributeError, match="not valid"):  # BackendV2's own check
        backend.set_options(seed=3)
