"""JupyterLab settings the course ships with, written by ``make`` and by Binder's ``postBuild``.

JupyterLab reads ``{sys.prefix}/share/jupyter/lab/settings/overrides.json`` at start-up. The course turns off
the "official Jupyter news" toast: it needs the internet, and on a first visit it covers the notebook.

Run ``python -m course.deploy.lab_settings`` to write the file into the running interpreter's prefix.
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


#: nbgrader's student panels that need an exchange (a JupyterHub set-up); without one they show an error.
EXCHANGE_PLUGINS = ("@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:course-list")
EXCHANGE_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
)


def disable_exchange_panels(prefix: str | Path | None = None) -> list[Path]:
    """Switch off nbgrader's Assignment List and Course List in this environment; return the files written.

    Self-learners (Binder) and students working locally have no nbgrader exchange, and the panels would show an
    error. The formgrader, Create Assignment and Validate stay on. A JupyterHub with an exchange re-enables them
    with ``jupyter labextension enable`` and ``jupyter server extension enable`` (see INSTRUCTORS.md).
    """
    base = Path(prefix) if prefix is not None else Path(sys.prefix)
    lab = base / "etc" / "jupyter" / "labconfig" / "page_config.json"
    config = json.loads(lab.read_text(encoding="utf-8")) if lab.exists() else {}
    config.setdefault("disabledExtensions", {}).update({plugin: True for plugin in EXCHANGE_PLUGINS})
    lab.parent.mkdir(parents=True, exist_ok=True)
    lab.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    server = _server_d(base) / "zz-course-no-exchange.json"
    (_server_d(base) / "course-no-exchange.json").unlink(
        missing_ok=True
    )  # its old name, read before nbgrader's
    server.parent.mkdir(parents=True, exist_ok=True)
    extensions = {name: False for name in EXCHANGE_SERVER_EXTENSIONS}
    server.write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": extensions}}, indent=2) + "\n", encoding="utf-8"
    )
    return [lab, server]


#: nbgrader's instructor tools: the Nbgrader menu, the formgrader, the Create Assignment sidebar and the Validate
#: button. Students and self-learners do not use them (Validate on a lesson says "Success! Your notebook passes all
#: the tests" and saves the notebook); instructors get them in ``make formgrader``.
INSTRUCTOR_PLUGINS = (
    "@jupyter/nbgrader:menu",
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:validate-assignment",
)
INSTRUCTOR_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.validate_assignment",
)


def _server_d(base: Path) -> Path:
    """The environment's ``jupyter_server_config.d``. Jupyter reads its files in name order and a later file wins:
    nbgrader's own ``nbgrader.json`` switches every nbgrader extension on, so the course's files are named to come
    after it (``zz-course-*.json``)."""
    return base / "etc" / "jupyter" / "jupyter_server_config.d"


def _write_json(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def instructor_config_dir(prefix: str | Path | None = None) -> Path:
    """The Jupyter configuration folder that turns the instructor tools back on (``JUPYTER_CONFIG_PATH``)."""
    return (Path(prefix) if prefix is not None else Path(sys.prefix)) / "etc" / "course-instructor"


def student_mode(prefix: str | Path | None = None) -> list[Path]:
    """Hide nbgrader's instructor tools in this environment, and write the folder that shows them again.

    The environment's own configuration is what students and self-learners get (``make lab``, Binder). ``make
    formgrader`` puts :func:`instructor_config_dir` first on ``JUPYTER_CONFIG_PATH``; Jupyter reads that folder
    before the environment's, so its ``false`` entries win and the tools are back for the instructor only.
    """
    base = Path(prefix) if prefix is not None else Path(sys.prefix)
    lab = base / "etc" / "jupyter" / "labconfig" / "page_config.json"
    config = json.loads(lab.read_text(encoding="utf-8")) if lab.exists() else {}
    config.setdefault("disabledExtensions", {}).update({plugin: True for plugin in INSTRUCTOR_PLUGINS})
    written = [_write_json(lab, config)]
    server = _server_d(base) / "zz-course-students.json"
    written.append(
        _write_json(
            server, {"ServerApp": {"jpserver_extensions": dict.fromkeys(INSTRUCTOR_SERVER_EXTENSIONS, False)}}
        )
    )
    instructor = instructor_config_dir(base)
    written.append(
        _write_json(
            instructor / "labconfig" / "page_config.json",
            {"disabledExtensions": dict.fromkeys(INSTRUCTOR_PLUGINS, False)},
        )
    )
    written.append(
        _write_json(
            instructor / "jupyter_server_config.d" / "course-instructor.json",
            {"ServerApp": {"jpserver_extensions": dict.fromkeys(INSTRUCTOR_SERVER_EXTENSIONS, True)}},
        )
    )
    return written


if __name__ == "__main__":  # pragma: no cover - exercised by make and postBuild
    print(f"JupyterLab overrides written to {write_overrides()}")
    print("nbgrader exchange panels switched off:", ", ".join(str(p) for p in disable_exchange_panels()))
    print("nbgrader instructor tools hidden for students:", ", ".join(str(p) for p in student_mode()))
