"""Each student's share of the exchange's inbound folder, kept by a sweep the hub runs as a service.

``inbound`` is one folder every student may write into (nbgrader's submit copies there), on a filesystem of its
own (``hubctl.py --exchange-size``). This server's kernel has no disk quotas, so nothing stops one student from
filling it; the sweep bounds what each student keeps there and gives the room back to the others:

- anything in ``inbound`` that is not a submission of its owner's (a folder named ``<login>+<assignment>+<time>``,
  with nbgrader's optional ``+<random>``, where ``<login>`` is the folder's owner) is removed at once: nbgrader's
  collect never reads it;
- if a student's submissions together exceed their budget, the superseded ones go first (collect takes only the
  latest submission of each assignment), then the largest, until the rest fits.

Everything is looked at with ``lstat`` and removed through descriptors (``os.fwalk``), files emptied first (a
process holding one open keeps no room): a link a student plants is removed as a link, never followed. The owners of the exchange (root) and the instructors are
never swept. Each removal is one line in the hub's log, naming the login, the entry and why.

Run by the hub (``hub/jupyterhub_config.py``)::

    python -I -m course.deploy.sweep INBOUND --budget-mb 200 --every 5 --exempt-group nas-instructors
"""

from __future__ import annotations

import argparse
import grp
import os
import pwd
import stat
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass

MAX_ENTRIES = 20000  # a submission with more files than this is not measured further: it is over any budget


@dataclass(frozen=True)
class Entry:
    """One top-level entry of ``inbound``, as the sweep found it."""

    name: str
    uid: int
    login: str  # the owner's login ("" if the uid has no account)
    assignment: str  # "" unless the entry is a submission of its owner's
    size: int  # bytes on disk, the entry and everything in it
    changed: float  # the latest status-change time in it (a student cannot set it)

    @property
    def is_submission(self) -> bool:
        return bool(self.assignment)


def submission_of(name: str, login: str) -> str:
    """The assignment a top-level name submits for ``login``, or "" if the name is not one of ``login``'s
    submissions (the shape nbgrader's submit writes and its collect reads: ``login+assignment+time[+random]``)."""
    parts = name.split("+")
    if len(parts) not in (3, 4) or parts[0] != login or not all(parts[1:]):
        return ""
    return parts[1]


def _login(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return ""


def measure(parent_fd: int, name: str, top: os.stat_result) -> tuple[int, float]:
    """Bytes on disk and the latest status-change time of ``name`` (in the folder ``parent_fd``) and everything in
    it, never following a link. A tree too large to count is reported as larger than any budget."""
    size, changed = top.st_blocks * 512, top.st_ctime
    if not stat.S_ISDIR(top.st_mode):
        return size, changed
    count = 0
    for _root, dirs, files, root_fd in os.fwalk(name, dir_fd=parent_fd, follow_symlinks=False):
        for item in dirs + files:
            count += 1
            if count > MAX_ENTRIES:
                return sys.maxsize, changed
            try:
                info = os.lstat(item, dir_fd=root_fd)
            except FileNotFoundError:
                continue
            size += info.st_blocks * 512
            changed = max(changed, info.st_ctime)
    return size, changed


def survey(inbound_fd: int, exempt_uids: set[int]) -> list[Entry]:
    """The entries of ``inbound`` (open as ``inbound_fd``) whose owners are swept."""
    found = []
    for name in os.listdir(inbound_fd):
        try:
            info = os.lstat(name, dir_fd=inbound_fd)
        except FileNotFoundError:
            continue
        if info.st_uid in exempt_uids:
            continue
        login = _login(info.st_uid)
        assignment = submission_of(name, login) if login and stat.S_ISDIR(info.st_mode) else ""
        try:
            size, changed = measure(inbound_fd, name, info)
        except FileNotFoundError:  # gone while measured
            continue
        found.append(Entry(name, info.st_uid, login, assignment, size, changed))
    return found


def plan(entries: Iterable[Entry], budget: int) -> list[tuple[Entry, str]]:
    """What to remove, and why: what is not a submission; then, for each owner over ``budget``, superseded
    submissions (oldest first), then the largest, until what is left fits."""
    removals: list[tuple[Entry, str]] = []
    by_owner: dict[int, list[Entry]] = {}
    for entry in entries:
        if entry.is_submission:
            by_owner.setdefault(entry.uid, []).append(entry)
        else:
            removals.append((entry, "not a submission of its owner's (nbgrader's collect would not read it)"))
    for owned in by_owner.values():
        total = sum(entry.size for entry in owned)
        if total <= budget:
            continue
        latest: dict[str, Entry] = {}
        for entry in sorted(owned, key=lambda e: e.changed):
            latest[entry.assignment] = entry
        superseded = [e for e in sorted(owned, key=lambda e: e.changed) if latest[e.assignment] is not e]
        for entry in superseded + sorted(latest.values(), key=lambda e: -e.size):
            if total <= budget:
                break
            why = "superseded by a later submission" if entry in superseded else "the largest submission"
            removals.append((entry, f"{why}; this student's submissions held {total} bytes, over {budget}"))
            total -= entry.size
    return removals


def _empty(dir_fd: int, name: str) -> None:
    """Give back a regular file's room even if a process still holds it open (removing it alone would not): opened
    without following a link and without waiting, truncated only if it is still a regular file with one name."""
    try:
        fd = os.open(name, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY, dir_fd=dir_fd)
    except OSError:
        return
    try:
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode) and info.st_nlink == 1:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)


