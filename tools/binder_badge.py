"""Point the README's Binder badge at this repository: ``make binder-badge`` (or ``REPO=owner/name``).

The badge needs the GitHub location of the published repository, which a fresh clone knows from its ``origin``
remote. This rewrites every ``mybinder.org/v2/gh/<owner>/<name>/`` link in README.md (the ``OWNER/REPO``
placeholder or a previous location) and says what it did; it never guesses a location it cannot read.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"(mybinder\.org/v2/gh/)[\w.-]+/[\w.-]+(/)")


def github_repo(url: str) -> str | None:
    """``owner/name`` of a GitHub remote URL (https, ssh or git@ form), or None for any other host."""
    match = re.match(
        r"^(?:https://|ssh://git@|git@)github\.com[:/]([\w.-]+)/([\w.-]+?)(?:\.git)?/?$", url.strip()
    )
    return f"{match.group(1)}/{match.group(2)}" if match else None


def rewrite(text: str, repo: str) -> tuple[str, int]:
    """The README text with every Binder link pointing at ``repo``, and how many links changed."""
    if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo):
        raise ValueError(f"{repo!r} is not owner/name")
    return LINK.subn(lambda m: f"{m.group(1)}{repo}{m.group(2)}", text)


def main(argv: list[str], root: Path = ROOT) -> int:
    repo = argv[0] if argv else None
    if not repo:
        remote = subprocess.run(
            ["git", "remote", "get-url", "origin"], cwd=root, capture_output=True, text=True
        )
        repo = github_repo(remote.stdout) if remote.returncode == 0 else None
        if not repo:
            where = remote.stdout.strip() or "no origin remote"
            print(
                f"binder-badge: the origin remote is not on GitHub ({where}); give it: make binder-badge REPO=owner/name"
            )
            return 1
    readme = root / "README.md"
    text, changed = rewrite(readme.read_text(encoding="utf-8"), repo)
    readme.write_text(text, encoding="utf-8")
    print(f"binder-badge: {changed} Binder link(s) in README.md now point at github.com/{repo}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
