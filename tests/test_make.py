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
    assert markers == {"slow", "browser", "notebooks", "slow_install", "hub"}
    for marker in markers:
        assert f"not {marker}" in command, f"make check runs the {marker} tests"
    assert "-m" not in make("-n", "test").stdout.split("pytest", 1)[1], "make test runs everything"


def test_make_release_removes_the_old_release_itself_so_nbgrader_has_nothing_to_warn_about():
    """Issue 33: every `make release` printed three 'Removing existing assignment' warnings, noise that hides a real
    one. The old release folder is removed first; nbgrader's warnings stay on."""
    planned = make("-n", "release").stdout
    assert 'rm -rf "assignments/release/' in planned and "--log-level=WARN" in planned


def _make_dirs(target: str, tool: str) -> list[str]:
    """The folders a Makefile target runs ``tool`` on (e.g. ``lint``, ``ruff check``)."""
    lines = (ROOT / "Makefile").read_text().split(f"\n{target}:", 1)[1].split("\n\n", 1)[0].splitlines()
    line = next(text for text in lines if f"$(BIN)/{tool}" in text)
    return [word for word in line.split(f"$(BIN)/{tool}", 1)[1].split() if not word.startswith("-")]


def test_the_fast_ci_lane_and_the_pre_commit_hooks_run_what_make_lint_and_check_run():
    """Issue 34's habits: a fast CI job beside the full one (lint and the fast tests, nothing installed), and a
    pre-commit configuration whose hooks are the house's own tools from the checkout's venv, on the same folders as
    ``make lint`` (a hook on fewer folders would let a commit through that ``make lint`` then fails)."""
    import os
    import re

    import yaml

    fast = ROOT / ".ci" / "fast"
    assert fast.is_file() and os.access(fast, os.X_OK)
    commands = [
        line.strip() for line in fast.read_text().splitlines() if line.strip() and not line.startswith("#")
    ]
    installs = {"apt-get", "apt", "pip", "npm", "install"}
    assert commands[-2:] == ["make lint", "make check"] and not any(
        installs & set(c.split()) for c in commands
    )
    hooks = {h["id"]: h for repo in yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"]
             for h in repo["hooks"]}  # fmt: skip
    assert set(hooks) == {"ruff-format", "ruff-check", "strip-notebooks", "import-contracts"}
    for hook in hooks.values():
        assert hook["language"] == "system" and hook["entry"].startswith(".venv/bin/"), hook["id"]
        assert (ROOT / hook["entry"].split()[0]).exists() or not (ROOT / ".venv").exists(), hook["entry"]

    def folders(hook):
        return sorted(re.fullmatch(r"\^\((.*)\)/", hooks[hook]["files"]).group(1).split("|"))

    assert folders("ruff-format") == sorted(_make_dirs("lint", "ruff format --check"))
    assert folders("ruff-check") == sorted(_make_dirs("lint", "ruff check"))
    assert re.search(hooks["strip-notebooks"]["exclude"], "assignments/release/ps1/ps1.ipynb")


def test_the_tests_that_need_files_outside_the_repository_say_so():
    """Issue 34: every fixture that reads ../shared is in conftest's SHARED_FIXTURES, so each test using one is
    marked ``needs_shared`` (``pytest -m "not needs_shared"`` runs the rest on a bare checkout)."""
    import ast
    import sys

    import conftest

    tree = ast.parse((ROOT / "tests" / "conftest.py").read_text())
    readers = {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and any(
            isinstance(n, ast.Call) and getattr(n.func, "id", "") == "_shared_text" for n in ast.walk(node)
        )
    }
    assert readers == set(conftest.SHARED_FIXTURES) == {"facts_text", "article_text"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "needs_shared",
         "tests/test_data.py", "tests/test_scenarios.py"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    collected = {line.split("::")[1] for line in result.stdout.splitlines() if "::" in line}
    import inspect

    import test_data
    import test_scenarios

    expected = {
        name
        for module in (test_data, test_scenarios)
        for name, fn in vars(module).items()
        if name.startswith("test_") and callable(fn)
        and set(inspect.signature(fn).parameters) & conftest.SHARED_FIXTURES
    }  # fmt: skip
    assert collected and collected == expected, collected ^ expected
