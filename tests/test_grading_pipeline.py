"""The nbgrader course, run for real on a temporary copy: generate, submit a class, autograde, export, feedback."""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, private_folders, require_bubblewrap

from course.autograder import common, sandbox
from course.autograder.demo_class import DEMO_LIMITS, PS1, STUDENTS, write_class
from course.autograder.files import normalize_submissions
from course.autograder.report import collect_report

pytestmark = pytest.mark.slow  # grades simulated classes with the real nbgrader

ASSIGNMENTS = ROOT / "assignments"
PROBLEM_SETS = sorted(p.name for p in (ASSIGNMENTS / "source").iterdir() if p.is_dir())


def nbgrader(
    root: Path, *args: str, check: bool = True, env: dict | None = None
) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env or {})}
    env["PATH"] = str(Path(sys.prefix) / "bin") + os.pathsep + env.get("PATH", "")
    env["PYTHONWARNINGS"] = "ignore:::nbgrader.api"
    result = subprocess.run(
        [str(Path(sys.prefix) / "bin" / "nbgrader"), *args], cwd=root, env=env, capture_output=True, text=True
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"nbgrader {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result


def course_copy(tmp: Path) -> Path:
    root = tmp / "course"
    root.mkdir()
    shutil.copy(ASSIGNMENTS / "nbgrader_config.py", root)
    shutil.copytree(ASSIGNMENTS / "source", root / "source")
    return root


def test_committed_release_is_what_nbgrader_generates(tmp_path):
    root = course_copy(tmp_path)
    for ps in PROBLEM_SETS:
        nbgrader(root, "generate_assignment", ps, "--force")
        for generated in sorted((root / "release" / ps).rglob("*")):
            if generated.is_file():
                committed = ASSIGNMENTS / "release" / ps / generated.relative_to(root / "release" / ps)
                assert committed.exists(), f"{committed} is missing: run `make release`"
                assert committed.read_bytes() == generated.read_bytes(), (
                    f"{committed} is stale: run `make release`"
                )


@pytest.mark.parametrize("ps", PROBLEM_SETS)
def test_source_passes_and_unanswered_release_fails_every_test(ps):
    from nbgrader.validator import Validator

    source = ASSIGNMENTS / "source" / ps / f"{ps}.ipynb"
    release = ASSIGNMENTS / "release" / ps / f"{ps}.ipynb"
    assert not Validator().validate(str(source)).get("failed"), f"{ps}: the reference solution fails a test"
    failed = Validator().validate(str(release)).get("failed", [])
    nb = nbformat.read(release, as_version=4)
    tests = [c for c in nb.cells if common.is_test_cell(c)]
    assert len(tests) >= 5
    for cell in tests:
        code = [
            line
            for line in cell.source.splitlines()
            if line.strip() and not line.strip().startswith(("#", '"""'))
        ]
        assert any("check_" in line or "assert" in line for line in code), (
            f"{ps}: a test cell is empty after release"
        )
    assert len(failed) >= len(tests), f"{ps}: unanswered, {len(tests) - len(failed)} test cells pass"


@pytest.mark.parametrize("ps", PROBLEM_SETS)
def test_each_problem_set_has_a_rubric_and_manual_answer(ps):
    nb = nbformat.read(ASSIGNMENTS / "source" / ps / f"{ps}.ipynb", as_version=4)
    manual = [
        c for c in nb.cells if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade")
    ]
    assert manual, f"{ps}: no manually graded answer"
    assert any("Rubric" in c.source for c in nb.cells if c.cell_type == "markdown"), f"{ps}: no rubric"
    assert re.search(r"\*\*Time:\*\* \d+", nb.cells[0].source)


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """A class of simulated students, autograded once for all the assertions below."""
    require_bubblewrap()
    root = course_copy(tmp_path_factory.mktemp("grading"))
    nbgrader(root, "generate_assignment", PS1, "--force")
    write_class(root)
    events = normalize_submissions(root, PS1)
    limits = [f"--{k}={v}" for k, v in DEMO_LIMITS.items()]
    before = private_folders()
    run = nbgrader(root, "autograde", PS1, *limits, check=False)
    run.leftover_folders = private_folders() - before
    nbgrader(root, "export", "--to", "grades.csv")
    run.feedback = nbgrader(root, "generate_feedback", PS1)
    report = {row["student"]: row for row in collect_report(root, PS1)}
    return root, run, events, report


def test_the_instructors_log_has_only_real_warnings(graded_class):
    """Issue 20: a checksum warning per test cell nobody edited (about 390 lines for 30 students) read like mass
    tampering; the feedback step warned about a setting it did not know. Each warning left names a real event."""
    _root, run, _events, _report = graded_class
    log = run.stdout + run.stderr
    warnings = [line for line in log.splitlines() if "| WARNING]" in line]
    assert not [w for w in warnings if "checksum" in w.lower()], warnings
    assert "MissingIDFieldWarning" not in log, "issue 33: a cell the autograder adds has its own id"
    assert len(warnings) <= 6, (
        warnings
    )  # edited test, deleted test, unreadable file, and nbgrader's own notices
    feedback = run.feedback.stdout + run.feedback.stderr
    assert "not recognized" not in feedback, feedback


def test_every_student_gets_exactly_the_expected_score(graded_class):
    root, run, _, _ = graded_class
    assert run.returncode in (0, 1), run.stderr[-2000:]
    with open(root / "grades.csv", newline="") as handle:
        grades = {row["student_id"]: row for row in csv.DictReader(handle)}
    got = {s.name: float(grades[s.name]["raw_score"]) for s in STUDENTS}
    expected = {s.name: s.score for s in STUDENTS}
    assert got == expected


def test_every_expected_flag_is_raised_and_clean_submissions_raise_none(graded_class):
    _, _, _, report = graded_class
    for student in STUDENTS:
        flags = str(report[student.name]["flags"])
        for needle in student.flags:
            assert needle in flags, f"{student.name}: expected a flag containing {needle!r}, got {flags!r}"
        if not student.flags:
            assert "violation" not in flags and "review" not in flags, f"{student.name}: false alarm: {flags}"


def test_flagged_test_cells_need_a_manual_look(graded_class):
    _, _, _, report = graded_class
    assert report["adv_input_transformer"]["needs_manual_grade"] is True
    assert report["correct"]["needs_manual_grade"] is True, "the written answer always needs grading"


def test_a_flagged_notebook_shows_in_the_formgraders_flagged_column(graded_class):
    """Issue 33: the formgrader's lists read nbgrader's own flag (SubmittedNotebook.flagged)."""
    from nbgrader.api import Gradebook

    root, _, _, report = graded_class
    done = subprocess.run(
        [sys.executable, "-m", "course.autograder", "report", str(root), PS1],
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip (make autograde's last steps)
    assert "flagged in the formgrader's list (its Flagged? column)" in done.stdout
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        shown = {row["student"]: row["flagged"] for row in gb.notebook_submission_dicts(PS1, PS1)}
    for student in STUDENTS:
        if student.name not in shown:
            continue  # the unreadable file: no notebook to list
        flags = str(report[student.name]["flags"])
        expected = "violation" in flags or "review" in flags
        assert shown[student.name] is expected, (student.name, flags)
    assert shown["adv_input_transformer"] is True and shown["correct"] is False


def test_a_renamed_notebook_is_graded_under_its_expected_name(graded_class):
    _, _, events, _ = graded_class
    assert any(e["student"] == "renamed" and "ps1 (1).ipynb" in e["event"] for e in events)


def test_feedback_never_shows_hidden_tests(graded_class):
    root, _, _, _ = graded_class
    source = nbformat.read(root / "source" / PS1 / f"{PS1}.ipynb", as_version=4)
    hidden = []
    for cell in source.cells:
        lines = cell.source.splitlines()
        hidden += [lines[n - 1].strip() for n in common.hidden_lines(cell.source)]
    # a line too short to say anything (a closing bracket) is not a leak, wherever it appears
    hidden = [h for h in hidden if "HIDDEN TESTS" not in h and sum(ch.isalnum() for ch in h) >= 6]
    assert len(hidden) > 10
    pages = sorted((root / "feedback").glob(f"*/{PS1}/{PS1}.html"))
    assert len(pages) == len(STUDENTS) - 1, "everyone but the unreadable file gets feedback"
    for page in pages:
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))
        leaks = [h for h in hidden if h in text]
        assert not leaks, f"{page.parts[-3]}: hidden test lines in feedback: {leaks[:3]}"
    wrong = html.unescape((root / "feedback" / "wrong" / PS1 / f"{PS1}.html").read_text(encoding="utf-8"))
    assert "A hidden test failed" in wrong, "a failed hidden assertion is reported, without its source"
    assert "Feedback: It takes one: their relations are 'solely up to them'." in wrong, (
        "C1 says why, per option"
    )


def _segments(page: str) -> dict[str, str]:
    """A feedback page cut at its cells' anchors: grade id -> the text from that anchor to the next."""
    parts = re.split(r'<a name="([\w-]+)"></a>', page)
    return {
        name: html.unescape(re.sub(r"<[^>]+>", " ", body))
        for name, body in zip(parts[1::2], parts[2::2], strict=True)
    }


def test_feedback_names_every_item_and_says_why(graded_class):
    """Issue 33: every item named as the student knows it (A1, not "Test cell"), with the key's reason for the
    outcome; a written answer nobody graded says "not graded yet", never 0; read as the students would."""
    root, _, _, _ = graded_class
    source = nbformat.read(root / "source" / PS1 / f"{PS1}.ipynb", as_version=4)
    checks = [common.grade_id_of(c) for c in source.cells if common.is_test_cell(c)]
    assert len(checks) == 14
    for page_path in sorted((root / "feedback").glob(f"*/{PS1}/{PS1}.html")):
        student, page = page_path.parts[-3], page_path.read_text(encoding="utf-8")
        text = html.unescape(re.sub(r"<[^>]+>", " ", page))
        assert "Test cell" not in text and "Grade cell:" not in text, student
        assert re.search(
            r"A1: the codes are from the scheme and the signal is copied from the statement\s*\(Score: ", text
        ), student
        assert "Part E: What China's wording signals (written answer)" in text, student
        if student in (
            "wrong",
            "correct",
            "partial",
        ):  # written, not graded yet (an unchanged E is nbgrader's 0)
            assert re.search(r"\(written answer\)\s*\(not graded yet, 5\.0 points\)", text), student
            assert "Score so far:" in text and "Not final yet: E is still to be graded" in text, student
            assert "0.0 / 5.0" not in text, f"{student}: an ungraded written answer shown as 0"
        segments = _segments(page)
        for grade_id in checks:
            body = segments[grade_id]
            assert re.search(r"Feedback: |\b[A-Za-z]*(Error|NotRun|Failed|NotGradable)\b", body), (
                student,
                grade_id,
                body[-600:],
            )
        if student in ("wrong", "correct", "partial"):
            reasons = [g for g in checks if "Feedback: " in segments[g]]
            if (
                student != "partial"
            ):  # partial's D2 and D4 fail their visible checks: the message is the reason
                assert reasons == checks, (student, sorted(set(checks) - set(reasons)))
            assert "(Output of a cell with hidden tests is not shown in feedback.)" not in text, student
    wrong = _segments((root / "feedback" / "wrong" / PS1 / f"{PS1}.html").read_text(encoding="utf-8"))
    assert "Feedback: Not yet: some rows are missing or extra." in wrong["ps1_d1_check"]
    assert "Feedback: Read the verbs of what the US 'will' do" in wrong["ps1_b1_check"]
    assert "Feedback: your answer earned: stance 'warning': 0 of 1" in wrong["ps1_a1_check"]


def test_make_feedback_says_what_is_not_graded_yet_before_it_writes_anything(graded_class):
    root, _, _, _ = graded_class
    command = [sys.executable, "-m", "course.autograder", "pending", str(root), PS1]
    stopped = subprocess.run(command, capture_output=True, text=True)
    assert stopped.returncode == 2, stopped
    assert re.search(
        r"submissions of ps1_reading_official_reactions still have work to grade or review by hand",
        stopped.stderr,
    )
    assert re.search(r"^  partial\s+E$", stopped.stderr, re.M), stopped.stderr
    assert re.search(r"^  adv_input_transformer\s+.*\bE\b", stopped.stderr, re.M), "flagged cells too"
    assert "make feedback PARTIAL=1" in stopped.stderr
    going_on = subprocess.run([*command, "--partial"], capture_output=True, text=True)
    assert going_on.returncode == 0 and "making the feedback now" in going_on.stdout, going_on


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # the process ended meanwhile
            continue
        if text in args:
            found.append(args)
    return found


def test_grading_leaves_no_kernel_and_no_kernel_folder_behind(graded_class):
    root, run, _, _ = graded_class
    assert run.leftover_folders == set(), "every kernel's private folder and inbox is removed"
    assert _processes_mentioning(str(root)) == []
    assert _processes_mentioning("course-kernel-") == []


def test_kernels_started_ahead_grade_exactly_as_kernels_started_per_notebook(tmp_path):
    """The same small class graded twice: kernels started ahead (the default) and one kernel per notebook."""
    from course.autograder.demo_class import CORRECT, Student
    from course.autograder.demo_class import STUDENTS as ALL

    require_bubblewrap()
    reads_file = Student(
        "reads_file",
        "the A1 answer read from a file submitted beside the notebook",
        20.0,
        {**CORRECT, "ps1_a1_answer": 'exec(open("a1_answer.py").read())'},
    )
    chosen = [s for s in ALL if s.name in ("correct", "wrong", "partial", "adv_read_solutions")] + [
        reads_file
    ]
    root = course_copy(tmp_path)
    nbgrader(root, "generate_assignment", PS1, "--force")
    write_class(root, chosen)
    (root / "submitted" / "reads_file" / PS1 / "a1_answer.py").write_text(CORRECT["ps1_a1_answer"] + "\n")
    outcomes = []
    for ahead in (True, False):
        before = private_folders()
        nbgrader(root, "autograde", PS1, "--force", f"--IntegrityExecute.start_ahead={ahead}")
        outcomes.append({r["student"]: (r["score"], r["flags"]) for r in collect_report(root, PS1)})
        assert private_folders() - before == set(), "every kernel's private folder and inbox is removed"
        assert _processes_mentioning("course-kernel-") == []
    assert outcomes[0] == outcomes[1]
    scores = {name: score for name, (score, _) in outcomes[0].items()}
    assert scores == {s.name: s.score for s in chosen}
    assert "not sandboxed" not in str(outcomes[0]), "the kernels started ahead run in the sandbox"
    assert (root / "autograded" / "reads_file" / PS1 / "a1_answer.py").exists()


def test_regrading_loses_nothing_in_the_gradebook(graded_class):
    from nbgrader.api import Gradebook

    root, _, _, _ = graded_class
    db = f"sqlite:///{root / 'gradebook.db'}"
    with Gradebook(db) as gb:
        grade = gb.find_grade("ps1_e_answer", PS1, PS1, "correct")
        grade.manual_score = 4
        gb.db.commit()
    nbgrader(root, "autograde", PS1, "--student", "correct")  # without --force: skipped
    nbgrader(root, "autograde", PS1, "--student", "partial", "--force")
    with Gradebook(db) as gb:
        assert gb.find_grade("ps1_e_answer", PS1, PS1, "correct").manual_score == 4
        assert gb.find_submission(PS1, "correct").score == 24
        assert gb.find_submission(PS1, "partial").score == 10.75
        assert gb.find_submission(PS1, "adv_helpers").score == 0.25  # what its wrong answers earn


def test_integrity_reports_are_written_beside_each_autograded_notebook(graded_class):
    root, _, _, _ = graded_class
    report = json.loads((root / "autograded" / "correct" / PS1 / f"{PS1}.integrity.json").read_text())
    assert report["student"] == "correct" and report["flags"] == []
    assert report["tests"] and all(
        t["judged"] and not t["error"] and not t["zeroed"] for t in report["tests"]
    )


@pytest.mark.parametrize("ps", [p for p in PROBLEM_SETS if p != PS1])
def test_other_problem_sets_grade_the_solution_full_and_the_blank_zero(ps, tmp_path):
    """Problem sets 2 and 3 through the real pipeline: the reference solution and an unanswered notebook."""
    root = course_copy(tmp_path)
    require_bubblewrap()
    nbgrader(root, "generate_assignment", ps, "--force")
    for student, source in (("solution", root / "source"), ("blank", root / "release")):
        folder = root / "submitted" / student / ps
        folder.mkdir(parents=True)
        shutil.copy(source / ps / f"{ps}.ipynb", folder)
    nbgrader(root, "autograde", ps)
    report = {row["student"]: row for row in collect_report(root, ps)}
    assert report["solution"]["score"] == 20 and report["blank"]["score"] == 0
    assert report["solution"]["max_score"] == 25
    assert "violation" not in str(report["solution"]["flags"]) + str(report["blank"]["flags"])


def test_validate_runs_for_instructors_on_the_students_kernel(tmp_path):
    """Issue 32: `nbgrader validate` in the course folder (what the formgrader's and the Assignments panel's Validate
    buttons run) once started the grading kernel outside its sandbox manager and died ("Kernel died before replying
    to kernel_info"). The sandbox kernel is autograde's alone now: the reference solution validates, an unanswered
    release fails its tests and says so, and nothing dies."""
    root = course_copy(tmp_path)
    ps = PS1
    nbgrader(root, "generate_assignment", ps, "--force")
    solution = nbgrader(root, "validate", str(root / "source" / ps / f"{ps}.ipynb"))
    assert "Success! Your notebook passes all the tests." in solution.stdout + solution.stderr
    blank = nbgrader(root, "validate", str(root / "release" / ps / f"{ps}.ipynb"), check=False)
    said = blank.stdout + blank.stderr
    assert "Kernel died" not in said and "fatal error" not in said, said[-2000:]
    assert "failed" in said.lower() or "VALIDATION FAILED" in said, said[-2000:]


def test_the_grading_kernel_is_offered_nowhere_but_to_autograde():
    """The grading kernelspec sits outside Jupyter's kernel folders: JupyterLab's Launcher and kernel menus (which list
    Jupyter's KernelSpecManager) never offer it; the sandbox's kernel manager finds it."""
    from jupyter_client.kernelspec import KernelSpecManager

    from course.autograder.kernels import SandboxKernelManager

    assert sandbox.KERNEL_NAME not in KernelSpecManager().find_kernel_specs()
    assert sandbox.KERNEL_NAME in SandboxKernelManager().kernel_spec_manager.find_kernel_specs()
    config = (ASSIGNMENTS / "nbgrader_config.py").read_text(encoding="utf-8")
    assert 'c.IntegrityExecute.kernel_name = "course-grading"' in config
    assert "c.Execute.kernel_name" not in config


def test_the_grading_kernel_cannot_see_the_solutions(tmp_path):
    """Without the sandbox the same submission reads source/ and scores full marks on part A."""
    from course.autograder.demo_class import STUDENTS as ALL

    require_bubblewrap()
    reader = [s for s in ALL if s.name == "adv_read_solutions"]
    root = course_copy(tmp_path)
    nbgrader(root, "generate_assignment", PS1, "--force")
    write_class(root, reader)
    nbgrader(root, "autograde", PS1)
    sandboxed = collect_report(root, PS1)[0]
    nbgrader(root, "autograde", PS1, "--force", env={sandbox.ALLOW_ENV: "1"})
    unsandboxed = collect_report(root, PS1)[0]
    assert sandboxed["score"] == 0.25 and "not sandboxed" not in sandboxed["flags"]
    assert unsandboxed["score"] == 10.0, "the control: without the sandbox the leak gives part A full marks"
    assert "not sandboxed" in unsandboxed["flags"], "and the instructor is told"


def _lms_course(tmp_path: Path) -> tuple[Path, Path, bytes]:
    """A course with ps1 released and an empty LMS download folder: (root, archive folder, released notebook)."""
    root = course_copy(tmp_path)
    nbgrader(root, "generate_assignment", PS1, "--force")
    archive = root / "downloaded" / PS1 / "archive"
    archive.mkdir(parents=True)
    return root, archive, (root / "release" / PS1 / f"{PS1}.ipynb").read_bytes()


def test_lms_downloads_are_collected_by_the_documented_file_name_pattern(tmp_path):
    """An LMS zip with '<student_id>_<notebook>.ipynb' files lands in submitted/<student_id>/<ps>/."""
    import zipfile

    root, archive, release = _lms_course(tmp_path)
    with zipfile.ZipFile(archive / "lms-download.zip", "w") as zipped:
        zipped.writestr(f"submissions/jdoe_{PS1}.ipynb", release)
        zipped.writestr(f"submissions/a.smith-2_{PS1}.ipynb", release)
        zipped.writestr("submissions/readme.txt", "not a notebook")
    nbgrader(root, "zip_collect", PS1)
    for student in ("jdoe", "a.smith-2"):
        assert (root / "submitted" / student / PS1 / f"{PS1}.ipynb").read_bytes() == release


def test_no_hidden_test_reaches_the_students_kernel_or_its_feedback(tmp_path):
    """A pre_run_cell handler prints each cell's source as it runs, or keeps it and prints it later.

    Hidden tests run in the judge: the student's kernel only ever gets a test cell's released part, so what the
    handlers print holds visible checks and no hidden line, in the autograded notebook as in the feedback.
    """
    from course.autograder.demo_class import CORRECT, Student

    require_bubblewrap()
    hook = "get_ipython().events.register('pre_run_cell', {})\n"
    students = [
        Student("leak_print", "prints every cell's source", 20.0,
                {**CORRECT, "ps1_a1_answer": hook.format("lambda info: print(info.raw_cell)") + CORRECT["ps1_a1_answer"]}),
        Student("leak_stash", "keeps the test sources and prints them in its last answer", 20.0,
                {**CORRECT, "ps1_a1_answer": "stash = []\n" + hook.format("lambda info: stash.append(info.raw_cell)")
                 + CORRECT["ps1_a1_answer"],
                 "ps1_d4_answer": "print('\\n'.join(stash))\n" + CORRECT["ps1_d4_answer"]}),
    ]  # fmt: skip
    root = course_copy(tmp_path)
    nbgrader(root, "generate_assignment", PS1, "--force")
    write_class(root, students)
    nbgrader(root, "autograde", PS1)
    nbgrader(root, "generate_feedback", PS1)
    for row in collect_report(root, PS1):
        assert "registered a handler of IPython's cell events" in row["flags"], "the tripwire caught it"
        assert row["score"] == 20.0, "and changed no score"
    source = nbformat.read(root / "source" / PS1 / f"{PS1}.ipynb", as_version=4)
    hidden = [
        cell.source.splitlines()[n - 1].strip()
        for cell in source.cells
        for n in common.hidden_lines(cell.source)
    ]
    hidden = [h for h in hidden if len(h) >= 8 and "HIDDEN TESTS" not in h]
    graded = nbformat.read(root / "autograded" / "leak_stash" / PS1 / f"{PS1}.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in graded.cells for o in c.get("outputs", []))
    assert 'check_keys(a1, ["stance", "commitment", "signal"], "a1")' in printed, (
        "the control: the hook printed"
    )
    assert [h for h in hidden if h in printed] == [], "a hidden test reached the student's kernel"
    for student in students:
        page = root / "feedback" / student.name / PS1 / f"{PS1}.html"
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))
        leaks = [h for h in hidden if h in text]
        assert not leaks, f"{student.name}: hidden test lines in feedback: {leaks[:3]}"


