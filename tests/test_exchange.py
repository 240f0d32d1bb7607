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
