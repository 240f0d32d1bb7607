"""Regenerate the pinned lock (requirements.txt) and Binder's environment.yml from pyproject.toml.

Usage: ``make lock`` (or ``python tools/lock.py``; ``--env-only`` rewrites environment.yml alone).

requirements.txt is compiled by ``uv pip compile`` for every platform (``--universal``), so students on
macOS and Windows install the same versions. environment.yml is Binder's: Python 3.11 on Linux, with the
exact pins that requirements.txt gives for that platform, so Binder and ``make lab`` run the same versions.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK_COMMAND = [
    "uv", "pip", "compile", "pyproject.toml", "--extra", "test", "--universal",
    "--python-version", "3.11", "-o", "requirements.txt",
]  # fmt: skip
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
        subprocess.run(LOCK_COMMAND, cwd=ROOT, check=True)
    text = environment_yml((ROOT / "requirements.txt").read_text(encoding="utf-8"))
    (ROOT / "environment.yml").write_text(text, encoding="utf-8")
    print("wrote requirements.txt and environment.yml" if not args.env_only else "wrote environment.yml")


if __name__ == "__main__":
    main()
