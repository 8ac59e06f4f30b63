"""The built-in catalog of machines and workloads, and loading by name or by path.

A machine given by path (``machine.toml``) works everywhere a catalog name does: a reference that
names an existing file is read as a file, anything else is a catalog name
(:func:`archmodels.references.resolve_reference`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from archmodels.references import resolve_reference
from archmodels.machine import Machine, machine_from_spec
from archmodels.spec import read_toml, validate_machine_dict

#: Folders of the built-in catalog (package data).
CATALOG_DIR = Path(__file__).parent / "catalog"
WORKLOAD_DIR = Path(__file__).parent / "workloads"


def machine_names() -> list[str]:
    """Names of the machines in the built-in catalog, sorted."""
    return sorted(p.stem for p in CATALOG_DIR.glob("*.toml"))


def is_path_reference(ref: str | Path) -> bool:
    ref = str(ref)
    return ref.endswith(".toml") or "/" in ref or Path(ref).is_file()


def resolve_machine_path(ref: str | Path) -> Path:
    """The file behind a machine reference: a spec or variant file, or a catalog name."""
    return resolve_reference(ref, what="machine", shipped={n: CATALOG_DIR / f"{n}.toml" for n in machine_names()},
                             listing="catalog", suffix=".toml")


@lru_cache(maxsize=256)
def _load_machine_file(path: str, mtime_ns: int) -> Machine:
    raw = read_toml(path)
    if "base" in raw:  # a variant: a base machine plus changes (archmodels.variants)
        from archmodels.variants import expand_variant

        raw = expand_variant(raw, path)
    spec = validate_machine_dict(raw, path)
    return machine_from_spec(spec, path)


def load_machine(ref: str | Path | Machine) -> Machine:
    """Load a machine from the catalog (``"fugaku"``) or a spec file (``"host.toml"``).

    Raises
    ------
    archmodels.errors.SpecError
        The file does not follow the schema (every problem listed, with field paths).
    archmodels.errors.InputError
        Neither a file nor a catalog name.
    """
    if isinstance(ref, Machine):
        return ref
    path = resolve_machine_path(ref)
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        mtime = 0
    return _load_machine_file(str(path), mtime)


def load_catalog() -> list[Machine]:
    """Every machine of the built-in catalog."""
    return [load_machine(name) for name in machine_names()]