def test_the_item_analysis_reads_the_gradebook_per_graded_cell(graded_class):
    """Per item: points, how many scored, the mean, and the shares of full, partial and zero marks."""
    import subprocess
    import sys

    from course.autograder.items import item_analysis

    root, _, _, _ = graded_class
    rows = {row["item"]: row for row in item_analysis(root, PS1)}
    source = nbformat.read(root / "source" / PS1 / f"{PS1}.ipynb", as_version=4)
    graded = [
        c.metadata["nbgrader"]["grade_id"]
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    ]
    assert list(rows) == graded, "one row per graded cell, in the notebook's order"
    for name, row in rows.items():
        if row["scored"]:
            assert abs(row["full"] + row["partial"] + row["zero"] - 1) < 0.01, name
    # the written answer: only those scored count (nbgrader zeroes a blank one itself; another test of this module
    # may have graded one by hand), never the unscored ones nbgrader would count as 0
    written = rows["ps1_e_answer"]
    assert 0 < written["scored"] < len(STUDENTS) // 2 and 0 <= written["mean"] <= written["points"]
    a2 = rows["ps1_a2_check"]
    assert a2["partial"] > 0, "the wrong student's neighbouring commitment earns a part of A2"
    assert a2["scored"] == len(STUDENTS) - 1, "every graded notebook but the unreadable file"
    done = subprocess.run([sys.executable, "-m", "course.autograder", "items", str(root), PS1],
                          capture_output=True, text=True, check=True)  # fmt: skip
    assert "ps1_c1_check" in done.stdout and (root / "reports" / f"{PS1}-items.csv").exists()


