"""Practice mode: a self-learner checks a saved problem set against the key and reads model answers on request.

In a problem set, a check cell says only whether an answer has the right form ("the form is right and the visible
checks pass"): whether it is *right* is for the hidden checks, which only the graded version runs. A student in a
class learns that from their feedback. A self-learner has no instructor, so practice mode runs the graded version
for them, on their own machine, from the problem set's source (``assignments/source/``):

- :func:`check` takes the learner's *saved* notebook, puts the key's check cells (with their hidden tests) in place
  of the released ones, as nbgrader's autograder does, runs it with nbclient in a fresh kernel, and scores every
  check cell by nbgrader's own rule (:func:`nbgrader.utils.determine_grade`). The learner's file is never written.
- :func:`model_answer` returns an item's model answer (the source's solution) and the key's reasons, for a
  learner who asks for them.

What it is not: a grader. It runs the learner's code unsandboxed, in the learner's own kernel, on the learner's
machine, and runs the hidden tests in that same kernel; graded work goes through ``make autograde`` (the sandbox and
the judge: see assignments/INSTRUCTORS.md). It needs the source notebooks, which hold the key: an instructor's
graded release (``assignments/release/``, or a JupyterHub exchange) does not ship them, and there practice mode
says it is not available. The view is :class:`course.practice.checker.PracticeChecker` (notebooks/self_study.ipynb).

It reuses the autograder's reading of cells (``course.autograder.common``: grade ids, hidden-test lines) and its
kernel manager seam; nothing of the autograder imports it.
"""

from __future__ import annotations

import ast
import copy
import logging
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course.autograder.common import grade_id_of, hidden_lines, is_test_cell
from course.autograder.seams import HookedKernelManager
from course.paths import assignments_dir

#: The markers nbgrader puts around a solution and around hidden tests, as lines of a cell.
_MARKER = re.compile(r"^\s*### (BEGIN|END) (SOLUTION|HIDDEN TESTS)\s*$")
_ITEM = re.compile(r"^ps\d+_([a-z]\d*)_")
_FEEDBACK = "Feedback: "

RIGHT, PARTLY, NOT_YET, BY_HAND, UNANSWERED, MISSING = (
    "right",
    "partly right",
    "not yet",
    "written answer",
    "not answered",
    "check cell missing",
)


class PracticeUnavailable(Exception):
    """Practice mode cannot run here: no key (a graded class), or no such problem set or notebook."""


@dataclass(frozen=True)
class Item:
    """One graded cell of a problem set, as practice mode scored it."""

    grade_id: str
    label: str
    points: float
    earned: float | None  # None: a written answer, for an instructor to grade
    verdict: str
    why: tuple[str, ...] = ()


@dataclass
class Result:
    """What :func:`check` found: one :class:`Item` per graded cell, in notebook order."""

    problem_set: str
    notebook: Path
    items: list[Item] = field(default_factory=list)

    @property
    def autograded(self) -> float:
        """Points the automatic checks are worth (written answers excluded)."""
        return sum(i.points for i in self.items if i.verdict != BY_HAND)

    @property
    def earned(self) -> float:
        return round(sum(i.earned or 0.0 for i in self.items), 4)

    def summary(self) -> str:
        written = [i for i in self.items if i.verdict == BY_HAND]
        text = f"{_number(self.earned)} of {_number(self.autograded)} automatically checked points"
        if written:
            points = sum(i.points for i in written)
            text += f"; {_number(points)} more for written answers, which the key does not score: compare yours with the model answer"
        return text + "."

    def table(self):
        """The items as a DataFrame: item, points, result, why (for :func:`course.views.display.show`)."""
        import pandas as pd

        return pd.DataFrame(
            {
                "item": [i.label for i in self.items],
                "points": [
                    "—" if i.earned is None else f"{_number(i.earned)} / {_number(i.points)}"
                    for i in self.items
                ],
                "result": [i.verdict for i in self.items],
                "why": [" ".join(i.why) for i in self.items],
            }
        )


