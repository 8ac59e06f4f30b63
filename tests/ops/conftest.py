from importlib import resources
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def trace_path(name: str) -> Path:
    with resources.as_file(resources.files("ops") / "data" / "traces" / name) as p:
        return Path(p)


@pytest.fixture
def messy_path():
    return DATA / "messy.swf"
