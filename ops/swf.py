"""Standard Workload Format (SWF) traces: a tolerant reader and a writer.

SWF (Parallel Workloads Archive; Feitelson, Tsafrir, Krakov, "Experience with using the Parallel
Workloads Archive", JPDC 74(10), 2014; https://www.cs.huji.ac.il/labs/parallel/workload/swf.html)
has one job per line, 18 whitespace-separated numeric fields, ``-1`` for unknown values, and header
lines starting with ``;`` (``; MaxProcs: 100``).

Real files break the rules, and the reader accepts what it can: tabs, floats, absolute Unix submit
times, unsorted submits, ``-1`` fields, extra columns (ignored), ``#`` comment lines, blank lines, a
missing final newline, gzip (``.gz``). A line with too few fields or text in a numeric field is a
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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from archmodels.errors import InputError

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


def _open_text(path: Path):
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")


def _read_header(path: Path) -> dict[str, str]:
    """Header ``; Key: value`` lines from the top of the file (until the first job line)."""
    header: dict[str, str] = {}
    with _open_text(path) as fh:
        for line in fh:
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if not stripped.startswith(";"):
                break
            m = _HEADER_RE.match(stripped)
            if m and m.group(1) not in header:
                header[m.group(1)] = m.group(2)
    return header


def _fast_parse(path: Path) -> np.ndarray | None:
    """Parse a well-formed file with pandas' C parser; None if any line needs the careful path."""
    try:
        df = pd.read_csv(path, sep=r"\s+", comment=";", header=None, engine="c",
                         dtype=np.float64, skip_blank_lines=True)
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return None
    if df.shape[1] < N_FIELDS:
        return None
    values = df.to_numpy(dtype=np.float64)[:, :N_FIELDS]
    if np.isnan(values).any():
        return None
    return values


def _careful_parse(path: Path, strict: bool) -> tuple[np.ndarray, list[BadLine]]:
    """Line-by-line parse that reports every bad line by number."""
    rows: list[list[float]] = []
    bad: list[BadLine] = []
    with _open_text(path) as fh:
        for lineno, line in enumerate(fh, start=1):
            stripped = line.split(";", 1)[0].strip()
            if not stripped or stripped.startswith("#"):
                continue
            tokens = stripped.split()
            problem = None
            if len(tokens) < N_FIELDS:
                problem = f"expected {N_FIELDS} whitespace-separated fields, found {len(tokens)}"
            else:
                try:
                    row = [float(tok) for tok in tokens[:N_FIELDS]]
                except ValueError:
                    k, tok = next((k, t) for k, t in enumerate(tokens[:N_FIELDS]) if not _is_number(t))
                    problem = (f"field {k + 1} ({SWF_COLUMNS[k]}) must be a number, found {tok!r}")
                else:
                    if any(np.isnan(v) for v in row):
                        problem = "fields must be numbers, found NaN"
            if problem is not None:
                if strict:
                    raise InputError(problem, file=str(path), location=f"line {lineno}")
                bad.append(BadLine(lineno, problem))
                continue
            rows.append(row)
    values = np.array(rows, dtype=np.float64).reshape(-1, N_FIELDS)
    return values, bad


def _is_number(tok: str) -> bool:
    try:
        float(tok)
    except ValueError:
        return False
    return True


def read_swf(path: str | os.PathLike, *, strict: bool = False) -> Trace:
    """Read an SWF trace.

    Parameters
    ----------
    path : path-like
        An ``.swf`` file (or ``.swf.gz``).
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
    p = Path(path)
    if not p.is_file():
        raise InputError("no such trace file (expected an SWF file)", file=str(p))
    header = _read_header(p)
    values = _fast_parse(p)
    bad: list[BadLine] = []
    if values is None:
        values, bad = _careful_parse(p, strict)
    jobs = pd.DataFrame({name: values[:, k] for k, name in enumerate(SWF_COLUMNS)})
    for name in _INT_COLUMNS:
        jobs[name] = jobs[name].astype(np.int64)
    return Trace(jobs=jobs, header=header, bad_lines=tuple(bad), path=str(p))


def _format_number(values: np.ndarray) -> list[str]:
    if np.all(values == np.round(values)):
        return [str(int(v)) for v in values]
    return [repr(float(v)) for v in values]


def write_swf(jobs: pd.DataFrame, path: str | os.PathLike, header: dict[str, str] | None = None) -> Path:
    """Write jobs as an SWF file (atomically: temp file in the same folder, then rename).

    Columns of :data:`SWF_COLUMNS` that ``jobs`` lacks are written as ``-1``. Integral values are
    written as integers, others with full precision.
    """
    p = Path(path)
    n = len(jobs)
    cols = []
    for name in SWF_COLUMNS:
        if name in jobs.columns:
            cols.append(_format_number(jobs[name].to_numpy(dtype=np.float64)))
        else:
            cols.append(["-1"] * n)
    lines = [f"; {k}: {v}" for k, v in (header or {}).items()]
    lines.extend(" ".join(fields) for fields in zip(*cols))
    text = "\n".join(lines) + "\n"
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, p)
    return p
