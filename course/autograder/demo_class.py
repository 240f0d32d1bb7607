"""A simulated class for problem set 1, for `make grade-demo` and the grading pipeline's tests.

Each simulated student is a submission made from the *released* notebook (as a real student would start), with
answers typed into the answer cells, and the outcome the course's grading must give it: the autograded score
(out of 20; the 5-point written answer is graded by hand) and the flags the instructor must see. The expected
scores follow from the notebook's points and the coding scheme's partial credit, worked out by hand below.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course.paths import assignments_dir

PS1 = "ps1_reading_official_reactions"

SOLUTION_DELIMITERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def solutions(notebook: Path) -> dict[str, str]:
    """The reference solution of every answer cell of a source notebook, by grade id.

    The solution is the cell as the source has it, without nbgrader's solution delimiters: what a student who
    answered exactly as the key would have in the cell. Read from the notebook each time, so it is never a second
    copy that could drift from the key.
    """
    nb = nbformat.read(str(notebook), as_version=4)
    answers = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id"):
            lines = [line for line in cell.source.splitlines() if line.strip() not in SOLUTION_DELIMITERS]
            answers[meta["grade_id"]] = "\n".join(lines).strip("\n")
    return answers


def source_notebook(assignment: str = PS1) -> Path:
    """The source notebook of a problem set (the key), under the course's ``assignments/source/``."""
    return assignments_dir() / "source" / assignment / f"{assignment}.ipynb"


def _with(
    answers: dict[str, str | None], cell: str, prefix: str = "", suffix: str = ""
) -> dict[str, str | None]:
    changed = dict(answers)
    changed[cell] = prefix + (changed[cell] or "") + suffix
    return changed


@dataclass
class Student:
    """One simulated submission and the outcome grading must give it."""

    name: str
    description: str
    score: float  # expected autograded score out of 20
    answers: dict[str, str | None] = field(default_factory=dict)
    flags: tuple[str, ...] = ()  # substrings that must appear in the student's flags
    edit: Callable[[nbformat.NotebookNode], None] | None = None  # further changes to the notebook
    raw: bytes | None = None  # a file that is not a notebook
    filename: str = f"{PS1}.ipynb"
    needs_timeouts: bool = False  # waits for a per-cell or per-notebook time limit


def _delete_cell(grade_id: str):
    def edit(nb):
        nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != grade_id]

    return edit


def _replace_cell(grade_id: str, source: str):
    def edit(nb):
        for c in nb.cells:
            if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
                c.source = source

    return edit


def _drop_kernelspec(nb):
    nb.metadata.pop("kernelspec", None)


