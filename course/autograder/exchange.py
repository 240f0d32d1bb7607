"""nbgrader's exchange on a shared server (the course's JupyterHub, hub/): trust the file system, not the names.

nbgrader's own exchange folder relies on names nobody can guess: a submission is a world-writable folder called
``<student>+<assignment>+<time>+<random>`` in an ``inbound`` folder that students may write but not list. Three
things there are taken on the student's word: who submitted (the name's first part), when (its time), and that
nobody else wrote into it. These plugins, set by ``hub/hubctl.py`` in the hub's nbgrader configuration, check
each against what the operating system recorded:

- ``UnixGroupAuthPlugin``: a person belongs to a course when their Unix account is in one of the course's groups
  (the groups ``make hub-users`` creates from the roster). Anyone else is told "You do not have access to this
  course." The folders' permissions enforce the same thing; this gives the message.
- ``PrivateSubmit``: the student's own submission is readable by the course's instructors' group only, not by
  anyone who learns its name; and a student can submit only under their own login.
- ``ReleaseWithDueDate``: nbgrader's release, with the problem set's due date (the gradebook's: ``make deadlines``
  or the formgrader's Edit) written beside the notebook as ``DUE.txt``, which every student's fetch brings into
  their folder; ``PrivateSubmit`` reads it back and warns a student who submits after it.
- ``CheckedCollect``: the instructor collects a submission only if the student it names owns it and every file in
  it, and it holds only regular files and folders (no symbolic link, device, pipe or socket: nbgrader's copy would
  follow a link with the instructor's rights, to the key or to ``/dev/zero``); the copy itself opens every entry
  without following links and checks its owner again on the open file, so a link swapped in after the check is
  refused too. A submission that claims an earlier time than the file system recorded is collected with the
  recorded time (so nbgrader's late penalty sees the real one). Each refusal is logged; the rest of the class is
  collected.
"""

from __future__ import annotations

import fnmatch
import glob
import grp
import os
import pwd
import shutil
import stat
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.auth.base import BaseAuthPlugin
from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.exchange.default.release_assignment import ExchangeReleaseAssignment
from nbgrader.exchange.default.submit import ExchangeSubmit
from nbgrader.utils import get_username, parse_utc
from traitlets import Dict, Float, Int, List, Unicode

from course.autograder.deadlines import time_zones

#: How much earlier than the file system's record a submission's own time may be (copying takes a moment).
SLACK_SECONDS = 300.0


def group_members(group: str) -> set[str]:
    """Logins in a Unix group: its listed members and the accounts whose primary group it is."""
    try:
        entry = grp.getgrnam(group)
    except KeyError:
        return set()
    primary = {p.pw_name for p in pwd.getpwall() if p.pw_gid == entry.gr_gid}
    return set(entry.gr_mem) | primary


class UnixGroupAuthPlugin(BaseAuthPlugin):
    """Course membership from Unix groups: ``course_groups = {"<course id>": ["<group>", ...]}``."""

    course_groups = Dict(
        value_trait=List(Unicode()),
        help="For each course id, the Unix groups whose members take the course (students and instructors).",
    ).tag(config=True)

    def get_student_courses(self, student_id: str) -> list[str]:
        login = get_username() if student_id in ("*", "") else student_id
        return sorted(
            course
            for course, groups in self.course_groups.items()
            if any(login in group_members(group) for group in groups)
        )

    def add_student_to_course(self, student_id: str, course_id: str) -> None:
        """Membership is the roster's business (make hub-users), not the formgrader's."""

    def remove_student_from_course(self, student_id: str, course_id: str) -> None:
        """Membership is the roster's business (make hub-users), not the formgrader's."""


DUE_FILE = "DUE.txt"


