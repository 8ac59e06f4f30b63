"""Every `fsw` command in the shell blocks of README.md and docs/*.md runs as pasted.

The commands are read from the ```bash and ```console blocks (```text blocks are synopses with
placeholders and are not run), in file order, and each runs as ``python -m fs ...`` in a subprocess
whose working directory is a temporary copy of the repository's ``examples/`` folder: inputs named
``examples/...`` resolve, and every output (``--out``, ``--plot``, ``--csv``, ``> file``) lands in the
temporary folder, so a later command can read what an earlier one wrote (``host.toml``).

A command is expected to exit 0, or 2 when its comment says ``(exit 2)``, and never to print a
traceback. :data:`SMALLER` substitutes smaller sizes where the documented size takes minutes (the
documented command stays as users read it); :data:`SKIP` names the few commands not run, each with
its reason.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
RUN_LANGUAGES = {"bash", "sh", "shell", "console"}

#: (pattern, replacement, reason): applied to a command before it runs; sizes only, never flags' meaning.
SMALLER: list[tuple[str, str, str]] = [
    (r"^(study run \S+ --out \S+)(?!.*--samples)", r"\1 --samples 4 --sweep-points 64",
     "the default 200 samples and 20,000 design points take ~30 s"),
    (r"--samples 200", "--samples 4 --sweep-points 64", "200 samples take ~30 s"),
    (r"--points 1000000", "--points 500", "a million design points take minutes"),
    (r"--jobs 1000000", "--jobs 2000", "a million-job trace takes ~10 s to write"),
    (r"--trace theta_argonne", "--trace cqsim_test",
     "the 23,387-job Theta trace takes seconds per policy; the small shipped trace is still named"),
    (r"--size 40000000", "--size 4000000", "a 1 GB triad; 4e6 elements exercise the same command"),
]

#: Commands not run (the text up to any comment), each with its reason; keep this short.
SKIP: dict[str, str] = {
    "fsw bench --out host.toml --plot host.png":
        "the full suite takes minutes; the quick suite with the same outputs runs from README.md",
    "fsw bench --quick --out host.toml":
        "the same suite as README's `fsw bench --quick --out host.toml --plot host.png`, which runs",
    "fsw bench --quick --validate":
        "the quick suite again; tests/archmodels/test_bench_validate.py runs `fsw bench --quick --validate`",
}

TIMEOUT_S = 60


@dataclass(frozen=True)
class Command:
    """One documented command: where it is, what it says, what it should exit with."""

    file: str
    line: int
    text: str  # the command without its comment, ``fsw ...``
    expected_status: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def _split_comment(line: str) -> tuple[str, str]:
    """``(command, comment)``: the comment starts at a `` #`` outside quotes."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i + 1:].strip()
    return line.rstrip(), ""


def documented_commands(path: Path) -> list[Command]:
    """The ``fsw`` commands of ``path``'s runnable shell blocks, in file order."""
    commands = []
    language = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        fence = re.match(r"^\s*```\s*(\S*)", raw)
        if fence:
            language = None if language is not None else (fence.group(1) or "")
            continue
        if language not in RUN_LANGUAGES:
            continue
        line = raw.strip()
        if language == "console":
            if not line.startswith("$ "):
                continue  # output shown under the command
            line = line[2:]
        text, comment = _split_comment(line)
        for part in text.split("&&"):
            part = part.strip()
            if part.startswith("fsw "):
                commands.append(Command(str(path.relative_to(REPO)), number, part,
                                        2 if "(exit 2)" in comment else 0))
    return commands


def all_commands() -> list[Command]:
    return [c for doc in DOCUMENTS for c in documented_commands(doc)]


def runnable(command: Command) -> str:
    """The command as the test runs it: :data:`SMALLER` applied, without the leading ``fsw``."""
    args = command.text[len("fsw "):]
    for pattern, replacement, _reason in SMALLER:
        args = re.sub(pattern, replacement, args)
    return args


def test_documents_have_commands_and_the_skip_list_is_short():
    commands = all_commands()
    readme = [c for c in commands if c.file == "README.md"]
    assert len(readme) >= 30, [c.text for c in readme]
    assert len(SKIP) <= 5
    texts = {c.text for c in commands}
    stale = [s for s in SKIP if s not in texts]
    assert not stale, f"SKIP names commands no document holds: {stale}"


def test_every_example_file_a_command_names_ships():
    """A command naming ``examples/X`` names a file in the repository (and no placeholder slips in)."""
    for c in all_commands():
        for token in shlex.split(c.text):
            for ref in re.findall(r"examples/[^\s,:]+", token):
                assert (REPO / ref).is_file(), f"{c.where}: {c.text}: {ref} does not ship"
        assert not re.search(r"\[--|\bFILE\b|\bNAME\b|<\w+>|HOST:", c.text), f"{c.where}: a synopsis, not a command: {c.text}"


def _run(command: Command, cwd: Path) -> tuple[subprocess.CompletedProcess | None, float]:
    words = shlex.split(runnable(command))
    stdout_file = None
    if ">" in words:  # `fsw ... > file`: the shell's redirection
        k = words.index(">")
        words, stdout_file = words[:k], words[k + 1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
           "COLUMNS": "100", "MPLBACKEND": "Agg"}
    start = time.perf_counter()
    try:
        result = subprocess.run([sys.executable, "-m", "fs", *words], cwd=cwd, env=env, capture_output=True,
                                text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return None, time.perf_counter() - start
    if stdout_file is not None:
        (cwd / stdout_file).write_text(result.stdout)
    return result, time.perf_counter() - start


@pytest.mark.slow
def test_every_documented_command_runs_as_pasted(tmp_path):
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    failures, seen, timings = [], set(), []
    for command in all_commands():
        if command.text in SKIP or command.text in seen:
            continue
        seen.add(command.text)
        result, wall_s = _run(command, tmp_path)
        timings.append((wall_s, command.where))
        if result is None:
            failures.append(f"{command.where}: {command.text}: no result within {TIMEOUT_S} s")
            continue
        output = result.stdout + result.stderr
        if result.returncode != command.expected_status or "Traceback" in output:
            failures.append(f"{command.where}: {command.text}: exit {result.returncode} (expected "
                            f"{command.expected_status})\n{output[-1500:]}")
    slowest = ", ".join(f"{w} {s:.1f} s" for s, w in sorted(timings, reverse=True)[:5])
    assert not failures, "\n\n".join(failures) + f"\n\nslowest: {slowest}"
