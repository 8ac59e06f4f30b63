"""fs-workbench study layer: studies, metrics, sweeps, reports and the ``fsw`` command line."""

#: fs-workbench's own package, not PyFilesystem2's ``fs`` (see archmodels.ownership)
__fs_workbench_package__ = "fs"

from archmodels import __version__  # noqa: E402,F401  (one version; importing archmodels checks the four packages)
