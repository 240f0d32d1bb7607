"""The grading sandbox: one isolated, resource-limited bubblewrap sandbox per grading kernel.

nbgrader runs a submission's code in a Jupyter kernel with the grading user's permissions. Without a sandbox a
submission can read the solutions (``source/``, ``gradebook.db``), rewrite grades, plant code in the
environment for later runs, and reach other kernels. Here every grading kernel (kernelspec ``course-grading``)
runs in its own bubblewrap sandbox (Debian/Ubuntu package ``bubblewrap``):

- **namespaces**: new user, PID, network, IPC, UTS and cgroup namespaces; every capability dropped and
  ``no_new_privs`` set (bubblewrap always sets it), also when the grader runs as root: inside, the kernel is uid
  65534. A new session; ``--die-with-parent``: when the kernel is killed, everything it started dies with it
  (the PID namespace ends with its first process).
- **connections**: the kernel talks to the grader over ZeroMQ ``ipc://`` sockets in a private folder (mode 0700)
  that only this kernel and the grader share (``course.autograder.kernels.SandboxKernelManager``); there is no network, not even
  loopback to the host, so no kernel can reach another kernel or a Jupyter server.
- **file system**: a fresh empty root; read-only: the system (``/usr`` and its links), the interpreter's prefix,
  the virtual environment, the ``course`` package and ``data/``; writable, size-limited and private: the
  working folder (a copy of the submission's files), ``/tmp`` and ``/dev/shm``. No home, no ``.git``, no
  Jupyter runtime folder, no course root, no other student, no ``/etc`` beyond the few files Python reads.
- **limits** (:class:`Limits`): memory per process, tasks (processes and threads), file size, CPU time and
  open files, set inside the sandbox before the kernel imports anything; tmpfs sizes for the writable folders.

Where bubblewrap or user namespaces are missing, the kernel does not start (:func:`check` says why and how to
fix it), unless ``ALLOW_UNSANDBOXED=1`` is set: then it runs plainly, and the autograder flags every notebook.

``python -m course.autograder.sandbox install`` writes the kernelspec; ``python -m course.autograder.sandbox check`` tests the
sandbox on this machine; the kernelspec runs ``python -m course.autograder.sandbox -f <connection file>``.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from course.grading.remote import INBOX, receive_files

KERNEL_NAME = "course-grading"
ENV_FLAG = "COURSE_SANDBOX"
ALLOW_ENV = "ALLOW_UNSANDBOXED"
LIMITS_ENV = "COURSE_SANDBOX_LIMITS"
#: Inside the sandbox: the kernel's working folder (writable tmpfs) and the submission's files (read-only).
HOME = "/home/student"
WORK = HOME + "/work"
SANDBOX_UID = 65534
#: Environment variables passed into the sandbox (everything else is cleared: tokens, paths, proxies).
PASSED_ENV = ("NBGRADER_EXECUTION", "COURSE_ROOT", "COURSE_MAPS_ONLINE", "TZ")
#: Files under /etc that Python and its libraries read; bound read-only when present.
ETC_FILES = ("ld.so.cache", "localtime", "timezone", "mime.types", "nsswitch.conf")


class SandboxError(RuntimeError):
    """The sandbox cannot start on this machine; the message says what is missing and how to install it."""


@dataclass(frozen=True)
class Limits:
    """Per-kernel limits. Memory and CPU are per process; tasks count processes and threads together."""

    memory_mb: int = 1536  # RLIMIT_AS: address space of each process (a kernel with pandas: ~0.9 GiB)
    tasks: int = 20  # RLIMIT_NPROC in the sandbox's own user namespace (a kernel with pandas runs 12 threads)
    file_mb: int = 64  # RLIMIT_FSIZE: largest file a process may write
    cpu_s: int = 600  # RLIMIT_CPU: CPU seconds of each process (the grader's wall-clock limits come first)
    open_files: int = 256  # RLIMIT_NOFILE
    work_mb: int = 128  # tmpfs size of the working folder
    tmp_mb: int = 64  # tmpfs size of /tmp
    shm_mb: int = 16  # tmpfs size of /dev/shm

    def to_env(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_env(cls, text: str | None) -> Limits:
        if not text:
            return cls()
        values = json.loads(text)
        known = {f.name for f in fields(cls)}
        return cls(**{k: int(v) for k, v in values.items() if k in known})

    def describe(self) -> dict[str, str]:
        """Each limit as an instructor reads it (used in flags and INSTRUCTORS.md)."""
        return {
            "memory": f"{self.memory_mb} MiB of memory per process",
            "tasks": f"{self.tasks} processes and threads",
            "file": f"{self.file_mb} MiB per file",
            "cpu": f"{self.cpu_s} s of CPU time per process",
            "open_files": f"{self.open_files} open files",
            "work": f"{self.work_mb} MiB in the working folder",
            "tmp": f"{self.tmp_mb} MiB in /tmp",
            "shm": f"{self.shm_mb} MiB in /dev/shm",
        }


def course_root(start: Path) -> Path | None:
    """The nbgrader course root above ``start`` (the folder holding nbgrader_config.py), if any."""
    for folder in (start, *start.parents):
        if (folder / "nbgrader_config.py").exists():
            return folder
    return None


def allow_unsandboxed() -> bool:
    return os.environ.get(ALLOW_ENV, "") not in ("", "0", "false", "no")


def _package_folders() -> list[Path]:
    """The course package and its data folder (read-only in the sandbox)."""
    import course
    from course.paths import repo_root

    package = Path(course.__file__).resolve().parent  # the whole package: the kernel imports course.grading
    folders = [package]
    data = repo_root() / "data"
    if data.is_dir():
        folders.append(data.resolve())
    return folders


def _interpreter_folders() -> list[Path]:
    """The interpreter's installation and the virtual environment (read-only in the sandbox)."""
    folders = []
    for prefix in {sys.base_prefix, sys.prefix, sys.exec_prefix, sys.base_exec_prefix}:
        path = Path(prefix).resolve()
        if path != Path("/usr") and not str(path).startswith("/usr/"):
            folders.append(path)
    executable = Path(sys.executable).resolve()
    if not any(executable.is_relative_to(f) for f in folders) and not str(executable).startswith("/usr/"):
        folders.append(executable.parent)
    return sorted(set(folders))


