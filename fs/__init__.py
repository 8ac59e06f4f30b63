"""fs-workbench study layer: studies, metrics, sweeps, reports and the ``fsw`` command line."""

from archmodels import __version__  # noqa: F401  (one version for the distribution)
