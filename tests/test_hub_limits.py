"""The hub's per-person limits and the lessons' copy, without a hub (issue 35).

``course.deploy.limits`` on a fake control-group tree of each kind (v2 alone; v1 with a v2 hierarchy beside it),
then for real on this machine (as root): a process put in a person's groups with a private /tmp is bounded in
memory and processes, cannot see the real /tmp, and dies with everything it started when the groups are killed.
``course.deploy.lessons`` as the person it runs for: links they planted lead nowhere they could not already write.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, skip_or_fail
from hubserver import memory_holds

from course.deploy.lessons import copy_lessons
from course.deploy.limits import GROUP, Cgroups, Limits

MiB = 1024 * 1024


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_v2_alone_makes_a_group_beside_the_hubs_with_every_limit(tmp_path):
    root = _tree(tmp_path / "cg", {
        "cgroup.controllers": "cpuset cpu io memory pids",
        "system.slice/cgroup.controllers": "cpu memory pids",
        "system.slice/jupyterhub.service/cgroup.procs": "1234",
    })  # fmt: skip
    proc = _tree(tmp_path / "proc", {"cgroup": "0::/system.slice/jupyterhub.service\n"}) / "cgroup"
    groups = Cgroups(root, proc)
    assert groups.v2 and groups.missing == []
    limits = Limits(memory_bytes=300 * MiB, processes=64, cpu_cores=0.5)
    procs = groups.prepare("alice", limits)
    group = root / "system.slice" / GROUP / "alice"
    assert procs == [group / "cgroup.procs"]
    assert (root / "system.slice" / GROUP / "cgroup.subtree_control").read_text() == "+memory +pids +cpu"
    assert (group / "memory.max").read_text() == str(300 * MiB)
    assert (group / "pids.max").read_text() == "64"
    assert (group / "cpu.max").read_text() == "50000 100000"
    assert "cgroup v2: limits on cpu, memory, pids" == groups.describe()
    assert groups.logins() == {"alice"}


def test_v2_without_a_controller_says_which_is_missing(tmp_path):
    root = _tree(tmp_path / "cg", {"cgroup.controllers": "pids", "hub/cgroup.procs": ""})
    proc = _tree(tmp_path / "proc", {"cgroup": "0::/hub\n"}) / "cgroup"
    groups = Cgroups(root, proc)
    assert groups.missing == ["memory", "cpu"] and "not available: memory, cpu" in groups.describe()
    group = groups.prepare("bob", Limits())[0].parent
    assert (group / "pids.max").exists() and not (group / "memory.max").exists()


def test_v1_with_a_v2_hierarchy_beside_makes_a_group_in_each(tmp_path):
    root = _tree(tmp_path / "cg", {
        "memory/cgroup.procs": "", "memory/box/cgroup.procs": "", "pids/cgroup.procs": "", "cpu/cgroup.procs": "",
        "unified/cgroup.procs": "",
    })  # fmt: skip
    proc = _tree(tmp_path / "proc", {"cgroup": "4:memory:/box\n8:pids:/\n1:cpu:/\n0::/\n"}) / "cgroup"
    groups = Cgroups(root, proc)
    assert not groups.v2 and groups.missing == []
    procs = groups.prepare("carol", Limits(memory_bytes=100 * MiB, processes=10))
    assert root / "memory" / "box" / GROUP / "carol" / "cgroup.procs" in procs
    assert root / "unified" / GROUP / "carol" / "cgroup.procs" in procs
    assert (root / "memory" / "box" / GROUP / "carol" / "memory.limit_in_bytes").read_text() == str(100 * MiB)
    assert (root / "pids" / GROUP / "carol" / "pids.max").read_text() == "10"
    assert (root / "cpu" / GROUP / "carol" / "cpu.shares").read_text() == "1024"
    assert not (root / "cpu" / GROUP / "carol" / "cpu.cfs_quota_us").exists()  # no cap unless one is set
    assert (
        root / "cpu" / GROUP / "cpu.shares"
    ).read_text() == "4096"  # the class together, against the hub's own
    groups.prepare("dave", Limits(cpu_cores=0.5))
    assert (root / "cpu" / GROUP / "dave" / "cpu.cfs_quota_us").read_text() == "50000"


# ---- for real, as root: what a person's server meets --------------------------------------------------------

CHILD = r"""
import os, subprocess, sys, time
sys.path.insert(0, {root!r})
from course.deploy.limits import Limits, join, private_tmp
limits = Limits(memory_bytes={memory}, processes=40, tmp_bytes=8 * 1024 * 1024, shm_bytes=4 * 1024 * 1024)
join([__import__("pathlib").Path(p) for p in {procs!r}])
private_tmp(limits)
os.setgid(65534); os.setgroups([]); os.setuid(65534)  # as the spawner does: the person, from here on
report = {{"tmp": sorted(os.listdir("/tmp")), "uid": os.getuid()}}
try:
    open("/tmp/big", "wb").write(b"x" * 16 * 1024 * 1024)
    report["tmp_capped"] = False
