"""fs.cli.output.emit_json: the one JSON writer of every `--json` (sorted keys, NaN and inf as null)."""

from __future__ import annotations

import json
import math

import numpy as np

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
    """`COLUMNS=80` (an 80-column terminal) gives lines of at most 80 characters; a pipe with no
    COLUMNS gets the 160-column table a saved file wants (no folded cells)."""
    import os
    import subprocess
    import sys

    code = "from fs.cli import main; main()"
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    narrow = subprocess.run([sys.executable, "-c", code, "machines", "list"], capture_output=True, text=True,
                            env={**env, "COLUMNS": "80"}, check=True).stdout
    wide = subprocess.run([sys.executable, "-c", code, "machines", "list"], capture_output=True, text=True,
                          env=env, check=True).stdout
    assert max(len(line) for line in narrow.splitlines()) <= 80
    assert 80 < max(len(line) for line in wide.splitlines()) <= 160
    assert "fugaku" in narrow and "fugaku" in wide
