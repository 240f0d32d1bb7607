"""The grading sandbox's command, kernelspec and submission checks (the attacks themselves: test_sandbox_attacks)."""

import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from course.autograder import execute, sandbox
from course.autograder import files as submission_files
from course.autograder.files import SubmissionFiles, normalize_submissions, refused_path

pytestmark = pytest.mark.slow  # starts sandboxed kernels


def _pairs(cmd: list[str], flag: str) -> list[tuple[str, str]]:
    return [(cmd[i + 1], cmd[i + 2]) for i, a in enumerate(cmd) if a == flag]


def test_command_unshares_everything_drops_capabilities_and_clears_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "secret-token")
    conn = tmp_path / "kernel.json"
    cmd = sandbox.command(str(conn), tmp_path / "inbox", bwrap="/usr/bin/bwrap")
    head = cmd[: cmd.index("--")]
    for needed in ("--unshare-all", "--unshare-user", "--new-session", "--die-with-parent", "--clearenv"):
        assert needed in head
    assert head[head.index("--cap-drop") + 1] == "ALL"
    assert head[head.index("--uid") + 1] == str(sandbox.SANDBOX_UID)
    assert "secret-token" not in " ".join(cmd), "the grader's environment is not passed in"
    assert cmd[cmd.index("--") + 1 :][:5] == [sys.executable, "-m", "course.autograder.sandbox", "boot", "-f"]


def test_command_mounts_only_what_the_kernel_needs(tmp_path):
    conn = tmp_path / "private" / "kernel.json"
    inbox = tmp_path / "inbox"
    cmd = sandbox.command(str(conn), inbox, bwrap="/usr/bin/bwrap")
    read_only = dict(_pairs(cmd, "--ro-bind"))
    writable = dict(_pairs(cmd, "--bind"))
    assert "/" not in read_only, "no view of the whole file system"
    assert read_only[str(inbox)] == sandbox.INBOX
    assert writable == {str(conn.parent.resolve()): str(conn.parent.resolve())}, "only the socket folder"
    package = Path(sandbox.__file__).resolve().parent.parent  # the whole course package, not only autograder/
    assert package.name == "course"
    assert str(package) in read_only and str(package.parent / "data") in read_only
    assert str(Path(sys.prefix).resolve()) in read_only
    assert str(package.parent) not in read_only, "not the repository (.git, assignments/source)"
    assert not any(str(Path.home()) == path for path in read_only), "not the home folder"
    sizes = {cmd[i + 3]: int(cmd[i + 1]) for i, a in enumerate(cmd) if a == "--size"}
    limits = sandbox.Limits()
    assert sizes == {
        "/dev/shm": limits.shm_mb * 2**20,
        "/tmp": limits.tmp_mb * 2**20,
        sandbox.HOME: limits.work_mb * 2**20,
    }


def test_limits_travel_through_the_environment():
    limits = sandbox.Limits(memory_mb=1000, tasks=9)
    assert sandbox.Limits.from_env(limits.to_env()) == limits
    assert sandbox.Limits.from_env("") == sandbox.Limits()
    assert "9 processes and threads" in limits.describe()["tasks"]


def test_install_writes_a_kernelspec_with_message_interrupts(tmp_path):
    old = tmp_path / "share" / "jupyter" / "kernels" / sandbox.KERNEL_NAME  # where an older install put it
    old.mkdir(parents=True)
    (old / "kernel.json").write_text("{}")
    folder = sandbox.install(str(tmp_path))
    spec = json.loads((folder / "kernel.json").read_text())
    assert spec["argv"][1:3] == ["-m", "course.autograder.sandbox"] and spec["interrupt_mode"] == "message"
    assert folder == sandbox.kernels_dir(str(tmp_path)) / sandbox.KERNEL_NAME and not old.exists()


