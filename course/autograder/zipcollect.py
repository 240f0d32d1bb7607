"""``CheckedExtractor``: nbgrader's ``zip_collect`` extraction, for archives that may be hostile.

An LMS download is a folder of archives the students' uploads went into; ``nbgrader zip_collect`` extracts them
and files each notebook under ``submitted/``. nbgrader's own extractor (setuptools' ``unpack_zipfile``) skips
absolute names and ``..``, but extracts any size, any number of entries and any name. This one extracts only:

- regular files (no links, devices or folders taken from the archive: folders are made as needed);
- under a name that stays inside the target: relative, no ``..`` or empty part, no part starting with ``.``, no
  control character (a newline in a name would split a log line or a CSV row), no backslash, at most 255 bytes a
  part and 1,024 in all;
- within limits: ``max_entries`` entries an archive, ``max_file_bytes`` a file and ``max_total_bytes`` an archive,
  counted on what is actually read (an entry that lies about its size in the header is stopped when it passes
  the limit, never written whole);
- with files created new (``O_EXCL | O_NOFOLLOW``): nothing already in the target is followed or overwritten.

Each refusal is logged as a warning naming the archive, the entry and why, and the whole list is written to
``downloaded/<assignment>/refused.json`` for the instructor; the rest of the class is extracted. A file in the
archive folder that is not an archive is copied if it is a regular file (never through a link).
"""

from __future__ import annotations

import json
import os
import stat
import tarfile
import zipfile
from pathlib import Path

from nbgrader.plugins.zipcollect import ExtractorPlugin
from traitlets import Integer

CHUNK = 1024 * 1024


class Refused(Exception):
    """An entry that is not extracted; the message says why."""


def safe_name(name: str) -> str:
    """``name`` (an archive entry's) as a relative path that stays inside the target, or :class:`Refused`."""
    if "\\" in name:
        raise Refused("a backslash in the name")
    if not name.isprintable():
        raise Refused("a control character in the name")
    if name.startswith("/"):
        raise Refused("an absolute name")
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise Refused("an empty, '.' or '..' part in the name")
    if any(part.startswith(".") for part in parts):
        raise Refused("a part of the name starts with '.'")
    try:
        encoded = [part.encode("utf-8") for part in parts]
    except UnicodeEncodeError:
        raise Refused("a name that is not text") from None
    if any(len(part) > 255 for part in encoded) or len(name.encode("utf-8")) > 1024:
        raise Refused("a name too long")
    return name


