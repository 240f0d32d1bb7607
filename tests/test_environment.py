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


def lock_pins() -> dict[str, tuple[str, Requirement]]:
    pins = {}
    for raw in REQUIREMENTS.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith(("#", "-")):
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate():
                (spec,) = req.specifier
                pins[canonicalize_name(req.name)] = (spec.version, req)
    return pins


def test_every_direct_dependency_is_pinned_in_the_lock_within_its_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["test"]
    pins = lock_pins()
    for spec in declared:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is in pyproject.toml but not in requirements.txt: make lock"
        assert req.specifier.contains(pins[name][0]), f"{req.name}=={pins[name][0]} is outside {spec}"


def test_environment_yml_pins_exactly_what_the_lock_pins_for_binder():
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import lock
    finally:
        sys.path.pop(0)
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
    """`make` installs requirements.txt; a drifted .venv would test something else."""
    wrong = []
    for name, (version, _) in lock_pins().items():
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
    assert "python -m course.deploy.lab_settings" in text


def test_readme_has_the_binder_link_and_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(
        r"https://mybinder\.org/v2/gh/[\w.-]+/[\w.-]+/HEAD\?urlpath=lab/tree/notebooks/00_start_here\.ipynb",
        readme,
    )
    assert "make lab" in readme and "make test" in readme
