"""Per-person limits on the course's JupyterHub, where no systemd manages the hub: Linux control groups.

Each person's server (and everything started from it: kernels, terminals, a process left running with ``setsid``)
runs in a control group of its own, ``nas-hub/<login>``, made by the hub (as root) before the server starts. A
person cannot leave it (the groups belong to root). The group bounds:

- memory (a memory bomb ends that person's processes, nobody else's), with no swap to escape to;
- the number of processes (a fork bomb stops at the limit);
- CPU: an equal share with every other person (and, if set, at most ``cpu_cores`` cores), so one person's busy
  loops leave the others their share;
- and when the server stops, everything in the group is killed, so nothing a student started outlives their
  server (a process squatting the hub's ports across a restart, say).

Besides the groups, the server starts in a mount namespace of its own with a private ``/tmp``, ``/var/tmp`` and
``/dev/shm`` (the folders everyone may write):
sized ``tmpfs`` mounts, counted in the person's memory, unseen by other people, and gone when the server's last
process ends (:func:`private_tmp`).

Kernels differ: cgroup v2 alone (most current distributions; the controllers are enabled for ``nas-hub``), or the
older v1 controllers with or without a v2 hierarchy beside them (containers often). :class:`Cgroups` finds which
controllers it can use and says which it cannot; the hub logs that at start (hub/README.md, "Per-person limits").
Where systemd runs the hub, ``jupyterhub-systemdspawner`` gives the same limits through systemd units instead.
"""

from __future__ import annotations

import ctypes
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

GROUP = "nas-hub"
MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one person's server and everything it starts may use."""

    memory_bytes: int = 2048 * MiB
    processes: int = 256
    #: At most this many cores (0: no cap). The fairness between people comes from their equal CPU shares; a cap
    #: would also slow a student who is alone on the server (measured: tests/test_hub_hostile.py).
    cpu_cores: float = 0.0
    tmp_bytes: int = 512 * MiB
    shm_bytes: int = 64 * MiB
    #: The largest file a person's process may write (a ``RLIMIT_FSIZE``), on any disk.
    file_bytes: int = 1024 * MiB


@dataclass(frozen=True)
class Controller:
    """One place a person's group is made: a v1 controller's hierarchy, or the v2 hierarchy."""

    name: str  # "memory", "pids", "cpu" (v1), or "unified" (v2)
    base: Path  # the folder under which nas-hub/<login> is made

    def group(self, login: str) -> Path:
        return self.base / GROUP / login


def _own_cgroups(proc: Path) -> dict[str, str]:
    """This process's group in each hierarchy, from /proc/self/cgroup: {"memory": "/x", "": "/y" (v2)}."""
    found = {}
    for line in proc.read_text().splitlines():
        _, names, path = line.split(":", 2)
        for name in names.split(",") if names else [""]:
            found[name] = path
    return found


