"""Coding files: one student's codes for a set of statements, as a plain CSV in their folder, and a class's files
gathered from wherever they are (a folder, nbgrader's ``submitted/`` after collect, an LMS zip).

A coding file has one header line and one line per statement::

    statement_id,stance,valence,commitment,target,justification
    zakharova_not_alliance,endorsement,positive,words_only,treaty,S4: she defends the treaty against a reading of it

The columns between the id and the justification are the codebook's variables, in its order. A file written before
valence was coded apart (``statement_id,stance,commitment,target,justification``) is still read: its valence is
"not coded". A code left blank is "not coded" (it counts nowhere). Everything read here is treated as hostile bytes: links are
never followed, only regular files are read, sizes and line counts are capped, and every problem is reported with
the file and line, while the rest of the class is still counted.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from course.content.codebook import VARIABLES

HEADER = ("statement_id", *VARIABLES, "justification")
#: Headers of earlier coding files that are still read (the variables they lack are not coded).
OLDER_HEADERS = (("statement_id", "stance", "commitment", "target", "justification"),)
FILE_NAME = "codes.csv"
MAX_BYTES = 256 * 1024
MAX_LINES = 2000
MAX_FILES = 5000
MAX_ZIP_BYTES = 64 * 1024**2
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


@dataclass
class Codes:
    """One coder's codes: ``codes[variable][statement_id]`` is a code; ``why[statement_id]`` the justification."""

    coder: str
    where: str
    codes: dict[str, dict[str, str]] = field(default_factory=lambda: {v: {} for v in VARIABLES})
    why: dict[str, str] = field(default_factory=dict)


@dataclass
class Gathered:
    coders: list[Codes]
    problems: list[str]


def parse(
    data: bytes, coder: str, where: str, statements: list[str] | tuple[str, ...]
) -> tuple[Codes | None, list[str]]:
    """Read one coding file's bytes. Returns the codes (None when the file cannot be used at all) and the problems,
    each naming ``where`` and the line."""
    problems: list[str] = []
    if len(data) > MAX_BYTES:
        return None, [f"{where}: more than a coding file can hold ({MAX_BYTES:,} bytes); not counted"]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return None, [f"{where}: not UTF-8 text (byte {error.start}); save it as CSV (UTF-8); not counted"]
    if "\x00" in text:
        return None, [f"{where}: contains NUL bytes, not a CSV file; not counted"]
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) > MAX_LINES:
        return None, [f"{where}: {len(rows):,} lines, more than {MAX_LINES:,}; not counted"]
    header = tuple(cell.strip() for cell in rows[0]) if rows else ()
    if header != HEADER and header not in OLDER_HEADERS:
        found = ",".join(rows[0])[:120] if rows else "an empty file"
        return None, [f"{where}, line 1: the header must be {','.join(HEADER)}; found {found!r}; not counted"]
    variables = header[1:-1]
    known = set(statements)
    out = Codes(coder, where)
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(f"{where}, line {line}: {len(row)} fields, expected {len(header)}; line skipped")
            continue
        sid, *values, why = (cell.strip() for cell in row)
        if sid not in known:
            problems.append(
                f"{where}, line {line}: {sid[:60]!r} is not a statement of this set; line skipped"
            )
            continue
        if sid in seen:
            problems.append(
                f"{where}, line {line}: {sid} was already coded on line {seen[sid]}; line skipped"
            )
            continue
        seen[sid] = line
        for variable, value in zip(variables, values, strict=True):
            if not value:
                continue
            if value not in VARIABLES[variable].values:
                problems.append(
                    f"{where}, line {line}: {value[:40]!r} is not a {variable} code "
                    f"({', '.join(VARIABLES[variable].values)}); that code left out"
                )
                continue
            out.codes[variable][sid] = value
        out.why[sid] = why
    return out, problems


