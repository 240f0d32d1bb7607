"""The exchange's sweep (``course.deploy.sweep``, issue 35): each student's share of ``inbound``, without a hub.

As root, with entries owned by the ``nobody`` account standing in for a student: what is not a submission goes at
once; a student over budget loses superseded submissions first, then the largest; links are removed as links and
never followed; a file a process holds open gives its room back; root's and exempt owners' entries stay.
The live hub runs the same sweep as a service (tests/test_hub_hostile.py, the bombs test).
"""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import skip_or_fail

from course.deploy import sweep as sw

MiB = 1024 * 1024


@pytest.fixture
def student():
    if os.geteuid() != 0:
        skip_or_fail("the sweep runs as root: its tests need root to make files owned by another account")
    return pwd.getpwnam("nobody")


@pytest.fixture
def inbound(tmp_path):
    folder = tmp_path / "inbound"
    folder.mkdir(mode=0o3773)
    return folder


def _owned(path: Path, uid: int, size: int = 0, folder: bool = False) -> Path:
    if folder:
        path.mkdir()
        if size:
            (path / "ps.ipynb").write_bytes(os.urandom(size))
            os.chown(path / "ps.ipynb", uid, uid)
    else:
        path.write_bytes(os.urandom(size))
    os.chown(path, uid, uid)
    return path


def _names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_submission_names_are_nbgraders_with_the_owners_login():
    assert sw.submission_of("ann+ps1+2024-06-19 12:00:00.000000 UTC", "ann") == "ps1"
    assert sw.submission_of("ann+ps1+2024-06-19 12:00:00.000000 UTC+a1b2", "ann") == "ps1"
    assert sw.submission_of("ann+ps1+2024-06-19 12:00:00.000000 UTC", "bob") == ""  # someone else's name
    assert sw.submission_of("flood1", "ann") == "" and sw.submission_of("ann++t", "ann") == ""
    assert sw.submission_of("ann+ps1+t+r+extra", "ann") == ""


def test_what_is_not_a_submission_goes_and_submissions_within_budget_stay(student, inbound, tmp_path):
    uid, login = student.pw_uid, student.pw_name
    keep = _owned(inbound / f"{login}+ps1+2024-06-19 12:00:00.000000 UTC+ab12", uid, 4096, folder=True)
    _owned(inbound / "flood1", uid, 1 * MiB)
    _owned(inbound / "junk-folder", uid, 4096, folder=True)
    _owned(inbound / "someone+ps1+2024-06-19 12:00:00.000000 UTC", uid, 4096, folder=True)  # not her login
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    os.symlink(
        victim, inbound / f"{login}+ps2+2024-06-19 12:00:00.000000 UTC"
    )  # a link, named as a submission
    os.lchown(inbound / f"{login}+ps2+2024-06-19 12:00:00.000000 UTC", uid, uid)
    os.symlink("/etc/passwd", inbound / "passwd")
    os.lchown(inbound / "passwd", uid, uid)
    (inbound / "root-owned").write_text("the exchange's own")

    lines = sw.sweep(str(inbound), budget=10 * MiB, exempt_uids={0})

    assert _names(inbound) == {keep.name, "root-owned"}, lines
    assert (victim / "precious.txt").read_text() == "keep me" and Path("/etc/passwd").stat().st_size > 0
    assert len(lines) == 5 and all("not a submission of its owner's" in line for line in lines), lines
    assert any(f"removed 'flood1' of {login} ({MiB} bytes)" in line for line in lines), lines
    assert sw.sweep(str(inbound), budget=10 * MiB, exempt_uids={0}) == []  # nothing more to do


def test_over_budget_the_superseded_go_first_then_the_largest(student, inbound):
    uid, login = student.pw_uid, student.pw_name

    def submit(assignment: str, minute: int, size: int) -> Path:
        path = _owned(
            inbound / f"{login}+{assignment}+2024-06-19 12:{minute:02d}:00 UTC", uid, size, folder=True
        )
        time.sleep(0.02)  # status-change times in order
        return path

    old_ps1 = submit("ps1", 1, 3 * MiB)
    assert old_ps1.exists()
    new_ps1 = submit("ps1", 2, 1 * MiB)
    big_ps2 = submit("ps2", 3, 5 * MiB)
    ps3 = submit("ps3", 4, 2 * MiB)

    lines = sw.sweep(str(inbound), budget=9 * MiB, exempt_uids={0})  # 11 MiB held: dropping old ps1 is enough
    assert _names(inbound) == {new_ps1.name, big_ps2.name, ps3.name}, lines
    assert "superseded by a later submission" in lines[0] and "over 9437184" in lines[0], lines

    lines = sw.sweep(str(inbound), budget=4 * MiB, exempt_uids={0})  # 8 MiB, no superseded left: the largest
    assert _names(inbound) == {new_ps1.name, ps3.name}, lines
    assert len(lines) == 1 and big_ps2.name in lines[0] and "the largest submission" in lines[0], lines

    assert (
        sw.sweep(str(inbound), budget=4 * MiB, exempt_uids={0, uid}) == []
    )  # an exempt owner is never swept