def due_text(assignment: str, due: datetime, zone: str = "") -> str:
    """DUE.txt: the date for people (in the course's time zone when deadlines.csv names one), then for programs."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    due = due.replace(tzinfo=UTC) if due.tzinfo is None else due.astimezone(UTC)
    try:
        local = due.astimezone(ZoneInfo(zone)) if zone else due
    except (ZoneInfoNotFoundError, ValueError):
        local, zone = due, ""
    return (
        f"{assignment} is due {local:%A %d %B %Y, %H:%M} ({zone or 'UTC'}).\n"
        "A submission after that is late. If your instructor gave you an extension, your own date counts: the\n"
        "late penalty is worked out from it when your work is graded.\n"
        f"due-utc: {due:%Y-%m-%dT%H:%M:%SZ}\n"
    )


def read_due(path: Path) -> datetime | None:
    """The due date DUE.txt gives (its ``due-utc`` line), or None."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    for line in text.splitlines():
        if line.startswith("due-utc: "):
            try:
                return datetime.strptime(line[9:].strip(), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            except ValueError:
                return None
    return None


class ReleaseWithDueDate(ExchangeReleaseAssignment):
    """nbgrader's release, then DUE.txt beside the notebook when the gradebook has a due date for the problem set."""

    def copy_files(self) -> None:
        super().copy_files()
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                due = gb.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                due = None
        target = Path(self.dest_path) / DUE_FILE
        if due is None:
            target.unlink(missing_ok=True)
            return
        zone = time_zones(Path(self.coursedir.root)).get(self.coursedir.assignment_id, "")
        target.write_text(due_text(self.coursedir.assignment_id, due, zone))
        target.chmod(0o644)
        self.log.info("Due date written to the release: %s", target)


class PrivateSubmit(ExchangeSubmit):
    """nbgrader's submit, then the submission made readable by the inbound folder's group (the instructors) only."""

    def init_dest(self) -> None:
        own = get_username()
        if self.coursedir.student_id not in ("*", "", own):
            self.fail(f"You can submit only as yourself ({own}), not as {self.coursedir.student_id}.")
        super().init_dest()

    def do_copy(self, src: str, dest: str) -> None:
        """nbgrader's copy, made so that every file of a submission belongs to the inbound folder's group.

        ``copytree`` ends by copying the student's folder's mode onto the new folder, which drops the set-group-id
        bit that hands the group on, so the files nbgrader writes next (its time and secret) would belong to the
        student's own group. The copy goes into a folder inside the new one, and is then moved up."""
        target = Path(dest)
        if target.parent != Path(self.inbound_path):
            super().do_copy(src, dest)
            return
        target.mkdir()
        staging = target / ".staging"
        super().do_copy(src, str(staging))
        for item in staging.iterdir():
            item.rename(target / item.name)
        staging.rmdir()

    def copy_files(self) -> None:
        super().copy_files()
        due = read_due(
            Path(self.root) / self.coursedir.course_id / "outbound" / self.coursedir.assignment_id / DUE_FILE
        )
        if due is not None and datetime.now(UTC) > due:
            self.log.warning(
                "This submission is late: %s was due %s UTC. If you have an extension, your own date counts.",
                self.coursedir.assignment_id,
                f"{due:%Y-%m-%d %H:%M}",
            )
        inbound = os.stat(self.inbound_path)
        dest = Path(self.inbound_path) / self.assignment_filename
        # Only where the deployment made inbound set-group-id to the instructors' group: elsewhere the submission's
        # group would be the student's own and the instructor could not read it.
        if not inbound.st_mode & stat.S_ISGID or os.stat(dest).st_gid != inbound.st_gid:
            self.log.info(
                "Inbound is not group-owned by the instructors; the submission keeps nbgrader's permissions"
            )
            return
        for path in sorted(dest.rglob("*"), reverse=True):
            if not path.is_symlink():
                path.chmod(0o2770 if path.is_dir() else 0o640)
        dest.chmod(0o2770)


def recorded_time(path: Path) -> datetime:
    """When the file system last saw a change to ``path`` or anything in it (status-change times: a user can set a
    file's modification time, not this one)."""
    latest = os.lstat(path).st_ctime
    for inner in path.rglob("*"):
        latest = max(latest, os.lstat(inner).st_ctime)
    return datetime.fromtimestamp(latest, UTC).replace(tzinfo=None)  # naive UTC, as nbgrader's times


class Refused(Exception):
    """A submission that is not collected: the message says which entry and why."""


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISFIFO, "a pipe"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
    ):
        if test(mode):
            return name
    return "not a regular file or folder"


def unsafe_entries(path: Path) -> list[str]:
    """Entries in a submission that are not regular files or folders, as "<entry> (<what it is>)", found without
    following any link."""
    found = []
    pending = [path]
    while pending:
        folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                mode = entry.stat(follow_symlinks=False).st_mode
                if stat.S_ISDIR(mode):
                    pending.append(Path(entry.path))
                elif not stat.S_ISREG(mode):
                    found.append(f"{Path(entry.path).relative_to(path)} ({_kind(mode)})")
    return sorted(found)


_OPEN_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_OPEN_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def copy_owned_tree(
    src: str, dest: str, uid: int, max_bytes: int, max_entries: int, skip=lambda rel, size: False
) -> list[str]:
    """Copy the folder ``src`` to ``dest`` taking only regular files and folders that ``uid`` owns, never following a
    link: each entry is opened relative to its folder's open descriptor with ``O_NOFOLLOW`` and checked on the open
    descriptor (so an entry swapped for a link between a check and the copy is refused, not followed). Raises
    :class:`Refused` naming the entry, or when the copy passes ``max_bytes`` or ``max_entries``. ``skip(rel, size)``
    leaves a file out (nbgrader's ignore and size rules); the skipped names are returned."""
    budget = {"bytes": max_bytes, "entries": max_entries}
    skipped: list[str] = []
    try:
        top = os.open(src, _OPEN_DIR)
    except OSError as error:
        raise Refused(
            f"the submission's folder cannot be opened without following a link ({error.strerror})"
        ) from None
    try:
        _check_owner(os.fstat(top), uid, "the folder")
        _copy_folder(top, Path(dest), "", uid, budget, skip, skipped)
    finally:
        os.close(top)
    return skipped


