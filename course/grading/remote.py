"""Everything the grader runs inside a student's grading kernel, in one module (the kernel's whole surface).

The autograder never imports into the kernel: it sends short code strings, evaluated there as
``user_expressions`` or silent cells. Each string below calls one function of ``course.grading`` (the light side of
grading: no nbgrader, kernels or widgets, an import-linter contract), so what a kernel is ever asked to run is
listed here and nowhere else:

- :func:`probe`: the integrity probe (``integrity.probe``), before the first cell and with every export;
- :func:`preload`: the modules the instructor's set-up cells import, loaded while the kernel waits
  (``integrity.preload``);
- :func:`receive`: copy the submission's files from the sandbox's read-only inbox (:func:`receive_files`);
- :func:`attend`: a class pack's draw, for display (``variants.attend``; the judge keeps its own copy);
- :func:`export` and :func:`call`: the student's answers as plain data, and a student's function called with plain
  data (``plaindata.export``, ``plaindata.call``).

Nothing a kernel returns is trusted: see ``course.autograder.execute`` and ``course.autograder.judge``.
"""

from __future__ import annotations

import json
import os
import shutil
import stat

#: Inside the sandbox: the submission's files, read-only (``course.autograder.sandbox`` binds them here).
INBOX = "/submission"


def _call(module: str, function: str, arguments: str = "") -> str:
    return f"__import__('course.grading.{module}', fromlist=[{function!r}]).{function}({arguments})"


def probe() -> str:
    return _call("integrity", "probe")


def preload(modules) -> str:
    return _call("integrity", "preload", repr(list(modules)))


def receive() -> str:
    return _call("remote", "receive_files")


def attend(variant) -> str:
    """The draw of a class pack's student (:class:`course.grading.variants.Variant`), as JSON literals."""
    call = json.dumps([variant.assignment, variant.student, variant.cards, variant.params])
    return _call("variants", "attend", f"*{call}")


def export(names) -> str:
    return _call("plaindata", "export", repr(names))


def call(name: str, arguments) -> str:
    return _call("plaindata", "call", f"{name!r}, {arguments!r}")


def receive_files(source: str = INBOX, target: str = ".") -> int:
    """(In the sandbox.) Copy the submission's files from the read-only inbox into the working folder.

    The grader runs this before the notebook's first cell. Only regular files and folders are copied (the
    grader has already refused anything else). Returns the number of files copied.
    """
    count = 0
    for folder, _dirnames, filenames in os.walk(source):
        relative = os.path.relpath(folder, source)
        os.makedirs(os.path.join(target, relative), exist_ok=True)
        for name in filenames:
            src = os.path.join(folder, name)
            if stat.S_ISREG(os.lstat(src).st_mode):
                shutil.copyfile(src, os.path.join(target, relative, name), follow_symlinks=False)
                count += 1
    return count
