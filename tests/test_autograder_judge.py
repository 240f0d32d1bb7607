"""The judge (course.autograder.judge): test cells run on exported answers, in a namespace no student code reached."""

import ast

import nbformat
import pytest
from conftest import ROOT

from course.autograder import feedback
from course.autograder.judge import (
    NOT_GRADABLE,
    AnswerError,
    Judge,
    StudentFunction,
    bound_names,
    read_names,
)
from course.grading import plaindata

SETUP = [("setup", "import math\nLIMIT = 3\nnames = ['a', 'b']\nprint('shown to the student only')")]


def no_calls(name, args, kwargs):
    raise AssertionError("no function should be called")


def test_a_test_reads_the_answers_and_nothing_that_is_its_own_or_the_set_ups():
    judge = Judge(SETUP)
    source = "import re\nfor n in names:\n    x = math.sqrt(LIMIT) + len(n)\nassert answer == x and helper(n)\nlen(other)"
    assert judge.answers_read(source) == ["answer", "helper", "other"]
    assert judge.answers_read("def f(:") == []
    tree = ast.parse(
        "from a.b import c as d\nimport e.f\ntry:\n    pass\nexcept E as g:\n    del h\nlambda i: i"
    )
    assert bound_names(tree) == {"d", "e", "g", "h", "i"}
    assert read_names(ast.parse("x + y + x")) == ["x", "y"]


def test_partial_credit_errors_and_output_come_out_as_nbgrader_reads_them():
    judge = Judge(SETUP)
    [result] = judge.run("t1", "assert answer > 1\nanswer / 4", {"answer": 2}, {}, [], no_calls, 7)
    assert result.output_type == "execute_result" and result.data == {"text/plain": "0.5"}
    assert result.execution_count == 7
    source = '"""Check."""\nassert answer > 1, "too small"\n### BEGIN HIDDEN TESTS\nassert answer == 5\n### END HIDDEN TESTS'
    [error] = judge.run("t2", source, {"answer": 2}, {}, [], no_calls, 8)
    assert (error.ename, error.evalue) == ("AssertionError", "")
    assert error.traceback[0] == "Cell In[8], line 4" and feedback.failing_line(error.traceback) == 4
    [error] = judge.run("t3", source, {"answer": 0}, {}, [], no_calls, 9)
    assert error.evalue == "too small" and feedback.failing_line(error.traceback) == 2
    printed = judge.run("t4", "print('hi')\nimport sys\nprint('warn', file=sys.stderr)", {}, {}, [], no_calls)
    assert [(o.name, o.text) for o in printed] == [("stdout", "hi\n"), ("stderr", "warn\n")]
    [error] = judge.run("t5", "def f(:", {}, {}, [], no_calls)
    assert error.ename == "SyntaxError"


def test_the_set_up_names_are_the_judges_and_answers_do_not_outlive_their_test():
    judge = Judge(SETUP)
    assert judge.namespace["LIMIT"] == 3 and judge.setup_errors == []
    judge.run("t1", "assert a1 == 1", {"a1": 1}, {}, [], no_calls)
    [error] = judge.run("t2", "a1", {}, {}, [], no_calls)
    assert error.ename == "NameError", "a1 was given to the first test only"
    [error] = judge.run("t3", "assert missing", {}, {}, [], no_calls)
    assert (error.ename, error.evalue) == ("NameError", "name 'missing' is not defined")
    judge.run("t4", "expected = 5", {}, {}, [], no_calls)
    assert "expected" not in judge.answers_read("assert x == expected"), "what a test binds stays the judge's"
    assert Judge(SETUP).namespace.get("expected") is None, "a new judge starts from the set-up cells alone"
    broken = Judge([("bad", "1 / 0"), ("good", "y = 2")])
    assert broken.setup_errors == ["bad: ZeroDivisionError: division by zero"] and broken.namespace["y"] == 2


def test_an_answer_that_is_not_data_fails_its_test_with_the_reason():
    judge = Judge(SETUP)
    message = "a1 must be plain data (str, ...); got a Liar"
    [error] = judge.run("t", "assert a1", {}, {"a1": message}, [], no_calls)
    assert (error.ename, error.evalue) == (NOT_GRADABLE, message)
    assert NOT_GRADABLE in feedback.GRADER_ERRORS, "feedback shows the reason as it is"


def test_a_function_answer_is_called_through_the_caller_with_the_tests_inputs():
    calls = []

    def caller(name, args, kwargs):
        calls.append((name, args, kwargs))
        if args == (0,):
            raise AnswerError("f(...) raised ZeroDivisionError: division by zero")
        return 10 / args[0]

    judge = Judge(SETUP)
    assert judge.run("t", "assert f(2) == 5.0\nassert f(5, k=1) == 2.0", {}, {}, ["f"], caller) == []
    assert calls == [("f", (2,), {}), ("f", (5,), {"k": 1})]
    [error] = judge.run("t", "f(0)", {}, {}, ["f"], caller)
    assert error.ename == "AnswerError" and "ZeroDivisionError" in error.evalue
    assert repr(StudentFunction("f", caller)) == "<the submission's function f>"


