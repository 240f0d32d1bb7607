"""The lock, Binder's environment and the installed packages agree."""

from __future__ import annotations

import os
import re
import stat
import tomllib
from importlib import metadata

import yaml
from conftest import ROOT
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REQUIREMENTS = (ROOT / "requirements.txt").read_text(encoding="utf-8")
DEV_REQUIREMENTS = (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")
DEVELOPERS_TOOLS = ("pytest", "playwright", "ruff", "jupyter-repo2docker", "import-linter", "nbstripout")


def lock_pins(text: str = REQUIREMENTS) -> dict[str, tuple[str, Requirement]]:
    pins = {}
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith(("#", "-")):
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate():
                (spec,) = req.specifier
                pins[canonicalize_name(req.name)] = (spec.version, req)
    return pins


def test_every_direct_dependency_is_pinned_in_the_lock_within_its_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for lock, declared in (
        ("requirements.txt", project["dependencies"]),
        ("requirements-dev.txt", project["dependencies"] + project["optional-dependencies"]["test"]),
    ):
        pins = lock_pins((ROOT / lock).read_text(encoding="utf-8"))
        for spec in declared:
            req = Requirement(spec)
            name = canonicalize_name(req.name)
            assert name in pins, f"{req.name} is in pyproject.toml but not in {lock}: make lock"
            assert req.specifier.contains(pins[name][0]), f"{req.name}=={pins[name][0]} is outside {spec}"


def test_the_student_lock_is_lean_and_the_developers_lock_agrees_with_it():
    """Students, Binder and the hub install requirements.txt; make test adds requirements-dev.txt (issue 32)."""
    course, dev = lock_pins(), lock_pins(DEV_REQUIREMENTS)
    for tool in DEVELOPERS_TOOLS:
        assert canonicalize_name(tool) not in course, f"{tool} is a developers' tool: not in requirements.txt"
        assert canonicalize_name(tool) in dev, f"{tool} is missing from requirements-dev.txt: make lock"
    differ = {name: (v, dev[name][0]) for name, (v, _) in course.items() if dev.get(name, ("",))[0] != v}
    assert not differ, f"requirements-dev.txt must pin the course's packages at the same versions: {differ}"
    assert len(dev) > len(course)


def test_the_omitted_packages_are_in_no_lock_and_not_installed():
    """requirements-omitted.txt's parsers cost every JupyterLab start seconds of CPU (bench: lab_start_cpu_s)."""
    import importlib.util

    lock = _lock_module()
    left_out = lock.omitted((ROOT / "requirements-omitted.txt").read_text(encoding="utf-8"))
    assert [canonicalize_name(n) for n in left_out] == ["rfc3987-syntax", "lark"]
    for text in (REQUIREMENTS, DEV_REQUIREMENTS):
        assert not {canonicalize_name(n) for n in left_out} & set(lock_pins(text))
    for command in lock.lock_commands(left_out):
        assert command[command.index("--no-emit-package") + 1] == left_out[0]
    assert importlib.util.find_spec("rfc3987_syntax") is None and importlib.util.find_spec("lark") is None
    # What needed it still works: Jupyter's event schemas validate, with the format checks jsonschema has left.
    from jupyter_events.validators import validate_schema

    validate_schema({"$id": "https://example.org/e", "version": "1", "type": "object", "properties": {}})


def _lock_module():
    """tools/lock.py, imported."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("lock", ROOT / "tools" / "lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_environment_yml_pins_exactly_what_the_lock_pins_for_binder():
    lock = _lock_module()
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = env["dependencies"]
    assert "python=3.11" in deps and "pip" in deps
    (pip_section,) = [d for d in deps if isinstance(d, dict)]
    assert pip_section["pip"] == lock.pins_for_binder(REQUIREMENTS), "stale environment.yml: make lock"
    assert not [p for p in pip_section["pip"] if p.startswith(("-r", "-e", "."))], (
        "no -r/-e lines: they disable repo2docker's cached pre-assembly"
    )
    names = {canonicalize_name(p.split("==")[0]) for p in pip_section["pip"]}
    for direct in ("jupyterlab", "nbgrader", "pandas", "ipywidgets", "folium"):
        assert direct in names


def test_the_running_environment_has_the_locked_versions():
    """`make test` installs requirements-dev.txt; a drifted .venv would test something else."""
    wrong = []
    for name, (version, _) in lock_pins(DEV_REQUIREMENTS).items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{name} missing")
            continue
        if installed != version:
            wrong.append(f"{name} {installed} (lock: {version})")
    assert not wrong, "run `make clean test` to rebuild .venv: " + ", ".join(wrong)


def test_post_build_installs_the_package_and_the_lab_settings():
    post = ROOT / "postBuild"
    text = post.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/bash") and "set -euo pipefail" in text
    assert os.stat(post).st_mode & stat.S_IXUSR, "postBuild must be executable"
    assert "pip install --no-deps -e ." in text
    assert "pip uninstall -y -r requirements-omitted.txt" in text
    assert "python -m course.deploy.lab_settings" in text


def test_readme_has_the_binder_link_and_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(
        r"https://mybinder\.org/v2/gh/[\w.-]+/[\w.-]+/HEAD\?urlpath=lab/tree/notebooks/00_start_here\.ipynb",
        readme,
    )
    assert "make lab" in readme and "make test" in readme
