"""The course's JupyterHub (hub/, issue 18), installed, started and used for real: a class of three in the browser.

An instructor and two students log in through the hub's page. The instructor releases ps1 from the formgrader;
each student fetches it in the Assignments panel, answers in JupyterLab and submits; the second student tries to
read the first one's work from their own terminal; the instructor collects, autogrades (in the sandbox), grades
the written answer by hand and releases feedback; each student fetches their own feedback; grades.csv holds both.
Then what a hostile or unlucky student can do to the exchange: submit as someone else, forge the time, submit
twice, submit late; and a person not in the course. Screenshots of each panel: test-artifacts/hub/.

Runs as root (it makes Unix accounts, as ``make hub-users`` does); CI runs as root.
"""

from __future__ import annotations

import csv
import html
import json
import re
import stat
import subprocess
import sys
import time
from datetime import UTC
from pathlib import Path

import pytest
from conftest import ROOT, wait_until_saved
from hubserver import browser_get, class_hub, log_in

pytestmark = [pytest.mark.browser, pytest.mark.hub]
ARTIFACTS = ROOT / "test-artifacts" / "hub"
PS = "ps1_reading_official_reactions"
TEACHER, ALICE, BOB, EVE = "nt-teach", "nt-alice", "nt-bob", "nt-eve"
ROSTER = f"""username,name,email,role
{TEACHER},Tess Teacher,tess@example.edu,instructor
{ALICE},Alice Archer,alice@example.edu,student
{BOB},Bob Baker,bob@example.edu,student
{BOB},Bob Again,,student
NT-Carol,Carol Capital,,student
root,Root Account,,student
"""
ANSWERS = {  # each signed, so that each one's feedback can be told apart
    ALICE: '# answered by alice-7f3\na1 = {"stance": "non-committal", "commitment": "words_only", "signal": "relevant countries"}',
    BOB: '# answered by bob-2c9\na1 = {"stance": "condemnation", "commitment": "words_only", "signal": "totally unacceptable"}',
}
WRITTEN = {ALICE: "4", BOB: "2"}  # the instructor's marks for the written answer (E), out of 5
ESSAY = "China's ministry calls it a matter between two sovereign states (essay-a41): it neither endorses nor criticises."


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with class_hub(ROSTER, tmp_path_factory.mktemp("hub"), ARTIFACTS, (EVE,), "jupyterhub.log") as hub:
        yield hub


def _shot(page, name: str) -> None:
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / name))


def _assignments_panel(page):
    """Nbgrader > Assignment List, as a student opens it."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator(".lm-Menu-itemLabel", has_text="Assignment List").click()
    panel = page.locator("#nbgrader-assignment-list")
    panel.wait_for(timeout=30_000)
    return panel


def _formgrader_row(page, hub, login: str):
    page.goto(f"{hub.user_url(login)}/formgrader/manage_assignments")
    row = page.locator("tr", has_text=PS).first
    row.wait_for(timeout=60_000)
    return row


def _close_modal(page, expect: str) -> None:
    modal = page.locator(".modal-dialog").first
    modal.wait_for(timeout=180_000)
    text = modal.inner_text()
    assert expect in text, text
    page.locator(".modal-footer button").first.click()
    modal.wait_for(state="hidden", timeout=10_000)


def _answer(page, login: str, code: str) -> None:
    answer = page.locator(".jp-CodeCell", has_text="# YOUR CODE HERE").first
    answer.scroll_into_view_if_needed()
    answer.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(code)
    page.keyboard.press("Control+s")
    wait_until_saved(page, Path(f"/home/{login}/{PS}/{PS}.ipynb"), code)


def test_the_roster_makes_the_class_and_refuses_bad_rows(hub):
    out = hub.users_output
    assert hub.users_status == 1, out  # some rows were refused: the command says so in its status too
    assert re.search(r"line 5: login 'nt-bob' is already on line 4", out), out
    assert "line 6: login 'NT-Carol' has capitals" in out, out
    assert re.search(r"line 7: .*root", out), out
    for login in (TEACHER, ALICE, BOB):
        home = Path(f"/home/{login}")
        assert stat.S_IMODE(home.stat().st_mode) == 0o700, (
            f"{home} must be private (nbgrader's cache is there)"
        )
    import grp

    assert set(grp.getgrnam("nas").gr_mem) >= {TEACHER, ALICE, BOB}
    assert set(grp.getgrnam("nas-instructors").gr_mem) == {TEACHER}
    assert EVE not in grp.getgrnam("nas").gr_mem
    for _ in range(60):  # the idle culler runs, and asks the hub about activity
        if "(idle-culler@127.0.0.1)" in hub.log.read_text():
            break
        time.sleep(0.5)
    else:
        raise AssertionError("the idle culler never asked the hub about activity")


def _prestart(hub, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "hub" / "hubctl.py"), "--prefix", str(hub.prefix), "prestart", *args],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def _servers(login: str) -> list[int]:
    import psutil

    return [p.pid for p in psutil.process_iter(["username", "cmdline"])
            if p.info["username"] == login and any("jupyterhub-singleuser" in a for a in p.info["cmdline"] or [])]  # fmt: skip


def test_prestart_starts_the_students_servers_before_the_class(hub):
    """make hub-prestart (issue 32): memory first, then every student's server, and the first page is at once."""
    students = [ALICE, BOB]
    assert not any(_servers(s) for s in students)
    crowded = _prestart(hub, "--mb-per-server", str(10**8))  # no server fits: nobody is started, and told why
    assert crowded.returncode == 0, crowded.stdout + crowded.stderr
    assert f"not started, for want of memory (room for 0): {ALICE}, {BOB}" in crowded.stdout, crowded.stdout
    assert not any(_servers(s) for s in students)
    done = _prestart(hub, "--wait", "180")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 on the roster: 0 already running, 2 to start" in done.stdout, done.stdout
    assert "started 2 servers" in done.stdout and "stopped by the idle culler 60 min after" in done.stdout
    assert TEACHER not in done.stdout and all(_servers(s) for s in students)
    again = _prestart(hub)
    assert "2 already running, 0 to start" in again.stdout, again.stdout
    opener, _ = hub.login(ALICE, wait=False)
    assert hub.wait_for_server(opener, ALICE) < 5  # the lab itself, not the hub's "starting" page


