"""Annealer timing, embedding size, TTS99, problem files and ``fsw anneal``."""

from __future__ import annotations

import json
import math

import dimod
import pytest

from archmodels.errors import InputError
from fs.cli import main
from quantum.annealing.compare import anneal_and_compare
from quantum.annealing.problem_file import load_problem
from quantum.annealing.timing import ADVANTAGE, annealer_estimate, chain_length, qpu_access_time, tts99


def test_qpu_access_time_is_the_dwave_formula():
    # T = Tp + Delta + R (Ta + Tr + Td): 100 reads of (20 + 150 + 20) us after 15 + 15 ms
    t = qpu_access_time(100, 15e-3, 15e-3, 20e-6, 150e-6, 20e-6)
    assert t == pytest.approx(30e-3 + 100 * 190e-6)


def test_tts99():
    assert tts99(1.0, 1.0) == 1.0
    # p = 0.5: ln(0.01)/ln(0.5) = 6.64 -> 7 reads
    assert tts99(2.0, 0.5, fixed_time_s=3.0) == pytest.approx(3.0 + 2.0 * 7)
    assert math.isinf(tts99(1.0, 0.0))
    with pytest.raises(InputError):
        tts99(1.0, 1.5)


def test_chain_length_grows_with_degree_and_fit_fails_when_too_big():
    assert chain_length(0, 12) == 1
    assert chain_length(12, 12) == 2
    assert chain_length(13, 12) == 3
    small = annealer_estimate(ADVANTAGE, 100, 8, 10, 0.5)
    big = annealer_estimate(ADVANTAGE, 20000, 8, 10, 0.5)
    assert small["fits"] and not big["fits"]
    assert big["physical_qubits"] == 20000 * 2


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_problem_files_toml_json_coo_agree(tmp_path):
    toml = _write(
        tmp_path,
        "p.toml",
        'vartype = "SPIN"\noffset = 1.0\nquadratic = [[0, 1, -1.0], [1, 2, 2.0]]\n[linear]\n0 = 0.5\n',
    )
    js = _write(
        tmp_path,
        "p.json",
        json.dumps({"vartype": "SPIN", "offset": 1.0, "linear": {"0": 0.5}, "quadratic": [[0, 1, -1], [1, 2, 2]]}),
    )
    coo = _write(tmp_path, "p.coo", "# vartype=SPIN\n0 0 0.5\n0 1 -1.0\n1 2 2.0\n")
    a, b, c = load_problem(toml), load_problem(js), load_problem(coo)
    assert a == b
    assert dimod.ExactSolver().sample(a).first.energy == pytest.approx(
        dimod.ExactSolver().sample(c).first.energy + 1.0
    )


def test_bad_problem_files_name_the_place(tmp_path):
    with pytest.raises(InputError, match=r"quadratic\[0\]"):
        load_problem(_write(tmp_path, "a.toml", 'quadratic = [["a", "a", 1.0]]\n'))
    with pytest.raises(InputError, match="line 2"):
        load_problem(_write(tmp_path, "b.coo", "0 1 1.0\n0 x 1.0\n"))
    with pytest.raises(InputError, match="vartype"):
        load_problem(_write(tmp_path, "c.json", '{"vartype": "QUBIT"}'))
    with pytest.raises(InputError, match="suffix"):
        load_problem(_write(tmp_path, "d.yaml", ""))


def test_anneal_and_compare_finds_ground_state_and_reports_tts():
    bqm = dimod.generators.ran_r(1, 12, seed=3)
    out = anneal_and_compare(bqm, num_reads=20, num_sweeps=200, seed=1)
    assert out["best_energy"] == pytest.approx(dimod.ExactSolver().sample(bqm).first.energy)
    assert 0 < out["sa_success_probability"] <= 1
    assert out["sa_tts99_s"] > 0 and out["qpu_tts99_s"] > ADVANTAGE.programming_time_s
    assert out["seed"] == 1


def test_cli_anneal_json_and_bad_file(tmp_path, capsys):
    p = _write(tmp_path, "p.toml", 'vartype = "BINARY"\nquadratic = [["x", "y", 2.0]]\n[linear]\nx = -1.0\ny = -1.0\n')
    assert main(["anneal", str(p), "--reads", "8", "--sweeps", "50", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["best_energy"] == -1.0 and out["vartype"] == "BINARY"
    assert main(["anneal", str(tmp_path / "missing.toml")]) == 2