def _check_owner(info: os.stat_result, uid: int, rel: str) -> None:
    if info.st_uid != uid:
        try:
            owner = pwd.getpwuid(info.st_uid).pw_name
        except KeyError:
            owner = f"uid {info.st_uid}"
        raise Refused(f"{rel} belongs to {owner}, not to the student")


def _copy_folder(fd: int, dest: Path, rel: str, uid: int, budget: dict, skip, skipped: list[str]) -> None:
    dest.mkdir()
    for name in sorted(os.listdir(fd)):
        inner = f"{rel}{name}"
        budget["entries"] -= 1
        if budget["entries"] < 0:
            raise Refused(f"it holds more than the allowed number of files (at {inner!r})")
        info = os.stat(name, dir_fd=fd, follow_symlinks=False)
        if stat.S_ISDIR(info.st_mode):
            child = _open(name, fd, _OPEN_DIR, inner, uid, stat.S_ISDIR)
            try:
                _copy_folder(child, dest / name, f"{inner}/", uid, budget, skip, skipped)
            finally:
                os.close(child)
        elif stat.S_ISREG(info.st_mode):
            if skip(inner, info.st_size):
                skipped.append(inner)
                continue
            handle = _open(name, fd, _OPEN_FILE, inner, uid, stat.S_ISREG)
            try:
                _copy_bytes(handle, dest / name, inner, budget)
            finally:
                os.close(handle)
        else:
            raise Refused(f"{inner} is {_kind(info.st_mode)}")


def _open(name: str, dir_fd: int, flags: int, rel: str, uid: int, is_kind) -> int:
    """Open ``name`` in its folder without following a link; check, on the open descriptor, that it is still of the
    kind the check saw (``is_kind``) and that ``uid`` owns it."""
    try:
        opened = os.open(name, flags, dir_fd=dir_fd)
    except OSError as error:  # ELOOP: a link put in its place; ENOTDIR: a file put in a folder's place
        raise Refused(f"{rel} could not be opened without following a link ({error.strerror})") from None
    try:
        info = os.fstat(opened)
        if not is_kind(info.st_mode):
            raise Refused(f"{rel} changed while it was being collected: it is now {_kind(info.st_mode)}")
        _check_owner(info, uid, rel)
    except Refused:
        os.close(opened)
        raise
    return opened


def _copy_bytes(handle: int, target: Path, rel: str, budget: dict) -> None:
    out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o640)
    try:
        while chunk := os.read(handle, 1 << 20):
            budget["bytes"] -= len(chunk)
            if budget["bytes"] < 0:
                raise Refused(f"it is larger than the allowed size (at {rel!r})")
            os.write(out, chunk)
    finally:
        os.close(out)


def strangers(path: Path, login: str) -> list[str]:
    """Entries in a submission not owned by the student it names, as "<path> (owner)"."""
    found = []
    for inner in [path, *path.rglob("*")]:
        uid = os.lstat(inner).st_uid
        try:
            owner = pwd.getpwuid(uid).pw_name
        except KeyError:
            owner = f"uid {uid}"
        if owner != login:
            found.append(f"{inner.relative_to(path) if inner != path else 'the folder'} ({owner})")
    return found


def submission_record(name: str) -> dict:
    """The record nbgrader's collect copies from (``src_records``), for an inbound folder named
    ``login+assignment+timestamp``: the same split and the same fields as nbgrader's own reading of the name, and
    an error for a name it cannot read (nbgrader's stops the whole collect there)."""
    parts = name.rsplit("+", 3)
    if len(parts) < 3:
        raise ValueError(f"Invalid filename: {name}")
    return {"username": parts[0], "filename": name, "timestamp": parse_utc(parts[2])}