def test_a_class_of_three_works_the_whole_cycle_in_the_browser(hub, browser):
    # The instructor sets the due date (deadlines.csv, in the course's time zone), then releases ps1.
    grading = hub.prefix / "grading"
    dates = hub.as_user(
        TEACHER,
        f"printf 'assignment,due,timezone\\n{PS},2099-03-01 17:00,Asia/Seoul\\n' > deadlines.csv && "
        "python -m course.autograder.deadlines . 2>&1",
        grading,
    )
    assert dates.returncode == 0 and f"gradebook: {PS}: due 2099-03-01 08:00 UTC" in dates.stdout, (
        dates.stdout
    )
    teacher = log_in(browser, hub, TEACHER)
    assert teacher.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").count() == 1
    _shot(teacher, "instructor_lab.png")
    row = _formgrader_row(teacher, hub, TEACHER)
    row.locator(".glyphicon-cloud-upload").click()
    _close_modal(teacher, f"Successfully released '{PS}'")
    _shot(teacher, "formgrader_released.png")

    # Each student fetches it, answers and submits.
    students = {}
    for login in (ALICE, BOB):
        page = log_in(browser, hub, login)
        students[login] = page
        assert page.locator(".lm-Menu-itemLabel", has_text="Formgrader").count() == 0
        panel = _assignments_panel(page)
        released = panel.locator("#released_assignments_list .list_item", has_text=PS)
        released.wait_for(timeout=30_000)
        _shot(page, f"{login}_assignments_released.png")
        released.get_by_role("button", name="Fetch").click()
        fetched = panel.locator("#fetched_assignments_list .list_item", has_text=PS).first
        fetched.wait_for(timeout=30_000)
        due = Path(f"/home/{login}/{PS}/DUE.txt").read_text()  # the release brought the date with it
        assert f"{PS} is due Sunday 01 March 2099, 17:00 (Asia/Seoul)" in due and "extension" in due, due
        page.goto(f"{hub.user_url(login)}/lab/tree/{PS}/{PS}.ipynb")
        page.locator(".jp-Notebook:visible", has_text="# YOUR CODE HERE").first.wait_for(timeout=60_000)
        _answer(page, login, ANSWERS[login])
        if login == ALICE:  # the written answer, in its markdown cell
            essay = page.locator(".jp-MarkdownCell", has_text="YOUR ANSWER HERE").first
            essay.scroll_into_view_if_needed()
            essay.dblclick()
            essay.locator(".cm-content").click()
            page.keyboard.press("Control+a")
            page.keyboard.insert_text(ESSAY)
            page.keyboard.press("Shift+Enter")
            page.keyboard.press("Control+s")
            wait_until_saved(page, Path(f"/home/{login}/{PS}/{PS}.ipynb"), ESSAY)
        _shot(page, f"{login}_answered.png")
        panel = _assignments_panel(page)
        fetched = panel.locator("#fetched_assignments_list .list_item", has_text=PS).first
        if login == ALICE:  # the panel's Validate runs her notebook's visible checks before she submits
            fetched.locator("a", has_text=PS).first.click()  # unfold the problem set's notebooks
            fetched.get_by_role("button", name="Validate").click()
            dialog = page.locator(".jp-Dialog")
            dialog.wait_for(timeout=120_000)
            assert re.search(r"(?i)validat", dialog.inner_text()), dialog.inner_text()
            _shot(page, f"{login}_validated.png")
            dialog.get_by_role("button").last.click()
            dialog.wait_for(state="hidden", timeout=10_000)
        fetched.get_by_role("button", name="Submit").click()
        panel.locator("#submitted_assignments_list .list_item", has_text=PS).first.wait_for(timeout=60_000)
        _shot(page, f"{login}_submitted.png")

    # Bob, from his own terminal, tries to read Alice's work: the inbound folder, her entry by its exact name
    # (as if he had guessed it), her home.
    entry = next(p for p in hub.inbound.iterdir() if p.name.startswith(f"{ALICE}+"))
    bob = students[BOB]
    attempt = (
        f"ls {hub.inbound}; cat '{entry}/{PS}.ipynb' | head -c 80; cat '{entry}/submission_secret.txt'; "
        f"ls /home/{ALICE}; cat /home/{ALICE}/{PS}/{PS}.ipynb | head -c 80; "
        f"find / -path /proc -prune -o -name '{ALICE}+*' -print 2>/dev/null | head; echo END"
    )
    bob.goto(f"{hub.user_url(BOB)}/lab")
    bob.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^File$")).wait_for(timeout=60_000)
    bob.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^File$")).click()
    bob.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^New$")).hover()
    bob.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Terminal$")).click()
    terminal = bob.locator(".jp-Terminal .xterm-helper-textarea").first
    terminal.wait_for(state="attached", timeout=30_000)
    bob.wait_for_timeout(1500)
    terminal.focus()
    bob.keyboard.insert_text(f"({attempt}) > ~/attempt.txt 2>&1")
    bob.keyboard.press("Enter")
    result = Path(f"/home/{BOB}/attempt.txt")
    for _ in range(300):  # `find /` may take a while on a loaded machine
        if result.exists() and "END" in result.read_text():
            break
        bob.wait_for_timeout(200)
    else:
        raise AssertionError(
            f"Bob's commands did not finish within 60 s: {result.read_text() if result.exists() else ''}"
        )
    bob.keyboard.insert_text("clear; cat ~/attempt.txt")
    bob.keyboard.press("Enter")
    _shot(bob, "bob_terminal_cannot_read_alice.png")
    seen = result.read_text()
    assert seen.count("Permission denied") >= 4, seen
    assert '"cells"' not in seen and "nbformat" not in seen, f"Bob read Alice's notebook:\n{seen}"
    secret = (entry / "submission_secret.txt").read_text()
    assert secret not in seen, "Bob read Alice's submission secret"
    assert entry.name not in seen.replace(f"'{entry}", ""), f"Bob found Alice's entry:\n{seen}"

    # The instructor collects, autogrades, grades the written answer by hand and releases feedback.
    row = _formgrader_row(teacher, hub, TEACHER)
    row.locator(".glyphicon-cloud-download").click()
    _close_modal(teacher, f"Successfully collected submissions of '{PS}'")
    teacher.goto(f"{hub.user_url(TEACHER)}/formgrader/manage_submissions/{PS}")
    for login in (ALICE, BOB):
        student_row = teacher.locator("tr", has_text=login).first
        student_row.wait_for(timeout=30_000)
        student_row.locator(".glyphicon-flash").click()
        _close_modal(teacher, f"Successfully autograded '{PS}' for student '{login}'")
    _shot(teacher, "formgrader_autograded.png")
    api = f"{hub.user_url(TEACHER)}/formgrader/api/submitted_notebooks/{PS}/{PS}"
    submissions = json.loads(browser_get(teacher, api)["text"])
    ids = {s["student"]: s["id"] for s in submissions}
    assert set(ids) == {ALICE, BOB}, submissions
    for login in (ALICE, BOB):
        teacher.goto(f"{hub.user_url(TEACHER)}/formgrader/submissions/{ids[login]}/")
        score = teacher.locator("input.score#ps1_e_answer")
        score.wait_for(timeout=30_000)
        # A mark typed before the formgrader's script has loaded the grades is wiped when it draws them (no PUT is
        # ever sent: CI saw it). Its own flags say when the grades and comments are drawn (its `loaded` is not a
        # sign: it stays false, as an error in its init stops before setting it).
        teacher.wait_for_function(
            "() => window.formgrader && formgrader.grades && formgrader.grades.loaded && formgrader.comments.loaded",
            timeout=30_000,
        )
        score.fill(WRITTEN[login])
        # The mark is saved when the formgrader's PUT is answered. Its tick appears when the request *starts*, so
        # waiting for the tick and moving on could leave the page before the mark was stored.
        with teacher.expect_response(
            lambda r: "/formgrader/api/grade/" in r.url and r.request.method == "PUT", timeout=15_000
        ) as saved:
            score.press("Tab")
        assert saved.value.ok, f"saving {login}'s mark: HTTP {saved.value.status}"
        _shot(teacher, f"formgrader_manual_grade_{login}.png")
        grades = json.loads(
            browser_get(teacher, f"{hub.user_url(TEACHER)}/formgrader/api/grades?submission_id={ids[login]}")[
                "text"
            ]
        )
        essay_marks = [g["manual_score"] for g in grades if g["name"] == "ps1_e_answer"]
        assert essay_marks == [float(WRITTEN[login])], f"{login}'s written answer: {essay_marks}"
    row = _formgrader_row(teacher, hub, TEACHER)
    row.locator(".glyphicon-comment").click()
    _close_modal(teacher, "Successfully generated feedback")
    row = _formgrader_row(teacher, hub, TEACHER)
    row.locator(".glyphicon-envelope").click()
    _close_modal(teacher, "Successfully released feedback")

    # Each student fetches their own feedback, and sees only their own.
    for login, page in students.items():
        panel = _assignments_panel(page)
        item = panel.locator("#submitted_assignments_list .list_item", has_text=PS).first
        item.get_by_role("button", name="Fetch Feedback").click()
        item.get_by_text("(view feedback)").wait_for(timeout=60_000)
        _shot(page, f"{login}_feedback_fetched.png")
    feedback = {
        login: "".join(p.read_text() for p in Path(f"/home/{login}/{PS}/feedback").rglob("*.html"))
        for login in (ALICE, BOB)
    }
    assert "alice-7f3" in feedback[ALICE] and "bob-2c9" not in feedback[ALICE]
    assert "essay-a41" in feedback[ALICE] and "essay-a41" not in feedback[BOB]
    assert "bob-2c9" in feedback[BOB] and "alice-7f3" not in feedback[BOB]

    # grades.csv holds both, with the written answer's hand marks.
    done = hub.as_user(TEACHER, "nbgrader export --to grades.csv", cwd=hub.prefix / "grading")
    assert done.returncode == 0, done.stderr
    rows = {
        r["student_id"]: r
        for r in csv.DictReader((hub.prefix / "grading" / "grades.csv").open())
        if r["assignment"] == PS
    }
    assert set(rows) == {ALICE, BOB}, rows
    scores = {login: float(row["raw_score"]) for login, row in rows.items()}
    assert scores[ALICE] >= 2 + 4 and scores[BOB] < scores[ALICE], scores  # A1 right and 4 for the essay
    assert rows[ALICE]["last_name"] == "Archer" and rows[ALICE]["email"] == "alice@example.edu"
    # Graded in the sandbox, with the course's data (a judge without it would flag every set-up cell).
    report = hub.as_user(TEACHER, f"python -m course.autograder report . {PS}", cwd=hub.prefix / "grading")
    assert report.returncode == 0 and ALICE in report.stdout, report.stdout + report.stderr
    assert "set-up cell failed" not in report.stdout and "violation" not in report.stdout, report.stdout


