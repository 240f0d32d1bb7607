"""The files of a submission a grading kernel may see, and what ``make autograde`` refuses before nbgrader runs."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

from course.autograder.common import Flag, course_root_of, flag

#: What a submission folder may hold: regular files and folders, within these sizes.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES = 200
MAX_TOTAL_BYTES = 50 * 1024 * 1024


class SubmissionFiles:
    """The files of one submission that a grading kernel may see, checked without following any link.

    nbgrader copies ``submitted/<student>/<assignment>/`` into ``autograded/`` with ``shutil.copy``, which
    follows symbolic links: a link to ``../../../source`` would be copied as the solutions themselves. So the
    kernel never sees the ``autograded/`` copy; it gets these files: the submission's regular files (no links,
    devices, FIFOs or sockets; no file over ``MAX_FILE_BYTES``; at most ``MAX_FILES`` files and
    ``MAX_TOTAL_BYTES`` in all), plus the instructor's own non-notebook files from ``source/<assignment>/``.
    Anything refused is skipped and reported in :attr:`refused` (violation flags).
    """

    def __init__(self, files: dict[str, Path], refused: list[str]):
        self.files, self.refused = files, refused

    @classmethod
    def scan(cls, folder: Path, instructor_folder: Path | None = None) -> SubmissionFiles:
        files: dict[str, Path] = {}
        refused: list[str] = []
        total = 0

        def walk(current: Path, relative: str) -> None:
            nonlocal total
            try:
                entries = sorted(os.scandir(current), key=lambda e: e.name)
            except OSError as err:
                refused.append(f"{relative or '.'}: unreadable ({err.strerror})")
                return
            for entry in entries:
                name = f"{relative}{entry.name}"
                mode = entry.stat(follow_symlinks=False).st_mode
                if stat.S_ISDIR(mode):
                    walk(Path(entry.path), name + "/")
                elif not stat.S_ISREG(mode):
                    kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
                    refused.append(f"{name} is {kind}")
                elif len(files) >= MAX_FILES:
                    refused.append(f"{name}: more than {MAX_FILES} files")
                else:
                    size = entry.stat(follow_symlinks=False).st_size
                    if size > MAX_FILE_BYTES:
                        refused.append(
                            f"{name} is {size / 2**20:.1f} MiB (limit {MAX_FILE_BYTES // 2**20} MiB)"
                        )
                    elif total + size > MAX_TOTAL_BYTES:
                        refused.append(
                            f"{name}: the submission exceeds {MAX_TOTAL_BYTES // 2**20} MiB in all"
                        )
                    else:
                        total += size
                        files[name] = Path(entry.path)

        if folder.is_dir() and not folder.is_symlink():
            walk(folder, "")
        elif folder.exists():
            refused.append(f"{folder.name} is not a folder")
        if instructor_folder is not None and instructor_folder.is_dir():
            for path in sorted(instructor_folder.rglob("*")):
                if path.is_file() and path.suffix != ".ipynb" and ".ipynb_checkpoints" not in path.parts:
                    files[path.relative_to(instructor_folder).as_posix()] = path
        return cls(files, refused)

    @classmethod
    def for_notebook(cls, resources) -> SubmissionFiles | None:
        info = (resources or {}).get("nbgrader", {})
        path = (resources or {}).get("metadata", {}).get("path")
        root = course_root_of(path) if path else None
        student, assignment = info.get("student"), info.get("assignment")
        if root is None or not student or not assignment:
            return None
        return cls.scan(root / "submitted" / student / assignment, root / "source" / assignment)

    def copy_to(self, target: Path) -> None:
        """Copy the files into ``target``, reading each without following links (a file swapped is refused)."""
        for name, source in self.files.items():
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
            except OSError as err:
                self.refused.append(f"{name}: could not be read safely ({err.strerror})")
                continue
            with os.fdopen(fd, "rb") as reader, open(destination, "wb") as writer:
                shutil.copyfileobj(reader, writer)

    def flags(self) -> list[Flag]:
        return [flag("violation", f"submitted file refused: {reason}") for reason in self.refused]


def refused_path(course_root: Path, assignment: str) -> Path:
    return course_root / "reports" / f"{assignment}-refused.json"


def refuse_files(course_root: Path, assignment: str) -> dict[str, list[str]]:
    """Move what a submission may not hold out of ``submitted/`` (into ``refused/``), before nbgrader copies it.

    nbgrader's copy follows symbolic links: a link beside the notebook, or a notebook that is itself a link,
    would bring the solutions into the grading. Links, devices, FIFOs, sockets, files over the size limit and
    files beyond the count limit (see :class:`SubmissionFiles`) are moved, as they are, to
    ``refused/<student>/<assignment>/``; the reasons are kept in ``reports/<assignment>-refused.json`` and become
    violation flags in the report.
    """
    refused: dict[str, list[str]] = {}
    for folder in sorted((course_root / "submitted").glob(f"*/{assignment}")):
        reasons = refuse_folder(course_root, folder.parent.name, assignment)
        if reasons:
            refused[folder.parent.name] = reasons
    record = refused_path(course_root, assignment)
    return json.loads(record.read_text(encoding="utf-8")) if record.exists() else refused


def refuse_folder(
    course_root: Path, student: str, assignment: str, keep_notebooks: bool = False
) -> list[str]:
    """:func:`refuse_files` for one student's submission; with ``keep_notebooks``, a notebook at the top of the
    folder stays where nbgrader looks for it (nbgrader has listed it already; the grading reads it without
    following a link, and :class:`SubmissionFiles` refuses it for the kernel)."""
    folder = course_root / "submitted" / student / assignment
    files = SubmissionFiles.scan(folder)
    if not files.refused:
        return []
    kept = set(files.files)
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        name = path.relative_to(folder).as_posix()
        if name in kept or (path.is_dir() and not path.is_symlink()):
            continue
        if keep_notebooks and "/" not in name and name.endswith(".ipynb"):
            continue
        target = course_root / "refused" / student / assignment / name
        target.parent.mkdir(parents=True, exist_ok=True)
        path.rename(target)
    record = refused_path(course_root, assignment)
    refused = json.loads(record.read_text(encoding="utf-8")) if record.exists() else {}
    reasons = refused.setdefault(student, [])
    reasons += [reason for reason in files.refused if reason not in reasons]
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(refused, indent=2) + "\n", encoding="utf-8")
    return reasons


def refuse_before_copy(assignment: str, student: str, notebooks: list[str]) -> None:
    """nbgrader's ``Autograde.pre_convert_hook`` (assignments/nbgrader_config.py): :func:`refuse_folder` for the
    submission about to be graded, so that any ``nbgrader autograde`` (the command, the formgrader's button), not
    only ``make autograde``, copies no link into ``autograded/``. nbgrader copies a link's target (a class secret,
    a file only the grader can read) and makes the copy readable by all.

    nbgrader calls the hook with the notebooks it found in ``submitted/<student>/<assignment>/`` (never none; its
    ``student`` and ``assignment`` are the command's, which may be patterns such as ``*``, so the folder names the
    submission) and logs and ignores an exception the hook raises, then copies anyway: so a failure here stops
    the grading instead.
    """
    try:
        folder = Path(os.path.abspath(notebooks[0])).parent
        if folder.parents[1].name != "submitted":
            raise ValueError(f"{folder} is not a folder submitted/<student>/<assignment>/")
        refuse_folder(folder.parents[2], folder.parent.name, folder.name, keep_notebooks=True)
    except Exception as err:
        raise SystemExit(
            f"autograde stopped before copying the files of {notebooks[:1]}: they could not be checked ({err})"
        ) from err


def normalize_submissions(course_root: Path, assignment: str) -> list[dict[str, str]]:
    """Refuse what a submission may not hold, and rename a student's only notebook when they renamed it.

    First :func:`refuse_files`. Then a submission folder with exactly one ``.ipynb`` whose name is not the
    assignment's gets it renamed (the original is kept as ``<name>.original``); with several, nothing is
    guessed and the case is reported.
    """
    expected = f"{assignment}.ipynb"
    events = [
        {"student": student, "event": f"refused and moved to refused/{student}/{assignment}/: {reason}"}
        for student, reasons in refuse_files(course_root, assignment).items()
        for reason in reasons
    ]
    submitted = course_root / "submitted"
    for folder in sorted(submitted.glob(f"*/{assignment}")):
        student = folder.parent.name
        notebooks = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
        if (folder / expected).exists() or not notebooks:
            if not notebooks:
                events.append({"student": student, "event": "no notebook submitted"})
            continue
        if len(notebooks) == 1:
            (folder / expected).write_bytes(notebooks[0].read_bytes())
            notebooks[0].rename(notebooks[0].with_name(notebooks[0].name + ".original"))
            events.append(
                {
                    "student": student,
                    "event": f"notebook was named {notebooks[0].name!r}; graded as {expected}",
                }
            )
        else:
            names = ", ".join(p.name for p in notebooks)
            events.append(
                {"student": student, "event": f"several notebooks ({names}) and none named {expected}"}
            )
    return events
