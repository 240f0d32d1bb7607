"""Where autograding time goes, per submission: a problem set next to the trivial floor, phase by phase.

Usage (from the repository root, after ``make``)::

    .venv/bin/python bench/where_time_goes.py                      # ps1 against the floor, a class of 10
    .venv/bin/python bench/where_time_goes.py ps2_geography_and_logistics --students 20

It builds a temporary course like ``make bench`` does, runs ``nbgrader autograde`` in a child process with
timers around each preprocessor and each phase of the grading kernel's life, and prints milliseconds per
submission. Phases overlap (a cell's time is part of its preprocessor's), so the columns do not add up; read
the difference column to see what a problem set costs above the floor. Timers add a little overhead.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _instrument(totals: dict[str, float], counts: dict[str, int]) -> None:
    """Wrap the preprocessors and the grading kernel's phases with timers (in the child process)."""
    import inspect

    import nbconvert.preprocessors.base as base
    from nbclient import NotebookClient
    from nbconvert.preprocessors import ExecutePreprocessor

    from course.autograder.execute import IntegrityExecute
    from course.autograder.kernels import KernelAhead

    def wrap(owner, name: str, label: str) -> None:
        original = getattr(owner, name)

        def record(start: float) -> None:
            totals[label] += time.perf_counter() - start
            counts[label] += 1

        if inspect.iscoroutinefunction(original):

            async def timed(*args, **kwargs):
                start = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    record(start)
        else:

            def timed(*args, **kwargs):
                start = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    record(start)

        setattr(owner, name, timed)

    original_call = base.Preprocessor.__call__

    def call(self, nb, resources):
        start = time.perf_counter()
        try:
            return original_call(self, nb, resources)
        finally:
            totals[f"preprocessor {type(self).__name__}"] += time.perf_counter() - start
            counts[f"preprocessor {type(self).__name__}"] += 1

    base.Preprocessor.__call__ = call
    wrap(ExecutePreprocessor, "preprocess_cell", "kernel: running the cells")
    wrap(IntegrityExecute, "_ask", "kernel: probes, exports and calls (user_expressions)")
    wrap(IntegrityExecute, "_run_in_judge", "judge: exporting the answers and running the test")
    wrap(NotebookClient, "start_new_kernel_client", "kernel: connecting, waiting until ready")
    wrap(KernelAhead, "start", "kernel: starting one (the next, ahead)")
    wrap(KernelAhead, "stop", "kernel: stopping")
    wrap(KernelAhead, "finish_stopping", "kernel: reaping stopped ones")
    wrap(KernelAhead, "receive", "kernel: copying the submission in")


def child(root: Path, assignment: str, out: Path) -> None:
    totals: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    start = time.perf_counter()
    os.chdir(root)
    _instrument(totals, counts)
    from nbgrader.apps.nbgraderapp import NbGraderApp

    try:
        NbGraderApp.launch_instance(argv=["autograde", assignment, "--force"])
    except SystemExit:
        pass
    totals["total, including nbgrader's start"] = time.perf_counter() - start
    out.write_text(json.dumps({"totals": totals, "counts": counts}), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", default="ps1_reading_official_reactions")
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), args.child[1], Path(args.child[2]))
        return 0
    sys.path.insert(0, str(HERE))
    import run

    with tempfile.TemporaryDirectory() as tmp:
        root, env, problem_sets = run.grading_course(Path(tmp), args.students)
        if args.assignment not in [*problem_sets, *run.TRIVIAL]:
            parser.error(f"no assignment {args.assignment!r}; choose from {[*problem_sets, *run.TRIVIAL]}")
        columns = {}
        for assignment in (args.assignment, "floor"):
            out = Path(tmp) / f"{assignment}.json"
            result = subprocess.run([sys.executable, __file__, "--child", str(root), assignment, str(out)], env=env,
                           check=False, capture_output=True, text=True)  # fmt: skip
            if not out.exists():
                sys.exit(f"autograding {assignment} failed:\n{result.stderr[-3000:]}")
            columns[assignment] = json.loads(out.read_text(encoding="utf-8"))["totals"]
    real, floor = columns[args.assignment], columns["floor"]
    names = sorted(set(real) | set(floor), key=lambda k: -real.get(k, 0))
    print(f"ms per submission, class of {args.students}\n")
    print(f"{'phase':46} {args.assignment[:18]:>18} {'floor':>8} {'difference':>11}")
    for name in names:
        a, b = real.get(name, 0) * 1000 / args.students, floor.get(name, 0) * 1000 / args.students
        print(f"{name:46} {a:18.1f} {b:8.1f} {a - b:11.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