def remove(inbound_fd: int, entry: Entry) -> None:
    """Remove one top-level entry through descriptors, emptying its files first: a link is removed as a link; a
    folder swapped for a link after the survey is not followed (``os.fwalk`` checks each folder it opens)."""
    info = os.lstat(entry.name, dir_fd=inbound_fd)
    if info.st_uid != entry.uid:  # replaced since the survey: look again next time
        return
    if not stat.S_ISDIR(info.st_mode):
        if stat.S_ISREG(info.st_mode):
            _empty(inbound_fd, entry.name)
        os.unlink(entry.name, dir_fd=inbound_fd)
        return
    for _root, dirs, files, root_fd in os.fwalk(
        entry.name, topdown=False, dir_fd=inbound_fd, follow_symlinks=False
    ):
        for name in files:
            _empty(root_fd, name)
            os.unlink(name, dir_fd=root_fd)
        for name in dirs:
            if stat.S_ISLNK(
                os.lstat(name, dir_fd=root_fd).st_mode
            ):  # fwalk lists links to folders as folders
                os.unlink(name, dir_fd=root_fd)
            else:
                os.rmdir(name, dir_fd=root_fd)
    os.rmdir(entry.name, dir_fd=inbound_fd)


def sweep(inbound: str, budget: int, exempt_uids: set[int]) -> list[str]:
    """One pass over ``inbound``: what was removed, one line each."""
    fd = os.open(inbound, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        lines = []
        for entry, why in plan(survey(fd, exempt_uids), budget):
            try:
                remove(fd, entry)
            except FileNotFoundError:
                continue
            except OSError as error:
                lines.append(f"could not remove {entry.name!r} of {entry.login or entry.uid}: {error}")
                continue
            lines.append(f"removed {entry.name!r} of {entry.login or entry.uid} ({entry.size} bytes): {why}")
        return lines
    finally:
        os.close(fd)


def exempt(groups: Iterable[str]) -> set[int]:
    """Root and the members of ``groups`` (read at each pass: an instructor added while the hub runs counts)."""
    uids = {0}
    for name in groups:
        try:
            entry = grp.getgrnam(name)
        except KeyError:
            continue
        uids |= {p.pw_uid for p in pwd.getpwall() if p.pw_name in entry.gr_mem or p.pw_gid == entry.gr_gid}
    return uids


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course.deploy.sweep", description=__doc__.splitlines()[0]
    )
    parser.add_argument("inbound", help="the exchange's inbound folder")
    parser.add_argument("--budget-mb", type=int, default=200, help="what one student may keep there (MB)")
    parser.add_argument("--every", type=float, default=5.0, help="seconds between passes (0: one pass)")
    parser.add_argument(
        "--exempt-group", action="append", default=[], help="a group never swept (repeatable)"
    )
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        parser.error("the sweep runs as root (it removes other users' files in inbound)")
    budget = args.budget_mb * 1024 * 1024
    print(f"sweeping {args.inbound} every {args.every} s; {args.budget_mb} MB per student", flush=True)
    while True:
        try:
            for line in sweep(args.inbound, budget, exempt(args.exempt_group)):
                print(line, flush=True)
        except OSError as error:  # the exchange unmounted, say: say so, and try again
            print(f"could not sweep {args.inbound}: {error}", flush=True)
        if not args.every:
            return 0
        time.sleep(args.every)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the hub stops its services with SIGINT: a clean end, not a traceback
        sys.exit(0)
