"""Shared fixtures and the CI rule: under ``CI=true`` nothing may be skipped."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from tiny_assignment import gradebook  # noqa: F401 (a fixture: a small assignment in a gradebook of its own)

ROOT = Path(__file__).resolve().parent.parent
NONET = Path(__file__).resolve().parent / "nonet"
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


#: The fixtures that read a file outside the repository (../shared): a test that uses one is marked ``needs_shared``.
SHARED_FIXTURES = frozenset({"facts_text", "article_text"})


def pytest_collection_modifyitems(config, items):
    """Say which tests need a file outside the repository: ``pytest -m "not needs_shared"`` runs the rest on a
    checkout with no ../shared beside it (every test runs under CI, where ../shared is required)."""
    for item in items:
        if SHARED_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.needs_shared)


def skip_or_fail(reason: str) -> None:
    """Skip with a clear reason on a laptop; fail under CI, where every test must run."""
    if IN_CI:
        pytest.fail(f"CI=true and this test cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


def require_bubblewrap() -> None:
    """The grading sandbox's tests need bubblewrap: skip on a laptop without it, fail under CI."""
    if not shutil.which("bwrap"):
        skip_or_fail(
            "bubblewrap is not installed (sudo apt-get install bubblewrap): the grading sandbox needs it"
        )


def private_folders() -> set[str]:
    """The grading kernels' private folders and inboxes now in the temporary folder (not the test's own venv)."""
    import tempfile

    return {
        p.name
        for p in Path(tempfile.gettempdir()).glob("course-*")
        if not p.name.startswith("course-unpriv-")
    }


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Turn any skip (including ``pytest.skip`` inside third-party code) into a failure under CI."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"CI=true forbids skipping, but this test skipped: {reason}"


def wait_until_saved(page, notebook: Path, text: str) -> None:
    """Wait until a cell of ``notebook`` on disk holds ``text``: a status-bar "Saved" may be an earlier save's."""
    for _ in range(75):
        try:
            cells = json.loads(notebook.read_text()).get("cells", [])
        except (OSError, ValueError):  # not there yet, or caught mid-write
            cells = []
        if any(text in "".join(c.get("source", "")) for c in cells):
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"{notebook} was not saved with {text!r} within 15 s")


def offline_env(**extra: str) -> dict[str, str]:
    """Return a copy of the environment in which Python processes cannot reach the network."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(NONET), env.get("PYTHONPATH", "")) if p)
    env["COURSE_OFFLINE"] = "1"
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


def _shared_text(env_var: str, relative: str, what: str) -> str:
    candidates = [os.environ.get(env_var, ""), ROOT.parent / "shared" / relative]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate).read_text(encoding="utf-8")
    skip_or_fail(f"{what} is not beside this checkout (../shared/{relative}); set {env_var} to a copy")


@pytest.fixture(scope="session")
def facts_text() -> str:
    """The course's vetted fact sheet, ``../shared/facts.md`` (``COURSE_FACTS`` may point at a copy)."""
    return _shared_text("COURSE_FACTS", "facts.md", "the fact sheet")


@pytest.fixture(scope="session")
def article_text() -> str:
    """The article the course is built on, from ``../shared/seed/article.txt`` beside the checkout.

    The project does not copy the article (it quotes short passages); ``COURSE_ARTICLE`` may point at a copy.
    """
    return _shared_text("COURSE_ARTICLE", "seed/article.txt", "the article text")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium (never a browser downloaded by Playwright)."""
    path = os.environ.get("COURSE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        skip_or_fail(
            "Debian's chromium is not installed (sudo apt-get install chromium); the browser tests need it"
        )
    return path


# ---- the browser tests' shared fixtures (tests/test_browser.py, tests/test_accessibility.py) ----
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def browser(chromium_path):
    """Debian's Chromium, headless, through Playwright (one per test module)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def lab(tmp_path):
    """A throw-away JupyterLab on a copy of the course (tests/labserver.py), a student's."""
    from labserver import running_lab

    with running_lab(tmp_path) as lab:
        yield lab


@pytest.fixture
def page(browser):
    """A page whose network is limited to this machine; outside requests are refused and recorded."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.outside_requests = []

    def only_local(route):
        from urllib.parse import urlparse

        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:", "about:")) or host in (
            "127.0.0.1",
            "localhost",
        ):
            route.continue_()
        else:
            page.outside_requests.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    yield page
    context.close()


def pytest_sessionfinish(session, exitstatus):
    """Under CI, a skip anywhere (collection included) fails the run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if IN_CI and skipped and session.exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    """Say where screenshots and other artefacts of this run are."""
    folder = ROOT / "test-artifacts"
    shots = sorted(folder.rglob("*.png")) if folder.exists() else []
    if shots:
        terminalreporter.section("artefacts")
        terminalreporter.write_line(f"screenshots in {shots[0].parent}:")
        for path in shots:
            terminalreporter.write_line(f"  {path.name}")