def test_export_says_which_grades_are_not_final(graded_class, tmp_path):
    """Issue 20: a written answer nobody graded yet, and a problem set nobody submitted, are named, not silent."""
    import shutil
    import subprocess
    import sys

    from nbgrader.api import Gradebook

    from course.autograder.completeness import completeness

    root, _, _, _ = graded_class
    shutil.copy(
        root / "gradebook.db", tmp_path / "gradebook.db"
    )  # the class's gradebook, plus one absent student
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gb:
        gb.add_student("ghost")
        gb.add_assignment("ps9_never_released")  # issue 33: named once, not "not submitted" for every student
    rows = {(r["student"], r["assignment"]): r for r in completeness(tmp_path)}
    assert not [key for key in rows if key[1] == "ps9_never_released"]
    assert rows[("ghost", PS1)]["status"] == "not submitted" and rows[("ghost", PS1)]["score"] is None
    partial = rows[("partial", PS1)]
    assert partial["status"] == "to grade by hand" and partial["waiting_for"] == "ps1_e_answer"
    assert partial["score"] == 10.75
    assert {r["status"] for r in rows.values()} <= {"final", "to grade by hand", "not submitted"}
    done = subprocess.run([sys.executable, "-m", "course.autograder", "incomplete", str(tmp_path)],
                          capture_output=True, text=True, check=True)  # fmt: skip
    assert "ghost" in done.stdout and "no submission: 0 in grades.csv" in done.stdout
    assert "partial" in done.stdout and "waiting for ps1_e_answer" in done.stdout
    assert "Nobody has submitted ps9_never_released (not released yet, or not collected)" in done.stdout
    assert (tmp_path / "reports" / "completeness.csv").exists()


