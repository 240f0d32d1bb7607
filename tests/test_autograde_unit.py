"""The integrity machinery's pieces, without running nbgrader."""

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course import autograde, integrity


def test_probe_reports_a_clean_process_and_its_helpers():
    report = json.loads(integrity.probe())
    assert report["builtins_replaced"] == []
    assert set(report["helpers"]) == set(integrity.helper_fingerprints())
    assert report["trace"] in (True, False)  # coverage tools may trace the test process itself


def test_compare_names_each_kind_of_tampering():
    base = json.loads(integrity.probe())
    base["shell"] = {
        "input_transformers_cleanup": 3,
        "input_transformers_post": 0,
        "ast_transformers": 0,
        "overridden_methods": [],
        "transformer_manager": "IPython.core.inputtransformer2",
    }
    base["user_builtins_is_module"] = True
    reference = integrity.helper_fingerprints()
    assert autograde.compare(base, json.loads(json.dumps(base)), reference) == []
    now = json.loads(json.dumps(base))
    now["shell"]["input_transformers_cleanup"] = 4
    now["shell"]["ast_transformers"] = 1
    now["shell"]["event_handlers"] = 1
    now["shell"]["overridden_methods"] = ["showtraceback"]
    now["builtins_replaced"] = ["isinstance"]
    now["user_builtins_is_module"] = False
    now["helpers"]["score_codes"] = "replaced"
    found = " | ".join(autograde.compare(base, now, reference))
    for needle in (
        "installed an IPython input transformer",
        "installed an IPython AST transformer",
        "replaced IPython shell method(s) showtraceback",
        "replaced builtin(s) isinstance",
        "replaced __builtins__",
        "replaced checking helper(s) score_codes",
        "registered a handler of IPython's cell events",
    ):
        assert needle in found
    assert "probe failed" in autograde.compare(base, {"shell_error": "boom"}, reference)[0]


def _test_cell(source, grade_id="t1", points=1):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": grade_id,
                                 "points": points, "schema_version": 3}  # fmt: skip
    return cell


def test_scan_flags_student_cells_that_touch_the_machinery():
    answer = new_code_cell("x = 1\nget_ipython().ast_transformers.append(t)")
    answer.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False, "grade_id": "a1"}
    nb = new_notebook(cells=[answer, _test_cell("import builtins  # test code is not scanned")])
    flags = autograde.scan_source(nb)
    assert len(flags) == 1 and flags[0]["cell"] == "a1" and "code transformers" in flags[0]["message"]


def test_check_integrity_zeroes_only_a_notebook_that_was_not_graded_and_reports_every_test(tmp_path):
    judged = _test_cell("check()", "judged")
    judged.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "1.5"}, execution_count=1)]
    failed = _test_cell("check()", "failed")
    failed.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="no", traceback=[])]
    nb = new_notebook(cells=[judged, failed])
    resources = {
        "course_integrity": {"flags": [autograde.flag("review", "a tripwire")], "zero_from": None,
                             "judged": {0: True, 1: True}},
        "metadata": {"path": str(tmp_path)},
        "nbgrader": {"notebook": "nb", "student": "s", "assignment": "a"},
    }  # fmt: skip
    nb, resources = autograde.CheckIntegrity().preprocess(nb, resources)
    note, judged, failed = nb.cells
    assert note.cell_type == "markdown" and "a tripwire" in note.source
    assert judged.outputs[0].data["text/plain"] == "1.5", "a review flag changes no outcome"
    assert resources["course_integrity"]["flagged_cells"] == []
    report = json.loads((tmp_path / "nb.integrity.json").read_text())
    assert report["tests"] == [
        {"cell": "judged", "judged": True, "error": False, "zeroed": False},
        {"cell": "failed", "judged": True, "error": True, "zeroed": False},
    ]
    resources["course_integrity"].update(
        zero_from=0, flags=[autograde.flag("violation", "a linked notebook")]
    )
    nb, resources = autograde.CheckIntegrity().preprocess(new_notebook(cells=[judged, failed]), resources)
    assert all(c.outputs[0].ename == "IntegrityError" for c in nb.cells[1:])
    assert resources["course_integrity"]["flagged_cells"] == ["failed", "judged"]


