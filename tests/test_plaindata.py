"""Answers carried out of a student's kernel as plain data (course.plaindata), for the grading judge."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from course import plaindata


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
    [(Liar("x"), "Liar"), (lambda: 1, "function"), (_gen(), "generator"), (object(), "object"),
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
    values, errors = plaindata.load_export(text)
    assert values == {"ok": [1, 2]}
    assert "b1 is not defined" in errors["b1"] and "too large" in errors["big"]


def test_too_deep_is_refused():
    value = []
    for _ in range(plaindata.MAX_DEPTH + 5):
        value = [value]
    assert "deep" in json.loads(plaindata.export(["v"], {"v": value}))["errors"]["v"]


@pytest.mark.parametrize(
    "bad",
    ['{"t": "eval", "v": "__import__(\'os\')"}', '{"t": "int", "v": 3}', '{"t": "list", "v": "abc"}',
     '{"t": "dict", "v": [[1]]}', '{"t": "ndarray", "dtype": "i8", "shape": "x", "v": {"t": "list", "v": []}}',
     '{"t": "np", "dtype": "' + "x" * 50 + '", "v": {"t": "int", "v": "1"}}', "[]", '"text"'],
)  # fmt: skip
def test_malformed_data_is_refused_not_run(bad):
    text = json.dumps({"values": {"a1": bad}, "errors": {}})
    values, errors = plaindata.load_export(text)
    assert values == {} and "a1 could not be rebuilt" in errors["a1"]


#: What each problem set's test cells read beyond the instructor's set-up cells (found with ast).
ANSWERS = {
    "ps1_reading_official_reactions": ["a1", "a2", "a3", "a4", "a5", "b1", "b2", "b3", "c_matches", "d1_china",
                                       "d2_share", "d3_counts", "d4_located"],
    "ps2_geography_and_logistics": ["haversine_km", "a2_km", "a3_ratio", "b1_map", "b2_approximate",
                                    "c1_tonnes_per_container", "c2_days", "c2_per_day", "c3_days", "c3_per_day",
                                    "c4_ratio", "c5_bound", "c5_tonnage_source", "d1_border_km", "d2_qualifier",
                                    "d2_unverified"],
    "ps3_treaties_and_scenarios": ["a1", "a2", "a3_added", "a4_immediately", "b1_in_force", "b2_years", "b3_days",
                                   "weighted_score", "c2_top", "c3_flip", "c3_new_top"],
}  # fmt: skip
#: Answers a judge cannot receive as data: it must call them in the student's kernel, or describe the map.
NOT_DATA = {"haversine_km", "weighted_score", "b1_map"}


@pytest.mark.parametrize("ps", sorted(ANSWERS))
def test_every_reference_answer_leaves_a_kernel_as_plain_data_but_two_functions_and_a_map(ps):
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
        expression = f"__import__('course.plaindata', fromlist=['export']).export({ANSWERS[ps]!r})"
        reply = client.wait_for_reply(client.kc.execute("", silent=True, user_expressions={"r": expression}))
    text = ast.literal_eval(reply["content"]["user_expressions"]["r"]["data"]["text/plain"])
    values, errors = plaindata.load_export(text)
    assert set(errors) == NOT_DATA & set(ANSWERS[ps]), errors
    assert set(values) | set(errors) == set(ANSWERS[ps])
    assert all("must be plain data" in message for message in errors.values())
