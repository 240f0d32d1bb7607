"""Where the course's files are.

The package is installed in editable mode (``pip install -e .``), so the repository root is the parent of
this package. ``COURSE_ROOT`` overrides it (tests point it at temporary copies).
"""

from __future__ import annotations

import os
from pathlib import Path


def repo_root() -> Path:
    """Return the root folder of the course repository.

    Returns
    -------
    Path
        ``$COURSE_ROOT`` if set, else the folder that holds the ``course`` package.
    """
    override = os.environ.get("COURSE_ROOT")
    if override:
        return Path(override).resolve()
    return Path(__file__).resolve().parent.parent


def notebooks_dir() -> Path:
    """Return the folder of the lesson notebooks."""
    return repo_root() / "notebooks"


def data_dir() -> Path:
    """Return the folder of the sourced data tables."""
    return repo_root() / "data"


def assignments_dir() -> Path:
    """Return the nbgrader course root."""
    return repo_root() / "assignments"