def _build() -> dict[str, object]:
    """The simulated class: the key's answers (read from the source notebook here, on first use, never at import),
    the wrong and the half-right answer sets, and the students made from them."""
    #: The source notebook's answers, by answer-cell id (the reference solution), read from ``assignments/source/``.
    CORRECT = solutions(source_notebook())

    #: Wrong but well-formed answers (every check cell's visible part passes; the hidden part scores 0).
    WRONG = {
        **{k: v for k, v in CORRECT.items() if k.startswith("ps1_d") or k == "ps1_e_answer"},
        "ps1_a1_answer": 'a1 = {"stance": "warning", "commitment": "policy_step", "signal": "Russia"}',
        "ps1_a2_answer": 'a2 = {"stance": "endorsement", "commitment": "review_or_option", "signal": "Such remarks"}',
        "ps1_a3_answer": 'a3 = {"stance": "endorsement", "commitment": "policy_step", "signal": "Indo-Pacific"}',
        "ps1_a4_answer": 'a4 = {"stance": "warning", "commitment": "policy_step", "signal": "in a way"}',
        "ps1_a5_answer": 'a5 = {"stance": "condemnation", "commitment": "words_only", "signal": "document"}',
        "ps1_b1_answer": 'b1 = "posture"',
        "ps1_b2_answer": 'b2 = "seriously"',
        "ps1_b3_answer": 'b3 = "third countries"',
        "ps1_c1_answer": 'c1_avoided = "any position on who decides the two states\' relations"',
        "ps1_c2_answer": 'c2_avoided = "any judgment of such supplies"',
        "ps1_d1_answer": "d1_china = reactions.head(1)",
        "ps1_d2_answer": 'd2_share = reactions["stance"].value_counts(normalize=True).reindex(list(STANCE_CODES), fill_value=0.0) * 0 + 0.2',
        "ps1_d3_answer": 'import pandas as pd\nd3_counts = pd.crosstab(reactions["actor_id"], reactions["stance"])',
        "ps1_d4_answer": ('d4_located = reactions.head(2).assign(place_name="x", lat=0.0, lon=0.0)'),
    }

    #: Half right, by design (see the arithmetic in `STUDENTS`).
    PARTIAL = {
        **CORRECT,
        # A1: neighbouring stance 0.5 + commitment 0.5 + signal 0.5 = 1.5
        "ps1_a1_answer": 'a1 = {"stance": "concern", "commitment": "words_only", "signal": "relevant countries"}',
        # A3: neighbouring stance 0.5 + neighbouring commitment 0.25 + signal 0.5 = 1.25
        "ps1_a3_answer": 'a3 = {"stance": "condemnation", "commitment": "consultation_or_protest", "signal": "of concern"}',
        # A4: wrong stance 0 + commitment 0.5 + signal 0.5 = 1.0
        "ps1_a4_answer": 'a4 = {"stance": "endorsement", "commitment": "words_only", "signal": "supporting each other"}',
        # A5: not answered = 0
        "ps1_a5_answer": None,
        # B2: a phrase from the statement, but not the hedge = 0
        "ps1_b2_answer": 'b2 = "direct violation"',
        # B3: contains the qualifier in a short phrase = 1
        "ps1_b3_answer": 'b3 = "Western-style military alliance"',
        # C1: the best reading = 1; C2: a reading the statement contradicts (it names South Korea) = 0
        "ps1_c2_answer": 'c2_avoided = "whom the warning is addressed to"',
        # D2: counts, not shares: the visible check fails = 0
        "ps1_d2_answer": 'd2_share = reactions["stance"].value_counts().reindex(list(STANCE_CODES), fill_value=0)',
        # D4: no lat/lon columns: the visible check fails = 0
        "ps1_d4_answer": 'd4_located = reactions[reactions["place_id"].notna()].join(places[["name"]], on="place_id")',
    }

    STUDENTS: tuple[Student, ...] = (
        Student("correct", "the reference answers", 20.0, CORRECT),
        Student("partial", "some neighbouring codes, some wrong or malformed answers", 10.75, PARTIAL),
        Student("blank", "the released notebook, unanswered", 0.0, {}),
        # Well-formed but wrong: only A2's commitment is a neighbouring level (0.5 x 0.5 = 0.25).
        Student("wrong", "well-formed wrong answers everywhere", 0.25, WRONG),
        Student(
            "adv_input_transformer",
            "wrong answers, and an input transformer that blanks every later cell",
            0.0,
            _with(
                WRONG,
                "ps1_a1_answer",
                suffix="\nget_ipython().input_transformers_cleanup.append(lambda lines: [])",
            ),
            flags=("installed an IPython input transformer",),
        ),
        Student(
            "adv_ast_transformer",
            "wrong answers, and an AST transformer that deletes assert statements",
            0.25,
            _with(
                WRONG,
                "ps1_a1_answer",
                suffix=(
                    "\nimport ast\nclass NoAsserts(ast.NodeTransformer):\n"
                    "    def visit_Assert(self, node):\n        return ast.Pass()\n"
                    "get_ipython().ast_transformers.append(NoAsserts())"
                ),
            ),
            flags=("installed an IPython AST transformer",),
        ),
        Student(
            "adv_always_equal",
            "answers whose == is always true",
            0.0,
            {
                **{k: None for k in CORRECT},
                "ps1_a1_answer": (
                    "class Anything(str):\n    def __eq__(self, other):\n        return True\n"
                    "    __hash__ = str.__hash__\n"
                    'a1 = {"stance": Anything("x"), "commitment": Anything("x"), "signal": Anything("x")}\n'
                    "a2 = a3 = a4 = a5 = a1\n"
                    'b1 = b2 = b3 = Anything("x")\n'
                    "c1_avoided = c2_avoided = Anything('x')"
                ),
            },
            flags=("defines custom equality",),
        ),
        Student(
            "adv_builtins",
            "wrong answers, and builtins replaced",
            0.25,
            _with(WRONG, "ps1_a1_answer", suffix="\nimport builtins\nbuiltins.all = lambda *args: True"),
            flags=("replaced builtin(s) all",),
        ),
        Student(
            "adv_isinstance",
            "wrong answers, and isinstance replaced (the kernel stops answering)",
            0.0,
            _with(
                WRONG, "ps1_a1_answer", suffix="\nimport builtins\nbuiltins.isinstance = lambda *args: True"
            ),
            flags=("the kernel stopped responding",),
            needs_timeouts=True,
        ),
        Student(
            "adv_helpers",
            "wrong answers, and the checking helpers replaced",
            0.25,
            _with(
                WRONG,
                "ps1_a1_answer",
                prefix="import course.grading as g\ng.score_codes = lambda *a, **k: 2.0\ng.check_choice = lambda *a, **k: None\n",
            ),
            flags=("replaced checking helper(s) check_choice, score_codes",),
        ),
        Student(
            "adv_showtraceback",
            "wrong answers, and errors hidden by replacing showtraceback",
            0.25,
            _with(WRONG, "ps1_a1_answer", suffix="\nget_ipython().showtraceback = lambda *a, **k: None"),
            flags=("replaced IPython shell method(s) showtraceback",),
        ),
        Student(
            "adv_read_solutions",
            "reads the solutions from source/ and the gradebook while being graded (the sandbox hides them)",
            0.25,
            {
                **WRONG,
                "ps1_a1_answer": (
                    "import os, pathlib\n"
                    "leak = ''\n"
                    "places = [pathlib.Path.cwd(), *pathlib.Path.cwd().parents]  # the course root above the kernel,\n"
                    "for pid in os.listdir('/proc'):  # or any process's working folder (the grader's is the root)\n"
                    "    try:\n"
                    "        places.append(pathlib.Path(os.readlink(f'/proc/{pid}/cwd')))\n"
                    "    except (OSError, ValueError):\n"
                    "        pass\n"
                    "for root in places:\n"
                    "    try:\n"
                    "        leak = (root / 'source' / 'ps1_reading_official_reactions' / 'ps1_reading_official_reactions.ipynb').read_text()\n"
                    "        leak += (root / 'gradebook.db').read_bytes().decode('latin-1')\n"
                    "        break\n"
                    "    except OSError:\n"
                    "        pass\n"
                    + "\n".join(
                        f"if 'BEGIN SOLUTION' in leak:\n    {CORRECT[k]}\nelse:\n    {WRONG[k]}"
                        for k in (
                            "ps1_a1_answer",
                            "ps1_a2_answer",
                            "ps1_a3_answer",
                            "ps1_a4_answer",
                            "ps1_a5_answer",
                        )
                    )
                ),
                **{f"ps1_a{n}_answer": "pass" for n in range(2, 6)},
            },
        ),
        Student(
            "bad_json",
            "a file that is not valid JSON",
            0.0,
            raw=b'{"cells": [ this is not json',
            flags=("not a readable notebook",),
        ),
        Student(
            "deleted_test",
            "the reference answers, with the B1 check cell deleted",
            20.0,
            CORRECT,
            flags=("cell ps1_b1_check was missing and was added back",),
            edit=_delete_cell("ps1_b1_check"),
        ),
        Student(
            "edited_test",
            "a wrong B1 answer, and the B1 check cell replaced by 'pass'",
            19.0,
            {**CORRECT, "ps1_b1_answer": 'b1 = "posture"'},
            flags=("read-only cell ps1_b1_check was edited; the original was restored",),
            edit=_replace_cell("ps1_b1_check", "pass"),
        ),
        Student(
            "renamed", "the reference answers in a renamed file", 20.0, CORRECT, filename="ps1 (1).ipynb"
        ),
        Student(
            "no_kernelspec", "the reference answers, kernelspec removed", 20.0, CORRECT, edit=_drop_kernelspec
        ),
        Student(
            "crash",
            "right answers to part A, then os._exit(1) in the B1 answer",
            10.0,
            {**CORRECT, "ps1_b1_answer": "import os\nos._exit(1)"},
            flags=("the kernel died",),
        ),
        Student(
            "huge_output",
            "the reference answers, and 200,000 printed lines",
            20.0,
            _with(CORRECT, "ps1_a1_answer", suffix="\nfor i in range(200_000):\n    print(i)"),
            flags=("output limit",),
        ),
        Student(
            "infinite_loop",
            "the reference answers, and an endless loop after the B2 answer",
            20.0,
            _with(CORRECT, "ps1_b2_answer", suffix="\nwhile True:\n    pass"),
            flags=("hit the",),
            needs_timeouts=True,
        ),
        Student(
            "slow",
            "the reference answers, but 4.5 s of sleep in each of the first two answers (notebook limit 8 s)",
            2.0,
            _with(
                _with(CORRECT, "ps1_a1_answer", prefix="import time\ntime.sleep(4.5)\n"),
                "ps1_a2_answer",
                prefix="import time\ntime.sleep(4.5)\n",
            ),
            flags=("stopped: the notebook ran longer than its 8 s limit",),
            needs_timeouts=True,
        ),
    )

    return {"CORRECT": CORRECT, "WRONG": WRONG, "PARTIAL": PARTIAL, "STUDENTS": STUDENTS}


