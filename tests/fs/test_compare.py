import pytest

from archmodels import predict
from fs.compare import COLUMNS, compare


def test_compare_rows_match_predict():
    df = compare(["fugaku", "dgx-h100"], ["hpcg", "dgemm", "llm-decode"])
    assert list(df.columns) == COLUMNS
    assert len(df) == 6
    row = df[(df.machine == "fugaku") & (df.workload == "hpcg")].iloc[0]
    assert row.time_s == pytest.approx(predict("fugaku", "hpcg", nodes=1).time_s)


def test_infeasible_rows_say_why(tmp_path, shared_specs):
    # llm-train needs bf16/fp16 or wider: every machine has fp64, so make one that has too little memory
    text = (shared_specs / "machine-fugaku.toml").read_text().replace('capacity = "32 GiB"', 'capacity = "1 GiB"')
    small = tmp_path / "small.toml"
    small.write_text(text)
    df = compare([str(small)], ["llm-decode"])
    assert not df.feasible.iloc[0]
    assert "GiB needed" in df.reason.iloc[0]


def test_whole_catalog_and_portfolio():
    df = compare()
    assert len(df) >= 12 * 11
    assert df.feasible.sum() > 0.8 * len(df)
