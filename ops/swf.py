"""Standard Workload Format (SWF) traces: a tolerant reader and a writer.

SWF (Parallel Workloads Archive; Feitelson, Tsafrir, Krakov, "Experience with using the Parallel
Workloads Archive", JPDC 74(10), 2014; https://www.cs.huji.ac.il/labs/parallel/workload/swf.html)
has one job per line, 18 whitespace-separated numeric fields, ``-1`` for unknown values, and header
lines starting with ``;`` (``; MaxProcs: 100``).

Real files break the rules, and the reader accepts what it can: tabs, floats, absolute Unix submit
times, unsorted submits, ``-1`` fields, extra columns (ignored), ``#`` comment lines, blank lines, a
missing final newline, gzip (recognised by content, whatever the name). A line with too few fields or text in a numeric field is a
*bad line*: it is skipped and reported by its line number, or, with ``strict=True``, raises
:class:`archmodels.errors.InputError` naming the file and line.

Times stay in the file's own time base (absolute timestamps are not shifted), so start times that
come out of the simulator can be compared with the trace field by field.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numba as nb
import numpy as np
import pandas as pd
from numba import types

from archmodels.atomic import atomic_path
from archmodels.errors import InputError, ResourceError
from archmodels.references import check_name, resolve_reference

#: The 18 SWF fields in file order, as DataFrame column names (seconds and kilobytes as in SWF).
SWF_COLUMNS: tuple[str, ...] = (
    "id",  # 1 job number
    "submit_s",  # 2 submit time
    "wait_s",  # 3 wait time (as recorded in the log)
    "run_s",  # 4 run time
    "alloc_procs",  # 5 number of allocated processors
    "cpu_time_s",  # 6 average CPU time used
    "mem_kb",  # 7 used memory per processor
    "req_procs",  # 8 requested number of processors
    "req_time_s",  # 9 requested time (user estimate)
    "req_mem_kb",  # 10 requested memory per processor
    "status",  # 11 status (1 completed, 0 failed, 5 cancelled, -1 unknown)
    "user",  # 12 user id
    "group",  # 13 group id
    "executable",  # 14 executable (application) number
    "queue",  # 15 queue number
    "partition",  # 16 partition number
    "preceding_job",  # 17 preceding job number
    "think_time_s",  # 18 think time from preceding job
)
N_FIELDS = len(SWF_COLUMNS)
_INT_COLUMNS = ("id", "alloc_procs", "req_procs", "status", "user", "group", "executable",
                "queue", "partition", "preceding_job")
#: Traces shipped with the package (see ``ops/data/PROVENANCE.md``).
TRACES_DIR = Path(__file__).resolve().parent / "data" / "traces"
_HEADER_RE = re.compile(r"^\s*;\s*([A-Za-z][A-Za-z0-9_ ]*?)\s*:\s*(.*?)\s*$")


@dataclass(frozen=True)
class BadLine:
    """One line of a trace that could not be read."""

    line: int  #: 1-based line number in the file
    message: str


@dataclass(frozen=True)
class Trace:
    """A workload trace: one row per job (columns :data:`SWF_COLUMNS`), the header, bad lines."""

    jobs: pd.DataFrame
    header: dict[str, str] = field(default_factory=dict)
    bad_lines: tuple[BadLine, ...] = ()
    path: str | None = None

    @property
    def max_procs(self) -> int | None:
        """Machine size from the header: ``MaxProcs`` if given, else ``MaxNodes``; None if neither."""
        for key in ("MaxProcs", "MaxNodes"):
            value = self.header.get(key)
            if value is not None:
                try:
                    n = int(float(value.split()[0]))
                except (ValueError, IndexError):
                    continue
                if n > 0:
                    return n
        return None


#: Largest time a trace may hold [s] (about 3,200 years): submit, wait, run and requested times
#: beyond it are refused as absurd (they would otherwise size a grid or an energy series).
MAX_TIME_S = 1e11
_TIME_FIELDS = tuple(k for k, name in enumerate(SWF_COLUMNS) if name.endswith("_s"))


def _read_bytes(path: Path) -> bytes:
    """The trace's text as bytes, whatever its name: gzip is recognised by its magic number, and zip,
    UTF-16 and binary content are refused with a clear :class:`InputError` (not a traceback)."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            raise InputError(f"truncated or corrupt gzip archive ({exc}); expected a complete .gz of "
                             "an SWF text file", file=str(path)) from None
    if raw[:4] == b"PK\x03\x04":
        raise InputError("a zip archive, not an SWF text file; unzip it first", file=str(path))
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError("UTF-16 text; expected an ASCII/UTF-8 SWF file (convert it with iconv -f UTF-16)",
                         file=str(path))
    head = raw[:65536]
    if b"\0" in head or (head and sum(b < 9 or 13 < b < 32 for b in head[:4096]) > 0.01 * len(head[:4096])):
        raise InputError("binary content, not an SWF text file", file=str(path))
    if not raw or raw.isspace():
        raise InputError("empty file; expected SWF job lines", file=str(path))
    return raw


