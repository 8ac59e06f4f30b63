"""Emulation on a catalog machine as the quantum device, and the emulation-vs-QPU crossover."""

from __future__ import annotations

import json
import math

import pytest

from archmodels.loaders import load_machine
from fs.cli import main
from quantum.emulation_cost import CircuitShape, emulation_cost
from quantum.hybrid.crossover import crossover_points, crossover_table, plot_crossover
from quantum.hybrid.emulated import EMULATION_LAUNCH_S, emulated_circuit, emulated_job_time
from quantum.hybrid.qpu import HERON_R2, job_time
from quantum.hybrid.scenario import example_scenario_path
from quantum.hybrid.sweep import run_scenario


def test_emulated_job_uses_the_emulation_cost_model():
    m = load_machine("fugaku")
    cost = emulated_circuit(m, 30, 8)
    assert cost == emulation_cost(m, CircuitShape.layered(30, 8))
    assert emulated_job_time(cost, 3) == pytest.approx(3 * (cost.time_s + cost.pass_time_s) + EMULATION_LAUNCH_S)


def test_crossover_emulation_wins_small_and_loses_large():
    t = crossover_table(machines=("fugaku",), qubits=range(12, 48, 4), depth=10, shots=1000)
    small, large = t.iloc[0], t.iloc[-1]
    assert small["emulation_faster"] and small["emulation_less_energy"]
    assert not large["emulation_faster"]
    # emulation time never falls as qubits grow; the QPU's barely moves (readout bytes only)
    assert t["emulation_time_s"].is_monotonic_increasing
    assert t["qpu_time_s"].iloc[0] == pytest.approx(job_time(HERON_R2, 1, 1000, 10, 10), rel=0.01)
    pts = crossover_points(t)["fugaku"]
    assert 12 <= pts["time_crossover_qubits"] < 44


def test_crossover_moves_with_shots():
    few = crossover_points(crossover_table(qubits=range(20, 46, 2), shots=100))["fugaku"]
    many = crossover_points(crossover_table(qubits=range(20, 46, 2), shots=100_000))["fugaku"]
    assert many["time_crossover_qubits"] > few["time_crossover_qubits"]


def test_beyond_the_machine_emulation_is_infinite():
    t = crossover_table(machines=("dgx-h100",), qubits=[30, 44])
    assert math.isfinite(t["emulation_time_s"].iloc[0]) and math.isinf(t["emulation_time_s"].iloc[1])


def test_plot_is_written_and_the_backend_left_alone(tmp_path):
    import matplotlib

    before = matplotlib.get_backend()
    matplotlib.use("svg")  # the user's choice, which a library must not override
    try:
        out = plot_crossover(crossover_table(qubits=range(10, 30, 4)), tmp_path / "x.png")
        assert matplotlib.get_backend() == "svg"
    finally:
        matplotlib.use(before)
    assert out.stat().st_size > 1000


def test_emulated_placement_in_a_scenario():
    out = run_scenario(example_scenario_path(), {"qpu.placement": "emulated"})
    assert out["device"].startswith("emulator:fugaku")
    assert out["placement"] == "emulated"
    cloud = run_scenario(example_scenario_path())
    assert out["total_time_s"] < cloud["total_time_s"]  # 20 qubits: emulation wins


def test_cli_crossover_json(tmp_path, capsys):
    assert main(["quantum", "crossover", "--max-qubits", "30", "--plot", str(tmp_path / "c.svg"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "fugaku" in out["crossover"] and (tmp_path / "c.svg").exists()
