"""Real small variational runs through the project's primitives, checked against exact diagonalisation."""

from __future__ import annotations

import json

import numpy as np
import pytest

from archmodels.errors import InputError
from fs.cli import main
from quantum.hybrid.variational import (
    CHEMICAL_ACCURACY_HA,
    H2_NUCLEAR_REPULSION_HA,
    exact_ground_energy,
    exact_maxcut,
    h2_hamiltonian,
    heisenberg_hamiltonian,
    primitives,
    run_qaoa_maxcut,
    run_vqe,
)


def test_project_primitives_are_used():
    from qiskit.primitives import BaseEstimatorV2, BaseSamplerV2

    est, samp, name = primitives(0)
    assert isinstance(est, BaseEstimatorV2) and isinstance(samp, BaseSamplerV2)
    assert name == "quantum-emulator"


def test_h2_exact_energy_is_the_published_value():
    # Qiskit's reference: -1.857275030202 Ha electronic; + 0.71997 Ha nuclear repulsion = -1.137306 Ha total
    e = exact_ground_energy(h2_hamiltonian())
    assert e == pytest.approx(-1.857275030202, abs=1e-9)
    assert e + H2_NUCLEAR_REPULSION_HA == pytest.approx(-1.137306, abs=1e-6)


def test_heisenberg_chain_spectrum():
    # open two-spin chain: singlet at -3J, triplet at +J
    ev = np.linalg.eigvalsh(heisenberg_hamiltonian(2).to_matrix())
    np.testing.assert_allclose(ev, [-3, 1, 1, 1], atol=1e-12)
    with pytest.raises(InputError):
        heisenberg_hamiltonian(1)


def test_vqe_h2_reaches_chemical_accuracy():
    r = run_vqe("h2", seed=0)
    assert abs(r.energy - r.exact_energy) < CHEMICAL_ACCURACY_HA
    assert r.energy >= r.exact_energy - 1e-9  # variational: never below the ground state
    assert r.iterations > 0 and r.evaluations > r.iterations
    assert r.primitive_time_s + r.classical_time_s == pytest.approx(r.time_s)


@pytest.mark.slow
def test_vqe_heisenberg_chain():
    r = run_vqe("heisenberg", spins=3, reps=2, seed=1)
    assert r.exact_energy == pytest.approx(-4.0)
    assert abs(r.energy - r.exact_energy) < 1e-3 * abs(r.exact_energy)


def test_qaoa_maxcut_against_enumeration():
    out = run_qaoa_maxcut(n=6, degree=3, p=2, shots=1000, seed=2, maxiter=150)
    assert out["max_cut"] == exact_maxcut(6, [(a, b) for a, b in _edges(6, 3, 2)])
    assert out["best_sampled_cut"] == out["max_cut"]
    # QAOA at p=1 guarantees 0.6924 on 3-regular graphs (Farhi et al. 2014); p=2 does better
    assert 0.6924 < out["approximation_ratio"] <= 1.0
    assert out["energy"] >= out["exact_ground_energy"] - 1e-9


def _edges(n, d, seed):
    from quantum.hybrid.variational import random_regular_graph

    return random_regular_graph(n, d, seed)


def test_cli_vqe_h2_json(capsys):
    assert main(["quantum", "vqe", "h2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"energy", "exact_energy", "iterations", "time_s"} <= set(out)
    assert abs(out["energy"] - out["exact_energy"]) < CHEMICAL_ACCURACY_HA
    assert main(["quantum", "vqe", "lih"]) == 2
