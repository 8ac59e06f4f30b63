import pytest

from archmodels import load_machine, predict
from archmodels.transforms import at_clock
from archmodels.errors import InputError


def test_compute_bound_slows_in_proportion():
    base = predict("a64fx", "dgemm", nodes=1)
    slow = predict(at_clock(load_machine("a64fx"), 0.8), "dgemm", nodes=1)
    assert slow.time_s == pytest.approx(base.time_s / 0.8, rel=1e-9)
    assert slow.power_w < base.power_w


def test_memory_bound_saves_energy_at_little_time_cost():
    base = predict("a64fx", "stream-triad", nodes=1)
    slow = predict(at_clock(load_machine("a64fx"), 0.7), "stream-triad", nodes=1)
    assert slow.bound == base.bound == "memory:HBM2"
    assert slow.time_s == pytest.approx(base.time_s, rel=1e-9)     # the memory clock did not change
    assert slow.energy_j < base.energy_j


@pytest.mark.parametrize("workload", ["dgemm", "hpcg", "stencil-7pt", "llm-train"])
def test_power_never_rises_as_the_clock_falls(workload):
    machine = load_machine("dgx-h100")
    powers = [predict(at_clock(machine, r), workload, nodes=1).power_w for r in (1.0, 0.9, 0.7, 0.5)]
    assert all(b <= a * (1 + 1e-12) for a, b in zip(powers, powers[1:]))


def test_ratio_is_bounded():
    with pytest.raises(InputError, match="clock ratio"):
        at_clock(load_machine("fugaku"), 0.1)