_BUILT: dict[str, object] = {}


def __getattr__(name: str):
    """``CORRECT``, ``WRONG``, ``PARTIAL`` and ``STUDENTS``, built when first asked for (PEP 562): importing the
    module reads no notebook."""
    if name in ("CORRECT", "WRONG", "PARTIAL", "STUDENTS"):
        if not _BUILT:
            _BUILT.update(_build())
        return _BUILT[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: Limits the demo and the tests run with, so that the endless loop and the slow student cost seconds.
#: Each sleep of the slow student stays 1.5 s under the cell limit; together they pass the notebook limit by 1 s.
DEMO_LIMITS = {"Execute.timeout": 6, "IntegrityExecute.notebook_timeout": 8}


def submission(student: Student, release: Path) -> bytes:
    """Return the bytes of ``student``'s submission, made from the released notebook."""
    if student.raw is not None:
        return student.raw
    nb = nbformat.read(release, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        answer = student.answers.get(grade_id)
        if answer is not None:
            cell.source = answer
    if student.edit:
        student.edit(nb)
    return nbformat.writes(nb).encode("utf-8")


def write_class(course_root: Path, students=None, assignment: str = PS1) -> list[Student]:
    """Write every student's submission (default: the whole demo class) under
    ``course_root/submitted/<student>/<assignment>/``."""
    students = __getattr__("STUDENTS") if students is None else students
    release = course_root / "release" / assignment / f"{assignment}.ipynb"
    for student in students:
        folder = course_root / "submitted" / student.name / assignment
        folder.mkdir(parents=True, exist_ok=True)
        (folder / student.filename).write_bytes(submission(student, release))
        (folder / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC\n")
    return list(students)


def expected_table(students=None) -> str:
    """The expected outcomes as a Markdown table (for the instructor guide and the demo's output)."""
    students = __getattr__("STUDENTS") if students is None else students
    lines = ["| student | submission | autograded score /20 | must be flagged for |", "|---|---|---|---|"]
    for s in students:
        lines.append(f"| {s.name} | {s.description} | {s.score:g} | {'; '.join(s.flags) or '—'} |")
    return "\n".join(lines)


def run_demo(root: Path, nbgrader: str) -> int:
    """Run the whole grading cycle on a fresh copy of the course in ``root``; print outcomes; 0 if all as expected.

    generate_assignment → a simulated class → normalise file names → autograde → export → feedback → report.
    """
    import csv
    import os
    import shutil
    import subprocess
    import time

    from course.autograder.files import normalize_submissions
    from course.autograder.items import item_analysis, items_table, write_items
    from course.autograder.report import collect_report, write_report

    course = assignments_dir()
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shutil.copy(course / "nbgrader_config.py", root)
    shutil.copytree(course / "source", root / "source")
    env = dict(os.environ, PYTHONWARNINGS="ignore:::nbgrader.api")
    env["PATH"] = str(Path(nbgrader).parent) + os.pathsep + env.get("PATH", "")

    def run(*args: str) -> float:
        start = time.monotonic()
        with open(root / "nbgrader.log", "a") as log:
            subprocess.run(
                [nbgrader, *args], cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, check=False
            )
        return time.monotonic() - start

    run("generate_assignment", PS1, "--force")
    write_class(root)
    for event in normalize_submissions(root, PS1):
        print(f"  file names: {event['student']}: {event['event']}")
    seconds = run("autograde", PS1, *[f"--{k}={v}" for k, v in DEMO_LIMITS.items()])
    run("export", "--to", "grades.csv")
    run("generate_feedback", PS1)
    rows = collect_report(root, PS1)
    write_report(rows, root / "reports" / f"{PS1}-integrity.csv")
    items = item_analysis(root, PS1)
    write_items(items, root / "reports" / f"{PS1}-items.csv")
    with open(root / "grades.csv", newline="") as handle:
        grades = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(handle)}
    flags = {row["student"]: str(row["flags"]) for row in rows}
    ok = True
    STUDENTS = __getattr__("STUDENTS")
    print(f"\n{'student':24} {'expected':>8} {'got':>6}  flags")
    for s in STUDENTS:
        good = grades.get(s.name) == s.score and all(f in flags.get(s.name, "") for f in s.flags)
        ok &= good
        print(
            f"{s.name:24} {s.score:8g} {grades.get(s.name, float('nan')):6g}  {'' if good else 'MISMATCH  '}"
            f"{flags.get(s.name, '')[:110]}"
        )
    print(
        "\nitem analysis (shares of the class; the demo class is mostly attackers, so read it as a format):"
    )
    print(items_table(items))
    slow = [s for s in STUDENTS if s.needs_timeouts]
    print(
        f"\nautograde: {seconds:.1f} s for {len(STUDENTS)} submissions = {seconds / len(STUDENTS):.2f} s each "
        f"({len(slow)} of them wait for a time limit on purpose)"
    )
    print(f"grades: {root / 'grades.csv'}\nintegrity report: {root / 'reports' / (PS1 + '-integrity.csv')}")
    print(f"feedback: {root / 'feedback'}\nlog: {root / 'nbgrader.log'}")
    print("all outcomes as expected" if ok else "SOME OUTCOMES DIFFER FROM THE EXPECTED ONES")
    return 0 if ok else 1


if __name__ == "__main__":
    import argparse
    import sys

    parser = argparse.ArgumentParser(
        prog="python -m course.autograder.demo_class", description=__doc__.splitlines()[0]
    )
    parser.add_argument("command", choices=["write", "run", "table"])
    parser.add_argument("root", type=Path, nargs="?", default=Path("."))
    args = parser.parse_args()
    if args.command == "write":
        print(json.dumps([s.name for s in write_class(args.root)]))
    elif args.command == "table":
        print(expected_table())
    else:
        sys.exit(run_demo(args.root.resolve(), str(Path(sys.executable).parent / "nbgrader")))
