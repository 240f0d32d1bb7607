"""The tripwires (course.autograder.tripwire): what the integrity probe and the source scan find."""

import json

from nbformat.v4 import new_code_cell, new_notebook
from tiny_assignment import graded_cell

from course.autograder import tripwire
from course.grading import integrity


def test_probe_reports_a_clean_process_and_its_helpers():
    report = json.loads(integrity.probe())
    assert report["builtins_replaced"] == []
    assert set(report["helpers"]) == set(integrity.helper_fingerprints())
    assert type(report["trace"]) is bool and type(report["profile"]) is bool


def test_probe_sees_a_trace_or_profile_hook():
    import sys

    trace, profile = sys.gettrace(), sys.getprofile()
    try:
        sys.settrace(lambda *args: None)
        sys.setprofile(lambda *args: None)
        report = json.loads(integrity.probe())
    finally:
        sys.settrace(trace)
        sys.setprofile(profile)
    assert report["trace"] is True and report["profile"] is True


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
    assert tripwire.compare(base, json.loads(json.dumps(base)), reference) == []
    now = json.loads(json.dumps(base))
    now["shell"]["input_transformers_cleanup"] = 4
    now["shell"]["ast_transformers"] = 1
    now["shell"]["event_handlers"] = 1
    now["shell"]["overridden_methods"] = ["showtraceback"]
    now["builtins_replaced"] = ["isinstance"]
    now["user_builtins_is_module"] = False
    now["helpers"]["score_codes"] = "replaced"
    found = " | ".join(tripwire.compare(base, now, reference))
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
    assert "probe failed" in tripwire.compare(base, {"shell_error": "boom"}, reference)[0]


def test_scan_flags_student_cells_that_touch_the_machinery():
    answer = new_code_cell("x = 1\nget_ipython().ast_transformers.append(t)")
    answer.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False, "grade_id": "a1"}
    nb = new_notebook(cells=[answer, graded_cell("import builtins  # test code is not scanned")])
    flags = tripwire.scan_source(nb)
    assert len(flags) == 1 and flags[0].cell == "a1" and "code transformers" in flags[0].message


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
