import numpy as np
import pytest

from archmodels.errors import InputError
from ops.swf import SWF_COLUMNS, _careful_parse, _fast_parse, read_swf, write_swf
from ops.synthetic import generate_trace
from ops_traces import trace_path


def test_messy_file_reports_bad_lines_by_number(messy_path):
    tr = read_swf(messy_path)
    assert [b.line for b in tr.bad_lines] == [7, 8, 11, 12]
    assert "run_s" in tr.bad_lines[0].message and "'abc'" in tr.bad_lines[0].message
    assert "found 8" in tr.bad_lines[1].message
    assert tr.max_procs == 128  # MaxProcs wins over MaxNodes
    assert "finite" in tr.bad_lines[3].message  # a requested time of inf
    # tabs, floats, exponents, extra columns, missing final newline
    assert tr.jobs["id"].tolist() == [1, 2, 5, 6, 9]
    assert tr.jobs["submit_s"].tolist()[:2] == [10.0, 5.5]
    assert tr.jobs["run_s"].iloc[1] == 150.0
    assert tr.jobs["run_s"].iloc[2] == pytest.approx(0.12345678901234567, rel=0, abs=0)
    assert tr.jobs["mem_kb"].iloc[2] == 1e30  # large exponents go through strtod
    assert tr.jobs["submit_s"].iloc[3] == 1e-30


def test_strict_raises_input_error_naming_file_and_line(messy_path):
    with pytest.raises(InputError) as err:
        read_swf(messy_path, strict=True)
    assert str(err.value).startswith(f"{messy_path}: line 7:")


def test_missing_file_is_input_error(tmp_path):
    with pytest.raises(InputError):
        read_swf(tmp_path / "nope.swf")


@pytest.mark.parametrize("name", ["cqsim_test.swf", "lublin_256.swf", "theta_argonne.swf"])
def test_numba_scanner_matches_python_parser_on_real_traces(name):
    path = trace_path(name)
    fast, bad_fast = _fast_parse(path, False)
    slow, bad_slow = _careful_parse(path, False)
    assert bad_fast == bad_slow == []
    np.testing.assert_array_equal(fast, slow)


def test_scanner_matches_python_parser_on_messy_file(messy_path):
    fast, bad_fast = _fast_parse(messy_path, False)
    slow, bad_slow = _careful_parse(messy_path, False)
    assert bad_fast == bad_slow
    np.testing.assert_array_equal(fast, slow)


def test_real_trace_headers_and_sizes():
    theta = read_swf(trace_path("theta_argonne.swf"))
    assert len(theta.jobs) == 23387 and theta.max_procs == 4392
    assert theta.jobs["submit_s"].min() > 1e9  # absolute Unix times kept
    assert not theta.jobs["submit_s"].is_monotonic_increasing  # unsorted submits kept in file order
    # the shipped Theta log carries its walltime requests in field 9 (upstream had them in field 6)
    req, run = theta.jobs["req_time_s"], theta.jobs["run_s"]
    assert (req > 0).all() and (theta.jobs["cpu_time_s"] == -1).all()
    assert (req != run).mean() > 0.9  # real requests, not the run times (perfect estimates)
    assert read_swf(trace_path("lublin_256.swf")).max_procs == 256  # MaxNodes only
    assert read_swf(trace_path("cqsim_test.swf")).max_procs == 100


def test_write_read_round_trip(tmp_path):
    df = generate_trace(500, 64, load=0.6, seed=3)
    df.loc[0, "submit_s"] = 0.25  # a non-integral column keeps full precision
    path = write_swf(df, tmp_path / "t.swf", {"MaxProcs": "64"})
    tr = read_swf(path)
    assert tr.max_procs == 64 and tr.bad_lines == ()
    for col in SWF_COLUMNS:
        np.testing.assert_array_equal(tr.jobs[col].to_numpy(dtype=float), df[col].to_numpy(dtype=float))
    assert not list(tmp_path.glob(".*tmp"))


def test_gzip_trace(tmp_path):
    import gzip

    src = trace_path("cqsim_test.swf").read_bytes()
    gz = tmp_path / "c.swf.gz"
    gz.write_bytes(gzip.compress(src))
    a, b = read_swf(gz), read_swf(trace_path("cqsim_test.swf"))
    assert a.jobs.equals(b.jobs) and a.max_procs == 100