@dataclass(frozen=True)
class ModelAnswer:
    """An item's model answer and, where the key gives them, the reasons for the key."""

    label: str
    answer: str
    reasons: tuple[str, ...]


def _number(value: float) -> str:
    return f"{value:g}"


def problem_sets(root: Path | None = None) -> list[str]:
    """The problem sets that have a key here (the folders of ``assignments/source/``), in order."""
    source = (root or assignments_dir()) / "source"
    if not source.is_dir():
        return []
    return sorted(p.name for p in source.iterdir() if (p / f"{p.name}.ipynb").is_file())


def key_path(problem_set: str, root: Path | None = None) -> Path:
    """The source notebook of ``problem_set`` (solutions and hidden tests), or :class:`PracticeUnavailable`."""
    path = (root or assignments_dir()) / "source" / problem_set / f"{problem_set}.ipynb"
    if not path.is_file():
        have = problem_sets(root)
        if not have:
            raise PracticeUnavailable(
                "Practice mode needs the problem sets' key (assignments/source/), and it is not here: in a graded "
                "class the instructor keeps it. Your check cells still say whether an answer has the right form; "
                "your instructor's feedback says whether it is right."
            )
        raise PracticeUnavailable(f"no problem set {problem_set!r}; there are: {', '.join(have)}")
    return path


def notebook_path(problem_set: str, root: Path | None = None) -> Path:
    """Where a self-learner works on ``problem_set``: the released notebook (Binder opens it there)."""
    return (root or assignments_dir()) / "release" / problem_set / f"{problem_set}.ipynb"


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _label(grade_id: str) -> str:
    match = _ITEM.match(grade_id)
    return match.group(1).upper() if match else grade_id


def _read(path: Path, what: str):
    try:
        return nbformat.read(path, as_version=4)
    except FileNotFoundError as err:
        raise PracticeUnavailable(f"{what} {path} does not exist") from err
    except Exception as err:  # nbformat raises several kinds for a damaged file
        raise PracticeUnavailable(f"{what} {path} cannot be read as a notebook: {err}") from err


def keyed(learner, key):
    """The learner's notebook with the key's read-only and check cells in place of theirs (by grade id).

    The learner's answer cells are kept as they are; every other cell with a grade id comes from the key, as
    nbgrader's OverwriteCells restores it before grading. A check cell the learner deleted is not run: its item is
    reported as missing.
    """
    cells = {grade_id_of(c): c for c in key.cells if grade_id_of(c)}
    nb = copy.deepcopy(learner)
    for index, cell in enumerate(nb.cells):
        source = cells.get(grade_id_of(cell))
        if source is None or _nbgrader(source).get("solution"):
            continue
        nb.cells[index] = copy.deepcopy(source)
        if source.cell_type == "code":
            nb.cells[index].outputs = []
            nb.cells[index].execution_count = None
    return nb


def _why(cell) -> tuple[str, ...]:
    lines: list[str] = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream" and out.name == "stdout":
            lines += [line[len(_FEEDBACK) :] for line in out.text.splitlines() if line.startswith(_FEEDBACK)]
        elif out.output_type == "error":
            if out.ename == "NotImplementedError":
                lines.append("Not answered yet: the answer cell still raises NotImplementedError.")
            elif out.ename == "NameError":
                lines.append(f"{out.evalue}: run the answer cell above it (or the whole notebook) and save.")
            else:
                lines.append(f"{out.ename}: {out.evalue}" if out.evalue else out.ename)
    return tuple(lines)


