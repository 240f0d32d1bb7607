import json
import sys

import pytest

from course import lab_settings


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
    assert path.exists(), f"{path} is missing: run `make test` (or python -m course.lab_settings)"
    data = json.loads(path.read_text())
    assert data["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
