"""The code follows the house style (ruff), so that `make test` catches what `make lint` would."""

import subprocess
import sys
from pathlib import Path

from conftest import ROOT

RUFF = Path(sys.prefix) / "bin" / "ruff"
TARGETS = ["course", "tests", "tools", "data/prep", "bench", "hub"]


def test_ruff_check_passes():
    result = subprocess.run(
        [str(RUFF), "check", *TARGETS, "notebooks"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_applied():
    result = subprocess.run(
        [str(RUFF), "format", "--check", *TARGETS], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, "run `make format`:\n" + result.stdout
