"""`fsw quantum run|cost` end to end, the memory guard, and QASM error messages."""

import json
import subprocess
import sys
import time

import pytest

from archmodels.errors import InputError, ResourceError
from fs.cli import main
from quantum.circuit_files import load_circuit
from quantum.memory import check_state_memory, nodes_to_hold, state_bytes

GHZ3_QASM2 = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
creg c[3];
h q[0];
cx q[0],q[1];
cx q[1],q[2];
measure q -> c;
"""

GHZ3_QASM3 = """OPENQASM 3.0;
include "stdgates.inc";
gate rzz(t) a, b { cx a, b; rz(t) b; cx a, b; }
qubit[3] q;
bit[3] c;
h q[0];
cx q[0], q[1];
cx q[1], q[2];
rzz(0.4) q[0], q[2];
c = measure q;
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("text", [GHZ3_QASM2, GHZ3_QASM3])
def test_run_json_gives_ghz_counts(tmp_path, capsys, text):
    path = write(tmp_path, "ghz.qasm", text)
    assert main(["quantum", "run", path, "--shots", "2000", "--seed", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["counts"]["c"]) == {"000", "111"}
    assert sum(out["counts"]["c"].values()) == 2000
    assert out["seed"] == 3 and out["n_qubits"] == 3 and out["state_bytes"] == 128
    assert list(out) == sorted(out)


def test_run_table_output(tmp_path, capsys):
    path = write(tmp_path, "ghz.qasm", GHZ3_QASM2)
    assert main(["quantum", "run", path, "--shots", "100", "--seed", "1", "--precision", "single"]) == 0
    assert "register c" in capsys.readouterr().out


@pytest.mark.parametrize(
    "text,where",
    [
        (GHZ3_QASM2.replace("cx q[1],q[2];", "foo q[2];"), "line 7"),
        (GHZ3_QASM3.replace("cx q[1], q[2];", "cxx q[1], q[2];"), "line 8"),
    ],
)
def test_bad_circuit_names_file_and_line(tmp_path, capsys, text, where):
    path = write(tmp_path, "bad.qasm", text)
    assert main(["quantum", "run", path]) == 2
    err = capsys.readouterr().err
    assert path in err and where in err
    assert "Traceback" not in err


def test_missing_file_exits_2(tmp_path, capsys):
    assert main(["quantum", "run", str(tmp_path / "nope.qasm")]) == 2
    assert "nope.qasm" in capsys.readouterr().err


def test_40_qubit_circuit_refused_fast_with_bytes_and_nodes(tmp_path):
    lines = ['OPENQASM 2.0;', 'include "qelib1.inc";', "qreg q[40];", "creg c[40];"]
    lines += [f"h q[{i}];" for i in range(40)] + ["measure q -> c;"]
    path = write(tmp_path, "big.qasm", "\n".join(lines) + "\n")
    t0 = time.perf_counter()
    code = "import sys; from fs.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.run([sys.executable, "-c", code, "quantum", "run", path], capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    assert proc.returncode == 2
    assert "17,592,186,044,416 bytes" in proc.stderr
    assert "1,024 nodes of fugaku" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert elapsed < 30  # generous bound for a loaded CI box; ~1 s on an idle one


def test_memory_guard_arithmetic():
    assert state_bytes(30, "double") == 2**34
    assert state_bytes(30, "single") == 2**33
    # 36 qubits (1 TiB) on 32 GiB nodes with 10% headroom: 36 nodes -> 64
    assert nodes_to_hold(2**40, 32 * 2**30) == 64
    assert nodes_to_hold(1, 32 * 2**30) == 1
    with pytest.raises(ResourceError, match="nodes of fugaku"):
        check_state_memory(45)
    assert check_state_memory(10) == 2**14
    assert issubclass(ResourceError, InputError)


def test_guard_counts_the_parsed_circuit_not_commented_out_registers(tmp_path, capsys):
    """Issue 18: a register declared inside a comment made a 3-qubit file count as 43 qubits.

    (Block comments are OpenQASM 3; Qiskit's OpenQASM 2 parser refuses them.)"""
    comments = "/* qreg old[40];\n   qubit[40] older; */\nqubit[3] q;\n// qubit[40] q2;"
    text = GHZ3_QASM3.replace("qubit[3] q;", comments)
    path = write(tmp_path, "commented.qasm", text)
    assert load_circuit(path).num_qubits == 3
    assert main(["quantum", "run", path, "--shots", "100", "--seed", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_qubits"] == 3


def test_cost_json_and_argument_errors(tmp_path, capsys):
    assert main(["quantum", "cost", "--qubits", "36", "--depth", "10", "--machine", "fugaku", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["nodes"] == 64 and out["global_qubits"] == 6 and out["fits"] is True
    assert out["time_s"] > 0 and out["energy_j"] > 0
    path = write(tmp_path, "ghz.qasm", GHZ3_QASM2)
    assert main(["quantum", "cost", "--circuit", path, "--machine", "a64fx", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_gates"] == 3
    assert main(["quantum", "cost", "--qubits", "4", "--machine", "fugaku"]) == 2
    assert main(["quantum", "cost", "--qubits", "4", "--depth", "2", "--machine", "no-such-machine"]) == 2
