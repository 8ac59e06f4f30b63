"""fs.cli.output.emit_json: the one JSON writer of every `--json` (sorted keys, NaN and inf as null)."""

from __future__ import annotations

import json
import re
import math

import numpy as np
import pytest

from fs.cli import main
from fs.cli.output import emit_json


def test_nan_and_infinities_become_null_and_numpy_values_plain(capsys):
    emit_json({"b": [math.nan, np.float64("inf"), -math.inf], "a": np.int64(3), 2: np.float32(0.5)})
    text = capsys.readouterr().out
    assert json.loads(text) == {"2": 0.5, "a": 3, "b": [None, None, None]}
    assert text.index('"2"') < text.index('"a"') < text.index('"b"')  # sorted keys


def test_commands_that_had_their_own_writer_now_write_strict_json(capsys):
    for args in (["study", "list", "--json"], ["quantum", "cost", "--qubits", "20", "--depth", "4",
                                                "--machine", "fugaku", "--json"]):
        assert main(args) == 0
        json.loads(capsys.readouterr().out, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))


def test_tables_fit_the_terminal_width_and_do_not_fold_in_files():
    """In an 80-column terminal (a pseudo-terminal of that size) every line fits in 80 characters;
    a pipe gets the 160-column table a saved file wants (no folded cells)."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    cmd = [sys.executable, "-c", "from fs.cli import main; main()", "machines", "list"]
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen(cmd, stdin=follower, stdout=follower, stderr=follower, env=env, close_fds=True)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    narrow = b"".join(chunks).decode("utf-8", "replace")
    narrow = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", narrow)  # colour and cursor codes
    wide = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
    assert "fugaku" in narrow and "fugaku" in wide
    assert max(len(line) for line in narrow.splitlines()) <= 80
    assert 80 < max(len(line) for line in wide.splitlines()) <= 160


@pytest.mark.parametrize(("seconds", "text"), [(0.5e-3, "500 us"), (0.25, "250 ms"), (42.0, "42 s"), (90.0, "1.5 min"),
                                               (97.2e3, "27 h"), (21.9e6, "253 d"), (3.2e8, "10.1 y"), (-7200.0, "-2 h")])
def test_durations_read_in_minutes_hours_days(seconds, text):
    from fs.cli.output import si

    assert si(seconds, "s") == text
    assert si(2.5e3, "J") == "2.5 kJ"  # other units keep SI prefixes