except OSError as error:
    report["tmp_capped"] = "No space" in str(error)
children = []
try:
    for _ in range(100):  # a fork bomb: stops at the process limit
        children.append(subprocess.Popen(["sleep", "600"], stdout=subprocess.DEVNULL))
except OSError as error:
    report["forks"] = len(children)
for sleeper in children[-5:]:  # room for the detached process below
    sleeper.kill(); sleeper.wait()
# a detached process, as a squatter would leave
subprocess.Popen(["setsid", "sleep", "600"], start_new_session=True, stdout=subprocess.DEVNULL)
print(repr(report), flush=True)
try:
    hog = bytearray(400 * 1024 * 1024)  # past the memory limit: the kernel ends this person's process
    hog[::4096] = b"x" * len(hog[::4096])
    print("ALLOCATED", flush=True)
except MemoryError:
    print("MEMORYERROR", flush=True)
time.sleep(600)
"""


def _running(pid: int) -> bool:
    """Whether a process still runs (a killed one whose parent is gone may linger as a zombie until reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.fixture
def real_groups():
    if os.geteuid() != 0:
        skip_or_fail("per-person control groups are made by root (the hub runs as root; CI does)")
    groups = Cgroups()
    if "memory" in groups.missing or "pids" in groups.missing:
        skip_or_fail(f"this kernel offers no memory or pids control groups here ({groups.describe()})")
    login = f"nt-limits-{os.getpid()}"
    yield groups, login
    groups.kill(login)


def test_a_persons_process_is_bounded_kept_from_the_real_tmp_and_killed_with_all_it_started(
    real_groups, tmp_path
):
    groups, login = real_groups
    marker = Path("/tmp") / f"nas-real-tmp-{os.getpid()}"
    marker.write_text("on the server's real /tmp")
    try:
        procs = groups.prepare(login, Limits(memory_bytes=200 * MiB, processes=40))
        code = CHILD.format(root=str(ROOT), memory=200 * MiB, procs=[str(p) for p in procs])
        child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        report = eval(child.stdout.readline())  # noqa: S307 (our own child's repr of plain values)
        assert report["uid"] == 65534
        assert marker.name not in report["tmp"], "the person saw the server's real /tmp"
        assert report["tmp_capped"], "a private /tmp larger than its size"
        assert 30 <= report.get("forks", 100) < 40, (
            report
        )  # the process limit (40, the child and python's own)
        after = child.stdout.readline().strip()
        assert child.wait(timeout=60) == -9 or after == "MEMORYERROR", after  # killed past the memory limit
        alive = groups.pids(login)
        assert alive, "the sleepers and the detached process are still in the person's groups"
        killed = groups.kill(login)
        assert killed >= len(alive)
        time.sleep(0.2)
        assert not [pid for pid in alive if _running(pid)], "a process outlived the kill"
        assert marker.read_text() == "on the server's real /tmp"
        assert not list(Path("/tmp").glob("big")), "the private /tmp leaked into the real one"
    finally:
        marker.unlink()


# ---- the preloaded starter (course.deploy.zygote; with a hub: tests/test_hub_hostile.py) -----------------------


def test_the_starter_never_reads_a_request_and_outlives_a_bad_one(tmp_path):
    """The starter forks before anything is read: a request's secret never enters the memory later servers
    inherit. A request that cannot be served (no such person; too large) is answered with why, by the copy, and
    the starter goes on serving. (Without JupyterHub in this environment, every copy ends in an error: the point.)"""
    import json
    import socket

    if os.geteuid() != 0:
        skip_or_fail("the starter runs as root (the hub's); CI runs as root")
    where = tmp_path / "starter"
    where.mkdir(mode=0o700)
    path = where / "zygote.sock"
    starter = subprocess.Popen(
        [sys.executable, "-m", "course.deploy.zygote", str(path)], cwd="/", stderr=subprocess.PIPE, text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        assert "ready on" in starter.stderr.readline() or "ready on" in starter.stderr.readline()
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        secret = f"tok-{os.urandom(8).hex()}"

        def ask(payload: bytes) -> dict:
            with socket.socket(socket.AF_UNIX) as conn:
                conn.connect(str(path))
                conn.sendall(payload)
                return json.loads(conn.makefile().readline() or "{}")

        request = {
            "login": "nt-nobody-here",
            "cmd": ["x"],
            "env": {"JUPYTERHUB_API_TOKEN": secret},
            "procs": [],
        }
        reply = ask(json.dumps(request).encode() + b"\n")
        assert "error" in reply and "pid" not in reply, reply
        assert ask(b"x" * (300 * 1024)) == {"error": "ValueError: request too large"}
        again = ask(json.dumps(request).encode() + b"\n")
        assert "error" in again and starter.poll() is None
        assert memory_holds(starter.pid, {"token": secret.encode()}) == [], (
            "the starter's memory holds a request's token"
        )
    finally:
        starter.terminate()
        starter.wait(timeout=30)


# ---- the lessons' copy ---------------------------------------------------------------------------------------


def test_the_lessons_are_copied_once_and_the_persons_work_is_never_replaced(tmp_path):
    source = _tree(tmp_path / "lessons", {"00_start.ipynb": "fresh", "01_summit.ipynb": "fresh"})
    home = tmp_path / "home"
    home.mkdir()
    done = copy_lessons(source, home)
    assert "copied 00_start.ipynb" in done and (home / "notebooks" / "01_summit.ipynb").read_text() == "fresh"
    (home / "notebooks" / "00_start.ipynb").write_text("my answers")
    (source / "02_new.ipynb").write_text("fresh")
    assert copy_lessons(source, home) == ["copied 02_new.ipynb"]
    assert (home / "notebooks" / "00_start.ipynb").read_text() == "my answers"


def test_links_in_the_home_are_not_followed(tmp_path):
    source = _tree(tmp_path / "lessons", {"00_start.ipynb": "fresh"})
    elsewhere = tmp_path / "etc"
    elsewhere.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    (home / "notebooks").symlink_to(elsewhere)  # ~/notebooks -> a folder elsewhere
    done = copy_lessons(source, home)
    assert "is not a folder" in done[-1] and list(elsewhere.iterdir()) == []
    (home / "notebooks").unlink()
    (home / "notebooks").mkdir()
    (home / "notebooks" / "00_start.ipynb").symlink_to(
        elsewhere / "profile.sh"
    )  # a dangling link, a lesson's name
    assert copy_lessons(source, home) == []
    assert not (elsewhere / "profile.sh").exists(), "the copy followed a dangling link"


def test_the_lessons_copy_refuses_to_run_as_root(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("checks the refusal as root only")  # as anyone else it runs, which the tests above show
    done = subprocess.run([sys.executable, "-m", "course.deploy.lessons", str(tmp_path)], capture_output=True,
                          text=True, cwd=ROOT)  # fmt: skip
    assert done.returncode == 2 and "refusing to run as root" in done.stderr


# ---- a folder as a filesystem of its own (hubctl: homes and the exchange) -----------------------------------


def test_a_folder_becomes_a_bounded_filesystem_keeping_what_it_held(tmp_path):
    if os.geteuid() != 0:
        skip_or_fail("mounting a filesystem image needs root (hubctl runs as root; CI does)")
    import importlib.util
    import tempfile

    spec = importlib.util.spec_from_file_location("hubctl", ROOT / "hub" / "hubctl.py")
    hubctl = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hubctl)
    base = Path(tempfile.mkdtemp(dir="/var/lib"))
    where = base / "exchange"
    (where / "inbound").mkdir(parents=True)
    (where / "inbound" / "kept.txt").write_text("submitted before the disk was made")
    try:
        hubctl.make_disk(base / "disks" / "exchange.img", 24 * MiB, where)
        assert os.path.ismount(where)
        assert (where / "inbound" / "kept.txt").read_text() == "submitted before the disk was made"
        with pytest.raises(OSError, match="No space left"):
            (where / "flood").write_bytes(b"x" * 40 * MiB)
        subprocess.run(["umount", str(where)], check=True)
        hubctl.mount_disk(base / "disks" / "exchange.img", where)  # after a reboot
        assert (where / "inbound" / "kept.txt").exists() and os.path.ismount(where)
    finally:
        while os.path.ismount(where):
            subprocess.run(["umount", "-l", str(where)])
        import shutil

        shutil.rmtree(base)