# ---- what a hostile or unlucky student can do to the exchange, from their terminal ---------------------------


def _collect(hub) -> str:
    done = hub.as_user(TEACHER, f"nbgrader collect {PS} --update 2>&1", cwd=hub.prefix / "grading")
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _submitted(hub, login: str) -> Path:
    return hub.prefix / "grading" / "submitted" / login / PS


def _forge(hub, login: str, named: str, when: str) -> None:
    """As ``login``: an inbound entry named for ``named`` at ``when``, with nbgrader's files, made by hand."""
    entry = f"{hub.inbound}/{named}+{PS}+{when}+forged"
    done = hub.as_user(
        login,
        f"mkdir '{entry}' && cp {PS}/{PS}.ipynb '{entry}/' && echo -n '{when}' > '{entry}/timestamp.txt' "
        f"&& echo -n forged-secret > '{entry}/submission_secret.txt'",
    )
    assert done.returncode == 0, done.stderr


def test_a_student_cannot_submit_in_another_students_name(hub):
    refused = hub.as_user(BOB, f"nbgrader submit {PS} --student={ALICE} 2>&1")
    assert refused.returncode != 0 and f"You can submit only as yourself ({BOB})" in refused.stdout, (
        refused.stdout
    )
    # Around the client: an entry made by hand under Alice's name is removed by the hub's sweep within seconds (it
    # is not a submission of its owner's), so collect never sees it; hers stays. (Were it collected first,
    # CheckedCollect would refuse it: it holds entries Bob wrote, course.autograder.exchange.strangers.)
    before = (_submitted(hub, ALICE) / f"{PS}.ipynb").read_text()
    when = "2099-01-01 00:00:00.000000 UTC"
    _forge(hub, BOB, ALICE, when)
    forged = hub.inbound / f"{ALICE}+{PS}+{when}+forged"
    line = f"removed '{forged.name}' of {BOB}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (
        forged.exists() or line not in hub.log.read_text(errors="replace")
    ):
        time.sleep(0.5)
    assert not forged.exists() and line in hub.log.read_text(errors="replace"), (
        "the sweep removed the forgery"
    )
    log = _collect(hub)
    assert "2099" not in log, log
    assert (_submitted(hub, ALICE) / f"{PS}.ipynb").read_text() == before


