"""Item analysis: how the class did on each graded cell of an assignment, from nbgrader's gradebook.

For each graded cell, in the notebook's order: its points, how many submissions have a score for it (a written
answer nobody has graded yet has none), the mean score, and the shares of full, partial and zero marks. An item
almost everyone gets right, or almost nobody, tells the instructor something about the item before it tells
anything about the students.
"""

from __future__ import annotations

from pathlib import Path

from course.autograder.common import write_csv

COLUMNS = ("item", "points", "scored", "mean", "full", "partial", "zero")


def item_analysis(course_root: Path, assignment: str) -> list[dict[str, object]]:
    """One row per graded cell of ``assignment`` (see :data:`COLUMNS`), read from ``course_root/gradebook.db``."""
    from nbgrader.api import Gradebook

    database = Path(course_root) / "gradebook.db"
    if not database.exists():
        raise FileNotFoundError(f"no gradebook at {database}: run nbgrader generate_assignment first")
    rows = []
    with Gradebook(f"sqlite:///{database}") as gb:
        notebooks = gb.find_assignment(assignment).notebooks
        for notebook in notebooks:
            scores: dict[str, list[float]] = {cell.name: [] for cell in notebook.grade_cells}
            points = {cell.name: float(cell.max_score) for cell in notebook.grade_cells}
            for submission in notebook.submissions:
                for grade in submission.grades:
                    scored = grade.auto_score is not None or grade.manual_score is not None
                    if (
                        grade.name in scores and scored
                    ):  # nbgrader counts an unscored grade as 0: leave it out
                        scores[grade.name].append(float(grade.score))
            order = {cell.name: i for i, cell in enumerate(notebook.source_cells)}
            for name in sorted(scores, key=lambda n: order.get(n, len(order))):
                got, most = scores[name], points[name]
                n = len(got)
                rows.append(
                    {
                        "item": name if len(notebooks) == 1 else f"{notebook.name}:{name}",
                        "points": most,
                        "scored": n,
                        "mean": round(sum(got) / n, 3) if n else None,
                        "full": round(sum(s >= most for s in got) / n, 3) if n else None,
                        "partial": round(sum(0 < s < most for s in got) / n, 3) if n else None,
                        "zero": round(sum(s <= 0 for s in got) / n, 3) if n else None,
                    }
                )
    return rows


def write_items(rows: list[dict[str, object]], path: Path) -> Path:
    """Write the item analysis as CSV (empty cells where nothing is scored yet)."""
    return write_csv(rows, path, COLUMNS)


def items_table(rows: list[dict[str, object]]) -> str:
    """The item analysis as aligned text, for the terminal."""

    def cell(value: object) -> str:
        return "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)

    width = max([len(str(r["item"])) for r in rows] + [4])
    lines = [
        f"{'item':{width}}  {'points':>6}  {'scored':>6}  {'mean':>6}  {'full':>5}  {'partial':>7}  {'zero':>5}"
    ]
    for r in rows:
        lines.append(
            f"{r['item']!s:{width}}  {cell(r['points']):>6}  {cell(r['scored']):>6}  {cell(r['mean']):>6}  "
            f"{cell(r['full']):>5}  {cell(r['partial']):>7}  {cell(r['zero']):>5}"
        )
    return "\n".join(lines)


# ---- agreement on the coding items (issue 29) -----------------------------------------------------------------------

MAX_NOTEBOOK_BYTES = 20 * 1024**2
MAX_ANSWER_CHARS = 20_000
CODING_COLUMNS = (
    "item",
    "points",
    "mean",
    "answered",
    "unread",
    "stance",
    "stance_share",
    "commitment",
    "commitment_share",
    "readings",
)


def _cells(path: Path) -> list[dict]:
    """A submitted notebook's cells, read as hostile bytes: never through a link, size-limited, JSON only."""
    import json

    from course.content.codingfiles import read_regular

    try:
        raw = read_regular(path, MAX_NOTEBOOK_BYTES)
        data = json.loads(raw) if len(raw) <= MAX_NOTEBOOK_BYTES else None
    except (OSError, ValueError, RecursionError):
        return []
    cells = data.get("cells") if isinstance(data, dict) else None
    return [c for c in cells if isinstance(c, dict)] if isinstance(cells, list) else []


def _literal_dict(source: object, name: str) -> dict | None:
    """The dict literal assigned to ``name`` in a cell's source (the last such assignment), or None: nothing is run."""
    import ast

    text = "".join(source) if isinstance(source, list) else source
    if not isinstance(text, str) or len(text) > MAX_ANSWER_CHARS:
        return None
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    found = None
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Dict)
            and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
        ):
            try:
                value = ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
                value = None
            found = value if isinstance(value, dict) else None
    return found