def test_grades_round_trip_through_the_canvas_and_moodle_import_files(graded_class, tmp_path):
    """Issue 32: the graded demo class, exported for Canvas (its documented import columns) and Moodle, read back
    as each LMS would read the file: every final grade, total and per item, equals the gradebook's; what is not
    final is empty (never 0) and Moodle's feedback says why; the LMS's own ids come from its roster export."""
    import shutil

    from nbgrader.api import Gradebook

    from course.deploy.lms import CANVAS_COLUMNS, LmsError, item_column, write_lms

    root, _, _, _ = graded_class
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(root / "gradebook.db", course / "gradebook.db")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.add_student("ghost")  # on the roster, never submitted
        gb.add_assignment("ps9_never_released")  # nobody submitted it: no column of blanks
        truth = {s.id: gb.find_submission(PS1, s.id) for s in gb.students if s.id != "ghost"}
        expected = {
            student: ({g.name: (None if g.needs_manual_grade else g.score) for nb in sub.notebooks for g in nb.grades},
                      None if any(g.needs_manual_grade for nb in sub.notebooks for g in nb.grades) else sub.score)
            for student, sub in truth.items()
        }  # fmt: skip
    students = sorted(expected)
    canvas_roster = tmp_path / "canvas-export.csv"
    canvas_roster.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section\n    Points Possible,,,,\n"
        + "".join(f'"Last{i}, First{i}",{1000 + i},S{i:04d},{s},Seminar A\n' for i, s in enumerate(students))
        + "Ghost Person,1999,S9999,ghost,Seminar B\n",
        encoding="utf-8",
    )
    report = write_lms(course, canvas_roster)
    assert report["not_on_roster"] == [] and report["nobody_submitted"] == ["ps9_never_released"]
    with report["files"]["canvas"].open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    header = list(rows[0])
    assert header[:5] == list(CANVAS_COLUMNS) and PS1 in header and "ps9_never_released" not in header
    by_login = {r["SIS Login ID"]: r for r in rows}
    assert set(by_login) == set(students) | {"ghost"}
    for i, student in enumerate(students):
        row, (_, total) = by_login[student], expected[student]
        assert (
            row["ID"] == str(1000 + i) and row["SIS User ID"] == f"S{i:04d}" and row["Section"] == "Seminar A"
        )
        assert row[PS1] == ("" if total is None else f"{total:g}"), student
    assert (
        by_login["ghost"][PS1] == "" and by_login["partial"][PS1] == ""
    )  # not submitted; a hand grade to come
    with report["files"]["canvas_items"].open(encoding="utf-8", newline="") as handle:
        items = {r["SIS Login ID"]: r for r in csv.DictReader(handle)}
    for student in students:
        for name, score in expected[student][0].items():
            assert items[student][item_column(PS1, name)] == ("" if score is None else f"{score:g}"), (
                student,
                name,
            )
    assert items["partial"][item_column(PS1, "ps1_e_answer")] == "" and items["partial"]["ps1 a1"] != ""

    moodle_roster = tmp_path / "moodle-participants.csv"
    moodle_roster.write_text(
        "First name,Last name,ID number,Email address,Username\n"
        + "".join(f"F{i},L{i},N{i},{s}@uni.example,{s}\n" for i, s in enumerate(students[1:])),
        encoding="utf-8",
    )
    report = write_lms(course, moodle_roster)
    assert report["not_on_roster"] == sorted(["ghost", students[0]])
    with report["files"]["moodle"].open(encoding="utf-8", newline="") as handle:
        moodle = {r["Username"]: r for r in csv.DictReader(handle)}
    for i, student in enumerate(students[1:]):
        row, (scores, total) = moodle[student], expected[student]
        assert row["Email address"] == f"{student}@uni.example" and row["ID number"] == f"N{i}"
        assert row[PS1] == ("" if total is None else f"{total:g}")
        assert all(row[item_column(PS1, n)] == ("" if v is None else f"{v:g}") for n, v in scores.items())
    assert moodle["partial"][f"{PS1} (feedback)"] == "not final: waiting for ps1_e_answer"
    assert moodle["ghost"][f"{PS1} (feedback)"] == "not submitted" and moodle["ghost"][PS1] == ""

    bad = tmp_path / "bad.csv"
    bad.write_text("Name,Score\nAna,3\n", encoding="utf-8")
    with pytest.raises(LmsError, match="no login column .* its columns are: Name, Score"):
        write_lms(course, bad)
    done = subprocess.run([sys.executable, "-m", "course.deploy.lms", str(course), "--roster", str(bad)],
                          capture_output=True, text=True)  # fmt: skip
    assert (
        done.returncode == 2 and "bad.csv: no login column" in done.stderr and "Traceback" not in done.stderr
    )