def read_regular(path: str | Path, limit: int) -> bytes:
    """A regular file's bytes, never through a link (``O_NOFOLLOW``, and the open file itself checked): at most
    ``limit + 1`` bytes, so that a caller sees a file over ``limit`` without reading it all. Raises OSError for a
    link, a FIFO, a device or a folder."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        chunks, left = [], limit + 1
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _candidates_in_folder(root: Path, assignment: str | None) -> list[tuple[str, str, Path]]:
    """(coder, where, path) for every coding file under ``root``: ``submitted/<student>/<assignment>/codes.csv``
    (nbgrader, after collect), ``<student>/codes.csv`` or ``<student>.csv``. Links are listed, never followed."""
    found = []
    submitted = root / "submitted"
    if submitted.is_dir() and not submitted.is_symlink():
        if assignment is None:
            raise ValueError(
                f"{root} holds nbgrader's submitted/ folder: name the assignment whose codes to read"
            )
        for student in sorted(os.listdir(submitted)):
            base = submitted / student
            if base.is_symlink():
                continue
            found.append(
                (student, f"submitted/{student}/{assignment}/{FILE_NAME}", base / assignment / FILE_NAME)
            )
        return found
    for name in sorted(os.listdir(root)):
        path = root / name
        if name.endswith(".csv"):
            found.append((name[:-4], name, path))
        elif stat.S_ISDIR(os.lstat(path).st_mode) and os.path.lexists(path / FILE_NAME):
            found.append((name, f"{name}/{FILE_NAME}", path / FILE_NAME))
    return found


def gather(source: str | Path, statements, assignment: str | None = None) -> Gathered:
    """Every coder's codes from a folder or a .zip (see the module's docstring), with the problems found.

    A coder who appears twice (two files for one name) is left out, and both places are named: a report cannot
    know which is theirs."""
    source = Path(source)
    if source.suffix.lower() == ".zip":
        try:
            archive = zipfile.ZipFile(_read_zip(source))
        except (OSError, zipfile.BadZipFile) as error:
            return Gathered([], [f"{source.name}: not a readable zip ({error}); nothing counted"])
        entries, problems = _entries_in_zip(archive, source.name)
    elif source.is_dir():
        entries, problems = _entries_in_folder(source, assignment)
    else:
        return Gathered([], [f"{source}: neither a folder nor a .zip; nothing counted"])

    by_coder: dict[str, list[str]] = {}
    for coder, where, _ in entries:
        by_coder.setdefault(coder, []).append(where)
    coders = []
    for coder, where, data in entries:
        if not STUDENT_ID.match(coder):
            problems.append(f"{where}: {coder[:40]!r} is not a student id; not counted")
            continue
        if len(by_coder[coder]) > 1:
            if where == by_coder[coder][0]:
                problems.append(
                    f"{coder} has {len(by_coder[coder])} coding files ({'; '.join(by_coder[coder])}); "
                    "none counted until one is removed"
                )
            continue
        codes, found = parse(data, coder, where, statements)
        problems += found
        if codes is not None:
            coders.append(codes)
    return Gathered(coders, problems)


#: A coding file found: whose it is (by its place), where it was found (for messages), and its bytes.
Entry = tuple[str, str, bytes]


def _entries_in_zip(archive: zipfile.ZipFile, label: str) -> tuple[list[Entry], list[str]]:
    entries, problems = [], []
    for info in archive.infolist()[:MAX_FILES]:
        name = PurePosixPath(info.filename)
        if info.is_dir() or name.suffix != ".csv":
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            problems.append(f"{label}: {info.filename}: a link, not a file; not counted")
            continue
        coder = name.parent.name if name.name == FILE_NAME else name.stem
        with archive.open(info) as member:  # at most MAX_BYTES + 1 bytes inflated, whatever the header says
            entries.append((coder, f"{label}: {info.filename}", member.read(MAX_BYTES + 1)))
    return entries, problems


def _entries_in_folder(folder: Path, assignment: str | None) -> tuple[list[Entry], list[str]]:
    entries, problems = [], []
    for coder, where, path in _candidates_in_folder(folder, assignment)[:MAX_FILES]:
        try:
            entries.append((coder, where, read_regular(path, MAX_BYTES)))
        except FileNotFoundError:
            problems.append(f"{where}: missing; {coder} not counted")
        except OSError as error:
            why = (
                "a link, and links are not followed"
                if error.errno == errno.ELOOP
                else error.strerror or error
            )
            problems.append(f"{where}: not read ({why}); {coder} not counted")
    return entries, problems


def _read_zip(path: Path) -> io.BytesIO:
    data = read_regular(path, MAX_ZIP_BYTES)
    if len(data) > MAX_ZIP_BYTES:
        raise OSError(errno.EFBIG, f"larger than {MAX_ZIP_BYTES // 1024**2} MiB")
    return io.BytesIO(data)


def write(path: str | Path, codes: dict[str, dict[str, str]], why: dict[str, str], statements) -> Path:
    """Write a coding file (what the coding widget saves): one line per statement, blanks where not coded."""
    path = Path(path)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for sid in statements:
        writer.writerow([sid, *(codes.get(v, {}).get(sid, "") for v in VARIABLES), why.get(sid, "")])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path
