import pytest
from ops_traces import DATA


@pytest.fixture
def messy_path():
    return DATA / "messy.swf"