def _system_binds() -> list[str]:
    """/usr read-only, and /bin, /lib, /lib64, /sbin as the symbolic links (merged /usr) or folders they are."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for name in ETC_FILES:
        path = Path("/etc") / name
        if path.exists():
            args += ["--ro-bind", str(path), str(path)]
    return args


def _mib(value: int) -> str:
    return str(value * 1024 * 1024)


def command(
    connection_file: str,
    inbox: Path,
    *,
    limits: Limits | None = None,
    bwrap: str | None = None,
    extra: list[str] | None = None,
) -> list[str]:
    """The bubblewrap command that runs the kernel for ``connection_file`` in its sandbox.

    ``inbox`` (the kernel's working folder outside) is mounted read-only at ``/submission``; the kernel copies it
    into its writable working folder before it starts (see :func:`boot`). The connection file's folder holds the
    ipc sockets and is the only folder shared with the grader.
    """
    limits = limits or Limits()
    bwrap = bwrap or shutil.which("bwrap") or "bwrap"
    sockets = str(Path(connection_file).resolve().parent)
    args = [
        bwrap,
        "--unshare-all",
        "--unshare-user",
        "--uid",
        str(SANDBOX_UID),
        "--gid",
        str(SANDBOX_UID),
        "--hostname",
        "grading",
        "--cap-drop",
        "ALL",
        "--new-session",
        "--die-with-parent",
        "--clearenv",
        *_system_binds(),
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        _mib(limits.shm_mb),
        "--tmpfs",
        "/dev/shm",
        "--size",
        _mib(limits.tmp_mb),
        "--tmpfs",
        "/tmp",
        "--size",
        _mib(limits.work_mb),
        "--tmpfs",
        HOME,
        "--dir",
        WORK,
    ]
    for folder in _interpreter_folders() + _package_folders():
        args += ["--ro-bind", str(folder), str(folder)]
    args += ["--ro-bind", str(inbox), INBOX, "--bind", sockets, sockets, "--chdir", WORK]
    env = {
        "PATH": f"{Path(sys.prefix) / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": HOME,
        "USER": "student",
        "LOGNAME": "student",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "agg",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "JPY_PARENT_PID": "1",  # ipykernel: started by a parent (quiet), and no parent poller (its parent is pid 1)
        ENV_FLAG: "bwrap",
        LIMITS_ENV: limits.to_env(),
    }
    env.update({name: os.environ[name] for name in PASSED_ENV if name in os.environ})
    for name, value in env.items():
        args += ["--setenv", name, value]
    kernel = [
        sys.executable,
        "-m",
        "course.autograder.sandbox",
        "boot",
        "-f",
        connection_file,
        *(extra or []),
    ]
    return args + ["--", *kernel]


def private_folder(prefix: str) -> Path:
    """A new folder (mode 0700) that only the grader and one sandbox use.

    When the grader is root the sandbox runs as the unprivileged host user ``SANDBOX_UID`` (see
    :func:`drop_privileges`), so the folder is given to that user; the grader, as root, still reads and writes it.
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        os.chown(folder, SANDBOX_UID, SANDBOX_UID)
    return folder


def _reachable_by_sandbox_user(path: Path) -> bool:
    """Whether the host user ``SANDBOX_UID`` can open ``path`` (every folder above it searchable by that user)."""

    def allows(st: os.stat_result, bits: int) -> bool:  # bits: 4 read, 1 search (the "other" positions)
        if st.st_uid == SANDBOX_UID:
            return bool(st.st_mode & (bits << 6))
        if st.st_gid == SANDBOX_UID:
            return bool(st.st_mode & (bits << 3))
        return bool(st.st_mode & bits)

    for folder in reversed(path.parents):
        if not allows(folder.stat(), 1):
            return False
    st = path.stat()
    return allows(st, 4 | 1) if stat.S_ISDIR(st.st_mode) else allows(st, 4)


def _libc_call(name: str, *args) -> None:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if getattr(libc, name)(*args) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{name}: {os.strerror(errno)}")


def stage_unreachable(cmd: list[str], stage: Path) -> list[str]:
    """(As root, before dropping privileges.) Make every bind source the sandbox's user cannot reach reachable.

    An unprivileged bubblewrap looks each source path up as its own user; /root is mode 0700, and a Python
    installed under it (pyenv) cannot be reached. In a mount namespace of this process only, each such folder is
    bind-mounted under ``stage`` (the kernel's private folder) and the command mounts it from there, at its own
    path inside the sandbox. Nothing changes for any other process.
    """
    out, at, staged = [], 0, 0
    while at < len(cmd):
        arg = cmd[at]
        if arg == "--":
            out += cmd[at:]
            break
        if arg in ("--ro-bind", "--bind") and not _reachable_by_sandbox_user(Path(cmd[at + 1])):
            if staged == 0:
                _libc_call("unshare", 0x00020000)  # CLONE_NEWNS
                _libc_call("mount", b"none", b"/", None, 0x4000 | 0x40000, None)  # MS_REC | MS_PRIVATE
            target = stage / f"mount{staged}"
            target.mkdir(mode=0o755, exist_ok=True)
            _libc_call("mount", cmd[at + 1].encode(), str(target).encode(), None, 0x1000 | 0x4000, None)
            out += [arg, str(target), cmd[at + 2]]
            staged += 1
            at += 3
            continue
        out.append(arg)
        at += 1
    return out


def drop_privileges() -> None:
    """(Before starting bubblewrap, when the grader is root.) Become the unprivileged user ``SANDBOX_UID``.

    A process whose host user is root is exempt from the process limit (``RLIMIT_NPROC``) even without any
    capability, and owns every root-owned file it can reach. So the sandbox runs as ``nobody`` on the host too.
    """
    os.setgroups([])
    os.setgid(SANDBOX_UID)
    os.setuid(SANDBOX_UID)


def set_limits(limits: Limits) -> None:
    """Apply ``limits`` to this process and everything it starts (inside the sandbox, before the kernel)."""
    import resource

    def cap(which: int, value: int) -> None:
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))

    cap(resource.RLIMIT_AS, limits.memory_mb * 1024 * 1024)
    cap(resource.RLIMIT_NPROC, limits.tasks)
    cap(resource.RLIMIT_FSIZE, limits.file_mb * 1024 * 1024)
    cap(resource.RLIMIT_CPU, limits.cpu_s)
    cap(resource.RLIMIT_NOFILE, limits.open_files)
    cap(resource.RLIMIT_CORE, 0)