class CheckedCollect(ExchangeCollect):
    """nbgrader's collect, believing only submissions their student owns, timed by the file system."""

    slack_seconds = Float(SLACK_SECONDS, help="How much earlier a submission may say it was made.").tag(
        config=True
    )
    max_submission_bytes = Int(
        100 * 1024 * 1024, help="A submission larger than this (all its files together) is not collected."
    ).tag(config=True)
    max_submission_entries = Int(2000, help="A submission with more files and folders is not collected.").tag(
        config=True
    )

    def init_src(self) -> None:
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail(f"Course not found: {self.inbound_path}")
        if not os.access(self.inbound_path, os.R_OK | os.X_OK):
            self.fail(f"You don't have read permissions for the directory: {self.inbound_path}")
        student_id = self.coursedir.student_id or "*"
        pattern = os.path.join(self.inbound_path, f"{student_id}+{self.coursedir.assignment_id}+*")
        self.corrected: dict[str, str] = {}
        records = []
        for found in sorted(glob.glob(pattern)):
            record = self._checked_record(Path(found))
            if record is not None:
                records.append(record)
        records.sort(key=lambda r: r["username"])
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                self.duedate = gb.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                self.duedate = None
        self.src_records = []
        for _, group in groupby(records, key=lambda r: r["username"]):
            ordered = sorted(group, key=lambda r: r["timestamp"], reverse=True)  # newest first, as nbgrader
            if self.duedate is not None and self.before_duedate:
                on_time = [r for r in ordered if r["timestamp"] <= self.duedate]
                ordered = on_time or ordered
            self.src_records.append(ordered[0])

    def _checked_record(self, path: Path) -> dict | None:
        try:
            record = submission_record(path.name)
        except (
            Exception
        ) as error:  # a name nbgrader cannot read (ValueError, OverflowError, ...): say so, go on
            self.log.error("Not collected: %s is not a submission's name (%s)", path.name, error)
            return None
        login = record["username"]
        others = strangers(path, login)
        if others:
            self.log.error(
                "Not collected: %s names %s but holds entries written by someone else: %s",
                path.name,
                login,
                ", ".join(others[:5]),
            )
            return None
        unsafe = unsafe_entries(path)
        if (
            unsafe
        ):  # nbgrader's copy follows links with the instructor's rights: to the key, the gradebook, /dev/zero
            self.log.error(
                "Not collected: %s holds entries that are not regular files or folders: %s",
                path.name,
                ", ".join(unsafe[:5]),
            )
            return None
        missing = [name for name in ("timestamp.txt", "submission_secret.txt") if not (path / name).is_file()]
        if missing:  # nbgrader submit always writes both; without the secret, releasing feedback would stop
            self.log.error(
                "Not collected: %s was not made by nbgrader submit (no %s)", path.name, " or ".join(missing)
            )
            return None
        received = recorded_time(path)
        claimed = parse_utc(record["timestamp"])
        if (received - claimed).total_seconds() > self.slack_seconds:
            self.log.warning(
                "%s says it was submitted at %s, but the file system last saw it change at %s; "
                "it is collected with %s (late penalties apply to that time)",
                path.name,
                claimed,
                received,
                received,
            )
            record["timestamp"] = received
            self.corrected[record["filename"]] = received.strftime("%Y-%m-%d %H:%M:%S.%f UTC")
        return record

    def do_copy(self, src: str, dest: str, log=None) -> None:
        """nbgrader's copy, without following links: regular files and folders the submission's owner owns, within
        the size and count limits; nbgrader's ignore, include and file-size rules still apply. A refused submission
        is logged and left out; the others are still collected."""
        coursedir = self.coursedir

        def skip(rel: str, size: int) -> bool:
            name = Path(rel).name
            if coursedir.ignore and any(fnmatch.fnmatch(name, glob) for glob in coursedir.ignore):
                return True
            if coursedir.include and not any(fnmatch.fnmatch(name, glob) for glob in coursedir.include):
                return True
            if coursedir.max_file_size and size > 1000 * coursedir.max_file_size:
                self.log.warning("Ignoring file too large %r in %s (CourseDirectory.max_file_size)", rel, src)
                return True
            return False

        uid = os.lstat(src).st_uid
        try:
            copy_owned_tree(src, dest, uid, self.max_submission_bytes, self.max_submission_entries, skip)
        except Refused as refusal:
            shutil.rmtree(dest, ignore_errors=True)
            self.log.error("Not collected: %s: %s", Path(src).name, refusal)
            return
        if coursedir.groupshared:  # as nbgrader's own copy: the instructors' group may read and write
            for folder, _, files in os.walk(dest):
                os.chmod(folder, 0o2770)
                for name in files:
                    os.chmod(os.path.join(folder, name), 0o660)

    def copy_files(self) -> None:
        super().copy_files()
        for record in self.src_records:
            if record["filename"] not in self.corrected:
                continue
            dest = self.coursedir.format_path(
                self.coursedir.submitted_directory, record["username"], self.coursedir.assignment_id
            )
            source = Path(self.inbound_path, record["filename"], "timestamp.txt")
            collected = Path(dest, "timestamp.txt")
            # Only where this collect copied that submission (not one collected earlier and kept).
            if collected.is_file() and source.read_bytes() == collected.read_bytes():
                collected.write_text(self.corrected[record["filename"]])
