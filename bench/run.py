"""`make bench`: the course's speed and size figures, side by side in one run, written to bench/results.json.

Keys (seconds unless named otherwise):
- course_exec_s: executing every lesson and every source problem set headless (nbclient, fresh kernels);
  kernel_floor_s: executing an empty notebook the same way (the floor each notebook pays).
- autograde_per_submission_s: a simulated class of 30 on ps1; autograde_floor_per_submission_s: the same class
  on a trivial one-cell assignment in the same run; autograde_ratio: their quotient (budget 1.5). For context:
  the same class on ps2 and ps3, on a one-cell assignment that imports pandas (what any pandas problem set
  pays), and on ps1 with every kernel started when its notebook comes (``--IntegrityExecute.start_ahead=False``).
- widget_update_ms: median of one scenario-explorer update (bench/bench_widgets.py; budget 50 ms).
- map_html_kb_offline / map_html_kb_online: the largest map's HTML (budget 700 KB offline).
- import_course_s: `python -c "import course"`, cold (budget 1.5 s).
- setup_s, venv_mb (with --fresh): `make` from a clean clone to a JupyterLab answering.

Usage: ``make bench`` (add ``BENCH_ARGS=--fresh`` for the set-up figures; about two minutes more).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.prefix) / "bin"
BUDGETS = {"course_exec_s": 60, "autograde_ratio": 1.5, "widget_update_ms": 50, "map_html_kb_offline": 700,
           "import_course_s": 1.5}  # fmt: skip
CLASS_SIZE = 30


def execute(path: Path) -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return time.perf_counter() - start


def course_execution(tmp: Path) -> dict[str, float]:
    import nbformat

    notebooks = sorted([*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("assignments/source/*/*.ipynb")])
    total = sum(execute(p) for p in notebooks)
    empty = tmp / "empty.ipynb"
    nbformat.write(nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                     "language": "python"}}), empty)  # fmt: skip
    floor = min(execute(empty) for _ in range(3))
    return {"course_exec_s": round(total, 2), "kernel_floor_s": round(floor, 2), "notebooks": len(notebooks),
            "course_exec_over_floor": round(total / (floor * len(notebooks)), 2)}  # fmt: skip


def _trivial_assignment(root: Path, name: str, source: str) -> None:
    import nbformat

    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": "trivial",
                                 "points": 1, "schema_version": 3}  # fmt: skip
    folder = root / "source" / name
    folder.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[cell], metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}}), folder / f"{name}.ipynb")  # fmt: skip


TRIVIAL = {"floor": '"""Trivial check."""\nassert True', "floor_pandas": "import pandas\nassert True"}


def grading_course(tmp: Path, class_size: int = CLASS_SIZE) -> tuple[Path, dict[str, str], list[str]]:
    """A course folder with every problem set and the trivial assignments released, and a class submitted.

    ps1's class answers with the reference answers (course.demo_class); for ps2, ps3 and the trivial assignments
    each student submits the source or released notebook. Returns the root, nbgrader's environment, the
    problem sets.
    """
    from course.demo_class import CORRECT, PS1, Student, write_class

    root = tmp / "course"
    root.mkdir()
    shutil.copy(ROOT / "assignments" / "nbgrader_config.py", root)
    problem_sets = sorted(p.name for p in (ROOT / "assignments" / "source").iterdir() if p.is_dir())
    for ps in problem_sets:
        shutil.copytree(ROOT / "assignments" / "source" / ps, root / "source" / ps)
    for name, source in TRIVIAL.items():
        _trivial_assignment(root, name, source)
    env = dict(
        os.environ, PYTHONWARNINGS="ignore:::nbgrader.api", PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}"
    )
    for assignment in [*problem_sets, *TRIVIAL]:
        subprocess.run([str(BIN / "nbgrader"), "generate_assignment", assignment, "--force"], cwd=root, env=env,
                       capture_output=True, check=True)  # fmt: skip
    students = [Student(f"s{i:02d}", "reference answers", 20.0, CORRECT) for i in range(class_size)]
    write_class(root, students)
    for s in students:
        for assignment, origin in [*((ps, "source") for ps in problem_sets if ps != PS1),
                                   *((name, "release") for name in TRIVIAL)]:  # fmt: skip
            folder = root / "submitted" / s.name / assignment
            folder.mkdir(parents=True)
            shutil.copy(root / origin / assignment / f"{assignment}.ipynb", folder)
    return root, env, problem_sets


def autograding(tmp: Path) -> dict[str, float]:
    """Autograde a class of 30 on each problem set and on two trivial assignments, all in one course folder.

    Every submission must score full marks, or the figure is not reported.
    """
    from nbgrader.api import Gradebook

    from course.demo_class import PS1

    root, env, problem_sets = grading_course(tmp)

    def per_submission(assignment: str, *options: str) -> float:
        start = time.perf_counter()
        subprocess.run([str(BIN / "nbgrader"), "autograde", assignment, "--force", *options], cwd=root, env=env,
                       capture_output=True, check=True)  # fmt: skip
        seconds = (time.perf_counter() - start) / CLASS_SIZE
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
            full = 1 if assignment in TRIVIAL else 20
            scores = {sub.student.id: sub.code_score for sub in gb.assignment_submissions(assignment)}
        wrong = {k: v for k, v in scores.items() if v != full}
        if len(scores) != CLASS_SIZE or wrong:
            raise RuntimeError(
                f"{assignment}: expected {CLASS_SIZE} full marks ({full}), got {wrong or scores}"
            )
        return round(seconds, 3)

    real = per_submission(PS1)
    floor = per_submission("floor")
    results = {"autograde_per_submission_s": real, "autograde_floor_per_submission_s": floor,
               "autograde_ratio": round(real / floor, 3), "class_size": CLASS_SIZE}  # fmt: skip
    for ps in problem_sets[1:]:
        results[f"autograde_{ps.split('_')[0]}_per_submission_s"] = per_submission(ps)
    results["autograde_pandas_floor_per_submission_s"] = per_submission("floor_pandas")
    results["autograde_ps1_kernels_not_started_ahead_s"] = per_submission(
        PS1, "--IntegrityExecute.start_ahead=False"
    )
    return results


def maps_size() -> dict[str, float]:
    from course import maps

    builders = [maps.triangle_map, maps.reactions_map, maps.logistics_map, maps.timeline_map]
    offline = max(len(b(online=False).html().encode()) for b in builders) / 1024
    online = max(len(b(online=True).html().encode()) for b in builders) / 1024
    return {"map_html_kb_offline": round(offline, 1), "map_html_kb_online": round(online, 1)}


def import_time() -> dict[str, float]:
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import course"], check=True)
        runs.append(time.perf_counter() - start)
    return {"import_course_s": round(min(runs), 3)}


def fresh_setup(tmp: Path) -> dict[str, float]:
    import urllib.request

    clone = tmp / "fresh"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    port, token = 8975, "bench"
    start = time.perf_counter()
    lab = subprocess.Popen(["make", "lab", f"LAB_ARGS=--no-browser --port={port} --ServerApp.token={token}"],
                           cwd=clone, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if time.perf_counter() - start > 600 or lab.poll() is not None:
                    raise RuntimeError("make lab did not answer") from None
                time.sleep(0.5)
        seconds = time.perf_counter() - start
    finally:
        os.killpg(lab.pid, 15)
        lab.wait(timeout=30)
    size = sum(f.stat().st_size for f in (clone / ".venv").rglob("*") if f.is_file() and not f.is_symlink())
    return {"setup_s": round(seconds, 1), "venv_mb": round(size / 2**20, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="also time a set-up from a clean clone")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    import bench_widgets

    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    }
    with tempfile.TemporaryDirectory() as tmp:
        results.update(course_execution(Path(tmp)))
        results.update(autograding(Path(tmp)))
        results["widget_update_ms"] = bench_widgets.main()["widget_update_ms"]
        results.update(maps_size())
        results.update(import_time())
        if args.fresh:
            results.update(fresh_setup(Path(tmp)))
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\n{'figure':36} {'value':>10}  budget")
    for key, value in results.items():
        budget = BUDGETS.get(key)
        verdict = "" if budget is None else ("  ok" if value <= budget else "  OVER")
        print(f"{key:36} {value!s:>10}  {budget if budget is not None else ''}{verdict}")
    print("written to bench/results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
