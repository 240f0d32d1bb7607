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
