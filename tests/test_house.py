"""The house's habits (issue 34): the CI lanes, the pre-commit hooks and the tests that need files outside the
repository, each pinned to what it claims. Fast: nothing here runs make."""

from __future__ import annotations

import subprocess

from conftest import ROOT


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
