"""fs-workbench study layer: studies, metrics, sweeps, reports and the ``fsw`` command line."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fs-workbench")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
