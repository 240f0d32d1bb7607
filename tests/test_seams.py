"""The private parts of nbgrader and jupyter_client the course uses: all in course/autograder/seams.py, each
still there with the signature relied on, at the versions the seams were written for."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import textwrap
from importlib.metadata import version

from conftest import ROOT
from traitlets.traitlets import EventHandler

import course
from course.autograder import seams

THIRD_PARTY = (
    "nbgrader",
    "jupyter_client",
    "nbclient",
    "nbconvert",
    "jupyter_server",
    "traitlets",
    "sqlalchemy",
)


def _pinned(package: str) -> str:
    text = (ROOT / "requirements.txt").read_text()
    match = re.search(rf"^{package.replace('_', '[-_]')}==(\S+)", text, re.M | re.I)
    assert match, f"{package} is not pinned in requirements.txt"
    return match.group(1)


def test_the_seams_were_written_for_the_installed_and_locked_versions():
    """An upgrade of nbgrader or jupyter_client fails here first: re-read each seam in seams.py, then move the pin."""
    for package, written_for in seams.WRITTEN_FOR.items():
        assert version(package) == written_for == _pinned(package), (
            f"{package}: installed {version(package)}, locked {_pinned(package)}, seams.py written for {written_for}"
        )


def test_every_private_name_a_seam_uses_is_still_there_with_its_signature():
    from jupyter_client.client import KernelClient
    from jupyter_client.manager import AsyncKernelManager
    from nbgrader.nbgraderformat import MetadataValidator
    from nbgrader.nbgraderformat.common import BaseMetadataValidator
    from nbgrader.preprocessors import NbGraderPreprocessor, SaveAutoGrades
    from sqlalchemy.orm import Session

    start = inspect.signature(AsyncKernelManager._async_pre_start_kernel).parameters
    assert (
        list(start)[0] == "self" and start["kw"].kind is inspect.Parameter.VAR_KEYWORD
    )  # the hook passes kw on
    assert list(inspect.signature(AsyncKernelManager._async_cleanup_resources).parameters) == [
        "self",
        "restart",
    ]
    assert inspect.iscoroutinefunction(AsyncKernelManager._async_cleanup_resources)
    assert list(inspect.signature(KernelClient._handle_kernel_info_reply).parameters) == ["self", "msg"]
    assert inspect.iscoroutinefunction(KernelClient._async_is_alive)
    # The compiled schema check sits behind MetadataValidator, which must call super() for the schema.
    assert BaseMetadataValidator in MetadataValidator.__mro__
    assert re.search(
        r"super\(\w*(, self)?\)\.validate_cell\(cell\)", inspect.getsource(MetadataValidator.validate_cell)
    )
    assert seams.compiled_metadata_validator().__mro__[1] is MetadataValidator
    # SaveAutoGrades' preprocess opens its own gradebook; the base's preprocess only walks the cells.
    assert "Gradebook(" in inspect.getsource(SaveAutoGrades.preprocess)
    assert "preprocess_cell" in inspect.getsource(NbGraderPreprocessor.preprocess)
    assert callable(Session.commit) and callable(Session.flush)
    for owner, names in seams.PRIVATE_NAMES.items():
        module, _, name = owner.rpartition(".")
        cls = getattr(importlib.import_module(module), name)
        assert all(hasattr(cls, attr) for attr in names), owner


def _course_classes():
    for info in pkgutil.walk_packages(course.__path__, "course."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == info.name:
                yield cls


def _theirs(cls) -> list[type]:
    return [base for base in cls.__mro__[1:] if base.__module__.split(".")[0] in THIRD_PARTY]


def test_no_class_outside_the_seams_overrides_or_calls_a_private_method_of_nbgrader_or_jupyter_client():
    """Found by looking, not by a list: any method of a course class whose name is a private method of one of its
    third-party bases, and any `self._x` or `super()._x` that reaches one, outside seams.py."""
    offenders = []
    for cls in _course_classes():
        bases = _theirs(cls)
        if not bases or cls.__module__ == seams.__name__:
            continue

        def private_of_theirs(name: str, bases=bases) -> bool:
            return (
                name.startswith("_")
                and not name.startswith("__")
                and any(name in vars(base) and callable(vars(base)[name]) for base in bases)
            )

        for name, member in vars(cls).items():
            if private_of_theirs(name) and not isinstance(
                member, EventHandler
            ):  # @default: traitlets' own seam
                offenders.append(f"{cls.__module__}.{cls.__qualname__}.{name} (overrides)")
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and private_of_theirs(node.attr):
                offenders.append(f"{cls.__module__}.{cls.__qualname__}: .{node.attr} (line {node.lineno})")
    assert offenders == []


def test_the_private_names_appear_in_no_other_module():
    names = [n for names in seams.PRIVATE_NAMES.values() for n in names if n.startswith("_")]
    patterns = [*names, "session.commit =", "NbGraderPreprocessor.preprocess(", "BaseMetadataValidator"]
    found = []
    for path in (ROOT / "course").rglob("*.py"):
        if path.name == "seams.py":
            continue
        text = path.read_text()
        found += [f"{path.relative_to(ROOT)}: {p}" for p in patterns if p in text]
    assert found == []


def test_the_collect_reads_a_submissions_name_as_nbgrader_does():
    from nbgrader.exchange.default.collect import ExchangeCollect

    from course.autograder.exchange import submission_record

    class Quiet(ExchangeCollect):
        def fail(self, msg):
            raise ValueError(msg)

    theirs = Quiet()
    for name in (
        "alice+ps1+2024-06-19 10:00:00.000000 UTC",
        "al+ice+ps1+2024-06-19 10:00:00 +0900",
        "bob+ps1+2024-06-19",
    ):
        assert submission_record(name) == theirs._path_to_record(f"/x/inbound/{name}"), name
    for bad in ("alice+ps1", "alice"):
        try:
            theirs._path_to_record(bad)
        except ValueError as err:
            stock = str(err)
        try:
            submission_record(bad)
        except ValueError as err:
            assert str(err) == stock
        else:
            raise AssertionError(f"{bad!r} was read")
