"""Haar-random unitaries and states for the quantum tests, from one seeded generator."""

import numpy as np

RNG = np.random.default_rng(20261129)


def random_unitary(k, rng=RNG):
    a = rng.normal(size=(2**k, 2**k)) + 1j * rng.normal(size=(2**k, 2**k))
    q, r = np.linalg.qr(a)
    return q * (np.diag(r) / np.abs(np.diag(r)))


def random_state(n, dtype=np.complex128, rng=RNG):
    psi = rng.normal(size=2**n) + 1j * rng.normal(size=2**n)
    return (psi / np.linalg.norm(psi)).astype(dtype)
