"""Regenerate the pinned locks (requirements.txt, requirements-dev.txt) and Binder's environment.yml.

Usage: ``make lock`` (or ``python tools/lock.py``; ``--env-only`` rewrites environment.yml alone).

Two locks, compiled by ``uv pip compile`` for every platform (``--universal``), so students on macOS and Windows
install the same versions:

- ``requirements.txt``: what a student, a self-learner on Binder, an instructor and the hub need to run the course
  (pyproject.toml's dependencies): ``make lab`` installs it.
- ``requirements-dev.txt``: that, with the same versions (it is compiled against requirements.txt as constraints),
  plus the developers' tools (the ``test`` extra: pytest, Playwright, ruff, repo2docker, ...): ``make test`` adds it.

Both are whole closures, installed with ``pip --no-deps``, and both leave out requirements-omitted.txt's packages.
environment.yml is Binder's: Python 3.11 on Linux, with the exact pins requirements.txt gives for that platform.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPILE = ["uv", "pip", "compile", "pyproject.toml", "--universal", "--python-version", "3.11"]
OMITTED = "requirements-omitted.txt"


def omitted(text: str) -> list[str]:
    """The names pinned in requirements-omitted.txt."""
    from packaging.requirements import Requirement

    names = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            names.append(Requirement(line).name)
    return names


def lock_commands(left_out: list[str]) -> list[list[str]]:
    """The two uv commands: the course's lock, then the developers' lock constrained to it."""
    skip = [arg for name in left_out for arg in ("--no-emit-package", name)]
    return [
        [*COMPILE, *skip, "-o", "requirements.txt"],
        [*COMPILE, "--extra", "test", "-c", "requirements.txt", *skip, "-o", "requirements-dev.txt"],
    ]


BINDER_PYTHON = "3.11"
BINDER_MARKERS = {
    "python_version": "3.11",
    "python_full_version": "3.11.0",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "os_name": "posix",
    "platform_machine": "x86_64",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
}


def pins_for_binder(requirements: str) -> list[str]:
    """Return ``name==version`` lines of a compiled requirements file that apply on Binder's platform."""
    from packaging.requirements import Requirement

    pins = []
    for raw in requirements.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate(BINDER_MARKERS):
            continue
        (spec,) = req.specifier
        if spec.operator != "==":
            raise SystemExit(f"requirements.txt: {line!r} is not an exact pin")
        pins.append(f"{req.name}=={spec.version}")
    return sorted(pins, key=str.lower)


def environment_yml(requirements: str) -> str:
    """Return the text of Binder's environment.yml for a compiled requirements file."""
    lines = [
        "# Binder's environment (repo2docker). Generated from requirements.txt by `make lock`",
        "# (tools/lock.py): do not edit by hand. The course package itself is installed by postBuild.",
        "name: northeast-asian-security",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        f"  - python={BINDER_PYTHON}",
        "  - pip",
        "  - pip:",
    ]
    lines += [f"      - {pin}" for pin in pins_for_binder(requirements)]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env-only", action="store_true", help="only rewrite environment.yml")
    args = parser.parse_args()
    if not args.env_only:
        if not shutil.which("uv"):
            sys.exit("tools/lock.py needs uv (pip install uv) to compile requirements.txt")
        left_out = omitted((ROOT / OMITTED).read_text(encoding="utf-8"))
        for command in lock_commands(left_out):
            subprocess.run(command, cwd=ROOT, check=True)
    text = environment_yml((ROOT / "requirements.txt").read_text(encoding="utf-8"))
    (ROOT / "environment.yml").write_text(text, encoding="utf-8")
    print(
        "wrote requirements.txt, requirements-dev.txt and environment.yml"
        if not args.env_only
        else "wrote environment.yml"
    )


if __name__ == "__main__":
    main()