def test_a_forged_early_time_is_replaced_by_the_time_the_file_system_recorded(hub):
    from datetime import datetime, timedelta

    _forge(hub, BOB, BOB, "2024-06-19 00:00:00.000000 UTC")
    log = _collect(hub)
    assert "says it was submitted at 2024-06-19 00:00:00" in log, log
    assert "late penalties apply to that time" in log, log
    recorded = (_submitted(hub, BOB) / "timestamp.txt").read_text().strip()
    when = datetime.strptime(recorded, "%Y-%m-%d %H:%M:%S.%f UTC").replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - when) < timedelta(minutes=10), recorded


def test_a_second_submission_is_collected_and_the_first_is_kept(hub):
    first = (_submitted(hub, ALICE) / "timestamp.txt").read_text()
    done = hub.as_user(ALICE, f"nbgrader submit {PS} 2>&1")
    assert done.returncode == 0, done.stdout
    mine = sorted(
        p.name for p in hub.inbound.iterdir() if p.name.startswith(f"{ALICE}+") and p.stat().st_uid != 0
    )
    assert len([m for m in mine if not m.endswith("+forged")]) == 2, mine  # nothing lost: both are in inbound
    log = _collect(hub)
    assert f"Updating submission: {ALICE} {PS}" in log, log
    assert (_submitted(hub, ALICE) / "timestamp.txt").read_text() > first


