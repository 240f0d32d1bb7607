"""Write the instructor's codebook, ``assignments/codebook.html`` (print it from a browser).

Usage: ``python tools/codebook.py`` (``--check`` exits 1 when the file is not current, as the test does).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from course.content.codebook import check  # noqa: E402
from course.views.codebook import html_page  # noqa: E402

OUT = ROOT / "assignments" / "codebook.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether the file is current")
    args = parser.parse_args(argv)
    problems = check()
    if problems:
        print("the codebook disagrees with the data:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    page = html_page("instructor")
    if args.check:
        current = OUT.exists() and OUT.read_text(encoding="utf-8") == page
        print(
            f"{OUT.relative_to(ROOT)} is {'current' if current else 'out of date: run python tools/codebook.py'}"
        )
        return 0 if current else 1
    OUT.write_text(page, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
