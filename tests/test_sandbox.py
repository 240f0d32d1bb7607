import json
import sys

from course import sandbox


def test_command_hides_the_course_root_but_the_students_folder(tmp_path):
    root = tmp_path / "course"
    own = root / "autograded" / "s1" / "ps1"
    own.mkdir(parents=True)
    (root / "nbgrader_config.py").write_text("")
    cmd = sandbox.command(["-f", "conn.json"], own, bwrap="/usr/bin/bwrap")
    assert cmd[0] == "/usr/bin/bwrap"
    text = " ".join(cmd)
    assert f"--tmpfs {root} --bind {own} {own}" in text
    assert "--ro-bind / /" in text and "--setenv COURSE_SANDBOX bwrap" in text
    assert cmd[-5:] == [sys.executable, "-m", "ipykernel_launcher", "-f", "conn.json"]


def test_without_bubblewrap_or_outside_a_course_the_kernel_runs_plainly(tmp_path):
    plain = [sys.executable, "-m", "ipykernel_launcher", "-f", "c.json"]
    assert sandbox.command(["-f", "c.json"], tmp_path, bwrap="") == plain
    assert sandbox.command(["-f", "c.json"], tmp_path, bwrap="/usr/bin/bwrap") == plain, (
        "no course root above"
    )


def test_install_writes_a_kernelspec_with_message_interrupts(tmp_path):
    folder = sandbox.install(str(tmp_path))
    spec = json.loads((folder / "kernel.json").read_text())
    assert spec["argv"][1:3] == ["-m", "course.sandbox"] and spec["interrupt_mode"] == "message"
