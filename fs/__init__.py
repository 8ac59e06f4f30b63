"""fs-workbench study layer: studies, metrics, sweeps, reports and the ``fsw`` command line."""

__version__ = "0.1.0"