def test_feedback_hides_hidden_source_and_hidden_failures():
    source = 'check(x)\n### BEGIN HIDDEN TESTS\nassert x == 42, "the answer is 42"\n### END HIDDEN TESTS'
    hidden_fail = _test_cell(source)
    hidden_fail.outputs = [
        nbformat.v4.new_output(
            "error",
            ename="AssertionError",
            evalue="the answer is 42",
            traceback=["Cell In[5], line 3", 'assert x == 42, "the answer is 42"'],
        )  # fmt: skip
    ]
    visible_fail = _test_cell(source, "t2")
    visible_fail.outputs = [
        nbformat.v4.new_output(
            "error",
            ename="AssertionError",
            evalue="x should be a str",
            traceback=["Cell In[6], line 1", "check(x)"],
        )  # fmt: skip
    ]
    integrity_fail = _test_cell(source, "t3")
    integrity_fail.outputs = [
        nbformat.v4.new_output("error", ename="IntegrityError", evalue="tampering", traceback=[])
    ]
    nb = new_notebook(cells=[hidden_fail, visible_fail, integrity_fail, new_markdown_cell("text")])
    nb, _ = autograde.HideHiddenTests().preprocess(nb, {})
    assert all("42" not in c.source and "HIDDEN" not in c.source for c in nb.cells[:3])
    assert nb.cells[0].outputs[0].ename == "HiddenTestFailed" and "42" not in json.dumps(nb.cells[0].outputs)
    assert nb.cells[1].outputs[0].evalue == "x should be a str"
    assert nb.cells[2].outputs[0].evalue == "tampering"


def test_hidden_lines_and_failing_line():
    assert autograde.hidden_lines("a\n### BEGIN HIDDEN TESTS\nb\n### END HIDDEN TESTS\nc") == {2, 3, 4}
    assert autograde._failing_line(["\x1b[0;31mCell In[3], line 7\x1b[0m", "----> 7 assert"]) == 7
    assert autograde._failing_line(["no numbers"]) is None


def test_normalize_renames_a_single_renamed_notebook(tmp_path):
    folder = tmp_path / "submitted" / "s1" / "ps"
    folder.mkdir(parents=True)
    (folder / "Copy of ps.ipynb").write_text("{}")
    two = tmp_path / "submitted" / "s2" / "ps"
    two.mkdir(parents=True)
    (two / "a.ipynb").write_text("{}")
    (two / "b.ipynb").write_text("{}")
    events = autograde.normalize_submissions(tmp_path, "ps")
    assert (folder / "ps.ipynb").exists() and (folder / "Copy of ps.ipynb.original").exists()
    assert [e["student"] for e in events] == ["s1", "s2"] and "several notebooks" in events[1]["event"]


def _metadata_cases():
    good = {
        "grade": True,
        "solution": False,
        "locked": True,
        "grade_id": "t1",
        "points": 2,
        "schema_version": 3,
    }
    return {
        "valid": good,
        "points as text": {**good, "points": "two"},
        "no grade_id": {k: v for k, v in good.items() if k != "grade_id"},
        "empty grade_id": {**good, "grade_id": ""},
        "grade without points": {k: v for k, v in good.items() if k != "points"},
        "solution not a boolean": {**good, "solution": "yes"},
        "old schema": {**good, "schema_version": 2},
        "future schema": {**good, "schema_version": 4},
        "unknown key": {**good, "colour": "red"},
    }


def test_the_compiled_metadata_check_agrees_with_nbgraders_on_every_case():
    from nbgrader.nbgraderformat import MetadataValidator

    compiled = autograde._metadata_validator_class()
    for name, meta in _metadata_cases().items():
        nb = new_notebook(cells=[new_code_cell("assert True", metadata={"nbgrader": dict(meta)})])
        outcomes = []
        for validator in (MetadataValidator(), compiled()):
            try:
                validator.validate_nb(nb)
                outcomes.append(None)
            except Exception as err:  # the exact type and message must match
                outcomes.append((type(err).__name__, str(err)))
        assert outcomes[0] == outcomes[1], name
    duplicate = new_notebook(
        cells=[new_code_cell("1", metadata={"nbgrader": dict(_metadata_cases()["valid"])}) for _ in range(2)]
    )
    try:
        compiled().validate_nb(duplicate)
    except Exception as err:
        assert "Duplicate grade id: t1" in str(err)
    else:
        raise AssertionError("a duplicate grade id passed")