def _read_header(data: bytes) -> dict[str, str]:
    """Header ``; Key: value`` lines from the top of the text (until the first job line, within
    the first MiB)."""
    header: dict[str, str] = {}
    for line in io.StringIO(data[:2**20].decode("utf-8", errors="replace")):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not stripped.startswith(";"):
            break
        m = _HEADER_RE.match(stripped)
        if m and m.group(1) not in header:
            header[m.group(1)] = m.group(2)
    return header


_POW10 = np.array([10.0**k for k in range(23)])
#: C library ``strtod`` (correctly rounded in glibc and macOS libc), linked by name so the numba
#: cache stays valid across processes.
_strtod = types.ExternalFunction("strtod", types.float64(types.voidptr, types.voidptr))


@nb.njit(cache=True)
def _scan_bytes(buf, n, n_fields, pow10):
    """Parse job lines of an SWF byte buffer (numba); ``buf[n]`` must be a NUL byte.

    Decimal numbers with up to 15 significant digits and a decimal exponent within ±22 are
    converted exactly as m · 10^e or m / 10^-e (Clinger's fast path); other decimal numbers go to
    the C library's ``strtod``, so every value equals Python's ``float(token)``.

    Returns (values[rows, n_fields], status[rows], line[rows]): status 0 = parsed, 2 = a line this
    scanner does not take (too few fields, text, a malformed number); those lines are re-read by
    :func:`_careful_parse_line`. Comment (``;``, ``#``) and blank lines produce no row.
    """
    end_ptr = np.zeros(1, np.uint64)
    n_lines = 1
    for k in range(n):
        if buf[k] == 10:
            n_lines += 1
    values = np.empty((n_lines, n_fields))
    status = np.zeros(n_lines, np.int8)
    lines = np.empty(n_lines, np.int64)
    rows = 0
    pos = 0
    lineno = 0
    while pos < n:
        lineno += 1
        end = pos
        while end < n and buf[end] != 10:
            end += 1
        k = pos
        while k < end and (buf[k] == 32 or (9 <= buf[k] <= 13)):
            k += 1
        if k == end or buf[k] == 59 or buf[k] == 35:  # blank, ';' or '#'
            pos = end + 1
            continue
        lines[rows] = lineno
        field = 0
        ok = True
        while field < n_fields:
            while k < end and (buf[k] == 32 or (9 <= buf[k] <= 13)):
                k += 1
            if k == end or buf[k] == 59:
                ok = False
                break
            tok = k
            neg = False
            if buf[k] == 45 or buf[k] == 43:
                neg = buf[k] == 45
                k += 1
            mant = 0
            digits = 0
            exp10 = 0
            seen = False
            while k < end and 48 <= buf[k] <= 57:
                if mant > 0 or buf[k] != 48:
                    digits += 1
                if digits <= 18:
                    mant = mant * 10 + (buf[k] - 48)
                else:
                    exp10 += 1
                seen = True
                k += 1
            if k < end and buf[k] == 46:
                k += 1
                while k < end and 48 <= buf[k] <= 57:
                    if mant > 0 or buf[k] != 48:
                        digits += 1
                    if digits <= 18:
                        mant = mant * 10 + (buf[k] - 48)
                        exp10 -= 1
                    seen = True
                    k += 1
            if k < end and (buf[k] == 101 or buf[k] == 69) and seen:
                k += 1
                eneg = False
                if k < end and (buf[k] == 45 or buf[k] == 43):
                    eneg = buf[k] == 45
                    k += 1
                e = 0
                edig = 0
                while k < end and 48 <= buf[k] <= 57:
                    if e < 10000:
                        e = e * 10 + (buf[k] - 48)
                    edig += 1
                    k += 1
                if edig == 0:
                    ok = False
                    break
                exp10 += -e if eneg else e
            if not seen or (k < end and not (buf[k] == 32 or (9 <= buf[k] <= 13) or buf[k] == 59)):
                ok = False
                break
            if digits > 15 or exp10 > 22 or exp10 < -22:
                base = buf.ctypes.data
                v = _strtod(buf[tok:].ctypes.data, end_ptr.ctypes.data)
                if end_ptr[0] != base + k:
                    ok = False
                    break
                values[rows, field] = v
                field += 1
                continue
            v = float(mant)
            if exp10 >= 0:
                v = v * pow10[exp10]
            else:
                v = v / pow10[-exp10]
            values[rows, field] = -v if neg else v
            field += 1
        status[rows] = 0 if ok else 2
        rows += 1
        pos = end + 1
    return values[:rows], status[:rows], lines[:rows]


