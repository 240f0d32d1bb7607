"""Grading kernels: started ahead, reached over private ipc sockets, ready without an idle wait."""

from __future__ import annotations

import atexit
import os
import shutil
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from jupyter_client.asynchronous import AsyncKernelClient
from traitlets import Dict, default

from course.autograder.common import remove_folder

if TYPE_CHECKING:
    from course.autograder.files import SubmissionFiles

from course.autograder.plan import grading_plan
from course.autograder.sandbox import LIMITS_ENV, SANDBOX_UID, Limits, private_folder
from course.autograder.seams import HookedKernelManager, client_alive, record_kernel_info
from course.grading import remote


def instructor_imports(resources) -> tuple[str, ...]:
    """What the notebook's read-only cells import, as released (hidden tests left out), from its grading plan.

    Only the instructor's cells count, never a submission's: the list is used in another student's kernel.
    """
    plan = grading_plan(resources)
    return plan.imports if plan is not None else ()


class KernelAhead:
    """A grading kernel started before its notebook is known, in an empty folder of its own.

    Starting a kernel takes about a quarter of a second, mostly the kernel's own imports. The autograder starts the
    next notebook's kernel as soon as it takes the current one, so the start overlaps with grading; the
    submission's files are copied into the kernel's folder when its notebook comes. Meanwhile the kernel imports
    the modules the problem set's read-only cells import (:func:`instructor_imports`), pandas above all, so that
    the notebook does not wait for them either. Each kernel serves one notebook and is then stopped, and its
    folders removed. Each runs in a sandbox of its own (``course.autograder.sandbox``), exactly like a kernel started when
    its notebook comes; its folder is a private inbox outside the course, mounted read-only in the sandbox.

    A kernel that no notebook comes for is killed when the process exits, or after ``expire_after`` seconds in a
    process that keeps running (the formgrader's server, which autogrades in-process).
    """

    waiting: dict[tuple, KernelAhead] = {}
    stopping: list[KernelAhead] = []
    lock = threading.Lock()

    def __init__(self, km, folder: Path, preloader=None):
        self.km, self.folder, self.preloader = km, folder, preloader

    @classmethod
    def start(cls, client, key: tuple, root: Path) -> KernelAhead:
        from jupyter_core.utils import run_sync

        cls.finish_stopping()
        folder = private_folder("course-inbox-")
        km = client.kernel_manager_class(
            kernel_name=client.kernel_name,
            config=client.config,
            client_class=f"{__name__}.GradingKernelClient",
        )
        try:
            run_sync(km.start_kernel)(extra_arguments=list(client.extra_arguments), cwd=str(folder))
        except Exception:
            remove_folder(folder)
            raise
        preloader, modules = None, key[-1]
        if modules:  # queued now, run by the kernel as soon as it is up, before anything else it is sent
            from jupyter_client.session import Session

            # a session of its own: clients sharing one session share one socket identity, and the kernel's
            # replies would reach either of them
            session = Session(key=km.session.key, signature_scheme=km.session.signature_scheme)
            preloader = km.client(session=session)
            preloader.start_channels()
            preloader.execute(
                remote.preload(modules),
                silent=True,
                store_history=False,
            )
        return cls(km, folder, preloader)

    @classmethod
    def start_next(cls, client, key: tuple, root: Path, expire_after: float) -> None:
        with cls.lock:  # kernels for another configuration are not needed any more
            others = [cls.waiting.pop(k) for k in list(cls.waiting) if k != key]
        for other in others:
            other.stop()
        try:
            kernel = cls.start(client, key, root)
        except Exception as err:  # the next notebook will start its own, and report the problem if it recurs
            client.log.warning("could not start a kernel ahead: %s", err)
            return
        with cls.lock:
            cls.waiting[key] = kernel
        timer = threading.Timer(expire_after, cls._expire, args=(key, kernel))
        timer.daemon = True
        timer.start()

    @classmethod
    def _expire(cls, key: tuple, kernel: KernelAhead) -> None:
        """(In a timer thread.) Kill ``kernel`` if it is still waiting; it is reaped by the next start or at exit."""
        with cls.lock:
            if cls.waiting.get(key) is not kernel:
                return
            del cls.waiting[key]
        kernel.stop()

    @classmethod
    def take(cls, key: tuple) -> KernelAhead | None:
        with cls.lock:
            kernel = cls.waiting.pop(key, None)
        if kernel is not None and not kernel_alive(kernel.km):
            kernel.stop()
            return None
        return kernel

    def receive(self, files: SubmissionFiles) -> None:
        """Copy the submission's checked files into the kernel's inbox (the kernel copies them in: see below)."""
        files.copy_to(self.folder)

    def stop(self) -> None:
        """Kill the kernel now (SIGKILL to its process group); the process is reaped by :meth:`finish_stopping`.

        A polite shutdown, or even waiting for the killed process, costs 50-250 ms per notebook in 0.1 s polls.
        Safe from any thread: killing only sends a signal.
        """
        from jupyter_core.utils import run_sync

        try:
            run_sync(self.km.provisioner.kill)()
        except Exception:  # no process any more
            pass
        with KernelAhead.lock:
            KernelAhead.stopping.append(self)

    @classmethod
    def finish_stopping(cls) -> None:
        """Reap the killed kernels, close their connections and remove their connection files and folders.

        Not ``shutdown_kernel``: it would first send an interrupt request that a dead kernel never reads, and
        closing the socket holding it costs its 0.1 s linger.
        """
        from jupyter_core.utils import ensure_async, run_sync

        async def reap(km) -> None:
            if km.has_kernel:
                await km.provisioner.wait()
            await ensure_async(km.cleanup_resources())

        with cls.lock:
            kernels, cls.stopping[:] = list(cls.stopping), []
        for kernel in kernels:
            if kernel.preloader is not None:
                kernel.preloader.stop_channels()
            try:
                run_sync(reap)(kernel.km)
            except Exception:  # already gone
                pass
            remove_folder(kernel.folder)

    @classmethod
    def stop_all(cls) -> None:
        with cls.lock:
            kernels = list(cls.waiting.values())
            cls.waiting.clear()
        for kernel in kernels:
            kernel.stop()
        cls.finish_stopping()


