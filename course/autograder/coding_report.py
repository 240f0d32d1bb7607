"""The class coding report, for an instructor: every student's coding file gathered, agreement computed, one page.

Usage (from the repository, or ``make coding-report SRC=…``)::

    python -m course.autograder.coding_report SOURCE [--assignment NAME] [--set lab] [--out coding-report.html]

SOURCE is a folder of ``<student>.csv`` or ``<student>/codes.csv`` files, nbgrader's course folder after collect
(``submitted/<student>/<assignment>/codes.csv``: give ``--assignment``), or an LMS download (.zip). Files with
problems are listed at the top of the page, by file and line; everyone else is counted. Exit status 0 when a report
was written (even with problems), 2 when nothing could be counted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from course.content.classreport import build, lab_statements
from course.content.codingfiles import gather
from course.views.coding_report import page

SETS = {"lab": lab_statements}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="coding_report", description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="a folder, nbgrader's course folder, or a .zip")
    parser.add_argument("--assignment", help="with nbgrader's course folder: the assignment's name")
    parser.add_argument(
        "--set", default="lab", choices=sorted(SETS), help="the statements coded (default: lab)"
    )
    parser.add_argument("--out", type=Path, default=Path("coding-report.html"), help="the page to write")
    parser.add_argument("--draws", type=int, default=1000, help="bootstrap resamples for alpha's interval")
    args = parser.parse_args(argv)
    statements = SETS[args.set]()
    try:
        gathered = gather(args.source, statements, assignment=args.assignment)
    except ValueError as error:
        print(f"coding_report: {error}", file=sys.stderr)
        return 2
    report = build(gathered.coders, statements, problems=gathered.problems, draws=args.draws)
    args.out.write_text(page(report), encoding="utf-8")
    for problem in gathered.problems:
        print(f"coding_report: {problem}", file=sys.stderr)
    print(
        f"coding_report: {len(report.coders)} coders counted, {len(gathered.problems)} problems; wrote {args.out}"
    )
    if report.flagged:
        print(f"coding_report: far from the class: {', '.join(report.flagged)}")
    return 0 if report.coders else 2


if __name__ == "__main__":
    sys.exit(main())