def test_a_kernel_with_a_tcp_connection_file_is_refused(tmp_path):
    conn = tmp_path / "kernel.json"
    conn.write_text(json.dumps({"transport": "tcp", "ip": "127.0.0.1"}))
    env = {k: v for k, v in os.environ.items() if k != sandbox.ALLOW_ENV}
    done = subprocess.run(
        [sys.executable, "-m", "course.autograder.sandbox", "-f", str(conn)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 3 and "ipc sockets" in done.stderr


def test_without_bubblewrap_the_check_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    with pytest.raises(sandbox.SandboxError, match="apt-get install bubblewrap") as caught:
        sandbox.check()
    assert sandbox.ALLOW_ENV in str(caught.value)


def test_a_bubblewrap_that_cannot_start_is_explained():
    folder = Path(tempfile.mkdtemp())  # reachable by the sandbox's user when the test runs as root
    folder.chmod(0o755)
    fake = folder / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to creating new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    with pytest.raises(sandbox.SandboxError, match="user namespaces") as caught:
        sandbox.check(str(fake))
    assert "No permissions to creating new namespace" in str(caught.value)
    shutil.rmtree(folder)


def test_submission_files_refuse_links_devices_and_oversized_files(tmp_path, monkeypatch):
    folder = tmp_path / "submitted" / "s1" / "ps"
    (folder / "sub").mkdir(parents=True)
    (folder / "ps.ipynb").write_text("{}")
    (folder / "sub" / "notes.txt").write_text("mine")
    (folder / "solutions").symlink_to(tmp_path / "source")
    (folder / "answers.txt").symlink_to(tmp_path / "source" / "ps.ipynb")
    os.mkfifo(folder / "pipe")
    monkeypatch.setattr(submission_files, "MAX_FILE_BYTES", 10)
    (folder / "big.bin").write_bytes(b"x" * 11)
    instructor = tmp_path / "source" / "ps"
    instructor.mkdir(parents=True)
    (instructor / "ps.ipynb").write_text("solutions")
    (instructor / "table.csv").write_text("a,b\n")
    files = SubmissionFiles.scan(folder, instructor)
    assert sorted(files.files) == ["ps.ipynb", "sub/notes.txt", "table.csv"]
    refused = " | ".join(files.refused)
    for needle in (
        "solutions is a symbolic link",
        "answers.txt is a symbolic link",
        "pipe is not a regular",
        "big.bin",
    ):
        assert needle in refused
    target = tmp_path / "inbox"
    files.copy_to(target)
    assert (target / "sub" / "notes.txt").read_text() == "mine" and (target / "table.csv").exists()
    assert all(f.level == "violation" for f in files.flags()) and len(files.flags()) == 4


def test_submission_files_stop_at_the_file_count(tmp_path, monkeypatch):
    monkeypatch.setattr(submission_files, "MAX_FILES", 3)
    for n in range(5):
        (tmp_path / f"f{n}.txt").write_text("x")
    files = SubmissionFiles.scan(tmp_path)
    assert len(files.files) == 3 and len(files.refused) == 2 and "more than 3 files" in files.refused[0]


def test_limit_flags_name_the_limit_reached():
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x = bytearray(10**10)")
    cell.outputs = [nbformat.v4.new_output("error", ename="MemoryError", evalue="", traceback=[])]
    fork = nbformat.v4.new_code_cell("os.fork()")
    fork.outputs = [
        nbformat.v4.new_output(
            "error",
            ename="BlockingIOError",
            evalue="[Errno 11] Resource temporarily unavailable",
            traceback=[],
        )
    ]
    nb.cells = [cell, fork, nbformat.v4.new_code_cell("print('fine')")]
    flags = execute.limit_flags(nb)
    text = " | ".join(f.message for f in flags)
    assert "MiB of memory per process in cell 1" in text and "processes and threads in cell 2" in text
    assert len(flags) == 2


def test_normalize_moves_refused_files_out_before_nbgrader_copies_them(tmp_path):
    from course.autograder.demo_class import PS1

    source = tmp_path / "source" / PS1
    source.mkdir(parents=True)
    (source / f"{PS1}.ipynb").write_text("the solutions")
    folder = tmp_path / "submitted" / "s1" / PS1
    folder.mkdir(parents=True)
    (folder / f"{PS1}.ipynb").symlink_to(source / f"{PS1}.ipynb")
    (folder / "data.csv").write_text("mine")
    (folder / "solutions").symlink_to(tmp_path / "source")
    events = normalize_submissions(tmp_path, PS1)
    assert sorted(p.name for p in folder.iterdir()) == ["data.csv"], "only the regular file stays"
    moved = tmp_path / "refused" / "s1" / PS1
    assert (moved / f"{PS1}.ipynb").is_symlink() and (moved / "solutions").is_symlink()
    assert (source / f"{PS1}.ipynb").read_text() == "the solutions", "the link target is untouched"
    text = " | ".join(e["event"] for e in events)
    assert f"{PS1}.ipynb is a symbolic link" in text and "solutions is a symbolic link" in text
    assert "no notebook submitted" in text
    record = json.loads(refused_path(tmp_path, PS1).read_text())
    assert len(record["s1"]) == 2


def test_the_check_command_explains_a_missing_bubblewrap():
    env = {"PATH": str(Path(sys.prefix) / "bin"), "HOME": os.environ.get("HOME", "/tmp")}
    done = subprocess.run(
        [sys.executable, "-m", "course.autograder.sandbox", "check"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 1
    assert "bubblewrap (bwrap) is not installed" in done.stderr and "ALLOW_UNSANDBOXED=1" in done.stderr


def test_inside_a_grading_kernel_no_capability_no_new_privileges_no_network(tmp_path):
    """The kernel's own view: uid 65534, no capabilities, no_new_privs, its own PIDs, hostname and no network."""
    from conftest import require_bubblewrap
    from jupyter_core.utils import run_sync

    from course.autograder.kernels import SandboxKernelManager

    require_bubblewrap()
    inbox = Path(tempfile.mkdtemp())
    inbox.chmod(0o755)
    km = SandboxKernelManager(kernel_name=sandbox.KERNEL_NAME)
    run_sync(km.start_kernel)(cwd=str(inbox))
    kc = km.blocking_client()
    code = (
        "import os, socket, json\n"
        "status = dict(l.split(':', 1) for l in open('/proc/self/status').read().splitlines() if ':' in l)\n"
        "def net():\n"
        "    try:\n"
        "        socket.create_connection(('127.0.0.1', 22), timeout=1)\n"
        "    except OSError as err:\n"
        "        return type(err).__name__\n"
        "report = json.dumps({'uid': os.getuid(), 'cap': status['CapEff'].strip(), 'nnp': status['NoNewPrivs'].strip(),"
        " 'pids': sorted(p for p in os.listdir('/proc') if p.isdigit()), 'host': socket.gethostname(), 'net': net(),"
        " 'home': os.path.exists('/root/.bashrc'), 'env': sorted(os.environ)})\n"
    )
    try:
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        reply = kc.execute_interactive(code, user_expressions={"r": "report"}, timeout=60)
        report = json.loads(
            ast.literal_eval(reply["content"]["user_expressions"]["r"]["data"]["text/plain"])
        )  # a str repr
    finally:
        kc.stop_channels()
        run_sync(km.shutdown_kernel)(now=True)
        shutil.rmtree(inbox)
    assert (
        report["uid"] == sandbox.SANDBOX_UID and report["cap"] == "0000000000000000" and report["nnp"] == "1"
    )
    assert report["pids"] == ["1", "2"], "only the sandbox's init and the kernel"
    assert report["host"] == "grading" and report["net"] in ("ConnectionRefusedError", "OSError")
    assert report["home"] is False
    assert "PATH" in report["env"] and not [
        k for k in report["env"] if "TOKEN" in k or k.startswith("JUPYTER")
    ]


def test_everything_the_grader_runs_in_a_kernel_is_one_modules_and_calls_only_the_light_grading_code(
    tmp_path,
):
    """Issue 34 (review 2, design 3): the code strings sent into a grading kernel are built in course.grading.remote
    and each calls one function of course.grading (no nbgrader, kernels or widgets: the import-linter contract);
    no other module of the course builds one."""
    import ast
    import re
    import subprocess

    from conftest import ROOT

    from course.grading import remote
    from course.grading.variants import Variant

    strings = [remote.probe(), remote.preload(["pandas"]), remote.receive(), remote.export(["a1", "b1"]),
               remote.call("haversine_km", [[1.0, 2.0, 3.0, 4.0], {}]),
               remote.attend(Variant("ps", "s1", {"A1": {"item_id": "x"}}, {"C3": {"id": "no_collapse"}}))]  # fmt: skip
    for code in strings:
        tree = ast.parse(code, mode="eval")
        (target,) = [n.args[0].value for n in ast.walk(tree) if isinstance(n, ast.Call)
                     and getattr(n.func, "id", "") == "__import__"]  # fmt: skip
        assert target.startswith("course.grading."), code
    grep = subprocess.run(["git", "grep", "--untracked", "-l", "__import__('course", "--", "course/"], cwd=ROOT,
                          capture_output=True, text=True).stdout.split()  # fmt: skip
    assert grep == ["course/grading/remote.py"], grep
    # receive_files copies the inbox's regular files and folders only
    inbox, work = tmp_path / "inbox", tmp_path / "work"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "a.txt").write_text("a")
    (inbox / "sub" / "b.txt").write_text("b")
    (inbox / "link.txt").symlink_to(inbox / "a.txt")
    work.mkdir()
    assert remote.receive_files(str(inbox), str(work)) == 2
    assert sorted(p.relative_to(work).as_posix() for p in work.rglob("*")) == ["a.txt", "sub", "sub/b.txt"]
    assert re.fullmatch(r"__import__\('course\.grading\.remote', fromlist=\['receive_files'\]\)\.receive_files\(\)",
                        remote.receive())  # fmt: skip