#: Bytes the reader and simulator hold per job line (parsed fields, DataFrame copy, scheduler arrays).
BYTES_PER_JOB = 8 * N_FIELDS * 3 + 400


def _refuse_if_too_big(path: Path, lines: int) -> None:
    """ResourceError before parsing a trace that would not fit in the memory available now."""
    try:
        available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return
    need = lines * BYTES_PER_JOB
    if need > 0.8 * available:
        raise ResourceError(f"{lines} lines need about {need / 2**30:.1f} GiB to simulate, "
                            f"{available / 2**30:.1f} GiB is available; split the trace", file=str(path))


def _careful_parse_line(text: str) -> tuple[list[float] | None, str | None]:
    """Parse one job line; (values, None) or (None, problem)."""
    tokens = text.split(";", 1)[0].split()
    if len(tokens) < N_FIELDS:
        return None, f"expected {N_FIELDS} whitespace-separated fields, found {len(tokens)}"
    row = []
    for k, tok in enumerate(tokens[:N_FIELDS]):
        try:
            v = float(tok)
        except ValueError:
            return None, f"field {k + 1} ({SWF_COLUMNS[k]}) must be a number, found {tok!r}"
        if not np.isfinite(v):
            return None, f"field {k + 1} ({SWF_COLUMNS[k]}) must be a finite number, found {tok!r}"
        if k in _TIME_FIELDS and abs(v) > MAX_TIME_S:
            return None, f"field {k + 1} ({SWF_COLUMNS[k]}) = {tok} s is absurd (more than {MAX_TIME_S:g} s)"
        row.append(v)
    return row, None


def _fast_parse(path: Path, strict: bool, data: bytes | None = None) -> tuple[np.ndarray, list[BadLine]]:
    """Numba scan of the whole file; lines it cannot take, and values that are not finite or are
    absurd times, are re-read in Python (which reports them by line)."""
    if data is None:
        data = _read_bytes(path)
    buf = np.frombuffer(data + b"\0", dtype=np.uint8)
    _refuse_if_too_big(path, int(np.count_nonzero(buf == 10)) + 1)
    values, status, lines = _scan_bytes(buf, len(data), N_FIELDS, _POW10)
    del buf
    # cheap screens (a row sum is not finite if any value is not; an overflowing sum only sends a
    # good row to the careful re-read, which is authoritative)
    suspect = ~np.isfinite(values.sum(axis=1))
    for k in _TIME_FIELDS:
        suspect |= ~(np.abs(values[:, k]) <= MAX_TIME_S)
    hard = np.flatnonzero((status != 0) | suspect)
    if len(hard) == 0:
        return values, []
    text_lines = data.decode("utf-8", errors="replace").split("\n")
    keep = np.ones(len(values), dtype=bool)
    bad: list[BadLine] = []
    for r in hard:
        row, problem = _careful_parse_line(text_lines[lines[r] - 1])
        if problem is not None:
            if strict:
                raise InputError(problem, file=str(path), location=f"line {lines[r]}")
            bad.append(BadLine(int(lines[r]), problem))
            keep[r] = False
        else:
            values[r] = row
    return values[keep], bad