def _score(cell, unanswered: bool = False) -> Item:
    from nbgrader.utils import determine_grade

    meta = _nbgrader(cell)
    grade_id = meta["grade_id"]
    points = float(meta.get("points", 0))
    if not is_test_cell(cell):
        return Item(grade_id, _label(grade_id), points, None, BY_HAND)
    earned, _ = determine_grade(cell, logging.getLogger("course.practice"))
    earned = float(earned or 0.0)
    why = _why(cell)
    if unanswered and earned == 0:
        verdict, why = UNANSWERED, ("Not answered yet: the answer cell still raises NotImplementedError.",)
    elif any(line.startswith("Not answered") for line in why):
        verdict = UNANSWERED
    elif earned >= points:
        verdict = RIGHT
    elif earned > 0:
        verdict = PARTLY
        why = why or (
            "Part of the points: a defensible reading, or part of the answer; compare with the model answer.",
        )
    else:
        verdict = NOT_YET
    return Item(grade_id, _label(grade_id), points, round(earned, 4), verdict, why)


class PrivateKernelManager(HookedKernelManager):
    """The checking kernel's manager: ipc sockets in a private folder (mode 0700) instead of TCP, so nothing else on
    the machine can reach the kernel and ipykernel has no cause to print its "running over TCP without encryption"
    warning into the learner's notebook (issue 33). nbclient starts and stops it as it would its default manager."""

    def before_start(self, kw: dict) -> dict:
        self._private = Path(tempfile.mkdtemp(prefix="course-practice-"))  # mkdtemp makes it 0700
        self.transport = "ipc"
        self.ip = str(self._private / "k")
        self.connection_file = str(self._private / "kernel.json")
        return kw

    def after_cleanup(self, restart: bool) -> None:
        if not restart and getattr(self, "_private", None):
            shutil.rmtree(self._private, ignore_errors=True)


