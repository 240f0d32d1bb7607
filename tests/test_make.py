"""The two commands explain themselves when the machine cannot run them."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import ROOT, skip_or_fail

pytestmark = pytest.mark.slow  # runs make


def make(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    if not shutil.which("make"):
        skip_or_fail("GNU make is not installed")
    return subprocess.run(["make", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_a_missing_python_gets_a_clear_message():
    result = make("check-python", "PYTHON=/nonexistent/python3.11")
    assert result.returncode != 0
    assert "needs Python 3.11 or newer" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_an_old_python_gets_a_clear_message(tmp_path):
    fake = tmp_path / "python3"
    fake.write_text("#!/bin/sh\nexec python3 -c 'import sys; sys.exit(1)'\n")
    fake.chmod(0o755)
    result = make("check-python", f"PYTHON={fake}")
    assert result.returncode != 0
    assert "the course needs 3.11 or newer" in result.stdout


@pytest.mark.slow_install
def test_no_pypi_gets_a_clear_message_and_no_traceback_wall(tmp_path):
    """An install with PyPI unreachable stops with advice and a short log excerpt."""
    for name in (
        "Makefile",
        "pyproject.toml",
        "requirements.txt",
        "requirements-dev.txt",
        "requirements-omitted.txt",
    ):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "course").mkdir()
    env_vars = [
        "PIP_INDEX_URL=http://127.0.0.1:9/simple",
        "PIP_EXTRA_INDEX_URL=",
        "PIP_FIND_LINKS=",
        "PIP_NO_INDEX=",
        "PIP_RETRIES=0",
        "PIP_TIMEOUT=2",
        "PIP_CONFIG_FILE=/dev/null",
    ]
    result = subprocess.run(
        ["env", *env_vars, "make", "test"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert "installing the pinned packages failed" in out
    assert "no connection to PyPI" in out
    assert out.count("Traceback") == 0
    assert len(out.splitlines()) < 40, out


def test_make_lab_serves_the_start_notebook(tmp_path):
    """`make lab` starts a server whose front page opens the start notebook, with the whole course browsable."""
    import json
    import os
    import signal
    import time
    import urllib.request

    from labserver import free_port

    if not shutil.which("make"):
        skip_or_fail("GNU make is not installed")
    port, token = free_port(), "make-lab-test"
    env = dict(
        os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTER_CONFIG_DIR=str(tmp_path / "cfg")
    )
    args = f"--no-browser --port={port} --ServerApp.port_retries=0 --ServerApp.token={token}"
    proc = subprocess.Popen(
        ["make", "lab", f"LAB_ARGS={args}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/?token={token}", timeout=3) as response:
                    landed = response.url
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"make lab did not answer:\n{proc.stdout.read()}") from None
                time.sleep(0.5)
        assert landed.startswith(f"{base}/lab/tree/notebooks/00_start_here.ipynb"), landed
        with urllib.request.urlopen(f"{base}/api/contents?token={token}", timeout=5) as response:
            top = {item["name"] for item in json.load(response)["content"]}
        assert {"notebooks", "course", "README.md"} <= top, f"the server's root is the course folder: {top}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def test_the_instructor_guide_gives_commands_that_run_as_written():
    """Issue 20: a bare `nbgrader`/`jupyter` command fails unless .venv is activated; the demo's size is its own."""
    import re

    from course.autograder.demo_class import STUDENTS

    guide = (ROOT / "assignments" / "INSTRUCTORS.md").read_text(encoding="utf-8")
    bare = set(re.findall(r"`((?:nbgrader|jupyter) [^`]*)`", guide))
    mentions = {"nbgrader generate_assignment", "nbgrader autograde"}  # named in prose, not commands to type
    assert bare <= mentions, bare - mentions
    assert f"with {len(STUDENTS)}\nsimulated students" in guide


def test_make_check_runs_the_unit_tests_on_every_core_and_leaves_the_costly_ones_to_make_test():
    """The fast lane deselects every marker that costs time; whatever is unmarked runs in both lanes."""
    import tomllib

    dry = make("-n", "check").stdout
    (command,) = [line for line in dry.splitlines() if "pytest" in line]
    assert "-n auto" in command
    markers = {
        m.split(":")[0]
        for m in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"][
            "markers"
        ]
    }
    costly = {"slow", "browser", "notebooks", "slow_install", "hub"}
    # needs_shared says where a test's files are, not what it costs
    assert markers == costly | {"needs_shared"}
    for marker in costly:
        assert f"not {marker}" in command, f"make check runs the {marker} tests"
    assert "needs_shared" not in command, "the fast tests that read ../shared run in make check too"
    assert "-m" not in make("-n", "test").stdout.split("pytest", 1)[1], "make test runs everything"


def test_make_release_removes_the_old_release_itself_so_nbgrader_has_nothing_to_warn_about():
    """Issue 33: every `make release` printed three 'Removing existing assignment' warnings, noise that hides a real
    one. The old release folder is removed first; nbgrader's warnings stay on."""
    planned = make("-n", "release").stdout
    assert 'rm -rf "assignments/release/' in planned and "--log-level=WARN" in planned
