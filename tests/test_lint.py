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


LINT_IMPORTS = Path(sys.prefix) / "bin" / "lint-imports"


def _lint_imports(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, **({"PYTHONPATH": str(pythonpath)} if pythonpath else {})}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, env=env, timeout=120
    )


def test_the_layers_hold():
    """The import contracts in pyproject.toml (ARCHITECTURE.md): layers, pure content, a light grading kernel."""
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_view_in_the_content_or_a_cycle_is_refused(tmp_path):
    """The contracts can fail: a lazy import of a view from the content, a widget in the content, a cycle, a
    schema that reads files."""
    import shutil

    shutil.copytree(ROOT / "course", tmp_path / "course", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    geo = tmp_path / "course" / "content" / "geo.py"
    geo.write_text(
        geo.read_text() + "\n\ndef _leak():\n    from course.views import maps\n\n    return maps\n"
    )
    scenarios = tmp_path / "course" / "content" / "scenarios.py"
    scenarios.write_text(scenarios.read_text() + "\n\nimport ipywidgets  # noqa: E402, F401\n")
    reactions = tmp_path / "course" / "content" / "reactions.py"
    reactions.write_text(
        reactions.read_text() + "\n\ndef _back():\n    from course.content.data import load\n"
    )
    schema = tmp_path / "course" / "content" / "schema.py"
    schema.write_text(schema.read_text() + "\n\ndef _where():\n    from course.paths import data_dir\n")
    result = _lint_imports(tmp_path, pythonpath=tmp_path)
    assert result.returncode != 0
    out = " ".join(result.stdout.split())
    assert "The schema declares and reads nothing" in out and "course.content.schema -> course.paths" in out
    assert "Layers: each imports only from the layers below it BROKEN" in out
    assert "course.content.geo -> course.views.maps" in out
    assert "Content displays nothing and grades nothing BROKEN" in out
    assert "No import cycles between the modules of a layer BROKEN" in out
