"""What the grading plugins share: flags, cells, hidden-test regions, the course folder."""

from __future__ import annotations

import csv
import html
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests

FLAG_KEY = "course_integrity"
#: nbgrader's own hidden-test delimiters (``ClearHiddenTests.begin_test_delimeter`` and ``end_test_delimeter``).
HIDDEN_BEGIN = ClearHiddenTests.begin_test_delimeter.default_value
HIDDEN_END = ClearHiddenTests.end_test_delimeter.default_value


def hidden_delimiters(config=None) -> tuple[str, str]:
    """The hidden-test delimiters as nbgrader is configured (``c.ClearHiddenTests.begin_test_delimeter`` ...)."""
    section = config["ClearHiddenTests"] if config is not None and "ClearHiddenTests" in config else {}
    return section.get("begin_test_delimeter", HIDDEN_BEGIN), section.get("end_test_delimeter", HIDDEN_END)


#: A flag's levels: ``violation`` (points withheld), ``review`` (a person looks at it), ``info`` (reported only).
Level = Literal["violation", "review", "info"]
LEVELS: tuple[str, ...] = ("violation", "review", "info")
#: The levels of a flag a person must look at (the formgrader's "Flagged?" column, the report, the notebook's note).
FOR_A_PERSON = ("violation", "review")


@dataclass(frozen=True)
class Flag:
    """One finding of the integrity checks about a notebook, or one of its cells (``cell``: its grade id)."""

    level: Level
    message: str
    cell: str | None = None

    def __post_init__(self):
        if self.level not in LEVELS:
            raise ValueError(f"a flag's level is one of {', '.join(LEVELS)}, not {self.level!r}")

    @property
    def for_a_person(self) -> bool:
        return self.level in FOR_A_PERSON

    def to_metadata(self) -> dict[str, object]:
        """As JSON for a notebook's metadata or the report."""
        return {"level": self.level, "message": self.message, "cell": self.cell}

    @classmethod
    def from_metadata(cls, data) -> Flag:
        """Read :meth:`to_metadata`'s JSON back; what cannot be read becomes a flag for review saying so (a
        notebook's metadata passes through the student's hands)."""
        try:
            cell = data.get("cell")
            return cls(data["level"], str(data["message"])[:2000], cell if isinstance(cell, str) else None)
        except (AttributeError, KeyError, TypeError, ValueError):
            return cls("review", f"a flag in the notebook's metadata could not be read: {str(data)[:200]}")


def flag(level: Level, message: str, cell: str | None = None) -> Flag:
    """One flag: level is 'violation' (points withheld), 'review' (look at it) or 'info'."""
    return Flag(level, message, cell)


@dataclass
class IntegrityRecord:
    """What the integrity checks found in one notebook, passed from the autograder's execution
    (``execute.IntegrityExecute``) to its report (``report.CheckIntegrity``) and the gradebook
    (``save.SaveAutoGradesFlagged``) in nbgrader's ``resources`` under :data:`FLAG_KEY`."""

    flags: list[Flag]
    zero_from: int | None = (
        None  #: the first cell whose test scores nothing (the notebook was not graded from there)
    )
    judged: dict[int, bool] = field(default_factory=dict)  #: cell index -> the test ran in the judge
    flagged_cells: list[str] = field(default_factory=list)  #: test cells marked for a manual look


def for_a_person(flags) -> bool:
    """Whether any of ``flags`` (:class:`Flag`, their metadata, or the report's "level: message" texts) needs a
    person to look."""

    def level(f) -> str:
        if isinstance(f, Flag):
            return f.level
        return str(f.get("level")) if isinstance(f, dict) else str(f).split(":", 1)[0].strip()

    return any(level(f) in FOR_A_PERSON for f in flags)


def grade_id_of(cell: NotebookNode) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def is_test_cell(cell: NotebookNode) -> bool:
    """A grade cell that is code and not a solution: an autograded test."""
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


_ITEM = re.compile(r"^ps\d+_([a-z]\d*)_")
_CHECK_DOC = re.compile(r'^\s*(?:"""|\'\'\')\s*Check\s+[A-Z]\d*\s*:\s*(.+?)\s*(?:"""|\'\'\')?\s*$')
_POINTS = re.compile(r"\s*\(\s*[\d.]+ points?\b[^)]*\)\s*$")


_HTML_HEADING = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]>", re.S | re.I)


def _headings(source: str) -> list[str]:
    """A markdown cell's headings, in order: ``# ...`` lines, or ``<h2>`` elements (the feedback sees the cells
    after course.autograder.sanitize has made them clean HTML)."""
    found = [line.lstrip("#").strip() for line in source.splitlines() if line.startswith("#")]
    for inner in _HTML_HEADING.findall(source):
        text = html.unescape(re.sub(r"<[^>]+>", "", inner)).replace("\u00b6", "").strip()
        found.append(" ".join(text.split()))
    return found


def item_label(grade_id: str) -> str:
    """The item's name as the student knows it: ``ps1_a1_check`` is "A1", ``ps1_e_answer`` "E"."""
    match = _ITEM.match(grade_id or "")
    return match.group(1).upper() if match else str(grade_id)


def item_titles(nb: NotebookNode) -> dict[str, str]:
    """Grade id -> what the item is, in the student's words: a check cell's docstring ("Check A1: the codes are
    from the scheme ..." gives "the codes are from the scheme ..."), or for a written answer its heading without
    the points ("Part E: What China's wording signals")."""
    titles, heading = {}, ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for found in _headings(cell.source):
                heading = _POINTS.sub("", found)
        grade_id = grade_id_of(cell)
        if not grade_id or not utils.is_grade(cell):
            continue
        if is_test_cell(cell):
            first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            match = _CHECK_DOC.match(first)
            titles[grade_id] = match.group(1).rstrip(".") if match else heading
        else:
            titles[grade_id] = heading
    return titles


def hidden_lines(source: str, delimiters: tuple[str, str] = (HIDDEN_BEGIN, HIDDEN_END)) -> set[int]:
    """1-based numbers of the lines inside hidden-test regions (markers included), found as nbgrader finds them."""
    begin, end = delimiters
    inside, hidden = False, set()
    for number, line in enumerate(source.splitlines(), start=1):
        if begin in line:
            inside = True
        if inside:
            hidden.add(number)
        if end in line:
            inside = False
    return hidden


def without_hidden(source: str, delimiters: tuple[str, str] = (HIDDEN_BEGIN, HIDDEN_END)) -> str:
    """``source`` with its hidden-test regions removed, every other line as it was."""
    hidden = hidden_lines(source, delimiters)
    return "\n".join(line for n, line in enumerate(source.splitlines(), start=1) if n not in hidden)


def released_text(source: str) -> str:
    """A read-only cell's text as released (hidden tests removed), ignoring blank lines and trailing spaces."""
    hidden = hidden_lines(source)
    lines = [line.rstrip() for n, line in enumerate(source.splitlines(), start=1) if n not in hidden]
    return "\n".join(line for line in lines if line)


def course_root_of(path: str) -> Path | None:
    from course.autograder.sandbox import course_root

    return course_root(Path(path).resolve())


def error_output(ename: str, message: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])


def remove_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def write_csv(rows: list[dict[str, object]], path: Path, fields) -> Path:
    """Write report rows as CSV with these columns, in order (None is an empty cell); make the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(fields), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path
