"""archmodels.references: what a user types for an input, a file or a shipped name, read one way."""

from __future__ import annotations

import pytest

from archmodels.errors import InputError
from archmodels.loaders import CATALOG_DIR, resolve_machine_path
from archmodels.references import check_name, resolve_reference


@pytest.fixture()
def shipped(tmp_path):
    folder = tmp_path / "shipped"
    folder.mkdir()
    for name in ("alpha", "beta"):
        (folder / f"{name}.toml").write_text("")
    return {name: folder / f"{name}.toml" for name in ("alpha", "beta")}


def _resolve(ref, shipped):
    return resolve_reference(ref, what="thing", shipped=shipped, listing="shelf", suffix=".toml")


def test_a_name_with_or_without_the_suffix_is_the_shipped_file(shipped, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _resolve("alpha", shipped) == shipped["alpha"]
    assert _resolve("alpha.toml", shipped) == shipped["alpha"]


def test_an_existing_file_wins_over_a_shipped_name(shipped, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "alpha").write_text("")
    assert _resolve("alpha", shipped).resolve() == (tmp_path / "alpha").resolve()


def test_an_unknown_name_gives_the_closest_and_every_name(shipped, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as err:
        _resolve("alpah", shipped)
    assert str(err.value) == ("unknown thing 'alpah': not a file and not in the shelf. "
                              "Did you mean 'alpha'? Shelf: alpha, beta")


def test_a_missing_path_is_a_missing_file_never_a_name(shipped, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as err:
        _resolve("some/dir/alpha.toml", shipped)
    assert str(err.value) == "some/dir/alpha.toml: no such thing file"
    with pytest.raises(InputError, match=r"^alpah.toml: no such thing file\. Did you mean 'alpha'\?$"):
        _resolve("alpah.toml", shipped)


def test_a_folder_is_refused_but_does_not_hide_a_shipped_name(shipped, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "beta").mkdir()
    (tmp_path / "gamma").mkdir()
    assert _resolve("beta", shipped) == shipped["beta"]
    with pytest.raises(InputError, match="^gamma: is a folder, not a thing file$"):
        _resolve("gamma", shipped)


def test_machines_resolve_through_it():
    assert resolve_machine_path("fugaku") == CATALOG_DIR / "fugaku.toml"
    with pytest.raises(InputError, match="Did you mean 'fugaku'"):
        resolve_machine_path("fugku")


def test_check_name_passes_a_known_name_and_refuses_a_typo():
    assert check_name("grid", "tokyo-2025", ["tokyo-2025", "osaka"], "shipped grids") == "tokyo-2025"
    with pytest.raises(InputError) as err:
        check_name("grid", "tokyo-2052", ["tokyo-2025", "osaka"], "shipped grids")
    assert str(err.value) == "unknown grid 'tokyo-2052'. Did you mean 'tokyo-2025'? Shipped grids: osaka, tokyo-2025"
