"""Reading OpenQASM 2 and 3 circuit files, with errors that name the file and line.

OpenQASM 2 goes through ``qiskit.qasm2`` (with Qiskit's legacy custom instructions, so files written
by ``qiskit.qasm2.dumps`` read back). OpenQASM 3 goes through Qiskit's native importer
``qiskit.qasm3.load_experimental`` (the ``qiskit.qasm3.load`` path needs the separate
``qiskit_qasm3_import`` package), with Qiskit's two-qubit rotations (rxx, ryy, rzz, rzx) and ecr
added to ``stdgates.inc``.
"""

from __future__ import annotations

import os
import re
import tempfile
import warnings
from pathlib import Path

from archmodels.errors import InputError

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def qasm_version(text: str) -> int:
    """2 or 3 from the ``OPENQASM x`` header (comments before it allowed); 2 when absent."""
    for line in text.splitlines():
        s = line.split("//")[0].strip()
        if not s:
            continue
        m = re.match(r"OPENQASM\s+(\d+)", s)
        return int(m.group(1)) if m else 2
    return 2


def _qasm3_custom_gates():
    from qiskit.circuit import library as lib
    from qiskit.qasm3 import STDGATES_INC_GATES, CustomGate

    return list(STDGATES_INC_GATES) + [
        CustomGate(lib.RXXGate, "rxx", 1, 2),
        CustomGate(lib.RYYGate, "ryy", 1, 2),
        CustomGate(lib.RZZGate, "rzz", 1, 2),
        CustomGate(lib.RZXGate, "rzx", 1, 2),
        CustomGate(lib.ECRGate, "ecr", 0, 2),
    ]


def _load_qasm3(text: str, path: str):
    """Parse OpenQASM 3; the native parser prints its diagnostics itself, so capture fds 1 and 2."""
    import sys

    import qiskit.qasm3 as qasm3

    sys.stdout.flush()
    sys.stderr.flush()
    with tempfile.TemporaryFile(mode="w+b") as err_file:
        saved = (os.dup(1), os.dup(2))
        os.dup2(err_file.fileno(), 1)
        os.dup2(err_file.fileno(), 2)
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", category=qasm3.ExperimentalWarning)
                circuit = qasm3.loads_experimental(text, custom_gates=_qasm3_custom_gates())
            failure = None
        except Exception as err:  # QASM3ImporterError and the parser's own error types
            failure = err
        finally:
            for fd, old in zip((1, 2), saved):
                os.dup2(old, fd)
                os.close(old)
        err_file.seek(0)
        report = _ANSI.sub("", err_file.read().decode(errors="replace"))
    if failure is None:
        return circuit
    where = re.findall(r"no file:(\d+):(\d+)", report)
    line = f"line {where[0][0]}, column {where[0][1]}" if where else None
    detail = " ".join(s.strip() for s in report.splitlines() if s.strip().startswith("Error")) or str(failure)
    raise InputError(f"OpenQASM 3 parse error: {detail}", file=path, location=line) from failure


def load_circuit(path: str | os.PathLike):
    """Read an OpenQASM 2 or 3 file into a ``QuantumCircuit``.

    Raises
    ------
    archmodels.errors.InputError
        When the file is missing or does not parse; the message names the file and the line.
    """
    p = Path(path)
    try:
        text = p.read_text()
    except OSError as err:
        raise InputError(f"cannot read circuit file ({err.strerror})", file=str(p)) from err
    if qasm_version(text) >= 3:
        return _load_qasm3(text, str(p))
    import qiskit.qasm2 as qasm2

    try:
        return qasm2.loads(text, custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS)
    except qasm2.QASM2ParseError as err:
        msg = str(err).strip('"')
        m = re.search(r"<input>:(\d+),(\d+):\s*(.*)", msg)
        if m:
            raise InputError(m.group(3), file=str(p), location=f"line {m.group(1)}, column {m.group(2)}") from err
        raise InputError(f"OpenQASM 2 parse error: {msg}", file=str(p)) from err
