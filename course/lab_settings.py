"""JupyterLab settings the course ships with, written by ``make`` and by Binder's ``postBuild``.

JupyterLab reads ``{sys.prefix}/share/jupyter/lab/settings/overrides.json`` at start-up. The course turns off
the "official Jupyter news" toast: it needs the internet, and on a first visit it covers the notebook.

Run ``python -m course.lab_settings`` to write the file into the running interpreter's prefix.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OVERRIDES: dict[str, dict[str, object]] = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def overrides_path(prefix: str | Path | None = None) -> Path:
    """Return where JupyterLab looks for ``overrides.json`` under ``prefix`` (default: ``sys.prefix``)."""
    base = Path(prefix) if prefix is not None else Path(sys.prefix)
    return base / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def write_overrides(prefix: str | Path | None = None) -> Path:
    """Merge the course's settings into ``overrides.json`` and return its path.

    Settings already in the file for other plugins are kept; ours win for the keys we set.
    """
    path = overrides_path(prefix)
    current: dict[str, dict[str, object]] = {}
    if path.exists():
        try:
            current = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise SystemExit(f"{path} is not valid JSON ({err}); fix or delete it and run again") from err
    for plugin, settings in OVERRIDES.items():
        current.setdefault(plugin, {}).update(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":  # pragma: no cover - exercised by make and postBuild
    print(f"JupyterLab overrides written to {write_overrides()}")
