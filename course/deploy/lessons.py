"""Copy the course's lessons into a person's home on the hub, run **as that person**.

The hub starts this before each of a person's servers (``hub/jupyterhub_config.py``, its pre-spawn hook) with the
person's own user and groups, never as root: root following a link a student planted in their home (``~/notebooks``
pointing at ``/etc``, a lesson's name pointing at a file that does not exist yet) would hand that target to the
student. As the person, a link leads only where they could already write.

    python -I -m course.deploy.lessons SOURCE [--grading PATH]

SOURCE is the hub's read-only lessons folder (``<prefix>/lessons/notebooks``). The first start copies every lesson
into ``~/notebooks``; later starts add only lessons that are new, never overwriting the person's work (a file is
created only if nothing, not even a link, has its name). ``--grading`` (instructors) also makes ``~/grading``, a link
to the instructors' shared nbgrader course, if nothing has that name. The home is the account's, from the password
database, not from the environment.
"""

from __future__ import annotations

import argparse
import os
import pwd
import stat
import sys
from pathlib import Path

_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def copy_lessons(source: Path, home: Path, grading: Path | None = None) -> list[str]:
    """Copy the lessons that ``home/notebooks`` lacks; return what was done, one line each."""
    done: list[str] = []
    target = home / "notebooks"
    try:
        os.mkdir(target, 0o755)
        done.append(f"made {target}")
    except FileExistsError:
        pass
    try:
        folder = os.open(target, _FOLDER)
    except OSError as error:
        return [*done, f"{target} is not a folder ({error.strerror}): no lessons copied"]
    try:
        if os.fstat(folder).st_uid != os.getuid():
            return [*done, f"{target} is not yours: no lessons copied"]
        for notebook in sorted(source.glob("*.ipynb")):
            if not stat.S_ISREG(os.lstat(notebook).st_mode):
                continue
            try:
                out = os.open(notebook.name, _NEW_FILE, 0o644, dir_fd=folder)
            except FileExistsError:
                continue  # the person's own copy (or anything of theirs with that name): never replaced
            try:
                os.write(out, notebook.read_bytes())
            finally:
                os.close(out)
            done.append(f"copied {notebook.name}")
    finally:
        os.close(folder)
    if grading is not None:
        link = home / "grading"
        if not os.path.lexists(link):
            os.symlink(grading, link)
            done.append(f"linked {link} to {grading}")
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("source", type=Path)
    parser.add_argument("--grading", type=Path, default=None)
    args = parser.parse_args(argv)
    if os.geteuid() == 0:
        print("lessons: refusing to run as root (the hub runs this as the person)", file=sys.stderr)
        return 2
    home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    for line in copy_lessons(args.source, home, args.grading):
        print(f"lessons: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