def boot(argv: list[str]) -> None:
    """(In the sandbox.) Set the limits, copy the submission in, and run the kernel in this process."""
    import runpy

    set_limits(Limits.from_env(os.environ.get(LIMITS_ENV)))
    if os.path.isdir(INBOX):
        receive_files(INBOX, WORK)
        os.chdir(WORK)
    sys.argv = ["ipykernel_launcher", *argv]
    runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)


# ---- checks and set-up -----------------------------------------------------------------------------------

_CHECKED: dict[str, str | None] = {}


def check(bwrap: str | None = None) -> None:
    """Start a throw-away sandbox; raise :class:`SandboxError` saying what is missing if that fails."""
    bwrap = bwrap or shutil.which("bwrap")
    if not bwrap:
        raise SandboxError(
            "bubblewrap (bwrap) is not installed, and the grading sandbox needs it.\n"
            "  Debian/Ubuntu: sudo apt-get install bubblewrap    Fedora: sudo dnf install bubblewrap\n"
            "  macOS and Windows have no bubblewrap: grade on Linux (a VM or a JupyterHub server).\n"
            f"  To grade without the sandbox anyway (every notebook is flagged): {ALLOW_ENV}=1"
        )
    if bwrap in _CHECKED:
        if _CHECKED[bwrap]:
            raise SandboxError(_CHECKED[bwrap])
        return
    folder = private_folder("course-kernel-")
    try:
        cmd = command(str(folder / "kernel.json"), folder, bwrap=bwrap)
        cmd = cmd[: cmd.index("--")] + ["--", sys.executable, "-I", "-c", "import os; print(os.getuid())"]
        if os.geteuid() == 0:  # the same steps as launch(), in a child process
            staged = [sys.executable, "-m", "course.autograder.sandbox", "stage", str(folder), "--", *cmd]
            cmd = staged
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.SubprocessError) as err:
            done = subprocess.CompletedProcess(cmd, 1, "", str(err))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if done.returncode != 0 or done.stdout.strip() != str(SANDBOX_UID):
        message = (
            "bubblewrap is installed but could not start the grading sandbox:\n"
            f"  {done.stderr.strip() or done.stdout.strip() or 'no output'}\n"
            "  It needs user namespaces: on Debian/Ubuntu `sudo sysctl kernel.unprivileged_userns_clone=1`; on\n"
            "  Ubuntu 24.04+ also an AppArmor profile for bwrap (or `sudo sysctl\n"
            "  kernel.apparmor_restrict_unprivileged_userns=0`); in a container, run it with user namespaces allowed\n"
            "  (e.g. Docker's --security-opt seccomp=unconfined --security-opt apparmor=unconfined).\n"
            f"  To grade without the sandbox anyway (every notebook is flagged): {ALLOW_ENV}=1"
        )
        _CHECKED[bwrap] = message
        raise SandboxError(message)
    _CHECKED[bwrap] = None