def test_a_file_held_open_gives_its_room_back(student, inbound):
    flood = _owned(inbound / "flood", student.pw_uid, 8 * MiB)
    writer = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; f = open(sys.argv[1], 'ab'); print('open', flush=True); time.sleep(60)",
         str(flood)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert writer.stdout.readline().strip() == "open"
        lines = sw.sweep(str(inbound), budget=MiB, exempt_uids={0})
        assert not flood.exists() and "removed 'flood'" in lines[0], lines
        # The removed file, as the writer still holds it: empty, so its room is free again.
        fds = [Path(f"/proc/{writer.pid}/fd", fd) for fd in os.listdir(f"/proc/{writer.pid}/fd")]
        held_files = [fd for fd in fds if os.readlink(fd).startswith(str(flood))]
        assert held_files and all(os.stat(fd).st_blocks == 0 for fd in held_files), held_files
    finally:
        writer.kill()
        writer.wait()


def test_a_folder_swapped_for_a_link_after_the_survey_is_not_followed(student, inbound, tmp_path):
    uid = student.pw_uid
    name = "junk"
    _owned(inbound / name, uid, 4096, folder=True)
    fd = os.open(inbound, os.O_RDONLY | os.O_DIRECTORY)
    try:
        (entry,) = sw.survey(fd, exempt_uids={0})
        victim = tmp_path / "victim"
        victim.mkdir()
        (victim / "precious.txt").write_text("keep me")
        (inbound / name / "ps.ipynb").unlink()
        (inbound / name).rmdir()
        os.symlink(victim, inbound / name)
        os.lchown(inbound / name, uid, uid)
        sw.remove(fd, entry)
    finally:
        os.close(fd)
    assert not (inbound / name).exists() and not (inbound / name).is_symlink()
    assert (victim / "precious.txt").read_text() == "keep me"


def test_links_inside_a_submission_are_removed_as_links(student, inbound, tmp_path):
    uid, login = student.pw_uid, student.pw_name
    sub = _owned(inbound / f"{login}+ps1+2024-06-19 12:00:00 UTC", uid, 2 * MiB, folder=True)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    os.symlink(victim, sub / "to-a-folder")
    os.symlink(victim / "precious.txt", sub / "to-a-file")
    lines = sw.sweep(str(inbound), budget=MiB, exempt_uids={0})
    assert not sub.exists() and "the largest submission" in lines[0], lines
    assert (victim / "precious.txt").read_text() == "keep me"


def test_a_tree_too_large_to_count_is_over_any_budget(student, inbound, monkeypatch):
    uid, login = student.pw_uid, student.pw_name
    sub = _owned(inbound / f"{login}+ps1+2024-06-19 12:00:00 UTC", uid, folder=True)
    for i in range(30):
        (sub / f"f{i}").touch()
    monkeypatch.setattr(sw, "MAX_ENTRIES", 20)
    lines = sw.sweep(str(inbound), budget=100 * MiB, exempt_uids={0})
    assert not sub.exists() and f"({sys.maxsize} bytes)" in lines[0], lines


def test_the_service_refuses_to_run_as_anyone_but_root(inbound, monkeypatch, capsys):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(SystemExit) as stop:
        sw.main([str(inbound), "--every", "0"])
    assert stop.value.code == 2 and "the sweep runs as root" in capsys.readouterr().err


def test_one_pass_of_the_service_says_what_it_removed(student, inbound, capsys):
    _owned(inbound / "flood", student.pw_uid, MiB)
    assert sw.main([str(inbound), "--every", "0", "--budget-mb", "1", "--exempt-group", "no-such-group"]) == 0
    out = capsys.readouterr().out
    assert "1 MB per student" in out and "removed 'flood' of nobody" in out, out
