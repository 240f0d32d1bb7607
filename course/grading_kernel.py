"""The grader's side of a sandboxed grading kernel: a kernel manager that connects over private ipc sockets.

``course.sandbox`` (standard library only) builds and starts the sandbox; this module is what the autograder
(``course.autograde.IntegrityExecute``) uses to start and reach the kernel inside it.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import asdict

from jupyter_client.manager import AsyncKernelManager
from traitlets import Dict

from course.sandbox import LIMITS_ENV, SANDBOX_UID, Limits, private_folder


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels talk over ``ipc://`` sockets in a private folder of their own.

    Each kernel gets a fresh folder (mode 0700, in the system's temporary folder): its connection file and its
    five socket files are there, and the sandbox mounts only that folder. Nothing listens on TCP. When the
    grader is root, the folder and the connection file belong to the sandbox's host user (``nobody``).
    """

    sandbox_limits = Dict(
        default_value={},
        help="Overrides of course.sandbox.Limits for this kernel's sandbox, e.g. {'memory_mb': 2048}.",
    ).tag(config=True)

    def limits(self) -> Limits:
        return Limits(**{**asdict(Limits()), **self.sandbox_limits})

    async def _async_pre_start_kernel(self, **kw):
        private = private_folder("course-kernel-")
        self._private_folder = private
        self.transport = "ipc"
        self.ip = str(private / "k")
        self.connection_file = str(private / "kernel.json")
        env = dict(kw.pop("env", None) or os.environ)
        env[LIMITS_ENV] = self.limits().to_env()
        kw["env"] = env
        return await super()._async_pre_start_kernel(**kw)

    def write_connection_file(self, **kwargs) -> None:
        super().write_connection_file(**kwargs)
        if os.geteuid() == 0:  # the sandbox runs as SANDBOX_UID (see course.sandbox.drop_privileges)
            os.chown(self.connection_file, SANDBOX_UID, SANDBOX_UID)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        folder = getattr(self, "_private_folder", None)
        if folder is not None and not restart:
            shutil.rmtree(folder, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources  # AsyncKernelManager binds the base class's coroutine
