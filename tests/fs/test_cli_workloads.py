"""`fsw workloads list|show`: the portfolio and every field of a workload with its source."""

from __future__ import annotations

import json
import tomllib

import pytest

from archmodels.loaders import WORKLOAD_DIR
from fs.cli import main


def run(args, capsys):
    status = main(args)
    out, err = capsys.readouterr()
    return status, out, err


def test_list_json_holds_every_portfolio_file(capsys):
    status, out, err = run(["workloads", "list", "--json"], capsys)
    assert status == 0, err
    rows = json.loads(out)
    assert [r["name"] for r in rows] == sorted(p.stem for p in WORKLOAD_DIR.glob("*.toml"))
    triad = next(r for r in rows if r["name"] == "stream-triad")
    # STREAM triad: 2 FLOP and 24 B per element (McCalpin) -> 1/12 FLOP/B with no cache
    assert triad["flop_per_unit"] == 2 and triad["bytes_per_unit_no_cache"] == 24
    assert triad["flop_per_byte_no_cache"] == pytest.approx(1 / 12)


def test_list_table_names_every_workload(capsys):
    status, out, _ = run(["workloads", "list"], capsys)
    assert status == 0
    for path in WORKLOAD_DIR.glob("*.toml"):
        assert path.stem in out


def _flatten(raw: dict) -> dict:
    flat = {}
    for key, value in raw.items():
        if key == "sources":
            continue
        if isinstance(value, list):
            for i, item in enumerate(value):
                for sub, v in item.items():
                    flat[f"{key}[{i}].{sub}"] = v
        else:
            flat[key] = value
    return flat


@pytest.mark.parametrize("name", sorted(p.stem for p in WORKLOAD_DIR.glob("*.toml")))
def test_show_json_has_every_field_of_the_file_with_a_cited_source(name, capsys):
    status, out, err = run(["workloads", "show", name, "--json"], capsys)
    assert status == 0, err
    info = json.loads(out)
    raw = tomllib.loads((WORKLOAD_DIR / f"{name}.toml").read_text())
    assert [f["field"] for f in info["fields"]] == list(_flatten(raw))
    for f in info["fields"]:
        if f["field"] not in {"schema", "name", "title", "source", "notes"}:
            assert f["source"] in raw["sources"], f
            assert f["source_title"] == raw["sources"][f["source"]]["title"]
    assert set(info["sources"]) == set(raw["sources"])


def test_show_gives_si_values_and_the_note_written_beside_the_value(capsys):
    status, out, _ = run(["workloads", "show", "llm-decode", "--json"], capsys)
    fields = {f["field"]: f for f in json.loads(out)["fields"]}
    assert fields["footprint"]["text"] == "22.6 GB" and fields["footprint"]["value"] == 22.6e9
    assert fields["traffic[1].working_set"]["value"] == 14e9
    assert fields["flop_per_unit"]["note"] == "2 x parameters per generated token"
    assert fields["notes"]["note"] is None  # a '#' inside no string here, and none after the value


def test_a_quantity_table_keeps_its_own_source(tmp_path, capsys):
    lines = (WORKLOAD_DIR / "llm-train.toml").read_text().splitlines()
    lines = ['footprint = { value = "8 GB", source = "zero" }  # "#" in a comment' if line.startswith("footprint =")
             else line for line in lines]
    text = "\n".join(lines) + "\n"
    text += '\n[sources.zero]\ntitle = "S. Rajbhandari et al., ZeRO, SC20"\nurl = "https://arxiv.org/abs/1910.02054"\n'
    path = tmp_path / "w.toml"
    path.write_text(text)
    status, out, err = run(["workloads", "show", str(path), "--json"], capsys)
    assert status == 0, err
    fields = {f["field"]: f for f in json.loads(out)["fields"]}
    assert fields["footprint"]["source"] == "zero" and fields["footprint"]["value"] == 8e9
    assert fields["footprint"]["note"] == '"#" in a comment'
    assert fields["units_per_processor"]["source"] == "kaplan-flops"


def test_show_unknown_name_is_exit_2_with_a_suggestion(capsys):
    status, _, err = run(["workloads", "show", "hpgc"], capsys)
    assert status == 2 and "Did you mean 'hpcg'?" in err
