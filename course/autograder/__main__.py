"""``python -m course.autograder normalize|report|items|pending COURSE_ROOT ASSIGNMENT`` and ``incomplete COURSE_ROOT``:
the instructor's grading commands; ``pack`` and ``example-bank`` build a class pack (course/autograder/pack.py)."""

from __future__ import annotations

import sys
from pathlib import Path

from course.autograder.completeness import (
    completeness,
    completeness_summary,
    pending_summary,
    unsubmitted,
    write_completeness,
)
from course.autograder.files import normalize_submissions
from course.autograder.items import (
    CODING_COLUMNS,
    coding_items,
    coding_table,
    item_analysis,
    items_table,
    write_items,
)
from course.autograder.report import collect_report, mark_flagged, write_report


def main(argv: list[str] | None = None) -> int:
    """``python -m course.autograder normalize|report|items COURSE_ROOT ASSIGNMENT``."""
    import argparse

    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("pack", "example-bank"):
        return _pack(argv)
    parser = argparse.ArgumentParser(prog="python -m course.autograder", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["normalize", "report", "items", "incomplete", "pending"])
    parser.add_argument("course_root", type=Path)
    parser.add_argument("assignment", nargs="?", help="the problem set (every command but incomplete)")
    parser.add_argument(
        "--partial", action="store_true", help="pending: say what is not graded yet, and go on (exit 0)"
    )
    args = parser.parse_args(argv)
    if args.command == "pending":
        return _pending(args.course_root, args.assignment, args.partial)
    if args.command == "incomplete":
        try:
            rows = completeness(args.course_root)
        except FileNotFoundError as error:
            print(f"incomplete: {error}", file=sys.stderr)
            return 2
        print(completeness_summary(rows, unsubmitted(args.course_root)))
        print(f"written to {write_completeness(rows, args.course_root / 'reports' / 'completeness.csv')}")
        return 0
    if not args.assignment:
        parser.error(f"{args.command} needs the problem set, e.g. ps1_reading_official_reactions")
    if args.command == "normalize":
        for event in normalize_submissions(args.course_root, args.assignment):
            print(f"{event['student']}: {event['event']}")
        return 0
    if args.command == "items":
        items = item_analysis(args.course_root, args.assignment)
        print(items_table(items))
        print(
            f"item analysis written to {write_items(items, args.course_root / 'reports' / f'{args.assignment}-items.csv')}"
        )
        coding, alphas = coding_items(args.course_root, args.assignment)
        if coding:
            from course.autograder.common import write_csv

            print(coding_table(coding, alphas))
            path = write_csv(
                coding, args.course_root / "reports" / f"{args.assignment}-coding.csv", CODING_COLUMNS
            )
            print(f"coding agreement written to {path}")
        return 0
    rows = collect_report(args.course_root, args.assignment)
    path = write_report(rows, args.course_root / "reports" / f"{args.assignment}-integrity.csv")
    width = max([len(str(r["student"])) for r in rows] + [7])
    for row in rows:
        print(
            f"{str(row['student']):{width}}  {row.get('score', '')!s:>6} / {row.get('max_score', '')!s:<5} {row.get('flags', '')}"
        )
    print(f"report written to {path}")
    marked = mark_flagged(args.course_root, rows, args.assignment)
    if marked:
        print(f"{len(marked)} flagged in the formgrader's list (its Flagged? column): {', '.join(marked)}")
    return 0


def _pack(argv: list[str]) -> int:
    """``pack --bank DIR --roster CSV --out DIR [--secret FILE] [--templates DIR] [--allow-public]`` and
    ``example-bank DIR [--templates DIR]``."""
    import argparse

    from course.autograder.pack import PackError, build, example_bank

    parser = argparse.ArgumentParser(
        prog=f"python -m course.autograder {argv[0]}",
        description="Build a class's own problem sets from the instructor's private item bank (INSTRUCTORS.md, "
        "'Class packs')"
        if argv[0] == "pack"
        else "Write the example bank (public statements: for a rehearsal, never for a graded class)",
    )
    parser.add_argument(
        "--templates",
        type=Path,
        help="the public problem sets' nbgrader folder (default: the course's assignments/)",
    )
    if argv[0] == "example-bank":
        parser.add_argument("out", type=Path)
        args = parser.parse_args(argv[1:])
        written = example_bank(args.out, args.templates)
        print(f"example bank written to {written} (its keys are public: a rehearsal only)")
        return 0
    parser.add_argument(
        "--bank",
        type=Path,
        required=True,
        help="the bank folder (items.csv, readings.csv; hedges.csv for Part B, optional)",
    )
    parser.add_argument(
        "--roster", type=Path, required=True, help="student ids: nbgrader's roster CSV (id column)"
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="the class's course folder (outside the repository)"
    )
    parser.add_argument(
        "--secret", type=Path, help="the class secret (default: OUT/class-secret, made if missing)"
    )
    parser.add_argument(
        "--allow-public", action="store_true", help="accept items the public repository codes (a rehearsal)"
    )
    args = parser.parse_args(argv[1:])
    try:
        built = build(
            args.bank,
            args.roster,
            args.out,
            args.secret,
            allow_public=args.allow_public,
            templates=args.templates,
        )
    except PackError as error:
        print(f"pack: {error}", file=sys.stderr)
        return 2
    print(built.summary())
    return 0


def _pending(course_root: Path, assignment: str | None, partial: bool) -> int:
    """Before feedback is made: which submissions still wait for a hand grade (exit 2), unless ``partial``."""
    if not assignment:
        print("pending: which problem set? e.g. ps1_reading_official_reactions", file=sys.stderr)
        return 2
    try:
        text = pending_summary(completeness(course_root), assignment)
    except FileNotFoundError as error:
        print(f"pending: {error}", file=sys.stderr)
        return 2
    if not text:
        return 0
    if partial:
        print(text + '\nPARTIAL=1: making the feedback now; those items say "not graded yet" (not 0).')
        return 0
    print(
        text
        + '\nNo feedback made yet: their pages would say "not graded yet" for those items. Grade them in the '
        "formgrader (make formgrader), then run make feedback again; or make the feedback now, with those items "
        'marked "not graded yet": make feedback PARTIAL=1',
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())
