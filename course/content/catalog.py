"""The course's table of contents, read from the notebooks themselves so it is never out of date.

Every lesson opens with a markdown cell holding its title (``# ...``) and a line ``**Time:** ...``; the
problem sets live in ``assignments/source/<name>/<name>.ipynb``. :func:`lessons` and :func:`assignments`
list what is there now.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from course.paths import assignments_dir, notebooks_dir

_LESSON_NAME = re.compile(r"^(\d\d)_[a-z0-9_]+\.ipynb$")
_TITLE = re.compile(r"^#\s+(.+?)\s*$", re.MULTILINE)
_TIME = re.compile(r"^\*\*Time:?\*\*:?\s*(.+?)\s*$", re.MULTILINE)


class CatalogError(ValueError):
    """A lesson notebook does not follow the course's conventions."""


@dataclass(frozen=True)
class Entry:
    """One lesson or problem set."""

    number: str
    title: str
    time: str
    path: Path


def _first_markdown(path: Path) -> str:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise CatalogError(f"{path}: cannot read the notebook ({err})") from err
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            return "".join(source) if isinstance(source, list) else source
    raise CatalogError(f"{path}: has no markdown cell; a lesson opens with its title and time")


def read_entry(path: Path, number: str = "") -> Entry:
    """Read the title and time of one notebook from its first markdown cell.

    Raises
    ------
    CatalogError
        If the first markdown cell has no ``# Title`` line or no ``**Time:**`` line.
    """
    head = _first_markdown(path)
    title = _TITLE.search(head)
    time = _TIME.search(head)
    if not title:
        raise CatalogError(f"{path}: the first markdown cell has no '# Title' line")
    if not time:
        raise CatalogError(f"{path}: the first markdown cell has no '**Time:** ...' line")
    # A lesson's heading carries its number ("03 · Official reactions"); the entry has its own: no "03 · 03 ·".
    name = re.sub(rf"^{re.escape(number)}\s*·\s*", "", title.group(1)) if number else title.group(1)
    return Entry(number=number, title=name, time=time.group(1), path=path)


def lessons(folder: Path | None = None) -> list[Entry]:
    """Return the lessons in ``folder`` (default ``notebooks/``), ordered by their two-digit number."""
    folder = folder or notebooks_dir()
    entries = []
    for path in sorted(folder.glob("*.ipynb")):
        match = _LESSON_NAME.match(path.name)
        if match:
            entries.append(read_entry(path, number=match.group(1)))
    return entries


def assignments(folder: Path | None = None) -> list[Entry]:
    """Return the problem sets in ``folder`` (default ``assignments/source``)."""
    folder = folder or assignments_dir() / "source"
    entries = []
    for path in sorted(folder.glob("*/*.ipynb")):
        if path.stem == path.parent.name:
            entries.append(read_entry(path, number=path.parent.name.split("_")[0]))
    return entries


def lesson_table(folder: Path | None = None):
    """Return the lessons as a pandas DataFrame (number, title, time, notebook)."""
    import pandas as pd

    rows = [
        {"lesson": e.number, "title": e.title, "time": e.time, "notebook": e.path.name}
        for e in lessons(folder)
    ]
    return pd.DataFrame(rows, columns=["lesson", "title", "time", "notebook"]).set_index("lesson")