def test_the_metadata_check_preprocessor_rejects_a_corrupted_notebook_with_nbgraders_message():
    import pytest
    from nbgrader.nbgraderformat import ValidationError

    meta = dict(_metadata_cases()["points as text"])
    nb = new_notebook(
        cells=[new_markdown_cell("x"), new_code_cell("assert True", metadata={"nbgrader": meta})]
    )
    with pytest.raises(ValidationError, match="the nbgrader metadata may be corrupted"):
        autograde.CheckCellMetadata().preprocess(nb, {})
    ok = new_notebook(cells=[new_code_cell("1", metadata={"nbgrader": dict(_metadata_cases()["valid"])})])
    assert autograde.CheckCellMetadata().preprocess(ok, {"x": 1}) == (ok, {"x": 1})


def test_instructor_imports_come_from_read_only_cells_as_released():
    sources = [
        "import pandas as pd\nfrom course.data import load\nfrom . import sibling",
        "%matplotlib inline\nimport matplotlib",  # not plain Python: skipped
        "def f():\n    import json\n    from os import path",
    ]
    assert autograde.imported_modules(sources) == [
        "course.data", "course.data.load", "json", "os", "os.path", "pandas"
    ]  # fmt: skip
    hidden = "check(x)\n### BEGIN HIDDEN TESTS\nimport secret_module\n### END HIDDEN TESTS"
    assert autograde.imported_modules([autograde._released_text(hidden)]) == []


def test_a_kernel_started_ahead_has_the_modules_imported_and_no_name_bound(tmp_path):
    import time

    from jupyter_core.utils import run_sync

    client = autograde.IntegrityExecute(kernel_name="python3")
    key = (
        "python3",
        (),
        str(tmp_path),
        ("wave", "no_such_module"),
    )  # wave: a module no kernel imports itself
    kernel = autograde._KernelAhead.start(client, key, tmp_path)
    kc = kernel.km.client()
    try:
        kc.start_channels()
        run_sync(kc.wait_for_ready)(timeout=60)
        deadline, answer = time.monotonic() + 30, None
        while answer != "(True, False)" and time.monotonic() < deadline:  # the preload may still be running
            reply = run_sync(kc.execute_interactive)(
                "",
                user_expressions={"r": "('wave' in __import__('sys').modules, 'wave' in dir())"},
                timeout=60,
            )
            answer = reply["content"]["user_expressions"]["r"]["data"]["text/plain"]
        assert answer == "(True, False)", "imported, and no name bound in the notebook's namespace"
        assert not kernel.folder.is_relative_to(tmp_path), "a private inbox, outside the course"
        private = Path(kernel.km.connection_file).parent
        assert private.stat().st_mode & 0o777 == 0o700 and kernel.km.transport == "ipc"
    finally:
        kc.stop_channels()
        kernel.stop()
        autograde._KernelAhead.finish_stopping()
    assert not kernel.folder.exists() and not private.exists()


def test_a_kernel_started_ahead_that_nobody_takes_is_killed_after_its_time(tmp_path):
    import time

    from jupyter_core.utils import run_sync

    client = autograde.IntegrityExecute(kernel_name="python3")
    key = ("python3", (), str(tmp_path), ())
    autograde._KernelAhead.start_next(client, key, tmp_path, expire_after=1)
    kernel = autograde._KernelAhead.waiting[key]
    try:
        deadline = time.monotonic() + 30
        while key in autograde._KernelAhead.waiting and time.monotonic() < deadline:
            time.sleep(0.2)
        assert key not in autograde._KernelAhead.waiting
        deadline = time.monotonic() + 10
        while run_sync(kernel.km.is_alive)() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not run_sync(kernel.km.is_alive)()
    finally:
        autograde._KernelAhead.stop_all()
    assert not kernel.folder.exists()


def test_the_probe_counts_event_handlers_from_outside_ipython():
    from types import SimpleNamespace

    def mine(info):
        return None

    def theirs(info):
        return None

    theirs.__module__ = "matplotlib_inline.backend_inline"
    shell = SimpleNamespace(
        events=SimpleNamespace(callbacks={"pre_run_cell": [mine], "post_execute": [theirs]})
    )
    assert integrity._event_handlers(shell) == 1
