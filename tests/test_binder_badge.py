"""tools/binder_badge.py: the README's Binder badge points at the repository the clone came from (issue 20)."""

import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import binder_badge  # noqa: E402


@pytest.mark.parametrize(
    ("url", "repo"),
    [
        ("https://github.com/acme/ne-asia-course.git", "acme/ne-asia-course"),
        ("git@github.com:acme/ne-asia-course.git", "acme/ne-asia-course"),
        ("ssh://git@github.com/acme/course", "acme/course"),
        ("https://gitlab.com/acme/course.git", None),
        ("/work/main", None),
    ],
)
def test_the_github_location_is_read_from_the_remote(url, repo):
    assert binder_badge.github_repo(url) == repo


def test_every_binder_link_of_the_readme_is_rewritten_and_nothing_else():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "mybinder.org/v2/gh/OWNER/REPO/" in readme, "the committed README keeps the placeholder"
    text, changed = binder_badge.rewrite(readme, "acme/course")
    assert changed == readme.count("mybinder.org/v2/gh/") >= 2
    assert "mybinder.org/v2/gh/acme/course/HEAD?urlpath=lab/tree/notebooks/00_start_here.ipynb" in text
    assert binder_badge.rewrite(text, "OWNER/REPO")[0] == readme, "only the links changed"
    with pytest.raises(ValueError, match="not owner/name"):
        binder_badge.rewrite(readme, "acme")


@pytest.mark.parametrize(
    ("remote", "code", "expected"),
    [
        ("https://github.com/acme/course.git", 0, "mybinder.org/v2/gh/acme/course/HEAD"),
        ("https://gitlab.com/acme/course.git", 1, "mybinder.org/v2/gh/OWNER/REPO/HEAD"),
    ],
)
def test_a_clone_reads_its_origin_or_is_told_how_to_give_it(tmp_path, capsys, remote, code, expected):
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "remote", "add", "origin", remote], cwd=tmp_path, check=True)
    assert binder_badge.main([], root=tmp_path) == code
    assert expected in (tmp_path / "README.md").read_text(encoding="utf-8")
    if code:
        assert "make binder-badge REPO=owner/name" in capsys.readouterr().out