class GradingKernelClient(AsyncKernelClient):
    """The kernel client for grading kernels: ready as soon as the kernel answers and IOPub is connected.

    jupyter_client's ``wait_for_ready`` ends by waiting until IOPub has been quiet for 0.2 s, to drop the
    status messages of its ``kernel_info`` requests; nbclient ignores messages that answer other requests, so
    for the autograder that wait is 0.2 s of idle time per notebook. The rest is jupyter_client's procedure.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        from queue import Empty

        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                pass
            else:
                if msg["msg_type"] == "kernel_info_reply":
                    try:  # any IOPub message shows that IOPub is connected; else ask again
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass
                    else:
                        record_kernel_info(self, msg)
                        return
            if not await client_alive(self):
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")


def kernel_alive(km) -> bool:
    from jupyter_core.utils import run_sync

    try:
        return bool(run_sync(km.is_alive)())
    except Exception:
        return False


atexit.register(KernelAhead.stop_all)


class SandboxKernelManager(HookedKernelManager):
    """A kernel manager whose kernels talk over ``ipc://`` sockets in a private folder of their own.

    Each kernel gets a fresh folder (mode 0700, in the system's temporary folder): its connection file and its
    five socket files are there, and the sandbox mounts only that folder. Nothing listens on TCP. When the
    grader is root, the folder and the connection file belong to the sandbox's host user (``nobody``).
    """

    sandbox_limits = Dict(
        default_value={},
        help="Overrides of course.autograder.sandbox.Limits for this kernel's sandbox, e.g. {'memory_mb': 2048}.",
    ).tag(config=True)

    def limits(self) -> Limits:
        return Limits(**{**asdict(Limits()), **self.sandbox_limits})

    @default("kernel_spec_manager")
    def _kernel_spec_manager_default(self):
        """Jupyter's kernel folders plus the course's own, which holds the grading kernel (sandbox.kernels_dir)."""
        from jupyter_client.kernelspec import KernelSpecManager

        from course.autograder.sandbox import kernels_dir

        manager = KernelSpecManager(data_dir=self.data_dir, parent=self)
        manager.kernel_dirs = [*manager.kernel_dirs, str(kernels_dir())]
        return manager

    def before_start(self, kw: dict) -> dict:
        private = private_folder("course-kernel-")
        self._private_folder = private
        self.transport = "ipc"
        self.ip = str(private / "k")
        self.connection_file = str(private / "kernel.json")
        env = dict(kw.pop("env", None) or os.environ)
        env[LIMITS_ENV] = self.limits().to_env()
        return {**kw, "env": env}

    def write_connection_file(self, **kwargs) -> None:
        super().write_connection_file(**kwargs)
        if (
            os.geteuid() == 0
        ):  # the sandbox runs as SANDBOX_UID (see course.autograder.sandbox.drop_privileges)
            os.chown(self.connection_file, SANDBOX_UID, SANDBOX_UID)

    def after_cleanup(self, restart: bool) -> None:
        folder = getattr(self, "_private_folder", None)
        if folder is not None and not restart:
            shutil.rmtree(folder, ignore_errors=True)
