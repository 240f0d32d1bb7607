"""`make bench`: the course's speed and size figures, side by side in one run, written to bench/results.json.

Keys (seconds unless named otherwise):
- course_exec_s: executing every lesson and every source problem set headless (nbclient, fresh kernels);
  kernel_floor_s: executing an empty notebook the same way (the floor each notebook pays).
- autograde_ps1_s: a simulated class of 30 on ps1, graded by the course (each kernel in its own sandbox, with the
  integrity checks), per submission; autograde_stock_ps1_s: the same submissions graded by stock nbgrader in the
  same run (its default preprocessors and Execute, the notebook's own ``python3`` kernel, no sandbox, no course
  plugins), in a course folder of its own; autograde_vs_stock: their quotient (budget 1.0).
  sandbox_start_s: one sandboxed grading kernel from start to ready (median of 9); kernel_start_s: the same for
  a plain ``python3`` kernel. For context: the class on ps2 and ps3, on a one-cell assignment
  (autograde_floor_per_submission_s) and one that imports pandas, and on ps1 with every kernel started when its
  notebook comes (``--IntegrityExecute.start_ahead=False``).
- class_pack_300_s: a class pack for 300 students (course/autograder/pack.py: the bank validated, 300 draws of
  ps1's items, ps2's places and ps3's criteria, the notebooks and variants.json written) and nbgrader's
  generate_assignment on its three problem sets (budget 60 s);
  autograde_pack_ps1_s: a class of 30 on the pack's ps1, each answering their own draw as the key does, graded by
  the course, per submission; autograde_pack_vs_stock: its quotient with autograde_stock_ps1_s (budget 0.6).
- widget_update_ms: median of one scenario-explorer update (bench/bench_widgets.py; budget 50 ms).
- map_html_kb_offline / map_html_kb_online: the largest map's HTML (budget 700 KB offline).
- import_course_s: `python -c "import course"`, cold (budget 1.5 s).
- lab_start_cpu_s: CPU-seconds (user + system, the server and its children) one JupyterLab start costs until its
  start page answers, median of 5; lab_start_cpu_stock_s: the same in the same run with requirements-omitted.txt's
  packages put back on the path (what a pip that follows dependencies installs); lab_start_s / lab_start_stock_s:
  the wall-clock times. On a hub every student's login pays this.
- hub_* (as root only; bench/bench_hub.py): 20 simulated students log in to the course's JupyterHub at once and
  run lesson 01: time to the first page and to a ready kernel (median, worst), the whole lesson, memory per person,
  whether the hub stayed up and every student's lesson was saved with its outputs. Then the same class with their
  servers started ahead (hubctl prestart): hub_prestart_s and the first page of 20 at once, pre-started
  (hub_first_page_prestarted_s_*); and the cold storm again with the preloaded starter off, as stock JupyterHub
  starts servers (hub_first_page_no_preload_s_*). hub_server_start_cpu_s_median / _no_preload_: the CPU-seconds
  one server had used by its first page, forked from the preloaded starter / started the ordinary way.
- setup_s, venv_mb (with --fresh): `make` from a clean clone to a JupyterLab answering.

Usage: ``make bench`` (add ``BENCH_ARGS=--fresh`` for the set-up figures; about two minutes more).
"""

from __future__ import annotations