def test_a_submission_after_the_deadline_gets_the_late_penalty(hub):
    # The instructor sets a deadline (as the formgrader's Edit does) that Alice's last submission missed, and
    # grades with the penalty "zero" (nbgrader's LateSubmissionPlugin): her late work (A1 right) scores 0.
    grading = hub.prefix / "grading"
    set_due = hub.as_user(
        TEACHER, f"nbgrader db assignment add {PS} --duedate='2024-06-20 00:00:00 UTC' 2>&1", grading
    )
    assert set_due.returncode == 0, set_due.stdout
    graded = hub.as_user(
        TEACHER,
        f"nbgrader autograde {PS} --student={ALICE} --force --LateSubmissionPlugin.penalty_method=zero 2>&1 "
        "&& nbgrader export --to late.csv 2>&1",
        grading,
    )
    assert graded.returncode == 0, graded.stdout[-3000:]
    rows = {
        r["student_id"]: r for r in csv.DictReader((grading / "late.csv").open()) if r["assignment"] == PS
    }
    late = rows[ALICE]
    assert float(late["late_submission_penalty"]) == float(late["raw_score"]) >= 2, late
    assert float(late["score"]) == 0, late


def test_a_person_not_in_the_course_gets_a_clear_no(hub):
    _, page = hub.login(EVE, wait=False)
    assert "/user/" not in page and f"{EVE} is not on this course's roster" in html.unescape(page), page[
        -3000:
    ]
    fetch = hub.as_user(EVE, f"nbgrader fetch_assignment {PS} 2>&1")
    assert fetch.returncode != 0 and "You do not have access to this course" in fetch.stdout, fetch.stdout
    peek = hub.as_user(EVE, f"ls {hub.inbound.parent} 2>&1")
    assert "Permission denied" in peek.stdout, peek.stdout
