"""Grading kernels (course.autograder.kernels): started ahead, preloaded, killed when nobody takes them."""

from pathlib import Path

import pytest

from course.autograder import common, execute, kernels, plan

pytestmark = pytest.mark.slow  # starts sandboxed kernels


def test_instructor_imports_come_from_read_only_cells_as_released():
    sources = [
        "import pandas as pd\nfrom course.content.data import load\nfrom . import sibling",
        "%matplotlib inline\nimport matplotlib",  # not plain Python: skipped
        "def f():\n    import json\n    from os import path",
    ]
    assert plan.imported_modules(sources) == [
        "course.content.data", "course.content.data.load", "json", "os", "os.path", "pandas"
    ]  # fmt: skip
    hidden = "check(x)\n### BEGIN HIDDEN TESTS\nimport secret_module\n### END HIDDEN TESTS"
    assert plan.imported_modules([common.released_text(hidden)]) == []


def test_a_kernel_started_ahead_has_the_modules_imported_and_no_name_bound(tmp_path):
    import time

    from jupyter_core.utils import run_sync

    client = execute.IntegrityExecute(kernel_name="python3")
    key = (
        "python3",
        (),
        str(tmp_path),
        ("wave", "no_such_module"),
    )  # wave: a module no kernel imports itself
    kernel = kernels.KernelAhead.start(client, key, tmp_path)
    kc = kernel.km.client()
    try:
        kc.start_channels()
        run_sync(kc.wait_for_ready)(timeout=60)
        deadline, answer = time.monotonic() + 30, None
        while answer != "(True, False)" and time.monotonic() < deadline:  # the preload may still be running
            reply = run_sync(kc.execute_interactive)(
                "",
                user_expressions={"r": "('wave' in __import__('sys').modules, 'wave' in dir())"},
                timeout=60,
            )
            answer = reply["content"]["user_expressions"]["r"]["data"]["text/plain"]
        assert answer == "(True, False)", "imported, and no name bound in the notebook's namespace"
        assert not kernel.folder.is_relative_to(tmp_path), "a private inbox, outside the course"
        private = Path(kernel.km.connection_file).parent
        assert private.stat().st_mode & 0o777 == 0o700 and kernel.km.transport == "ipc"
    finally:
        kc.stop_channels()
        kernel.stop()
        kernels.KernelAhead.finish_stopping()
    assert not kernel.folder.exists() and not private.exists()


def test_a_kernel_started_ahead_that_nobody_takes_is_killed_after_its_time(tmp_path):
    import time

    from jupyter_core.utils import run_sync

    client = execute.IntegrityExecute(kernel_name="python3")
    key = ("python3", (), str(tmp_path), ())
    kernels.KernelAhead.start_next(client, key, tmp_path, expire_after=1)
    kernel = kernels.KernelAhead.waiting[key]
    try:
        deadline = time.monotonic() + 30
        while key in kernels.KernelAhead.waiting and time.monotonic() < deadline:
            time.sleep(0.2)
        assert key not in kernels.KernelAhead.waiting
        deadline = time.monotonic() + 10
        while run_sync(kernel.km.is_alive)() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not run_sync(kernel.km.is_alive)()
    finally:
        kernels.KernelAhead.stop_all()
    assert not kernel.folder.exists()