class CheckedExtractor(ExtractorPlugin):
    """nbgrader's extractor, extracting only regular files with safe names, within size and count limits."""

    max_entries = Integer(1000, help="An archive with more entries is extracted up to this many.").tag(
        config=True
    )
    max_file_bytes = Integer(20 * 1024 * 1024, help="A larger file is not extracted.").tag(config=True)
    max_total_bytes = Integer(
        200 * 1024 * 1024, help="What one archive may extract in all; the rest is refused."
    ).tag(config=True)

    def extract(self, archive_path: str, extracted_path: str) -> None:
        self.refused: list[dict[str, str]] = []
        target = Path(extracted_path)
        target.mkdir(parents=True, exist_ok=True)
        for root, _dirs, files in os.walk(archive_path):  # os.walk does not follow links to folders
            for file_name in sorted(files):
                path = Path(root, file_name)
                where = target / Path(root).relative_to(archive_path)
                try:
                    info = path.lstat()
                    if not stat.S_ISREG(info.st_mode):
                        raise Refused("not a regular file (a link, a device or a pipe)")
                    if zipfile.is_zipfile(path):
                        self._extract_zip(path, where / self._folder(path))
                    elif _is_tar(path):
                        self._extract_tar(path, where / self._folder(path))
                    else:
                        self._copy(path, where / safe_name(file_name), info.st_size)
                except (Refused, OSError, zipfile.BadZipFile, tarfile.TarError, EOFError) as why:
                    self._refuse(path, "", why)
        report = Path(archive_path).parent / "refused.json"
        report.write_text(json.dumps(self.refused, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        if self.refused:
            self.log.warning("%d entries refused; the list is in %s", len(self.refused), report)

    @staticmethod
    def _folder(path: Path) -> str:
        name = path.name
        for suffix in (".zip", ".tar.gz", ".tgz", ".tar", ".gz"):
            if name.endswith(suffix):
                name = name[: -len(suffix)]
                break
        return safe_name(name or "archive")

    def _refuse(self, archive: Path, entry: str, why: object) -> None:
        self.refused.append({"archive": archive.name, "entry": entry, "why": str(why)})
        self.log.warning("refused %s%s: %s", archive.name, f" ({entry!r})" if entry else "", why)

    def _extract_zip(self, path: Path, folder: Path) -> None:
        total = 0
        with zipfile.ZipFile(path) as archive:
            for count, info in enumerate(archive.infolist()):
                if count >= self.max_entries:
                    self._refuse(path, info.filename, f"more than {self.max_entries} entries")
                    break
                if info.is_dir():
                    continue
                try:
                    kind = stat.S_IFMT(info.external_attr >> 16)
                    if kind and kind != stat.S_IFREG:
                        raise Refused("not a regular file (a link or a device)")
                    name = safe_name(info.filename)
                    if info.file_size > self.max_file_bytes:
                        raise Refused(f"larger than {self.max_file_bytes} bytes ({info.file_size})")
                    with archive.open(info) as source:
                        total += self._write(source, folder / name, self.max_total_bytes - total)
                except (Refused, OSError, zipfile.BadZipFile, RuntimeError, ValueError) as why:
                    self._refuse(path, info.filename, why)

    def _extract_tar(self, path: Path, folder: Path) -> None:
        total = 0
        with tarfile.open(path) as archive:
            for count, member in enumerate(archive):
                if count >= self.max_entries:
                    self._refuse(path, member.name, f"more than {self.max_entries} entries")
                    break
                if member.isdir():
                    continue
                try:
                    if not member.isreg():
                        raise Refused("not a regular file (a link or a device)")
                    name = safe_name(member.name)
                    if member.size > self.max_file_bytes:
                        raise Refused(f"larger than {self.max_file_bytes} bytes ({member.size})")
                    source = archive.extractfile(member)
                    if source is None:
                        raise Refused("no content")
                    with source:
                        total += self._write(source, folder / name, self.max_total_bytes - total)
                except (Refused, OSError, tarfile.TarError, ValueError) as why:
                    self._refuse(path, member.name, why)

    def _copy(self, path: Path, dest: Path, size: int) -> None:
        if size > self.max_file_bytes:
            raise Refused(f"larger than {self.max_file_bytes} bytes ({size})")
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as source:
            if not stat.S_ISREG(os.fstat(source.fileno()).st_mode):
                raise Refused("not a regular file")
            self._write(source, dest, self.max_file_bytes)

    def _write(self, source, dest: Path, room: int) -> int:
        """Copy ``source`` to a new file ``dest`` (never through a link, never over a file), at most
        ``max_file_bytes`` and ``room`` bytes: past either, the partial file is removed and the entry refused."""
        limit = min(self.max_file_bytes, room)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.parent.is_symlink() or any(p.is_symlink() for p in dest.parents):
            raise Refused("its folder is a link")
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        written = 0
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(min(CHUNK, limit - written + 1)):
                    written += len(chunk)
                    if written > limit:
                        raise Refused(
                            f"more than {limit} bytes once uncompressed (a file's limit is {self.max_file_bytes}, "
                            f"an archive's {self.max_total_bytes})"
                        )
                    out.write(chunk)
        except BaseException:
            dest.unlink(missing_ok=True)
            raise
        return written


def _is_tar(path: Path) -> bool:
    try:
        return tarfile.is_tarfile(path)
    except (OSError, tarfile.TarError):
        return False
