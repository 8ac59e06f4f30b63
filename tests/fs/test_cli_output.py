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
