"""Run the grading kernel in a sandbox that cannot see the course's solutions or gradebook.

nbgrader starts the grading kernel as the grading user, in ``autograded/<student>/<assignment>/`` inside the
course root. Without a sandbox, a submission can read ``source/`` (the solutions and hidden tests),
``gradebook.db`` (which stores them too) and other students' work, and score full marks honestly-looking.

This module is the grading kernel's launcher (kernelspec ``course-grading``, configured in
``assignments/nbgrader_config.py``). With bubblewrap (Debian/Ubuntu package ``bubblewrap``) it starts the
kernel with the whole file system read-only, the course root replaced by an empty folder, and only the
student's own autograde folder mounted back (writable). Without bubblewrap it starts the kernel unsandboxed,
and the kernel reports that in its integrity probe so the autograder can flag it (see ``require_sandbox``).

``python -m course.sandbox install`` writes the kernelspec into the running environment.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

KERNEL_NAME = "course-grading"
ENV_FLAG = "COURSE_SANDBOX"


def course_root(start: Path) -> Path | None:
    """The nbgrader course root above ``start`` (the folder holding nbgrader_config.py), if any."""
    for folder in (start, *start.parents):
        if (folder / "nbgrader_config.py").exists():
            return folder
    return None


def command(kernel_args: list[str], cwd: Path, bwrap: str | None = None) -> list[str]:
    """The command that starts ``python -m ipykernel_launcher`` with ``kernel_args``, sandboxed if possible."""
    kernel = [sys.executable, "-m", "ipykernel_launcher", *kernel_args]
    bwrap = bwrap if bwrap is not None else shutil.which("bwrap")
    root = course_root(cwd)
    if not bwrap or root is None or cwd == root:
        return kernel
    return [
        bwrap,
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--tmpfs", str(root),
        "--bind", str(cwd), str(cwd),
        "--chdir", str(cwd),
        "--setenv", ENV_FLAG, "bwrap",
        "--die-with-parent",
        *kernel,
    ]  # fmt: skip


def install(prefix: str | None = None) -> Path:
    """Write the ``course-grading`` kernelspec under ``prefix`` (default: this environment)."""
    folder = Path(prefix or sys.prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "course.sandbox", "-f", "{connection_file}"],
        "display_name": "Python 3 (course grading sandbox)",
        "language": "python",
        "interrupt_mode": "message",  # bubblewrap does not pass SIGINT on to the kernel
        "metadata": {"debugger": False},
    }
    (folder / "kernel.json").write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")
    return folder


def main(argv: list[str]) -> None:
    if argv[:1] == ["install"]:
        print(f"kernelspec written to {install()}")
        return
    cmd = command(argv, Path.cwd())
    os.execvp(cmd[0], cmd)


if __name__ == "__main__":
    main(sys.argv[1:])