def _careful_parse(path: Path, strict: bool) -> tuple[np.ndarray, list[BadLine]]:
    """Plain-Python line-by-line parse (the reference of :func:`_scan_bytes`)."""
    rows: list[list[float]] = []
    bad: list[BadLine] = []
    text = _read_bytes(path).decode("utf-8", errors="replace")
    for lineno, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped or stripped[0] in ";#":
            continue
        row, problem = _careful_parse_line(stripped)
        if problem is not None:
            if strict:
                raise InputError(problem, file=str(path), location=f"line {lineno}")
            bad.append(BadLine(lineno, problem))
            continue
        rows.append(row)
    return np.array(rows, dtype=np.float64).reshape(-1, N_FIELDS), bad


def shipped_trace_names() -> list[str]:
    """Names of the traces shipped with ``ops`` (``ops/data/traces``), sorted."""
    return sorted(p.name[: -len(".swf")] for p in TRACES_DIR.glob("*.swf"))


def shipped_trace(name: str) -> Path:
    """Path of a trace shipped with ``ops``: ``lublin_256``, ``theta_argonne``, ``cqsim_test``."""
    stem = name[: -len(".swf")] if name.endswith(".swf") else name
    check_name("trace", stem, shipped_trace_names(), "shipped traces")
    return TRACES_DIR / f"{stem}.swf"


def resolve_trace(ref: str | os.PathLike) -> Path:
    """The file behind a trace reference: an existing file, else the name of a shipped trace.

    ``"theta_argonne"`` (or ``"theta_argonne.swf"``) names ``ops/data/traces/theta_argonne.swf``
    unless a file of that name exists in the working directory, which wins
    (:func:`archmodels.references.resolve_reference`).

    Raises
    ------
    InputError
        Neither a file nor a shipped trace; the message lists the shipped names and the closest.
    """
    return resolve_reference(ref, what="trace", shipped={n: TRACES_DIR / f"{n}.swf" for n in shipped_trace_names()},
                             listing="shipped traces", suffix=".swf")


def read_swf(path: str | os.PathLike, *, strict: bool = False) -> Trace:
    """Read an SWF trace.

    Parameters
    ----------
    path : path-like
        An ``.swf`` file (or ``.swf.gz``), or the name of a shipped trace (:func:`resolve_trace`).
    strict : bool
        Raise :class:`~archmodels.errors.InputError` at the first bad line instead of skipping it.

    Returns
    -------
    Trace
        Jobs in file order with the columns of :data:`SWF_COLUMNS` (times in seconds [s]), the
        header as a dict, and the bad lines that were skipped.

    Raises
    ------
    InputError
        The file does not exist, or (``strict``) a line has too few fields or a non-number.
    """
    p = resolve_trace(path)
    data = _read_bytes(p)
    header = _read_header(data)
    values, bad = _fast_parse(p, strict, data)
    del data
    if len(values) == 0 and bad:
        raise InputError(f"no readable job line: all {len(bad)} job lines are bad (line {bad[0].line}: "
                         f"{bad[0].message}); expected an SWF file", file=str(p))
    jobs = pd.DataFrame({name: values[:, k] for k, name in enumerate(SWF_COLUMNS)})
    for name in _INT_COLUMNS:
        jobs[name] = jobs[name].astype(np.int64)
    return Trace(jobs=jobs, header=header, bad_lines=tuple(bad), path=str(p))


def write_swf(jobs: pd.DataFrame, path: str | os.PathLike, header: dict[str, str] | None = None) -> Path:
    """Write jobs as an SWF file (atomically: temp file in the same folder, then rename).

    Columns of :data:`SWF_COLUMNS` that ``jobs`` lacks are written as ``-1``; integral columns are
    written as integers, others in full precision.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    p = Path(path)
    n = len(jobs)
    arrays = []
    for name in SWF_COLUMNS:
        if name in jobs.columns:
            v = jobs[name].to_numpy(dtype=np.float64)
            arrays.append(v.astype(np.int64) if np.all(v == np.round(v)) else v)
        else:
            arrays.append(np.full(n, -1, dtype=np.int64))
    table = pa.Table.from_arrays([pa.array(a) for a in arrays], names=list(SWF_COLUMNS))
    with atomic_path(p) as tmp, open(tmp, "wb") as fh:
        fh.write("".join(f"; {k}: {v}\n" for k, v in (header or {}).items()).encode())
        pacsv.write_csv(table, fh, write_options=pacsv.WriteOptions(include_header=False, delimiter=" "))
    return p