class Cgroups:
    """The hub's per-person control groups. ``root`` and ``proc`` are for tests (a fake tree)."""

    def __init__(self, root: Path = Path("/sys/fs/cgroup"), proc: Path = Path("/proc/self/cgroup")) -> None:
        self.root = root
        self.controllers: list[Controller] = []
        self.missing: list[str] = []
        try:
            own = _own_cgroups(proc)
        except OSError:
            own = {}
        if (root / "cgroup.controllers").exists():  # v2 alone
            self.v2 = True
            here = own.get("", "/").lstrip("/")
            # Beside the hub's own group (v2 lets a group with processes have no controller-using children).
            parent = root / here if not here else (root / here).parent
            available = set((parent / "cgroup.controllers").read_text().split()) if parent.exists() else set()
            self.controllers.append(Controller("unified", parent))
            self.v2_controllers = [c for c in ("memory", "pids", "cpu") if c in available]
            self.missing = [c for c in ("memory", "pids", "cpu") if c not in available]
        else:
            self.v2 = False
            self.v2_controllers = []
            for name in ("memory", "pids", "cpu"):
                mount = root / name
                if (mount / "cgroup.procs").exists() and name in own:
                    self.controllers.append(Controller(name, mount / own[name].lstrip("/")))
                else:
                    self.missing.append(name)
            if (root / "unified" / "cgroup.procs").exists():  # a v2 hierarchy beside: cgroup.kill
                self.controllers.append(
                    Controller("unified", root / "unified" / own.get("", "/").lstrip("/"))
                )

    def describe(self) -> str:
        kind = "cgroup v2" if self.v2 else "cgroup v1"
        using = sorted(
            self.v2_controllers if self.v2 else [c.name for c in self.controllers if c.name != "unified"]
        )
        text = f"{kind}: limits on {', '.join(using) or 'nothing'}"
        return text + (f"; not available: {', '.join(self.missing)}" if self.missing else "")

    def prepare(self, login: str, limits: Limits) -> list[Path]:
        """Make the person's groups with their limits (as root, before the server starts); return the
        ``cgroup.procs`` files the server's first process joins."""
        procs = []
        for controller in self.controllers:
            group = controller.group(login)
            parent = group.parent
            parent.mkdir(exist_ok=True)
            if self.v2 and controller.name == "unified" and self.v2_controllers:
                _write(parent / "cgroup.subtree_control", " ".join(f"+{c}" for c in self.v2_controllers))
            group.mkdir(exist_ok=True)
            self._set_limits(controller.name, group, limits)
            procs.append(group / "cgroup.procs")
        return procs

    def _set_limits(self, name: str, group: Path, limits: Limits) -> None:
        period = 100_000
        quota = max(1000, int(limits.cpu_cores * period)) if limits.cpu_cores else None
        if self.v2 and name == "unified":
            wanted = {
                "memory.max": limits.memory_bytes,
                "pids.max": limits.processes,
                "cpu.weight": 100,
                "cpu.max": f"{quota} {period}" if quota else f"max {period}",
            }
            for key, value in wanted.items():
                if key.split(".")[0] in self.v2_controllers:
                    _write(group / key, value)
            if "memory" in self.v2_controllers and (group / "memory.swap.max").exists():
                _write(
                    group / "memory.swap.max", 0
                )  # no escape to swap (the file exists where swap is counted)
        elif name == "memory":
            _write(group / "memory.limit_in_bytes", limits.memory_bytes)
            if (
                group / "memory.memsw.limit_in_bytes"
            ).exists():  # memory and swap together: no escape to swap
                _write(group / "memory.memsw.limit_in_bytes", limits.memory_bytes)
        elif name == "pids":
            _write(group / "pids.max", limits.processes)
        elif name == "cpu":
            _write(group / "cpu.shares", 1024)
            # All people together weigh as much as four busy processes of the hub's own (the proxy, the hub, a
            # grading run): those do not squeeze the class, and within it each person weighs the same.
            _write(group.parent / "cpu.shares", 4096)
            if quota or (group / "cpu.cfs_quota_us").exists():
                _write(group / "cpu.cfs_period_us", period)
                _write(group / "cpu.cfs_quota_us", quota or -1)

    def pids(self, login: str) -> set[int]:
        """Every process in the person's groups now."""
        found: set[int] = set()
        for controller in self.controllers:
            procs = controller.group(login) / "cgroup.procs"
            try:
                found |= {int(p) for p in procs.read_text().split()}
            except OSError:
                continue
        return found

    def kill(self, login: str, timeout: float = 10.0) -> int:
        """Kill everything in the person's groups (the server has stopped); return how many processes there were.
        With v2's ``cgroup.kill`` the kernel does it at once, forks in flight included; otherwise SIGKILL to every
        listed process, again until the groups are empty (the process limit bounds a fork race)."""
        before = self.pids(login)
        for controller in self.controllers:
            kill_file = controller.group(login) / "cgroup.kill"
            if controller.name == "unified" and kill_file.exists():
                try:
                    _write(kill_file, 1)
                except OSError:
                    pass
        deadline = time.monotonic() + timeout
        while (left := self.pids(login)) and time.monotonic() < deadline:
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.05)
        for controller in self.controllers:
            try:
                controller.group(login).rmdir()
            except OSError:
                pass
        return len(before)

    def logins(self) -> set[str]:
        """Everyone who has a group now (after a hub that was killed: their leftovers)."""
        found = set()
        for controller in self.controllers:
            folder = controller.base / GROUP
            if folder.is_dir():
                found |= {p.name for p in folder.iterdir() if p.is_dir()}
        return found


def _write(path: Path, value) -> None:
    with open(path, "w") as fh:
        fh.write(str(value))


# ---- in the server's first process, after fork and before it becomes the person ------------------------------

_CLONE_NEWNS = 0x00020000
_MS_NOSUID, _MS_NODEV, _MS_REC, _MS_PRIVATE = 0x2, 0x4, 0x4000, 0x40000
_libc = ctypes.CDLL(None, use_errno=True)  # loaded in the hub, before any fork


def join(procs: list[Path]) -> None:
    """Put the calling process into each group (its children follow it)."""
    me = str(os.getpid())
    for path in procs:
        with open(path, "w") as fh:
            fh.write(me)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def private_tmp(limits: Limits, places: tuple[str, ...] = ("/tmp", "/var/tmp", "/dev/shm")) -> None:
    """A mount namespace of the calling process's own, with a sized tmpfs on /tmp, /var/tmp and /dev/shm, the
    folders everyone may write on a Debian server (needs root)."""
    _check(_libc.unshare(_CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    # Nothing mounted here may propagate back to the server's real mounts.
    _check(_libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None), "making / private")
    for place in places:
        if not os.path.isdir(place):
            continue
        size = limits.shm_bytes if place == "/dev/shm" else limits.tmp_bytes
        options = f"size={size},mode=1777".encode()
        _check(
            _libc.mount(b"tmpfs", place.encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV, options),
            f"tmpfs on {place}",
        )


def file_size_limit(limits: Limits) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