def check(problem_set: str, notebook: str | Path | None = None, timeout: int = 60) -> Result:
    """Score the learner's saved ``notebook`` of ``problem_set`` against the key (see the module's docstring).

    Parameters
    ----------
    problem_set : str
        A folder name of ``assignments/source/``, e.g. ``"ps1_reading_official_reactions"``.
    notebook : path, optional
        The learner's notebook; by default the released one, where a self-learner works.
    timeout : int
        Seconds any one cell may run.

    Raises
    ------
    PracticeUnavailable
        No key here, no such problem set, or the notebook cannot be read; the message says which.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    key = _read(key_path(problem_set), "The key")
    path = Path(notebook) if notebook is not None else notebook_path(problem_set)
    learner = _read(path, "Your notebook")
    nb = keyed(learner, key)
    stopped = ""
    client = NotebookClient(
        nb,
        timeout=timeout,
        allow_errors=True,
        kernel_name="python3",
        kernel_manager_class=PrivateKernelManager,
        resources={"metadata": {"path": str(path.parent)}},
    )
    try:
        client.execute()
    except CellTimeoutError:
        stopped = f"A cell ran for more than {timeout} s and was stopped; the cells after it did not run."
    except DeadKernelError:
        stopped = "The kernel died (out of memory?); the cells after it did not run."

    result = Result(problem_set, path)
    present = set()
    unanswered = False  # an answer cell since the last graded cell still raises NotImplementedError
    for cell in nb.cells:
        meta = _nbgrader(cell)
        if meta.get("solution") and not meta.get("grade"):
            unanswered |= any(
                o.output_type == "error" and o.ename == "NotImplementedError" for o in cell.get("outputs", [])
            )
        if meta.get("grade") and meta.get("grade_id"):
            present.add(meta["grade_id"])
            item = _score(cell, unanswered)
            unanswered = False
            if (
                stopped
                and item.verdict == RIGHT
                and not cell.get("outputs")
                and cell.get("execution_count") is None
            ):
                item = Item(item.grade_id, item.label, item.points, 0.0, NOT_YET, (stopped,))
            result.items.append(item)
    for cell in key.cells:
        meta = _nbgrader(cell)
        if meta.get("grade") and meta.get("grade_id") not in present:
            grade_id = meta["grade_id"]
            result.items.append(
                Item(
                    grade_id,
                    _label(grade_id),
                    float(meta.get("points", 0)),
                    0.0,
                    MISSING,
                    ("The check cell is not in your notebook (deleted?); a graded copy would restore it.",),
                )
            )
    return result


def _strip_markers(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if not _MARKER.match(line)).strip()


def _reasons(test_source: str) -> tuple[str, ...]:
    """The key's reasons in a check cell's hidden tests, each saying what it is about.

    Its comments; each option of :func:`course.grading.score_choice` with its share of the points and why; each
    reading of :func:`course.grading.score_reading` with the words it rests on; and what the author wrote for a
    right answer (``right=`` of ``explain`` and ``score_phrase``, each part of ``score_matches``'s ``why=``).
    """
    inside = hidden_lines(test_source)
    lines = [
        line
        for n, line in enumerate(test_source.splitlines(), start=1)
        if n in inside and not _MARKER.match(line)
    ]
    reasons = [re.sub(r"^#\s*(key:\s*)?", "", line.strip()) for line in lines if line.strip().startswith("#")]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return tuple(r for r in reasons if r)
    calls = sorted(
        (n for n in ast.walk(tree) if isinstance(n, ast.Call)), key=lambda n: (n.lineno, n.col_offset)
    )
    for node in calls:
        reasons += _call_reasons(getattr(node.func, "id", getattr(node.func, "attr", "")), node)
    return tuple(r for r in reasons if r)


def _literal(node):
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError):
        return None


def _share(points: float) -> str:
    return "full credit" if points >= 1 else ("no credit" if points <= 0 else f"{points:g} of the point")


def _call_reasons(name: str, call: ast.Call) -> list[str]:
    """What one call of a course.grading helper in a hidden test says about the key (see :func:`_reasons`)."""
    keywords = {k.arg: _literal(k.value) for k in call.keywords if k.arg}
    args = [_literal(a) for a in call.args]
    if name == "score_choice" and len(args) > 1 and isinstance(args[1], dict):
        return [
            f"\u201c{option}\u201d ({_share(points)}): {why}" for option, (points, why) in args[1].items()
        ]
    if name == "score_reading" and len(args) > 1 and isinstance(args[1], list):
        return [
            f"{stance} / {commitment}, shown by {', '.join(repr(w) for w in signals[:2])}: {why}"
            for stance, commitment, signals, why in args[1]
        ]
    if name in ("explain", "score_phrase") and keywords.get("right"):
        return [str(keywords["right"])]
    if name == "score_matches" and isinstance(keywords.get("why"), dict):
        return [f"{part}: {right}" for part, (right, _wrong) in keywords["why"].items()]
    return []


def items(problem_set: str) -> list[str]:
    """The labels of a problem set's graded items, in order ("A1", ..., "E")."""
    key = _read(key_path(problem_set), "The key")
    return [_label(_nbgrader(c)["grade_id"]) for c in key.cells if _nbgrader(c).get("grade")]


def model_answer(problem_set: str, label: str) -> ModelAnswer:
    """The model answer of one item (``"A2"``) and the key's reasons; :class:`PracticeUnavailable` if unknown."""
    key = _read(key_path(problem_set), "The key")
    answers: list[str] = []
    for cell in key.cells:
        meta = _nbgrader(cell)
        if meta.get("solution") and not meta.get("grade"):
            answers.append(_strip_markers(cell.source))
        elif meta.get("grade"):
            if _label(meta["grade_id"]) == label.upper():
                if meta.get("solution"):  # a written answer: the cell is its own model answer
                    return ModelAnswer(label.upper(), _strip_markers(cell.source), ())
                return ModelAnswer(label.upper(), "\n\n".join(answers), _reasons(cell.source))
            answers = []
    raise PracticeUnavailable(
        f"{problem_set} has no item {label!r}; its items: {', '.join(items(problem_set))}"
    )