def test_an_extension_turns_a_late_submission_on_time(tmp_path):
    """Issue 32: deadlines.csv's due date and extensions.csv's accommodation, through the real nbgrader autograde
    with a late penalty of zero: two identical correct submissions a day after the due date; the one whose
    student has an extension keeps its 20 points and is not late, the other is late and penalised to 0. A malformed
    row is named with its line, and the other rows still count."""
    from dataclasses import replace

    from nbgrader.api import Gradebook

    from course.autograder.demo_class import STUDENTS

    root = course_copy(tmp_path)
    nbgrader(root, "generate_assignment", PS1, "--force")
    correct = next(s for s in STUDENTS if s.name == "correct")
    write_class(root, [replace(correct, name="ontime"), replace(correct, name="late")])
    for student in ("ontime", "late"):
        (root / "submitted" / student / PS1 / "timestamp.txt").write_text("2027-02-16 09:00:00.000000 UTC\n")
    (root / "deadlines.csv").write_text(
        f"assignment,due,timezone\n{PS1},2027-02-15 17:00,Europe/Berlin\nps9_nothing,someday,\n",
        encoding="utf-8",
    )
    (root / "extensions.csv").write_text(
        f"student,assignment,due,reason\nontime,{PS1},2027-02-18T17:00+01:00,accommodation (letter of 2 Feb)\n"
        f"late,{PS1},2027-02-18,no zone\n",
        encoding="utf-8",
    )
    done = subprocess.run([sys.executable, "-m", "course.autograder.deadlines", str(root)],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr  # the two bad rows
    assert f"gradebook: {PS1}: due 2027-02-15 16:00 UTC" in done.stdout, done.stdout
    assert "deadlines.csv, line 3: due 'someday' is not a date" in done.stdout
    assert "extensions.csv, line 3: due '2027-02-18' has no time zone" in done.stdout
    assert f"extension: ontime {PS1} Thu 18 Feb 2027 16:00 UTC (+3.0 days)  accommodation" in done.stdout
    nbgrader(root, "autograde", PS1, "--LateSubmissionPlugin.penalty_method=zero",
             *[f"--{k}={v}" for k, v in DEMO_LIMITS.items()])  # fmt: skip
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        ontime, late = gb.find_submission(PS1, "ontime"), gb.find_submission(PS1, "late")
        assert ontime.extension is not None and ontime.total_seconds_late == 0
        assert ontime.score == 20 and ontime.late_submission_penalty == 0
        assert late.extension is None and late.total_seconds_late == 17 * 3600  # 16:00 UTC to 09:00 next day
        assert (
            late.score == 20 and late.late_submission_penalty == 20
        )  # nbgrader's score is before the penalty
    (root / "extensions.csv").write_text("student,assignment,due,reason\n", encoding="utf-8")  # withdrawn
    nbgrader(root, "autograde", PS1, "--force", "--student=ontime", "--LateSubmissionPlugin.penalty_method=zero",
             *[f"--{k}={v}" for k, v in DEMO_LIMITS.items()])  # fmt: skip
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        assert gb.find_submission(PS1, "ontime").extension is None
        assert gb.find_submission(PS1, "ontime").late_submission_penalty == 20


def test_hostile_archives_give_only_safe_regular_files_and_the_class_is_collected(tmp_path):
    """Issue 27: `nbgrader zip_collect` with the course's extractor, on an LMS download holding hostile archives
    beside an honest one: zip slip (`..`, an absolute name), a zip bomb (1 GiB of zeros in a 1 MB zip), a link,
    a name with a newline, a folder named like a student ``..``, a tar with a link and a device, a lying-free
    bomb in a tar. Only regular files with safe names come out, inside the target; each refusal is listed; the
    honest students are collected."""
    import io
    import json
    import stat
    import tarfile
    import zipfile

    root, archive, release = _lms_course(tmp_path)
    with zipfile.ZipFile(archive / "honest.zip", "w") as zipped:
        zipped.writestr(f"submissions/jdoe_{PS1}.ipynb", release)
        zipped.writestr(f"submissions/a.smith-2_{PS1}.ipynb", release)
    with zipfile.ZipFile(archive / "hostile.zip", "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(f"../../evil_{PS1}.ipynb", release)
        zipped.writestr(f"/tmp/abs_{PS1}.ipynb", release)
        zipped.writestr(f"submissions/new\nline_{PS1}.ipynb", release)
        zipped.writestr(f"submissions/.._{PS1}.ipynb", release)
        link = zipfile.ZipInfo(f"submissions/mallory_{PS1}.ipynb")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zipped.writestr(link, "/etc/passwd")
        bomb_info = zipfile.ZipInfo(f"submissions/bomb_{PS1}.ipynb")
        bomb_info.compress_type = zipfile.ZIP_DEFLATED
        with zipped.open(bomb_info, "w", force_zip64=True) as bomb:
            for _ in range(1024):
                bomb.write(bytes(1024 * 1024))
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w") as tar:
        for name, kind in (
            ("submissions/tlink_x.ipynb", tarfile.SYMTYPE),
            ("submissions/dev_x.ipynb", tarfile.CHRTYPE),
        ):
            member = tarfile.TarInfo(name)
            member.type, member.linkname = kind, "/etc/shadow"
            tar.addfile(member)
        honest = tarfile.TarInfo(f"submissions/kim_{PS1}.ipynb")
        honest.size = len(release)
        tar.addfile(honest, io.BytesIO(release))
    (archive / "more.tar").write_bytes(data.getvalue())
    (archive / "linked.zip").symlink_to(archive / "honest.zip")
    assert (archive / "hostile.zip").stat().st_size < 3 * 1024 * 1024

    done = nbgrader(root, "zip_collect", PS1)
    for student in ("jdoe", "a.smith-2", "kim"):
        assert (root / "submitted" / student / PS1 / f"{PS1}.ipynb").read_bytes() == release, student
    submitted = sorted(p.name for p in (root / "submitted").iterdir())
    assert submitted == ["a.smith-2", "jdoe", "kim"], submitted
    outside = [p for p in tmp_path.rglob(f"*_{PS1}.ipynb") if root not in p.parents]
    assert outside == [] and not Path(f"/tmp/abs_{PS1}.ipynb").exists()
    extracted = [p for p in (root / "downloaded" / PS1 / "extracted").rglob("*")]
    assert all(p.is_dir() or (p.is_file() and not p.is_symlink()) for p in extracted)
    assert sum(p.stat().st_size for p in extracted if p.is_file()) < 50 * 1024 * 1024, (
        "the bomb was not extracted"
    )
    refused = json.loads((root / "downloaded" / PS1 / "refused.json").read_text(encoding="utf-8"))
    why = {(r["archive"], r["entry"].split("/")[-1][:8]): r["why"] for r in refused}
    assert (
        "absolute" in why[("hostile.zip", f"abs_{PS1}"[:8])]
        and "'..'" in why[("hostile.zip", f"evil_{PS1}"[:8])]
    )
    assert "control character" in why[("hostile.zip", "new\nline")]
    assert "starts with '.'" in why[("hostile.zip", f".._{PS1}"[:8])]
    assert "not a regular file" in why[("hostile.zip", "mallory_")]
    assert "larger than" in why[("hostile.zip", "bomb_ps1")]
    assert (
        "not a regular file" in why[("more.tar", "tlink_x.")]
        and "not a regular file" in why[("more.tar", "dev_x.ip")]
    )
    assert "not a regular file" in why[("linked.zip", "")]
    assert "entries refused" in done.stdout + done.stderr


def test_the_item_analysis_sets_the_classs_agreement_beside_each_coding_items_difficulty(graded_class):
    """Issue 29: for ps1's coding items (A1-A5), the class's most common stance and commitment and their shares, the
    number of distinct readings, beside the item's mean score; alpha across the items. Answers are read from the
    submissions' source without running them; one built otherwise counts as unread."""
    import subprocess
    import sys

    from course.autograder.items import coding_items

    root, _, _, _ = graded_class
    rows, alphas = coding_items(root, PS1)
    assert [r["item"] for r in rows] == ["ps1_a1", "ps1_a2", "ps1_a3", "ps1_a4", "ps1_a5"]
    students = [p for p in (root / "submitted").iterdir() if p.is_dir()]
    for row in rows:
        assert row["answered"] + row["unread"] == len(students), row
        assert (
            row["answered"] > len(students) // 2 and 0 < row["stance_share"] <= 1 and row["readings"] >= 1
        ), row
        assert row["mean"] is not None and row["points"] == 2, row
    assert set(alphas) == {"stance", "commitment"} and alphas["stance"].coders >= len(students) // 2
    # a submission whose answer is built, not written, is unread; a planted link is never followed
    planted = root / "submitted" / students[0].name / PS1 / f"{PS1}.ipynb"
    text = planted.read_text(encoding="utf-8")
    planted.write_text(text.replace('a1 = {"stance"', 'a1 = dict(**{"stance"'), encoding="utf-8")
    try:
        again, _ = coding_items(root, PS1)
        assert again[0]["unread"] >= rows[0]["unread"]
    finally:
        planted.write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "course.autograder", "items", str(root), PS1],
                          capture_output=True, text=True, check=True)  # fmt: skip
    assert "coding items" in done.stdout and "alpha across the items, stance" in done.stdout
    assert (root / "reports" / f"{PS1}-coding.csv").exists()