@pytest.mark.parametrize("ps", ["ps1_reading_official_reactions", "ps2_geography_and_logistics",
                                "ps3_treaties_and_scenarios"])  # fmt: skip
def test_each_problem_set_runs_in_the_judge_on_the_reference_answers(ps):
    """Every test cell of the source notebook passes in a judge fed with the reference answers as plain data."""
    import json

    from course.grading import plaindata

    nb = nbformat.read(ROOT / "assignments" / "source" / ps / f"{ps}.ipynb", as_version=4)
    meta = [c.metadata.get("nbgrader", {}) for c in nb.cells]
    setup = [(m["grade_id"], c.source) for c, m in zip(nb.cells, meta, strict=True)
             if c.cell_type == "code" and m.get("locked") and not m.get("grade") and not m.get("solution")]  # fmt: skip
    judge, student = Judge(setup), {}
    exec(compile("\n".join(source for _, source in setup), "setup", "exec"), student)  # the student's own run
    for cell, m in zip(nb.cells, meta, strict=True):
        if cell.cell_type != "code" or (m.get("locked") and not m.get("grade")):
            continue
        if not m.get("grade"):
            exec(compile(cell.source, m.get("grade_id", "cell"), "exec"), student)
            continue
        if m.get("solution"):
            continue
        exported = plaindata.load_export(plaindata.export(judge.answers_read(cell.source), student))
        assert exported.errors == {} and exported.missing == []

        def caller(name, args, kwargs):
            answer = plaindata.load_export(plaindata.call(name, plaindata.encode_call(args, kwargs), student))
            return answer.values[plaindata.RESULT]

        outputs = judge.run(m["grade_id"], cell.source, exported.values, {}, exported.functions, caller)
        assert not [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"], (
            m["grade_id"], outputs)  # fmt: skip
        for output in outputs:
            if output.output_type == "execute_result":
                assert float(output.data["text/plain"]) == float(m["points"]), m["grade_id"]
        json.dumps(outputs)  # what goes into the notebook is JSON


def test_names_a_test_did_not_ask_for_are_never_bound_whatever_the_kernel_sends():
    """Issue 27: a forged export sent the set-up's tables and "functions" named like builtins; the judge bound them,
    so a hidden test called the student's kernel for every ``float`` and read the student's fake table."""
    judge = Judge(SETUP)
    calls = []

    def caller(name, args, kwargs):
        calls.append((name, args))
        return 1.0

    source = "assert float(share) == 1.0 and LIMIT == 3 and len(names) == 2\n1.5"
    forged = {"share": 0.25, "LIMIT": 99, "names": ["forged"]}
    outputs = judge.run("d2", source, forged, {}, ["float", "len", "share"], caller)
    assert [o.output_type for o in outputs] == ["error"] and outputs[0].ename == "AssertionError", outputs
    assert calls == [], "no builtin was called in the student's kernel"
    assert judge.namespace["LIMIT"] == 3 and judge.namespace["names"] == ["a", "b"]
    # the same, as the grader reads a reply: the names nobody asked for are dropped and reported
    text = plaindata.export(["share"], {"share": 0.25, "LIMIT": 99})
    data = __import__("json").loads(text)
    data["values"]["LIMIT"] = data["values"]["share"]
    data["functions"] = ["float", "sorted"]
    exported = plaindata.load_export(__import__("json").dumps(data), requested=["share"])
    assert exported.values == {"share": 0.25} and exported.functions == []
    assert exported.unrequested == ["LIMIT", "float", "sorted"]


def test_the_judges_own_time_on_a_test_is_limited_but_not_the_kernels():
    judge = Judge(SETUP)
    [error] = judge.run("slow", "while True:\n    pass", {}, {}, [], no_calls, seconds=0.5)
    assert error.ename == "JudgeTimeLimit" and "test slow took longer" in error.evalue

    def slow_kernel(name, args, kwargs):
        __import__("time").sleep(0.8)  # the student's kernel working: not the judge's time
        return 2

    [result] = judge.run("calls", "f(1) + f(2)", {}, {}, ["f"], slow_kernel, seconds=0.5)
    assert result.data == {"text/plain": "4"}


@pytest.mark.parametrize(
    ("value", "limit"),
    [
        ("__import__('pandas').DataFrame(columns=range(2_000))", "columns (the judge's limit)"),
        ("__import__('numpy').array(['x'] * 20_000, dtype='<U4000')", "MiB (the judge's limit)"),
        ("[None] * 120_000", "values in one answer (the judge's limit)"),
    ],
)
def test_a_reply_over_the_judges_limits_is_refused_before_it_is_rebuilt(value, limit):
    import time

    answer = eval(value)
    text = plaindata.export(["a"], {"a": answer})
    started = time.monotonic()
    exported = plaindata.load_export(text, requested=["a"])
    assert time.monotonic() - started < 2
    assert exported.values == {} and limit in exported.errors["a"], exported.errors
