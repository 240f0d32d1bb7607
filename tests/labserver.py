"""Start a throw-away JupyterLab from the test environment, on a copy of the course, for browser tests."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from conftest import ROOT, offline_env

COPIED = ("notebooks", "data", "assignments")


@dataclass
class Lab:
    base: str
    token: str
    root: Path
    log: Path

    def url(self, path: str) -> str:
        """URL of ``path`` under the server, with the token and a fresh (reset) workspace."""
        return f"{self.base}/{path.lstrip('/')}?reset&token={self.token}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_lab(tmp: Path, timeout_s: float = 90, subdir: str = "", prepare=None, instructor: bool = False):
    """Yield a :class:`Lab` serving a copy of the course's notebooks; stop it afterwards.

    Everything Jupyter writes (config, runtime, workspaces, user settings, autosaves) goes to ``tmp``: the
    checkout and the user's own Jupyter settings are never touched. ``subdir`` serves a folder of the copy
    (``"assignments"`` for the formgrader); ``prepare(root)`` runs on the copy before the server starts.
    ``instructor`` serves nbgrader's instructor tools, as ``make formgrader`` does; without it the lab is a
    student's, as ``make lab`` and Binder give (course.deploy.lab_settings.student_mode).
    """
    root = tmp / "course"
    for name in COPIED:
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    dirs = {
        var: tmp / var.lower()
        for var in (
            "JUPYTER_CONFIG_DIR",
            "JUPYTER_RUNTIME_DIR",
            "IPYTHONDIR",
            "JUPYTERLAB_WORKSPACES_DIR",
            "JUPYTERLAB_SETTINGS_DIR",
        )
    }
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    if prepare is not None:
        prepare(root)
    course_root, root = root, (root / subdir if subdir else root)
    port, token = free_port(), secrets.token_hex(16)
    jupyter = Path(sys.prefix) / "bin" / "jupyter"
    cmd = [
        str(jupyter), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
        f"--ServerApp.token={token}", "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}", "--LabApp.news_url=None",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = tmp / "jupyterlab.log"
    # Kernels read the copy (course.paths), not the checkout: what a student saves there is what practice mode reads.
    env = offline_env(COURSE_ROOT=str(course_root), **{k: str(v) for k, v in dirs.items()})
    if instructor:
        from course.deploy.lab_settings import instructor_config_dir

        env["JUPYTER_CONFIG_PATH"] = str(instructor_config_dir())
    with open(log, "w") as log_file:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    lab = Lab(base=f"http://127.0.0.1:{port}", token=token, root=root, log=log)
    try:
        wait_until_up(lab, proc, timeout_s)
        yield lab
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_until_up(lab: Lab, proc: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {proc.returncode}:\n{lab.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{lab.base}/api/status?token={lab.token}", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"JupyterLab did not answer in {timeout_s} s:\n{lab.log.read_text()[-3000:]}")
