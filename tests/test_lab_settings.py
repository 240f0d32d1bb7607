import json
import re
import sys

import pytest

from course.deploy import lab_settings

pytestmark = pytest.mark.slow  # asks the installed Jupyter what it serves


def test_writes_overrides_that_turn_off_the_news_toast(tmp_path):
    path = lab_settings.write_overrides(tmp_path)
    assert path == tmp_path / "share/jupyter/lab/settings/overrides.json"
    data = json.loads(path.read_text())
    assert data["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    assert data["@jupyterlab/apputils-extension:notification"]["checkForUpdates"] is False


def test_keeps_other_settings(tmp_path):
    path = lab_settings.overrides_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}))
    data = json.loads(lab_settings.write_overrides(tmp_path).read_text())
    assert data["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}
    assert "@jupyterlab/apputils-extension:notification" in data


def test_broken_overrides_file_gets_a_clear_message(tmp_path):
    path = lab_settings.overrides_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("{oops")
    with pytest.raises(SystemExit, match="overrides.json is not valid JSON"):
        lab_settings.write_overrides(tmp_path)


def test_the_venv_running_the_tests_has_the_overrides():
    """`make` writes them on install; without them JupyterLab shows the news toast."""
    path = lab_settings.overrides_path(sys.prefix)
    assert path.exists(), f"{path} is missing: run `make test` (or python -m course.deploy.lab_settings)"
    data = json.loads(path.read_text())
    assert data["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"


def test_exchange_panels_are_switched_off_and_other_settings_kept(tmp_path):
    page = tmp_path / "etc/jupyter/labconfig/page_config.json"
    page.parent.mkdir(parents=True)
    page.write_text(json.dumps({"disabledExtensions": {"other:plugin": True}}))
    lab, server = lab_settings.disable_exchange_panels(tmp_path)
    disabled = json.loads(lab.read_text())["disabledExtensions"]
    assert disabled == {"other:plugin": True, **{p: True for p in lab_settings.EXCHANGE_PLUGINS}}
    extensions = json.loads(server.read_text())["ServerApp"]["jpserver_extensions"]
    assert extensions == {
        "nbgrader.server_extensions.assignment_list": False,
        "nbgrader.server_extensions.course_list": False,
    }


def test_the_venv_has_the_exchange_panels_off():
    import subprocess

    result = subprocess.run(
        [f"{sys.prefix}/bin/jupyter", "labextension", "list"], capture_output=True, text=True
    )
    listing = result.stdout + result.stderr
    for plugin in lab_settings.EXCHANGE_PLUGINS:
        assert plugin in listing, f"{plugin} should be listed as disabled: run make"


def test_student_mode_hides_the_instructor_tools_and_writes_the_folder_that_shows_them(tmp_path):
    lab, server, instructor_lab, instructor_server = lab_settings.student_mode(tmp_path)
    disabled = json.loads(lab.read_text())["disabledExtensions"]
    assert disabled == dict.fromkeys(lab_settings.INSTRUCTOR_PLUGINS, True)
    assert json.loads(instructor_lab.read_text())["disabledExtensions"] == dict.fromkeys(
        lab_settings.INSTRUCTOR_PLUGINS, False
    )
    assert instructor_lab.is_relative_to(lab_settings.instructor_config_dir(tmp_path))
    off = json.loads(server.read_text())["ServerApp"]["jpserver_extensions"]
    on = json.loads(instructor_server.read_text())["ServerApp"]["jpserver_extensions"]
    assert set(off) == set(on) == set(lab_settings.INSTRUCTOR_SERVER_EXTENSIONS)
    assert not any(off.values()) and all(on.values())
    # Jupyter reads a config.d folder in name order, the last file winning: ours must come after nbgrader's own
    assert sorted([server.name, "nbgrader.json"])[-1] == server.name


def test_the_venv_serves_no_nbgrader_extension_to_students():
    """nbgrader's own nbgrader.json switches all four on; the course's files must win (they did not, until issue 20)."""
    import subprocess

    result = subprocess.run(
        [f"{sys.prefix}/bin/jupyter", "server", "extension", "list"], capture_output=True, text=True
    )
    listing = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    for name in (*lab_settings.EXCHANGE_SERVER_EXTENSIONS, *lab_settings.INSTRUCTOR_SERVER_EXTENSIONS):
        assert re.search(rf"{re.escape(name)} disabled", listing), f"{name} is on for students: run make"
