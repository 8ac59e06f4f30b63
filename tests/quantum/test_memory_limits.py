"""The memory guard's limits: physical memory, rlimits, the cgroup; allocation failures exit 2."""

import resource
import subprocess
import sys

import pytest

from archmodels.errors import ResourceError
from quantum.memory import check_state_memory
from quantum.memory_limits import cgroup_headroom, memory_limits, rlimit_headroom

GIB = 2**30

CLI = "import sys; from fs.cli import main; sys.exit(main(sys.argv[1:]))"


def qasm(n_qubits: int) -> str:
    lines = ['OPENQASM 2.0;', 'include "qelib1.inc";', f"qreg q[{n_qubits}];", f"creg c[{n_qubits}];"]
    return "\n".join(lines + ["h q[0];", "measure q[0] -> c[0];"]) + "\n"


def limit_address_space(limit: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))

    return apply


def run_cli(args, limit, code=CLI):
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, preexec_fn=limit_address_space(limit)
    )


def write_cgroup(directory, files: dict):
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text)


def test_cgroup_v2_limit_less_usage_gives_back_inactive_file_cache(tmp_path):
    write_cgroup(
        tmp_path / "job",
        {"memory.max": f"{8 * GIB}\n", "memory.current": f"{3 * GIB}\n", "memory.stat": f"anon 1\ninactive_file {GIB}\n"},
    )
    assert cgroup_headroom(tmp_path, "0::/job\n") == 6 * GIB
    write_cgroup(tmp_path / "free", {"memory.max": "max\n", "memory.current": "5\n"})
    assert cgroup_headroom(tmp_path, "0::/free\n") is None


def test_cgroup_v1_memory_controller(tmp_path):
    write_cgroup(
        tmp_path / "memory" / "docker" / "abc",
        {
            "memory.limit_in_bytes": f"{4 * GIB}\n",
            "memory.usage_in_bytes": f"{GIB}\n",
            "memory.stat": f"cache 7\ntotal_inactive_file {GIB // 2}\n",
        },
    )
    assert cgroup_headroom(tmp_path, "4:memory:/docker/abc\n1:cpu:/\n") == 3 * GIB + GIB // 2
    # the namespace root when the process's own path is not mounted; "unlimited" is about 2**63
    write_cgroup(tmp_path / "memory", {"memory.limit_in_bytes": "9223372036854771712\n", "memory.usage_in_bytes": "1\n"})
    assert cgroup_headroom(tmp_path, "4:memory:/elsewhere\n") is None
    assert cgroup_headroom(tmp_path / "none", "") is None


def test_rlimits_and_physical_memory_are_read():
    limits = memory_limits()
    assert limits["physical memory"] > 0
    soft_as = resource.getrlimit(resource.RLIMIT_AS)[0]
    assert ("RLIMIT_AS" in rlimit_headroom()) == (soft_as != resource.RLIM_INFINITY)


def test_the_guard_names_the_binding_limit(monkeypatch):
    import quantum.memory_limits

    monkeypatch.setattr(quantum.memory_limits, "memory_limits", lambda: {"physical memory": 64 * GIB, "RLIMIT_AS": GIB})
    with pytest.raises(ResourceError, match=r"are free \(RLIMIT_AS\)"):
        check_state_memory(27)  # 2 GiB
    assert check_state_memory(25) == GIB // 2


def test_ulimit_v_refuses_up_front_with_one_line(tmp_path):
    """Under an address-space limit the guard sees it: 28 qubits (4 GiB) in 3 GiB are refused."""
    path = tmp_path / "wide.qasm"
    path.write_text(qasm(28))
    proc = run_cli(["quantum", "run", str(path)], 3 * GIB)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr
    assert "4,294,967,296 bytes" in proc.stderr and "(RLIMIT_AS)" in proc.stderr


def test_allocation_failure_is_the_same_clear_exit_2(tmp_path):
    """A limit the guard cannot see (here: the guard told memory is plentiful) fails at allocation:
    exit 2, one line, no traceback."""
    path = tmp_path / "wide.qasm"
    path.write_text(qasm(28))
    blind = (
        "import sys, quantum.memory as m; m.available_memory = lambda: (1 << 50, 'blind'); "
        "from fs.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    proc = run_cli(["quantum", "run", str(path)], 3 * GIB, code=blind)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr
    assert "out of memory running a 28-qubit circuit" in proc.stderr and str(path) in proc.stderr
