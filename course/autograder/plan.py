"""The grading plan: what the instructor's gradebook says about one notebook, read once per notebook.

Before, each plugin opened nbgrader's gradebook for itself: the cell check (``overwrite.py``) for the test cells and
the read-only cells as released, the kernel started ahead (``kernels.py``) for what those cells import, the judge
(``judge.py``) for the set-up and test cells, and the judge again for the instructor's order of cells. Now
:func:`grading_plan` reads them once into a :class:`GradingPlan`, kept for that notebook of that student: the
sanitize step (``overwrite.py``, the first of the course's plugins on a notebook) reads it afresh, and the autograde
step of the same ``nbgrader autograde`` uses it. So an assignment generated again in a long-lived process (the
formgrader) is never graded from an old plan.

Everything here comes from the instructor's side (the gradebook, ``source/``), never from the submission: a
student can mark any cell read-only, or as a test, in its metadata.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from functools import cached_property

from course.autograder.common import course_root_of, released_text


@dataclass(frozen=True)
class SourceCell:
    """One cell of the instructor's notebook, as the gradebook keeps it."""

    name: str
    cell_type: str
    locked: bool
    source: str


@dataclass(frozen=True)
class GradingPlan:
    """One notebook's cells as the instructor made them, and what grading needs from them."""

    assignment: str
    notebook: str
    cells: tuple[SourceCell, ...]
    graded: frozenset[str]  #: grade cells (tests, and manually graded answers)
    answers: frozenset[str]  #: solution cells
    order: tuple[str, ...] = ()  #: the cells' names in the instructor's source notebook, where it was found

    @cached_property
    def code(self) -> dict[str, str]:
        return {c.name: c.source for c in self.cells if c.cell_type == "code"}

    @cached_property
    def tests(self) -> dict[str, str]:
        """The test cells (graded, not an answer), by name, with their hidden tests."""
        return {name: self.code[name] for name in self.graded - self.answers if name in self.code}

    def setup(self, fallback_order: list[str] | None = None) -> list[tuple[str, str]]:
        """The read-only code cells that are neither tests nor answers, with their code, in the instructor's source
        notebook's order (where it was not found: ``fallback_order``, the submission's)."""
        kept = self.graded | self.answers
        names = [c.name for c in self.cells if c.locked and c.name in self.code and c.name not in kept]
        order = list(self.order) or list(fallback_order or [])
        return [
            (n, self.code[n])
            for n in sorted(names, key=lambda n: order.index(n) if n in order else len(order))
        ]

    @cached_property
    def released(self) -> dict[str, str]:
        """Every read-only cell's text as released (hidden tests removed), by name."""
        return {c.name: released_text(c.source) for c in self.cells if c.locked}

    @cached_property
    def imports(self) -> tuple[str, ...]:
        """What the read-only code cells import, as released (for the kernel started ahead)."""
        return tuple(
            imported_modules(
                [self.released[c.name] for c in self.cells if c.locked and c.cell_type == "code"]
            )
        )


def imported_modules(sources) -> list[str]:
    """The absolute module names that these cells import (a cell that is not plain Python is skipped).

    ``from course.views import maps`` gives ``course`` and ``course.views.maps``: a name imported from a package may be a
    submodule (the kernel's preload skips the ones that are not).
    """
    names: set[str] = set()
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*")
    return sorted(names)


#: The plans of the last few notebooks, by (gradebook, assignment, notebook, student).
_PLANS: dict[tuple, GradingPlan | None] = {}
_KEEP = 8
#: How many times a plan was read from the gradebook in this process (the tests count them).
reads = 0


def grading_plan(resources, fresh: bool = False) -> GradingPlan | None:
    """The plan of the notebook ``resources`` describes; None outside an nbgrader course or for a notebook the
    gradebook does not know. ``fresh``: read it again (the first plugin on a notebook asks so)."""
    global reads
    info = (resources or {}).get("nbgrader", {})
    if not all(info.get(key) for key in ("db_url", "assignment", "notebook")):
        return None
    key = (info["db_url"], info["assignment"], info["notebook"], info.get("student"))
    if fresh or key not in _PLANS:
        _PLANS.pop(key, None)
        while len(_PLANS) >= _KEEP:
            _PLANS.pop(next(iter(_PLANS)))
        _PLANS[key] = _read(info, (resources or {}).get("metadata", {}).get("path"))
        reads += 1
    return _PLANS[key]


def _read(info: dict, path: str | None) -> GradingPlan | None:
    from nbgrader.api import Gradebook, MissingEntry

    try:
        with Gradebook(info["db_url"]) as gb:
            notebook = gb.find_notebook(info["notebook"], info["assignment"])
            cells = tuple(
                SourceCell(c.name, c.cell_type, bool(c.locked), c.source) for c in notebook.source_cells
            )
            graded = frozenset(c.name for c in notebook.grade_cells)
            answers = frozenset(c.name for c in notebook.solution_cells)
    except MissingEntry:
        return None
    return GradingPlan(
        info["assignment"], info["notebook"], cells, graded, answers, _source_order(info, path)
    )


def _source_order(info: dict, path: str | None) -> tuple[str, ...]:
    """The cells' names in order in ``source/<assignment>/<notebook>.ipynb`` (empty where it cannot be read)."""
    root = course_root_of(path) if path else None
    source = root / "source" / info["assignment"] / f"{info['notebook']}.ipynb" if root else None
    if source is None or not source.is_file():
        return ()
    try:
        cells = json.loads(source.read_text(encoding="utf-8"))["cells"]
        names = (c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in cells)
        return tuple(name for name in names if isinstance(name, str))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return ()