import argparse
import functools
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
BUDGETS = {"course_exec_s": 60, "autograde_vs_stock": 1.0, "widget_update_ms": 50, "map_html_kb_offline": 700,
           "import_course_s": 1.5, "coding_report_300x20_s": 10, "hub_first_page_s_median": 15,
           "hub_first_page_prestarted_s_median": 3, "class_pack_300_s": 60,
           "autograde_pack_vs_stock": 0.6}  # fmt: skip
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

    ps1's class answers with the reference answers (course.autograder.demo_class); for ps2, ps3 and the trivial assignments
    each student submits the source or released notebook. Returns the root, nbgrader's environment, the
    problem sets.
    """
    from course.autograder.demo_class import CORRECT, PS1, Student, write_class

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

    from course.autograder.demo_class import PS1

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
    stock = stock_ps1(tmp, root, env)
    floor = per_submission("floor")
    results = {"autograde_ps1_s": real, "autograde_stock_ps1_s": stock,
               "autograde_vs_stock": round(real / stock, 3), "class_size": CLASS_SIZE,
               "autograde_floor_per_submission_s": floor}  # fmt: skip
    for ps in problem_sets[1:]:
        results[f"autograde_{ps.split('_')[0]}_per_submission_s"] = per_submission(ps)
    results["autograde_pandas_floor_per_submission_s"] = per_submission("floor_pandas")
    results["autograde_ps1_kernels_not_started_ahead_s"] = per_submission(
        PS1, "--IntegrityExecute.start_ahead=False"
    )
    return results


def class_pack(tmp: Path, stock_per_submission: float) -> dict[str, float]:
    """Build a class pack for 300 students and generate its three drawn problem sets, then grade a class of 30 of
    ps1 through their own draws (full marks each)."""
    from nbgrader.api import Gradebook

    from course.autograder import pack
    from course.autograder.demo_class import CORRECT

    bank = pack.example_bank(tmp / "bank")
    env = dict(
        os.environ, PYTHONWARNINGS="ignore:::nbgrader.api", PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}"
    )
    run = functools.partial(subprocess.run, env=env, capture_output=True, check=True)
    roster = tmp / "roster300.csv"
    roster.write_text("id\n" + "".join(f"s{n:03d}\n" for n in range(300)), encoding="utf-8")
    start = time.perf_counter()
    big = pack.build(bank, roster, tmp / "pack300", allow_public=True)
    for assignment in (pack.PS1, pack.PS2, pack.PS3):  # the three problem sets a pack draws for
        run([str(BIN / "nbgrader"), "generate_assignment", assignment, "--force"], cwd=big.folder)
    results = {"class_pack_300_s": round(time.perf_counter() - start, 2)}

    roster.write_text("id\n" + "".join(f"s{n:03d}\n" for n in range(CLASS_SIZE)), encoding="utf-8")
    built = pack.build(bank, roster, tmp / "pack30", allow_public=True)
    root = built.folder
    run([str(BIN / "nbgrader"), "generate_assignment", pack.PS1, "--force"], cwd=root)
    items = pack.load_bank(bank).items
    release = root / "release" / pack.PS1
    import nbformat

    for student in built.students:
        nb = nbformat.read(release / f"{pack.PS1}.ipynb", as_version=4)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            if grade_id.startswith("ps1_a") and grade_id.endswith("_answer"):
                n = int(grade_id[5])
                best = items[built.draws[student][n - 1]].readings[0]
                answer = {"stance": best.stance, "commitment": best.commitment, "signal": best.signals[0]}
                cell.source = f"a{n} = {answer!r}"
            elif grade_id.startswith("ps1_b") and grade_id.endswith("_answer") and built.hedges:
                n = int(grade_id[5])  # Part B drawn from the bank's hedges: the student's own item's
                cell.source = f"b{n} = {items[built.hedges[student][n - 1]].hedge.words[0]!r}"
            elif grade_id.startswith("ps1_c") and grade_id.endswith("_answer") and built.avoided:
                n = int(grade_id[5])  # Part C drawn from the bank's options: the student's own item's best
                cell.source = f"c{n}_avoided = {items[built.avoided[student][n - 1]].best_option!r}"
            elif grade_id in CORRECT:
                cell.source = CORRECT[grade_id]
        folder = root / "submitted" / student / pack.PS1
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{pack.PS1}.ipynb")
        shutil.copy(release / "variants.json", folder)
    start = time.perf_counter()
    run([str(BIN / "nbgrader"), "autograde", pack.PS1, "--force"], cwd=root)
    seconds = (time.perf_counter() - start) / CLASS_SIZE
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        scores = {sub.student.id: sub.code_score for sub in gb.assignment_submissions(pack.PS1)}
    if len(scores) != CLASS_SIZE or any(score != 20 for score in scores.values()):
        raise RuntimeError(f"the class pack: expected {CLASS_SIZE} full marks, got {scores}")
    results["autograde_pack_ps1_s"] = round(seconds, 3)
    results["autograde_pack_vs_stock"] = round(seconds / stock_per_submission, 3)
    return results


STOCK_CONFIG = """c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "stock"
c.CourseDirectory.root = {root!r}
"""


def stock_ps1(tmp: Path, course: Path, env: dict[str, str]) -> float:
    """ps1's class graded by stock nbgrader: same source and submissions, nbgrader's own configuration."""
    from nbgrader.api import Gradebook

    from course.autograder.demo_class import PS1

    root = tmp / "stock"
    root.mkdir()
    (root / "nbgrader_config.py").write_text(STOCK_CONFIG.format(root=str(root)), encoding="utf-8")
    shutil.copytree(course / "source" / PS1, root / "source" / PS1)
    for folder in sorted((course / "submitted").glob(f"*/{PS1}")):
        shutil.copytree(folder, root / "submitted" / folder.parent.name / PS1)
    run = functools.partial(subprocess.run, cwd=root, env=env, capture_output=True, check=True)
    run([str(BIN / "nbgrader"), "generate_assignment", PS1, "--force"])
    start = time.perf_counter()
    run([str(BIN / "nbgrader"), "autograde", PS1, "--force"])
    seconds = (time.perf_counter() - start) / CLASS_SIZE
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        scores = [sub.code_score for sub in gb.assignment_submissions(PS1)]
    if len(scores) != CLASS_SIZE or any(score != 20 for score in scores):
        raise RuntimeError(f"stock nbgrader on {PS1}: expected {CLASS_SIZE} full marks, got {scores}")
    return round(seconds, 3)


def kernel_starts(runs: int = 9) -> dict[str, float]:
    """One kernel from start to ready, median of ``runs``: sandboxed (course-grading) and plain (python3)."""
    import statistics

    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    from course.autograder.kernels import GradingKernelClient, SandboxKernelManager

    def once(cls, name: str, cwd: str) -> float:
        km = cls(kernel_name=name, client_class=f"{GradingKernelClient.__module__}.GradingKernelClient")
        start = time.perf_counter()
        run_sync(km.start_kernel)(cwd=cwd)
        kc = km.client()
        kc.start_channels()
        try:
            run_sync(kc.wait_for_ready)(timeout=60)
            return time.perf_counter() - start
        finally:
            kc.stop_channels()
            run_sync(km.shutdown_kernel)(now=True)

    with tempfile.TemporaryDirectory() as inbox:
        os.chmod(inbox, 0o755)
        sandboxed = [once(SandboxKernelManager, "course-grading", inbox) for _ in range(runs)]
        plain = [once(AsyncKernelManager, "python3", inbox) for _ in range(runs)]
    return {"sandbox_start_s": round(statistics.median(sandboxed), 3),
            "kernel_start_s": round(statistics.median(plain), 3)}  # fmt: skip


def maps_size() -> dict[str, float]:
    from course.views import maps

    builders = [maps.triangle_map, maps.reactions_map, maps.logistics_map, maps.timeline_map]
    offline = max(len(b(online=False).html().encode()) for b in builders) / 1024
    online = max(len(b(online=True).html().encode()) for b in builders) / 1024
    return {"map_html_kb_offline": round(offline, 1), "map_html_kb_online": round(online, 1)}


def coding_report(tmp: Path) -> dict[str, float]:
    """The class coding report for 300 students x 20 statements, from their files to the page (issue 29), beside the
    stock computation: the krippendorff package's alpha for every variable, once, with no interval, no kappa,
    no files and no page."""
    import krippendorff
    import numpy as np

    from course.content import classreport, codingfiles
    from course.content.codebook import VARIABLES
    from course.content.data import load
    from course.views.coding_report import page

    reactions = load("reactions")
    statements = list(reactions.index[reactions["held_out"].fillna("") == ""])[:20]
    habits = ["careful"] * 7 + ["neighbour-prone"] * 2 + ["careless"]
    coders = classreport.simulate_class(
        {f"st{i:03d}": habits[i % 10] for i in range(300)}, statements, seed=1
    )
    folder = tmp / "coding_class"
    folder.mkdir()
    for coder in coders:
        codingfiles.write(folder / f"{coder.coder}.csv", coder.codes, coder.why, statements)
    start = time.perf_counter()
    gathered = codingfiles.gather(folder, statements)
    report = classreport.build(gathered.coders, statements, problems=gathered.problems)
    (tmp / "coding-report.html").write_text(page(report), encoding="utf-8")
    ours = time.perf_counter() - start
    start = time.perf_counter()
    for name, spec in VARIABLES.items():
        labels = list(spec.values)
        data = np.array([[labels.index(c.codes[name][s]) for s in statements] for c in coders], dtype=float)
        krippendorff.alpha(data, level_of_measurement=spec.level, value_domain=list(range(len(labels))))
    stock = time.perf_counter() - start
    return {"coding_report_300x20_s": round(ours, 2), "coding_alpha_stock_300x20_s": round(stock, 3)}


def import_time() -> dict[str, float]:
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import course"], check=True)
        runs.append(time.perf_counter() - start)
    return {"import_course_s": round(min(runs), 3)}


def _lab_start(env: dict[str, str], root: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one JupyterLab start until its start page answers."""
    import socket
    import urllib.request

    import psutil

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = [str(BIN / "jupyter"), "lab", "--no-browser", f"--port={port}", "--ServerApp.token=bench",
            f"--ServerApp.root_dir={root}", "--allow-root"]  # fmt: skip
    start = time.perf_counter()
    lab = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token=bench", timeout=30).read()
                break
            except OSError:
                if time.perf_counter() - start > 120 or lab.poll() is not None:
                    raise RuntimeError("jupyter lab did not answer") from None
                time.sleep(0.02)
        wall = time.perf_counter() - start
        process = psutil.Process(lab.pid)
        cpu = sum(p.cpu_times().user + p.cpu_times().system for p in [process, *process.children(True)])
    finally:
        lab.terminate()
        lab.wait(timeout=30)
    return wall, cpu