def kernels_dir(prefix: str | None = None) -> Path:
    """Where the grading kernelspec lives: a folder of the course's own, outside Jupyter's kernel paths, so that no
    Launcher, kernel menu or plain ``nbgrader validate`` offers or picks it; only :class:`SandboxKernelManager`
    (course.autograder.kernels) looks there (issue 32)."""
    return Path(prefix or sys.prefix) / "share" / "course" / "kernels"


def install(prefix: str | None = None) -> Path:
    """Write the ``course-grading`` kernelspec under ``prefix`` (default: this environment), and remove the copy an
    older install put in Jupyter's own kernel folder, where JupyterLab's Launcher showed it to students."""
    old = Path(prefix or sys.prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old)
    folder = kernels_dir(prefix) / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "course.autograder.sandbox", "-f", "{connection_file}"],
        "display_name": "Python 3 (course grading sandbox)",
        "language": "python",
        "interrupt_mode": "message",  # the kernel is in another PID namespace: signals do not reach it
        "metadata": {"debugger": False},
    }
    (folder / "kernel.json").write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")
    return folder


def _refuse(message: str) -> None:
    print(f"course.autograder.sandbox: {message}", file=sys.stderr)
    sys.exit(3)


def launch(argv: list[str]) -> None:
    """The kernelspec's command: start the kernel for ``-f <connection file>`` in its sandbox."""
    if "-f" not in argv or argv.index("-f") + 1 >= len(argv):
        _refuse("usage: python -m course.autograder.sandbox -f <connection file>")
    at = argv.index("-f")
    connection_file = argv[at + 1]
    extra = argv[:at] + argv[at + 2 :]
    info = json.loads(Path(connection_file).read_text(encoding="utf-8"))
    if allow_unsandboxed():
        os.environ[ENV_FLAG] = ""
        os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file, *extra])
    if info.get("transport") != "ipc":
        _refuse(
            "grading kernels connect over ipc sockets; start them with course.autograder.kernels.SandboxKernelManager "
            "(the course's autograder, course.autograder.execute.IntegrityExecute, does)"
        )
    # No check() here: it costs a second sandbox start per kernel. The autograder checks once per run
    # (IntegrityExecute); a bubblewrap that fails prints its own reason to the grader's log.
    cmd = command(
        connection_file, Path.cwd(), limits=Limits.from_env(os.environ.get(LIMITS_ENV)), extra=extra
    )
    if os.geteuid() == 0:
        cmd = stage_unreachable(cmd, Path(connection_file).resolve().parent)
        drop_privileges()
    os.execv(cmd[0], cmd)


def main(argv: list[str]) -> int:
    if argv[:1] == ["install"]:
        print(f"kernelspec written to {install()}")
        return 0
    if argv[:1] == ["check"]:
        try:
            check()
        except SandboxError as err:
            print(f"The grading sandbox cannot start on this machine.\n{err}", file=sys.stderr)
            return 1
        print("The grading sandbox works on this machine (bubblewrap, user namespaces).")
        return 0
    if argv[:1] == ["stage"]:  # used by check(): stage, drop privileges, run the rest
        folder, cmd = Path(argv[1]), argv[3:]
        cmd = stage_unreachable(cmd, folder)
        drop_privileges()
        os.execv(cmd[0], cmd)
    if argv[:1] == ["boot"]:
        boot(argv[1:])
        return 0
    launch(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