def coding_items(course_root: Path, assignment: str) -> tuple[list[dict[str, object]], dict[str, object]]:
    """For each coding item of ``assignment`` (an answer cell whose solution assigns a dict with a stance and a
    commitment), how the class coded it, beside how well it scored: the most common stance and commitment and their
    shares, how many distinct readings, how many answers could be read. And Krippendorff's alpha per variable
    across the items, the students as coders: how far the class agrees on these statements.

    Answers are read from ``submitted/`` without running anything: the cell's source is parsed and a dict literal
    taken; an answer built any other way counts as unread. Returns (rows, alphas)."""
    import numpy as np

    from course.content.agreement import alpha_with_interval
    from course.content.reactions import COMMITMENT_CODES, STANCE_CODES

    course_root = Path(course_root)
    items: dict[str, tuple[str, str]] = {}  # grade_id -> (notebook stem, variable)
    for notebook in sorted((course_root / "source" / assignment).glob("*.ipynb")):
        for cell in _cells(notebook):
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
            if not grade_id.endswith("_answer"):
                continue
            variable = grade_id.removesuffix("_answer").rsplit("_", 1)[-1]
            solution = _literal_dict(cell.get("source", ""), variable)
            if solution and {"stance", "commitment"} <= set(solution):
                items[grade_id] = (notebook.stem, variable)
    if not items:
        return [], {}
    scores = {row["item"]: row for row in item_analysis(course_root, assignment)}
    students = sorted(
        p.name for p in (course_root / "submitted").iterdir() if p.is_dir() and not p.is_symlink()
    )
    codes = {grade_id: {"stance": [], "commitment": []} for grade_id in items}
    unread = dict.fromkeys(items, 0)
    matrices = {
        "stance": np.full((len(students), len(items)), np.nan),
        "commitment": np.full((len(students), len(items)), np.nan),
    }
    scales = {"stance": list(STANCE_CODES), "commitment": list(COMMITMENT_CODES)}
    for row, student in enumerate(students):
        notebooks = {}
        for col, (grade_id, (stem, variable)) in enumerate(items.items()):
            if stem not in notebooks:
                notebooks[stem] = _cells(course_root / "submitted" / student / assignment / f"{stem}.ipynb")
            cell = next(
                (
                    c
                    for c in notebooks[stem]
                    if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id
                ),
                None,
            )
            answer = _literal_dict(cell.get("source", ""), variable) if cell else None
            if not answer or not all(answer.get(k) in scales[k] for k in scales):
                unread[grade_id] += 1
                continue
            for key in scales:
                codes[grade_id][key].append(answer[key])
                matrices[key][row, col] = scales[key].index(answer[key])
    rows = []
    for grade_id, (_stem, _variable) in items.items():
        item = grade_id.removesuffix("_answer")
        scored = scores.get(f"{item}_check", {})
        row: dict[str, object] = {
            "item": item,
            "points": scored.get("points"),
            "mean": scored.get("mean"),
            "answered": len(codes[grade_id]["stance"]),
            "unread": unread[grade_id],
        }
        for key in scales:
            given = codes[grade_id][key]
            top = max(set(given), key=given.count) if given else None
            row[key] = top
            row[f"{key}_share"] = round(given.count(top) / len(given), 3) if given else None
        row["readings"] = len(set(zip(codes[grade_id]["stance"], codes[grade_id]["commitment"], strict=True)))
        rows.append(row)
    levels = {"stance": "nominal", "commitment": "ordinal"}
    alphas = {
        key: alpha_with_interval(matrices[key], levels[key], len(scales[key]), draws=500) for key in scales
    }
    return rows, alphas


def coding_table(rows: list[dict[str, object]], alphas: dict[str, object]) -> str:
    """The coding items as aligned text: difficulty (mean of points) beside the class's agreement."""

    def share(value: object) -> str:
        return "—" if value is None else f"{value:.0%}"

    lines = [
        "coding items: the class's most common reading, and how many gave it",
        f"{'item':8}  {'mean/pts':>8}  {'read':>5}  {'stance (share)':28}  {'commitment (share)':34}  readings",
    ]
    for r in rows:
        difficulty = "—" if r["mean"] is None else f"{r['mean']:g}/{r['points']:g}"
        stance = f"{r['stance']} ({share(r['stance_share'])})"
        commitment = f"{r['commitment']} ({share(r['commitment_share'])})"
        lines.append(
            f"{r['item']!s:8}  {difficulty:>8}  {r['answered']!s:>5}  {stance:28}  {commitment:34}  {r['readings']}"
        )
    for key, a in alphas.items():
        lines.append(
            f"alpha across the items, {key}: {a.value:.2f} (95% interval {a.low:.2f} to {a.high:.2f}), "
            f"{a.coders} students"
        )
    return "\n".join(lines)
