"""The docstring examples of the model modules run and give what they show.

Every module of the four packages is imported and its examples run with :mod:`doctest` (the CLI
and ``__main__`` modules print and exit; they have no examples). The examples are documentation a
reader copies, so a wrong one is a bug; the count floor keeps a broken finder from passing empty.
"""

from __future__ import annotations

import doctest
import importlib
import io
import pkgutil

import pytest

PACKAGES = ("archmodels", "quantum", "ops", "fs")


def _modules() -> list[str]:
    names = []
    for pkg in PACKAGES:
        root = importlib.import_module(pkg)
        names.append(pkg)
        for info in pkgutil.walk_packages(root.__path__, pkg + "."):
            if info.name.startswith("fs.cli") or info.name.endswith("__main__"):
                continue
            names.append(info.name)
    return sorted(names)


MODULES = _modules()


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    out = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in doctest.DocTestFinder().find(importlib.import_module(name)):
        runner.run(test, out=out.write)
    assert runner.failures == 0, out.getvalue()


def test_the_model_functions_carry_examples():
    attempted = 0
    finder = doctest.DocTestFinder()
    for name in MODULES:
        attempted += sum(len(t.examples) for t in finder.find(importlib.import_module(name)))
    assert attempted >= 14