def lab_start(tmp: Path, runs: int = 5) -> dict[str, float]:
    import statistics

    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp / "jupyter-config"), "HOME": str(tmp)}
    env.pop("PYTHONPATH", None)
    overlay = tmp / "omitted"
    added = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
         "--target", str(overlay), "-r", str(ROOT / "requirements-omitted.txt")],
        capture_output=True, text=True,
    )  # fmt: skip
    figures: dict[str, float] = {}
    for key, environment in (("", env), ("_stock", {**env, "PYTHONPATH": str(overlay)})):
        if key and added.returncode:
            print(
                f"bench: lab_start_stock skipped: could not install requirements-omitted.txt: {added.stderr[-300:]}"
            )
            continue
        timings = [_lab_start(environment, tmp) for _ in range(runs)]
        figures[f"lab_start_cpu{key}_s"] = round(statistics.median(c for _, c in timings), 2)
        figures[f"lab_start{key}_s"] = round(statistics.median(w for w, _ in timings), 2)
    return figures


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
    parser.add_argument(
        "--only-grading", action="store_true", help="only the grading figures (the rest of results.json kept)"
    )
    parser.add_argument(
        "--only-coding",
        action="store_true",
        help="only the class coding report's figures (the rest of results.json kept)",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    import bench_hub
    import bench_widgets

    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    }
    with tempfile.TemporaryDirectory() as tmp:
        if args.only_coding:
            return _write({**results, **coding_report(Path(tmp))}, update=True)
        if not args.only_grading:
            results.update(course_execution(Path(tmp)))
        results.update(autograding(Path(tmp)))
        results.update(class_pack(Path(tmp), results["autograde_stock_ps1_s"]))
        if args.only_grading:
            return _write(results, update=True)
        results.update(kernel_starts())
        results["widget_update_ms"] = bench_widgets.main()["widget_update_ms"]
        results.update(maps_size())
        results.update(coding_report(Path(tmp)))
        results.update(import_time())
        results.update(lab_start(Path(tmp)))
        # 20 students at once on the course's JupyterHub (as root only: it makes Unix accounts).
        results.update(bench_hub.main(Path(tmp) / "hub"))
        if args.fresh:
            results.update(fresh_setup(Path(tmp)))
    return _write(results)


def _write(results: dict[str, object], update: bool = False) -> int:
    path = ROOT / "bench" / "results.json"
    if update:
        results = {**json.loads(path.read_text(encoding="utf-8")), **results}
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\n{'figure':36} {'value':>10}  budget")
    for key, value in results.items():
        budget = BUDGETS.get(key)
        verdict = "" if budget is None else ("  ok" if value <= budget else "  OVER")
        print(f"{key:36} {value!s:>10}  {budget if budget is not None else ''}{verdict}")
    print("written to bench/results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
