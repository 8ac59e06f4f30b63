"""Shipped traces by name: `--trace theta_argonne` wherever a trace path is accepted."""

from __future__ import annotations

import json

import pytest

from archmodels.errors import InputError
from fs.cli import main
from ops.swf import TRACES_DIR, read_swf, resolve_trace, shipped_trace_names


def test_shipped_names_are_the_files_in_the_package_data():
    assert shipped_trace_names() == sorted(p.name[:-4] for p in TRACES_DIR.glob("*.swf"))
    assert {"theta_argonne", "lublin_256", "cqsim_test"} <= set(shipped_trace_names())


@pytest.mark.parametrize("ref", ["cqsim_test", "cqsim_test.swf"])
def test_a_name_resolves_to_the_shipped_file(ref):
    assert resolve_trace(ref) == TRACES_DIR / "cqsim_test.swf"


def test_a_file_in_the_working_directory_wins_over_a_shipped_name(tmp_path, monkeypatch):
    local = tmp_path / "cqsim_test.swf"
    local.write_text("1 0 0 10 1 -1 -1 1 20 -1 1 -1 -1 -1 -1 -1 -1 -1\n")
    monkeypatch.chdir(tmp_path)
    assert resolve_trace("cqsim_test.swf").resolve() == local.resolve()
    assert len(read_swf("cqsim_test.swf").jobs) == 1


def test_read_swf_by_name_reads_the_same_jobs_as_by_path():
    by_name = read_swf("cqsim_test")
    by_path = read_swf(TRACES_DIR / "cqsim_test.swf")
    assert by_name.jobs.equals(by_path.jobs) and by_name.header == by_path.header


def test_an_unknown_name_suggests_the_closest_and_lists_the_shipped_ones():
    with pytest.raises(InputError) as err:
        resolve_trace("theta_argone")
    text = str(err.value)
    assert "Did you mean 'theta_argonne'?" in text
    for name in shipped_trace_names():
        assert name in text


def test_a_missing_path_is_not_matched_to_a_name():
    with pytest.raises(InputError, match="no such trace file") as err:
        resolve_trace("some/dir/theta_argone.swf")
    assert "Did you mean" not in str(err.value)


def test_simulate_and_sweep_accept_a_shipped_name(capsys):
    assert main(["ops", "simulate", "--trace", "cqsim_test", "--json"]) == 0
    by_name = json.loads(capsys.readouterr().out)
    assert main(["ops", "simulate", "--trace", str(TRACES_DIR / "cqsim_test.swf"), "--json"]) == 0
    by_path = json.loads(capsys.readouterr().out)
    by_name.pop("simulation_wall_s"), by_path.pop("simulation_wall_s")
    assert by_name == by_path
    assert main(["ops", "sweep", "--trace", "cqsim_test", "--policies", "easy", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["trace"] for r in rows] == ["cqsim_test.swf"]


def test_cli_unknown_trace_is_exit_2_with_a_suggestion(capsys):
    assert main(["ops", "simulate", "--trace", "lublin256"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Did you mean 'lublin_256'?" in err
