"""Writing result tables: CSV or Parquet by file extension, atomically (temp file, then rename)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from archmodels.atomic import atomic_path
from archmodels.errors import InputError


def write_table(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write ``df`` to ``path`` (``.csv`` or ``.parquet``); the file appears whole or not at all."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise InputError(f"output must end in .csv or .parquet, got {p.name!r}", file=str(p))
    if not p.parent.exists():
        raise InputError("output folder does not exist", file=str(p.parent))
    table = pa.Table.from_pandas(df, preserve_index=False)
    with atomic_path(p) as tmp:
        if suffix == ".csv":
            pacsv.write_csv(table, tmp, write_options=pacsv.WriteOptions(quoting_style="needed"))
        else:
            pq.write_table(table, tmp)
    return p
