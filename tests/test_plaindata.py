"""Answers carried out of a student's kernel as plain data (course.grading.plaindata), for the grading judge."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from course.grading import plaindata


def roundtrip(value):
    return plaindata.decode(json.loads(json.dumps(plaindata.encode(value), allow_nan=False)))


@pytest.mark.parametrize(
    "value",
    [None, True, False, 0, -7, 2**80, 1.5, "", "non-committal", [1, "a", None], (1, 2), {"a": 1, (1, 2): [3]},
     {1, 2}, frozenset({"x"}), {"stance": "concern", "commitment": "words_only", "signal": "of concern"}],
)  # fmt: skip
def test_python_values_come_back_equal_and_of_the_same_type(value):
    back = roundtrip(value)
    assert back == value and type(back) is type(value)


def test_special_floats():
    assert math.isnan(roundtrip(float("nan"))) and roundtrip(float("inf")) == float("inf")


def test_numpy_scalars_and_arrays():
    for value in (np.float64(0.25), np.int64(62), np.bool_(True)):
        back = roundtrip(value)
        assert back == value and type(back) is type(value)
    array = np.arange(6, dtype="int32").reshape(2, 3)
    back = roundtrip(array)
    assert back.dtype == array.dtype and back.shape == (2, 3) and (back == array).all()


def test_pandas_series_and_frames_keep_index_names_and_dtypes():
    frame = pd.DataFrame(
        {
            "name": pd.array(["Seoul", None, "Tokyo"], dtype="string"),
            "n": pd.array([1, None, 3], dtype="Int64"),
            "share": [0.5, float("nan"), 0.25],
            "stance": pd.Categorical(
                ["concern", "warning", "concern"], categories=["concern", "warning", "x"]
            ),
            "when": pd.to_datetime(["2024-06-19", None, "2024-06-20"]),
            "ok": [True, False, True],
        },
        index=pd.Index(["r1", "r2", "r3"], name="reaction_id"),
    )
    pd.testing.assert_frame_equal(roundtrip(frame), frame)
    series = frame["share"].rename("share of statements")
    pd.testing.assert_series_equal(roundtrip(series), series)
    crosstab = pd.crosstab(
        pd.Series(["a", "b", "a"], name="actor"), pd.Series(["x", "x", "y"], name="stance")
    )
    pd.testing.assert_frame_equal(roundtrip(crosstab), crosstab)
    two_levels = frame.set_index(["stance", "ok"])
    pd.testing.assert_frame_equal(roundtrip(two_levels), two_levels)


class Liar(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


def _gen():
    yield 1


@pytest.mark.parametrize(
    ("value", "named"),
    [(Liar("x"), "Liar"), (_gen(), "generator"), (object(), "object"), ({"f": len}, "builtin_function"),
     ({"a": [Liar("x")]}, "Liar"), (np.array([object()]), "Python objects")],
)  # fmt: skip
def test_what_is_not_plain_data_is_refused_with_its_type(value, named):
    exported = json.loads(plaindata.export(["a1"], {"a1": value}))
    assert exported["values"] == {}
    message = exported["errors"]["a1"]
    assert message.startswith("a1 must be plain data") and named in message


def test_export_names_what_is_missing_and_what_is_too_large(monkeypatch):
    monkeypatch.setattr(plaindata, "MAX_CHARS", 100)
    text = plaindata.export(["b1", "big", "ok"], {"big": "x" * 200, "ok": [1, 2]})
    exported = plaindata.load_export(text)
    assert exported.values == {"ok": [1, 2]} and exported.missing == ["b1"]
    assert list(exported.errors) == ["big"] and "too large" in exported.errors["big"]


def test_too_deep_is_refused():
    value = []
    for _ in range(plaindata.MAX_DEPTH + 5):
        value = [value]
    assert "deep" in json.loads(plaindata.export(["v"], {"v": value}))["errors"]["v"]


@pytest.mark.parametrize(
    "bad",
    ['{"t": "eval", "v": "__import__(\'os\')"}', '{"t": "int", "v": 3}', '{"t": "list", "v": "abc"}',
     '{"t": "dict", "v": [[1]]}', '{"t": "ndarray", "dtype": "i8", "shape": "x", "v": {"t": "list", "v": []}}',
     '{"t": "np", "dtype": "' + "x" * 50 + '", "v": {"t": "int", "v": "1"}}', "[]", '"text"',
     '{"t": "ndarray", "dtype": "V2000000000", "shape": [1], "v": {"t": "list", "v": [{"t": "int", "v": "0"}]}}',
     '{"t": "ndarray", "dtype": "<U99999", "shape": [1], "v": {"t": "list", "v": [{"t": "str", "v": ""}]}}',
     '{"t": "series", "name": {"t": "none"}, "dtype": "V99999999", "index": {"t": "list", "v": []}, "v": []}',
     "[" * 100000 + "]" * 100000],
)  # fmt: skip
def test_malformed_data_is_refused_not_run(bad):
    text = json.dumps({"values": {"a1": bad}, "errors": {}})
    exported = plaindata.load_export(text)
    assert exported.values == {} and "a1 could not be rebuilt" in exported.errors["a1"]


def test_an_answer_that_is_not_an_export_is_refused():
    for text in ("[" * 100000 + "]" * 100000, '{"values": []}', "x" * (20 * plaindata.MAX_CHARS + 1)):
        with pytest.raises(ValueError):
            plaindata.load_export(text)


#: What each problem set's test cells read beyond the instructor's set-up cells (found with ast).
ANSWERS = {
    "ps1_reading_official_reactions": ["a1", "a2", "a3", "a4", "a5", "b1", "b2", "b3", "c1_avoided", "c2_avoided", "d1_china",
                                       "d2_share", "d3_counts", "d4_located"],
    "ps2_geography_and_logistics": ["haversine_km", "a2_km", "a3_ratio", "b1_map", "b2_approximate", "b2_not_drawn",
                                    "c1_tonnes_per_container", "c2_days", "c2_per_day", "c3_days", "c3_per_day",
                                    "c4_ratio", "c5_bound", "c5_tonnage_source", "d1_border_km", "d2_qualifier",
                                    "d2_unverified"],
    "ps3_treaties_and_scenarios": ["a1", "a2", "a3_reading", "a4_reading", "b1_in_force", "b2_years", "b3_days",
                                   "weighted_score", "c2_top", "c3_flip", "c3_new_top"],
}  # fmt: skip
#: Answers that are functions: the judge calls them in the student's kernel.
FUNCTIONS = {"haversine_km", "weighted_score"}


def test_a_function_is_named_not_sent_and_the_judge_calls_it_in_the_kernel_with_plain_data():
    def weighted(scores, weights, *, scale=1.0):
        return (scores * weights["w"] * scale).sort_values(ascending=False)

    namespace = {"weighted": weighted, "broken": lambda: 1 / 0, "odd": lambda: Liar("x"), "Cls": Liar}
    values, errors, functions, *_ = plaindata.load_export(plaindata.export(["weighted", "Cls"], namespace))
    assert functions == ["weighted"] and values == {} and "Cls must be plain data" in errors["Cls"]
    scores = pd.Series([1.0, 3.0], index=["a", "b"])
    arguments = plaindata.encode_call((scores, {"w": 2}), {"scale": 0.5})
    values = plaindata.load_export(plaindata.call("weighted", arguments, namespace)).values
    pd.testing.assert_series_equal(values[plaindata.RESULT], weighted(scores, {"w": 2}, scale=0.5))
    errors = plaindata.load_export(plaindata.call("broken", plaindata.encode_call((), {}), namespace)).errors
    assert errors[plaindata.RESULT] == "broken(...) raised ZeroDivisionError: division by zero"
    errors = plaindata.load_export(plaindata.call("odd", plaindata.encode_call((), {}), namespace)).errors
    assert (
        errors[plaindata.RESULT].startswith("what odd(...) returns must be plain data")
        and "Liar" in errors[plaindata.RESULT]
    )
    with pytest.raises(plaindata.ExportError):
        plaindata.encode_call((object(),), {})


def test_a_course_map_travels_as_its_plain_parts():
    from course.views import maps

    course_map = maps.triangle_map(corners=("pyongyang", "vladivostok", "khasan_bridge"), context=())
    rebuilt = roundtrip(course_map)
    assert type(rebuilt) is maps.CourseMap and rebuilt.map is None
    assert (rebuilt.title, rebuilt.caption, rebuilt.empty, rebuilt.notes) == (
        course_map.title, course_map.caption, course_map.empty, course_map.notes)  # fmt: skip
    pd.testing.assert_frame_equal(rebuilt.table, course_map.table)
    forged = {"t": "coursemap", "title": {"t": "str", "v": "x"}, "caption": {"t": "int", "v": "1"},
              "table": {"t": "none"}, "empty": {"t": "bool", "v": False}, "notes": {"t": "list", "v": []}}  # fmt: skip
    with pytest.raises(ValueError, match="CourseMap needs"):
        plaindata.decode(forged)


@pytest.mark.slow
@pytest.mark.parametrize("ps", sorted(ANSWERS))
def test_every_reference_answer_leaves_a_kernel_as_plain_data_or_as_a_function(ps):
    import ast

    import nbformat
    from conftest import ROOT
    from nbclient import NotebookClient

    folder = ROOT / "assignments" / "source" / ps
    nb = nbformat.read(folder / f"{ps}.ipynb", as_version=4)
    client = NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
        expression = f"__import__('course.grading.plaindata', fromlist=['export']).export({ANSWERS[ps]!r})"
        reply = client.wait_for_reply(client.kc.execute("", silent=True, user_expressions={"r": expression}))
    text = ast.literal_eval(reply["content"]["user_expressions"]["r"]["data"]["text/plain"])
    values, errors, functions, missing, _ = plaindata.load_export(text)
    assert errors == {} and missing == []
    assert set(functions) == FUNCTIONS & set(ANSWERS[ps])
    assert set(values) | set(functions) == set(ANSWERS[ps])
