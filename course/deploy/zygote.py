"""A preloaded starter for the hub's JupyterLab servers: the imports once, a fork per student (issue 32).

Most of a JupyterLab start is importing: jupyter_server, JupyterLab, nbgrader's panels, JupyterHub's single-user
extension (py-spy: about three quarters of its CPU-seconds). When twenty students log in at nine o'clock on two
cores, every one of them pays it, and the last waits for all the others. This process pays it once: it imports
those modules, then waits on a Unix socket in the hub's state folder (root only); for each server the hub's
spawner connects, and it forks. The copy (copy-on-write: the imported modules are shared, not copied) sets itself
up exactly as the spawner's own ``preexec_fn`` would set a new process up (its own session, the person's control
groups, a private /tmp, the file-size limit, then the person's uid, gid and groups, their home) and runs
``jupyterhub-singleuser`` in itself, with the arguments and environment the spawner sent.

What keeps one student's server from another's secrets:

- **the starter never reads a request.** It accepts a connection and forks at once; the copy reads the request
  (the person's environment, with their JupyterHub token) and becomes that person. So the starter's memory, which
  every later server inherits, never holds anyone's token;
- it is started with an empty environment (no token of the hub's, no service's) and never becomes a service;
- the copy closes every descriptor it inherited (the listening socket among them) before it runs anything;
- signals, the random generators and the working folder are reset in the copy; threads: the starter refuses to run
  if an import started one (a fork would copy a half-held lock).

If the starter is not running, or fails, the spawner starts the server the ordinary way (hub/jupyterhub_config.py).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import threading

from course.deploy.limits import Limits, file_size_limit, join, private_tmp

#: What a server start imports, once (the student's and the instructor's servers: the formgrader's too).
PRELOAD = (
    "jupyterhub.singleuser",
    "jupyterhub.singleuser.extension",
    "jupyter_server.serverapp",
    "jupyterlab.labapp",
    "jupyterlab_server",
    "notebook.app",
    "notebook_shim.shim",
    "jupyter_lsp.serverextension",
    "jupyter_server_terminals",
    "jupyter_server_mathjax.app",
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
    "nbgrader.server_extensions.validate_assignment",
    "nbgrader.server_extensions.formgrader",
)
#: The largest request (a command line and an environment), in bytes.
MAX_REQUEST = 256 * 1024


def preload(names: tuple[str, ...] = PRELOAD) -> list[str]:
    """Import what a start needs; return what could not be imported (a server will import it itself)."""
    import importlib

    missing = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as error:  # one missing panel must not stop the starter
            missing.append(f"{name} ({type(error).__name__})")
    return missing


def _read_request(conn: socket.socket) -> dict:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
        if len(data) > MAX_REQUEST:
            raise ValueError("request too large")
    return json.loads(data)


def _become(request: dict) -> None:
    """In the copy, as root: what the spawner's preexec_fn does, in the same order, then the person."""
    from jupyterhub.spawner import set_user_setuid

    limits = Limits(**request.get("limits", {}))
    os.setsid()
    join([os.fsdecode(p) for p in request["procs"]])
    private_tmp(limits)
    file_size_limit(limits)
    set_user_setuid(request["login"])()  # setgid, setgroups, setuid, chdir to their home
    if os.getuid() == 0 or os.geteuid() == 0:
        raise PermissionError("still root after becoming the person")


def _title(argv: list[str] | None = None) -> None:
    """Show the server in ps and top as what it is (its command line), not as the starter. Called once in the
    starter first (argv None): setproctitle finds the memory it rewrites from the environment, which each copy then
    replaces."""
    try:
        from setproctitle import getproctitle, setproctitle  # hub/requirements.txt
    except ImportError:
        return
    setproctitle(getproctitle() if argv is None else " ".join(argv))


def _child(conn: socket.socket, listener: socket.socket) -> None:
    """The copy: read the request, become the person, answer with the pid, run their server. Never returns."""
    code = 1
    try:
        listener.close()
        signal.signal(
            signal.SIGCHLD, signal.SIG_DFL
        )  # the one the starter changed: the server waits for kernels
        request = _read_request(conn)
        _become(request)
        keep = {0, 1, 2, conn.fileno()}
        for fd in map(int, os.listdir("/proc/self/fd")):
            if fd not in keep:
                try:
                    os.close(fd)
                except OSError:
                    pass
        os.environ.clear()
        os.environ.update(request["env"])
        conn.sendall(json.dumps({"pid": os.getpid()}).encode() + b"\n")
        conn.close()
        sys.argv = list(request["cmd"])
        _title(sys.argv)
        from jupyterhub.singleuser import main

        code = main() or 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except BaseException as error:  # the spawner hears why, and falls back to an ordinary start
        try:
            conn.sendall(json.dumps({"error": f"{type(error).__name__}: {error}"}).encode() + b"\n")
        except OSError:
            print(f"course.deploy.zygote: {type(error).__name__}: {error}", file=sys.stderr)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve(path: str) -> None:
    """Listen on ``path`` (a Unix socket, root only) and fork a copy per connection, forever."""
    if os.geteuid() != 0:
        sys.exit("course.deploy.zygote: runs as root (the hub's), which it is not")
    missing = preload()
    if missing:
        print(f"course.deploy.zygote: not preloaded: {', '.join(missing)}", file=sys.stderr)
    _title()
    if threading.active_count() != 1:
        sys.exit(
            "course.deploy.zygote: an import started a thread; a fork would copy it half-done: not serving"
        )
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the copies are reaped by the kernel: no zombies
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    old = os.umask(0o077)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.umask(old)
    os.chmod(path, 0o600)
    listener.listen(64)
    print(
        f"course.deploy.zygote: ready on {path} ({len(sys.modules)} modules preloaded)",
        file=sys.stderr,
        flush=True,
    )
    while True:
        conn, _ = listener.accept()
        pid = os.fork()
        if pid == 0:
            _child(conn, listener)
        conn.close()  # the parent reads nothing: no one's request ever enters its memory


def parent_death_signal() -> None:
    """preexec_fn for the starter: it ends when the hub that started it ends (Linux's PR_SET_PDEATHSIG)."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1


if __name__ == "__main__":
    serve(sys.argv[1])
