"""Where the work of a study runs, and how its results reach the disk.

An executor maps a module-level function over argument tuples and yields ``(index, result)`` as
results arrive: in-process (:class:`SerialExecutor`, the default), local processes
(:class:`ProcessExecutor`, ``--processes N``) or a Dask cluster (:class:`DaskExecutor`,
``--scheduler tcp://HOST:PORT`` or ``DASK_SCHEDULER_ADDRESS``). The function must be importable
on the workers (it lives in ``fs``) and return a DataFrame.

:func:`run_chunks` streams each chunk's DataFrame to ``DIR/chunks/NAME-00000.parquet`` as it
arrives (written atomically), skips chunks already on disk (a run that was interrupted resumes and
recomputes only what is missing), and gathers every chunk, in chunk order, into one Parquet file.
Rows depend only on their arguments, never on where or in which order they were computed, so
serial, process and Dask runs write identical files.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from archmodels.atomic import atomic_path, write_text_atomic
from archmodels.errors import InputError


class SerialExecutor:
    """Runs every task in this process, in order."""

    name = "serial"

    def map_unordered(self, fn: Callable, args: Sequence[tuple]) -> Iterator[tuple[int, object]]:
        for i, a in enumerate(args):
            yield i, fn(*a)

    def close(self) -> None:
        pass


class ProcessExecutor:
    """Runs tasks on ``n`` local worker processes (spawned, one thread of numba each)."""

    name = "processes"

    def __init__(self, n: int):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        if n < 1:
            raise InputError(f"--processes must be at least 1, got {n}")
        self.n = n
        self._pool = ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"))

    def map_unordered(self, fn, args):
        from concurrent.futures import as_completed

        futures = {self._pool.submit(fn, *a): i for i, a in enumerate(args)}
        for fut in as_completed(futures):
            yield futures[fut], fut.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Sends tasks to a running Dask scheduler (``tcp://HOST:PORT``) or an existing ``Client``."""

    name = "dask"

    def __init__(self, scheduler):
        from distributed import Client

        if isinstance(scheduler, Client):
            self.client, self._own = scheduler, False
        else:
            try:
                self.client = Client(scheduler, timeout="10s", set_as_default=False)
            except (OSError, TimeoutError) as err:
                raise InputError(f"cannot reach the Dask scheduler at {scheduler!r}: {err}") from None
            self._own = True

    def map_unordered(self, fn, args):
        from distributed import as_completed

        futures = [self.client.submit(fn, *a, pure=False) for a in args]
        index = {f.key: i for i, f in enumerate(futures)}
        for fut in as_completed(futures, loop=self.client.loop):
            yield index[fut.key], fut.result()
            fut.release()

    def close(self) -> None:
        if self._own:
            self.client.close()


def make_executor(processes: int | None = None, scheduler: str | None = None):
    """The executor a command asked for: Dask if a scheduler is given (or DASK_SCHEDULER_ADDRESS
    is set), local processes if ``processes`` > 1, else in-process."""
    scheduler = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    if scheduler and processes:
        raise InputError("give either --scheduler or --processes, not both")
    if scheduler:
        return DaskExecutor(scheduler)
    if processes and processes > 1:
        return ProcessExecutor(processes)
    return SerialExecutor()


def write_parquet_atomic(df, path: Path) -> None:
    """Write a DataFrame to Parquet atomically (:func:`archmodels.atomic.atomic_path`)."""
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, index=False)


@dataclass(frozen=True)
class ChunkRun:
    """What :func:`run_chunks` did: the gathered file and how many chunks it computed or reused."""

    path: Path
    chunks: int
    computed: tuple[int, ...]
    reused: tuple[int, ...]


def fingerprint(config: object) -> str:
    """A stable hash of a JSON-able description of the work (resuming requires a match)."""
    text = json.dumps(config, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def run_chunks(out_dir: str | Path, name: str, fn: Callable, chunk_args: Sequence[tuple], config: object,
               executor=None, progress: Callable[[int], None] | None = None) -> ChunkRun:
    """Compute ``fn(*args)`` for every chunk not already on disk, then gather them.

    Parameters
    ----------
    out_dir : path
        The run's folder; chunks go to ``out_dir/chunks``, the gathered rows to ``out_dir/NAME.parquet``.
    name : str
        Name of the result set.
    fn : callable
        Module-level function returning a DataFrame.
    chunk_args : sequence of tuples
        One argument tuple per chunk.
    config : JSON-able
        Everything the rows depend on. Chunks on disk from a run with another config are discarded.
    executor : SerialExecutor | ProcessExecutor | DaskExecutor
    progress : callable
        Called with the number of chunks finished so far (reused ones count at the start).
    """
    import pandas as pd

    out_dir = Path(out_dir)
    chunk_dir = out_dir / "chunks"
    chunk_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = chunk_dir / f"{name}.manifest.json"
    manifest = {"name": name, "fingerprint": fingerprint(config), "chunks": len(chunk_args)}
    paths = [chunk_dir / f"{name}-{i:05d}.parquet" for i in range(len(chunk_args))]
    if manifest_path.is_file():
        try:
            old = json.loads(manifest_path.read_text())
        except ValueError:
            old = {}
        if old != manifest:
            for p in chunk_dir.glob(f"{name}-*.parquet"):
                p.unlink()
    write_text_atomic(manifest_path, json.dumps(manifest, sort_keys=True))

    pending = [i for i, p in enumerate(paths) if not p.is_file()]
    reused = tuple(i for i in range(len(paths)) if i not in set(pending))
    done = len(reused)
    if progress:
        progress(done)
    executor = executor or SerialExecutor()
    for j, df in executor.map_unordered(fn, [chunk_args[i] for i in pending]):
        write_parquet_atomic(df, paths[pending[j]])
        done += 1
        if progress:
            progress(done)
    frames = [pd.read_parquet(p) for p in paths]
    gathered = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    target = out_dir / f"{name}.parquet"
    write_parquet_atomic(gathered, target)
    return ChunkRun(target, len(paths), tuple(sorted(pending)), reused)


def chunk_ranges(n: int, size: int) -> list[tuple[int, int]]:
    """Split ``range(n)`` into consecutive ``(start, stop)`` pieces of at most ``size``."""
    if size < 1:
        raise InputError(f"chunk size must be at least 1, got {size}")
    return [(s, min(s + size, n)) for s in range(0, n, size)]

