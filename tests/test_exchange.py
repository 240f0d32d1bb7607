"""course.autograder.exchange and hub/hubctl.py, in pieces: what can be checked without a hub or other accounts.

The plugins at work, with real accounts and a real hub, are in tests/test_hub.py.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import ROOT

from course.autograder.exchange import UnixGroupAuthPlugin, group_members, recorded_time, strangers


def _hubctl():
    spec = importlib.util.spec_from_file_location("hubctl", ROOT / "hub" / "hubctl.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_course_membership_comes_from_unix_groups():
    me = pwd.getpwuid(os.getuid())
    import grp

    my_group = grp.getgrgid(me.pw_gid).gr_name
    plugin = UnixGroupAuthPlugin(course_groups={"c1": [my_group], "c2": ["no-such-group-here"]})
    assert me.pw_name in group_members(my_group)  # a primary group counts
    assert plugin.get_student_courses(me.pw_name) == ["c1"]
    from nbgrader.auth import Authenticator
    from traitlets.config import Config

    config = Config()  # as the hub's nbgrader_config.py sets it
    config.Authenticator.plugin_class = UnixGroupAuthPlugin
    config.UnixGroupAuthPlugin.course_groups = {"c1": [my_group]}
    nbgrader = Authenticator(config=config)
    assert nbgrader.has_access(me.pw_name, "c1") and not nbgrader.has_access(me.pw_name, "c2")
    assert plugin.get_student_courses("no-such-login-here") == []


def test_the_recorded_time_is_the_latest_change_inside_and_cannot_be_set_back(tmp_path):
    entry = tmp_path / "me+ps1+2024-06-19 00:00:00 UTC+x"
    entry.mkdir()
    (entry / "a.ipynb").write_text("{}")
    old = time.time() - 10 * 86400
    os.utime(entry / "a.ipynb", (old, old))  # an owner can set a file's modification time back...
    os.utime(entry, (old, old))
    recorded = recorded_time(entry)
    assert datetime.utcnow() - recorded < timedelta(minutes=1)  # ...not its status-change time
    assert strangers(entry, pwd.getpwuid(os.getuid()).pw_name) == []
    assert strangers(entry, "someone-else") == ["the folder (" + pwd.getpwuid(os.getuid()).pw_name + ")",
                                                "a.ipynb (" + pwd.getpwuid(os.getuid()).pw_name + ")"]  # fmt: skip


def test_the_hubs_nbgrader_settings_are_valid_python_and_say_what_they_should(tmp_path):
    hubctl = _hubctl()
    for instructor in (False, True):
        text = hubctl.nbgrader_config(Path("/opt/nas-hub"), instructor)
        compile(text, "nbgrader_config.py", "exec")
        assert "c.Exchange.root = '/opt/nas-hub/exchange'" in text
        assert (
            "course.autograder.exchange.PrivateSubmit" in text
            and "c.CourseDirectory.groupshared = True" in text
        )
        assert ("course.autograder.exchange.CheckedCollect" in text) is instructor
        assert ("load_subconfig" in text) is instructor  # the course's sandboxed autograder, for instructors


def test_a_python_under_a_private_home_is_not_offered_to_hub_users(tmp_path):
    hubctl = _hubctl()
    private = tmp_path / "home"
    private.mkdir(mode=0o700)
    python = private / "python3"
    python.write_text("")
    python.chmod(0o755)
    assert not hubctl.readable_by_all(python)
    private.chmod(0o755)
    for parent in python.parents:
        if not os.stat(parent).st_mode & 0o001:
            return  # the test's own temporary folder is private (pytest's): nothing more to show here
    assert hubctl.readable_by_all(python)


@pytest.mark.slow
def test_make_hub_users_without_a_roster_says_how():
    import subprocess

    done = subprocess.run(["make", "-s", "hub-users"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode != 0
    assert "make hub-users ROSTER=roster.csv" in done.stdout + done.stderr


def test_npm_trusts_the_systems_authorities_behind_a_tls_proxy(monkeypatch, tmp_path):
    """npm failed with SELF_SIGNED_CERT_IN_CHAIN where HTTPS goes through a proxy the system trusts (CI, env -i)."""
    hubctl = _hubctl()
    bundle = tmp_path / "ca.crt"
    bundle.write_text("")
    monkeypatch.setattr(hubctl, "SYSTEM_CAS", bundle)
    monkeypatch.delenv("NODE_EXTRA_CA_CERTS", raising=False)
    assert hubctl.npm_env()["NODE_EXTRA_CA_CERTS"] == str(bundle)
    monkeypatch.setenv("NODE_EXTRA_CA_CERTS", "/my/own.crt")
    assert hubctl.npm_env()["NODE_EXTRA_CA_CERTS"] == "/my/own.crt", "an administrator's own setting is kept"
    monkeypatch.delenv("NODE_EXTRA_CA_CERTS")
    monkeypatch.setattr(hubctl, "SYSTEM_CAS", tmp_path / "none.crt")
    assert "NODE_EXTRA_CA_CERTS" not in hubctl.npm_env()


# ---- collect never follows a link (issue 35): the copy, on its own ------------------------------------------


def _submission(tmp_path: Path) -> Path:
    entry = tmp_path / "inbound" / "me+ps1+2024-06-19 00:00:00 UTC+x"
    (entry / "sub").mkdir(parents=True)
    (entry / "ps1.ipynb").write_text('{"cells": []}')
    (entry / "sub" / "notes.txt").write_text("mine")
    return entry


def test_collect_copies_a_submission_of_regular_files_whole(tmp_path):
    from course.autograder.exchange import copy_owned_tree, unsafe_entries

    entry = _submission(tmp_path)
    assert unsafe_entries(entry) == []
    copy_owned_tree(str(entry), str(tmp_path / "out"), os.getuid(), 10_000, 10)
    assert (tmp_path / "out" / "ps1.ipynb").read_text() == '{"cells": []}'
    assert (tmp_path / "out" / "sub" / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize(
    "plant, expect",
    [
        (lambda e, secret: (e / "key.ipynb").symlink_to(secret), "key.ipynb (a symbolic link)"),
        (lambda e, secret: (e / "zero").symlink_to("/dev/zero"), "zero (a symbolic link)"),
        (lambda e, secret: (e / "sub" / "up").symlink_to(secret.parent), "sub/up (a symbolic link)"),
        (lambda e, secret: os.mkfifo(e / "pipe"), "pipe (a pipe)"),
    ],
    ids=["link-to-the-key", "link-to-dev-zero", "link-to-a-folder", "fifo"],
)
def test_collect_refuses_links_pipes_and_devices_and_names_them(tmp_path, plant, expect):
    from course.autograder.exchange import Refused, copy_owned_tree, unsafe_entries

    secret = tmp_path / "grading" / "source" / "ps1.ipynb"
    secret.parent.mkdir(parents=True)
    secret.write_text("THE KEY")
    entry = _submission(tmp_path)
    plant(entry, secret)
    assert unsafe_entries(entry) == [expect]
    with pytest.raises(Refused):
        copy_owned_tree(str(entry), str(tmp_path / "out"), os.getuid(), 10_000_000, 100)
    copied = "".join(
        p.read_text() for p in (tmp_path / "out").rglob("*") if p.is_file() and not p.is_symlink()
    )
    assert "THE KEY" not in copied


def test_a_link_swapped_in_after_the_check_is_not_followed(tmp_path, monkeypatch):
    """The race: the check saw a regular file, then the student put a link in its place. The copy opens with
    O_NOFOLLOW and checks the open descriptor, so it refuses instead of reading the key."""
    from course.autograder import exchange

    secret = tmp_path / "key.ipynb"
    secret.write_text("THE KEY")
    entry = _submission(tmp_path)
    (entry / "ps1.ipynb").unlink()
    (entry / "ps1.ipynb").symlink_to(secret)
    real_stat = os.stat

    def stale_stat(name, *args, **kwargs):  # what the check saw a moment before: a regular file
        if name == "ps1.ipynb":
            return real_stat(secret)
        return real_stat(name, *args, **kwargs)

    monkeypatch.setattr(exchange.os, "stat", stale_stat)
    with pytest.raises(exchange.Refused, match=r"ps1.ipynb could not be opened without following a link"):
        exchange.copy_owned_tree(str(entry), str(tmp_path / "out"), os.getuid(), 10_000_000, 100)


def test_collect_refuses_what_is_too_large_or_too_many_and_what_someone_else_owns(tmp_path):
    from course.autograder.exchange import Refused, copy_owned_tree

    entry = _submission(tmp_path)
    with pytest.raises(Refused, match="larger than the allowed size"):
        copy_owned_tree(str(entry), str(tmp_path / "a"), os.getuid(), 10, 100)
    with pytest.raises(Refused, match="more than the allowed number of files"):
        copy_owned_tree(str(entry), str(tmp_path / "b"), os.getuid(), 10_000, 2)
    with pytest.raises(Refused, match="belongs to"):
        copy_owned_tree(str(entry), str(tmp_path / "c"), os.getuid() + 1, 10_000, 100)
    skipped = copy_owned_tree(
        str(entry), str(tmp_path / "d"), os.getuid(), 10_000, 100, lambda rel, size: rel == "sub/notes.txt"
    )
    assert skipped == ["sub/notes.txt"] and not (tmp_path / "d" / "sub" / "notes.txt").exists()


def test_hub_install_warns_when_its_clone_is_readable(capsys):
    import tempfile

    hubctl = _hubctl()
    # /var/tmp: every folder above it is searchable by others, as above a clone in /srv or /home/<someone> (0755)
    tmp_path = Path(tempfile.mkdtemp(dir="/var/tmp"))
    clone = tmp_path / "clone"
    (clone / "assignments" / "source").mkdir(parents=True)
    (clone / ".git").mkdir()
    for folder in (tmp_path, clone, clone / "assignments", clone / "assignments" / "source", clone / ".git"):
        folder.chmod(0o755)
    readable = hubctl.readable_by_others(clone)
    assert readable == [clone / "assignments" / "source", clone / ".git"]
    hubctl.warn_if_clone_is_readable(clone)
    assert "assignments/source can be read by every account" in capsys.readouterr().err
    clone.chmod(0o700)  # the fix the warning gives
    assert hubctl.readable_by_others(clone) == []
    import shutil

    shutil.rmtree(tmp_path)


def test_the_hub_refuses_a_prefix_under_tmp_and_names_who_holds_its_ports(tmp_path):
    import argparse
    import socket

    hubctl = _hubctl()
    if os.geteuid() == 0:
        with pytest.raises(SystemExit, match="is under /tmp: each person's server gets a private /tmp"):
            hubctl.install(argparse.Namespace(prefix="/tmp/nas-hub-x"))
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        settings = {"ip": "127.0.0.1", "port": port, "hub_port": 0, "proxy_api_port": 0}
        busy = hubctl.busy_ports(settings, tmp_path)
        assert len(busy) == 1 and f"port {port} (port) is held by process {os.getpid()}" in busy[0], busy
        me = pwd.getpwuid(os.getuid()).pw_name
        assert f"({me}: " in busy[0]
    assert hubctl.busy_ports(settings, tmp_path) == []
