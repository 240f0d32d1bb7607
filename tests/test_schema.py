"""The schema's column kinds: each checks, types and describes its values, and the schema refuses a bad column."""

from __future__ import annotations

import ast
import re
from datetime import date

import pandas as pd
import pytest
from conftest import ROOT

from course.content import schema
from course.content.schema import KINDS, SCHEMA, Column

KNOWN = {"places": {"pyongyang", "seoul"}}


@pytest.mark.parametrize(
    ("column", "raw", "value"),
    [
        (Column("x_id", "id", "."), "ps1_A1", "ps1_A1"),
        (Column("t", "text", "."), "any words, even ; and ,", "any words, even ; and ,"),
        (Column("u", "url", "."), "https://example.org/a?b=c", "https://example.org/a?b=c"),
        (Column("b", "bool", "."), "false", False),
        (Column("lat", "float", ".", low=-90, high=90), "39.03", 39.03),
        (Column("n", "int", ".", low=1), "23", 23),
        (Column("c", "category", ".", values=("a", "b")), "b", "b"),
        (Column("d", "date", "."), "2024-06-19", date(2024, 6, 19)),
        (Column("d", "date", ".", precision="p"), "2024-06", date(2024, 6, 1)),
        (Column("p", "partial_date", "."), "2024", "2024"),
        (Column("r", "ref", ".", table="places"), "seoul", "seoul"),
        (Column("rs", "refs", ".", table="places"), "seoul; pyongyang", "seoul; pyongyang"),
    ],
)
def test_each_kind_checks_and_types_a_good_value(column, raw, value):
    assert column.check(raw, {"p": "month"}, KNOWN) == value


@pytest.mark.parametrize(
    ("column", "raw", "says"),
    [
        (Column("x_id", "id", "."), "ps1 A1", "expected an id of letters, digits and underscores"),
        (Column("u", "url", "."), "ftp://x", "expected a URL starting with http:// or https://"),
        (Column("b", "bool", "."), "yes", "expected true or false"),
        (
            Column("lat", "float", ".", low=-90, high=90),
            "123",
            "is out of range; expected a latitude from -90 to 90",
        ),
        (Column("n", "float", ".", low=0), "-1", "is out of range; expected a value from 0 up"),
        (Column("n", "int", "."), "2.5", "expected a whole number"),
        (Column("c", "category", ".", values=("a", "b")), "c", "is not allowed; expected one of a, b"),
        (Column("d", "date", "."), "2024-06", "expected a full date as YYYY-MM-DD"),
        (
            Column("d", "date", ".", precision="p"),
            "2024-06-19",
            "date_precision is 'month', so expected YYYY-MM",
        ),
        (Column("d", "date", "."), "2024-02-30", "not a real date"),
        (Column("p", "partial_date", "."), "June 2024", "expected a date as YYYY-MM-DD (or YYYY / YYYY-MM)"),
        (Column("r", "ref", ".", table="places"), "tokyo", "unknown places id(s) ['tokyo']"),
        (
            Column("rs", "refs", ".", table="places"),
            "seoul;;pyongyang",
            "has an empty id between ';' separators",
        ),
        (Column("t", "text", "."), "", "is empty; a value is required"),
    ],
)
def test_each_kind_says_what_it_expected(column, raw, says):
    with pytest.raises(ValueError, match="^" + re.escape(says)):
        column.check(raw, {"p": "month"}, KNOWN)


def test_an_empty_optional_value_is_none_whatever_the_kind():
    for kind in KINDS:
        column = _column_of(kind)
        optional = Column(column.name, kind, ".", required=False, values=column.values, table=column.table)
        assert optional.check("", {}, KNOWN) is None


def test_a_bad_column_is_refused_when_the_schema_is_built():
    with pytest.raises(ValueError, match="unknown kind 'datetime'; the kinds are id, text, url"):
        Column("when", "datetime", ".")
    with pytest.raises(ValueError, match="a table is named for a reference, and only for one"):
        Column("place_id", "ref", ".")
    with pytest.raises(ValueError, match="a table is named for a reference, and only for one"):
        Column("name", "text", ".", table="places")
    with pytest.raises(ValueError, match="allowed values are listed for a category, and only for one"):
        Column("kind", "category", ".")


def _column_of(kind: str) -> Column:
    """A column of ``kind`` with what that kind needs declared (values, a table)."""
    if kind == "category":
        return Column("x", kind, ".", values=("a", "b"), ordered=True)
    return Column("x", kind, ".", table="t" if KINDS[kind].refers else "")


SAMPLES = {
    "id": ["a"],
    "text": ["a"],
    "url": ["https://a"],
    "bool": [True],
    "float": [1.5],
    "int": [2],
    "category": ["b"],
    "date": [date(2024, 6, 19)],
    "partial_date": ["2024"],
    "ref": ["a"],
    "refs": ["a;b"],
}


def test_each_kind_types_a_whole_column_for_pandas():
    assert set(SAMPLES) == set(KINDS)
    typed = {kind: _column_of(kind).type.typed(_column_of(kind), pd.Series(v)) for kind, v in SAMPLES.items()}
    assert pd.api.types.is_datetime64_any_dtype(typed["date"])
    assert pd.api.types.is_bool_dtype(typed["bool"]) and pd.api.types.is_float_dtype(typed["float"])
    assert str(typed["int"].dtype) == "Int64"
    assert isinstance(typed["category"].dtype, pd.CategoricalDtype) and typed["category"].dtype.ordered
    assert all(str(typed[k].dtype) == "string" for k in ("id", "text", "url", "partial_date", "ref", "refs"))


def test_every_declared_column_is_a_known_kind_and_every_reference_a_table():
    for table in SCHEMA.values():
        for column in table.columns:
            assert column.type is KINDS[column.kind]
            if column.type.refers:
                assert column.table in SCHEMA, f"{table.name}.{column.name} refers to {column.table!r}"


def test_nothing_outside_the_schema_switches_on_a_kind_name():
    """The review found kind names compared as strings in three places; the kinds are objects now."""
    offenders = []
    for path in [*(ROOT / "course").rglob("*.py"), *(ROOT / "tools").rglob("*.py")]:
        if path == ROOT / "course" / "content" / "schema.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Compare)
                and isinstance(node.left, ast.Attribute)
                and node.left.attr == "kind"
            ):
                base = node.left.value
                if isinstance(base, ast.Name) and base.id in ("column", "c", "col"):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_the_schema_module_reads_no_file():
    source = (ROOT / "course" / "content" / "schema.py").read_text()
    assert "open(" not in source and "read_text" not in source and "read_bytes" not in source
    assert schema.tables() == list(SCHEMA)