def test_generator_is_seeded_and_hits_the_offered_load():
    a = generate_trace(20_000, 1024, load=0.7, seed=11)
    b = generate_trace(20_000, 1024, load=0.7, seed=11)
    c = generate_trace(20_000, 1024, load=0.7, seed=12)
    assert a.equals(b) and not a.equals(c)
    assert a["alloc_procs"].between(1, 1024).all() and (a["run_s"] >= 1).all()
    span = a["submit_s"].max() - a["submit_s"].min()
    load = (a["alloc_procs"] * a["run_s"]).sum() / (1024 * span)
    assert load == pytest.approx(0.7, rel=0.05)
    # about a quarter serial, as in Lublin & Feitelson's model (0.244)
    assert (a["alloc_procs"] == 1).mean() == pytest.approx(0.244, abs=0.02)


def test_scanner_is_exact_on_long_floats(tmp_path):
    # 17-significant-digit reprs and large exponents take the strtod path; they must equal float()
    # (in field 7, memory: time fields beyond MAX_TIME_S are refused as absurd)
    rng = np.random.default_rng(0)
    vals = np.concatenate([rng.uniform(0, 1e7, 3000), 10.0 ** rng.uniform(-300, 300, 3000)])
    lines = [" ".join([str(k + 1)] + ["-1"] * 5 + [repr(float(v))] + ["-1"] * 11) for k, v in enumerate(vals)]
    path = tmp_path / "floats.swf"
    path.write_text("\n".join(lines))
    fast, bad = _fast_parse(path, False)
    assert bad == []
    np.testing.assert_array_equal(fast[:, 6], vals)
    np.testing.assert_array_equal(fast, _careful_parse(path, False)[0])


GOOD = "; MaxProcs: 8\n1 0 -1 100 2 -1 -1 2 200 -1 1 -1 -1 -1 -1 -1 -1 -1\n2 5 -1 50 4 -1 -1 4 60 -1 1 -1 -1 -1 -1 -1 -1 -1\n"


def test_gzip_is_recognised_by_content_not_name(tmp_path):
    import gzip

    plain = tmp_path / "a.swf"
    plain.write_text(GOOD)
    gz_named_swf = tmp_path / "b.swf"
    gz_named_swf.write_bytes(gzip.compress(GOOD.encode()))
    text_named_gz = tmp_path / "c.swf.gz"
    text_named_gz.write_text(GOOD)
    ref = read_swf(plain)
    for p in (gz_named_swf, text_named_gz):
        tr = read_swf(p)
        assert tr.jobs.equals(ref.jobs) and tr.max_procs == 8


@pytest.mark.parametrize("kind,expect", [
    ("truncated", "truncated or corrupt gzip"), ("zip", "zip archive"), ("utf16", "UTF-16"),
    ("binary", "binary content"), ("empty", "empty file"), ("allbad", "no readable job line"),
])
def test_bad_files_give_one_clear_error(tmp_path, kind, expect):
    import gzip
    import zipfile

    p = tmp_path / "t.swf"
    if kind == "truncated":
        p.write_bytes(gzip.compress(GOOD.encode() * 50)[:-30])
    elif kind == "zip":
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("t.swf", GOOD)
    elif kind == "utf16":
        p.write_bytes(GOOD.encode("utf-16"))
    elif kind == "binary":
        p.write_bytes(bytes(range(256)) * 8)
    elif kind == "empty":
        p.write_text("\n\n")
    else:
        p.write_text("; MaxProcs: 8\nhello world\n1 2 3\n")
    with pytest.raises(InputError, match=expect) as err:
        read_swf(p)
    assert str(p) in str(err.value)


@pytest.mark.parametrize("token,field", [("inf", 4), ("nan", 4), ("1e400", 4), ("1e20", 2), ("-Infinity", 9)])
def test_non_finite_and_absurd_values_are_refused_by_line(tmp_path, token, field):
    fields = "3 10 -1 100 2 -1 -1 2 200 -1 1 -1 -1 -1 -1 -1 -1 -1".split()
    fields[field - 1] = token
    p = tmp_path / "t.swf"
    p.write_text(GOOD + " ".join(fields) + "\n")
    tr = read_swf(p)
    assert len(tr.jobs) == 2 and [b.line for b in tr.bad_lines] == [4]
    assert f"field {field}" in tr.bad_lines[0].message
    with pytest.raises(InputError, match="line 4"):
        read_swf(p, strict=True)
    np.testing.assert_array_equal(_careful_parse(p, False)[0], tr.jobs.to_numpy(dtype=float))
