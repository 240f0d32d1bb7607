"""Load the course's data tables, validated against the schema in :mod:`course.content.schema`.

``load("reactions")`` reads ``data/reactions.csv``, checks every value against :data:`SCHEMA` (types,
allowed values, ranges, unique keys, and references to other tables, ``source_id`` above all), and returns a
typed pandas DataFrame: dates as ``datetime64``, categories as ``Categorical``, numbers as numbers, flags as
``bool``. Every load checks the files as they are now, so a broken edit never reaches a lesson silently: a
validated table is kept in memory only together with the exact bytes of every table file, and is validated
again as soon as any of them differs (each call returns its own copy, safe to modify).

Anything wrong raises :class:`DataError`, whose message names the file, the line, the column and what was
expected, e.g. ``data/places.csv, line 3 (place_id 'beijing'), column 'lat': '123' is out of range; expected
a latitude from -90 to 90``.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pandas as pd

from course.content.schema import SCHEMA, Table, split_ids, tables
from course.paths import data_dir as default_data_dir

#: The loader's names, and the schema's that lessons and tools reach through it.
__all__ = ["SCHEMA", "DataError", "format_date", "load", "split_ids", "tables"]


class DataError(ValueError):
    """A data file is malformed or breaks the schema. The message says where and what was expected."""

    def __init__(self, file: str, message: str, line: int | str | None = None, column: str | None = None):
        self.file, self.line, self.column, self.detail = file, line, column, message
        where = file
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")


def _read_rows(path: Path, table: Table, label: str) -> list[tuple[int, dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(label, "file not found") from None
    except UnicodeDecodeError as err:
        raise DataError(
            label, f"not UTF-8 text (byte {err.object[err.start]:#04x} at offset {err.start})"
        ) from None
    if not text.strip():
        raise DataError(label, "the file is empty; expected a header line and rows")
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as err:
        raise DataError(label, f"malformed CSV header ({err})", line=1) from None
    expected = [c.name for c in table.columns]
    missing = [c for c in expected if c not in header]
    if missing:
        raise DataError(label, f"missing column(s) {missing}; expected {expected}", line=1)
    extra = [c for c in header if c not in expected]
    if extra:
        raise DataError(label, f"unexpected column(s) {extra}; expected {expected}", line=1)
    if len(set(header)) != len(header):
        raise DataError(label, f"a column name repeats in the header {header}", line=1)
    rows = []
    while True:
        start_line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            raise DataError(label, f"malformed CSV ({err})", line=start_line) from None
        if not values or not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise DataError(
                label,
                f"{len(values)} fields, expected {len(header)} ({', '.join(header)}); "
                "a comma inside a value needs double quotes around the value",
                line=start_line,
            )
        rows.append((start_line, {h: v.strip() for h, v in zip(header, values, strict=True)}))
    return rows


def _validate(name: str, folder: Path, cache: dict[str, list[tuple[int, dict[str, object]]]]):
    if name in cache:
        return cache[name]
    table = SCHEMA[name]
    label = f"data/{table.file}"
    rows = _read_rows(folder / table.file, table, label)
    referenced = table.referenced
    known_ids = {
        other: {str(r[SCHEMA[other].key]) for _, r in _validate(other, folder, cache)}
        for other in referenced - {name}
    }
    if name in referenced:  # a column that points at other rows of the same table
        known_ids[name] = {str(row.get(table.key, "")) for _, row in rows}
    seen: dict[str, int] = {}
    typed_rows = []
    for line, row in rows:
        key = row.get(table.key, "")
        where = f"{line} ({table.key} {key!r})" if key else str(line)
        typed = {}
        for column in table.columns:
            try:
                typed[column.name] = column.check(row[column.name], row, known_ids)
            except ValueError as err:
                raise DataError(
                    label,
                    f"{row[column.name]!r} {err}" if row[column.name] else str(err),
                    line=where,
                    column=column.name,
                ) from None
        for rule in table.row_rules:
            problem = rule(row)
            if problem:
                raise DataError(label, problem[1], line=where, column=problem[0])
        if key in seen:
            raise DataError(
                label, f"duplicate id {key!r} (first on line {seen[key]})", line=where, column=table.key
            )
        seen[key] = line
        typed_rows.append((line, typed))
    if not typed_rows:
        raise DataError(label, "has a header but no rows")
    cache[name] = typed_rows
    return typed_rows


def load(name: str, data_dir: str | Path | None = None):
    """Load and validate one table, returning a typed pandas DataFrame indexed by its id column.

    Parameters
    ----------
    name : str
        A table name from :func:`tables`, e.g. ``"reactions"``.
    data_dir : path, optional
        Folder holding the CSV files (default: the course's ``data/``).

    Raises
    ------
    DataError
        If the table or any table it refers to is malformed; the message names file, line and column.
    """
    if name not in SCHEMA:
        raise DataError(f"data/{name}.csv", f"no table named {name!r}; the tables are {', '.join(SCHEMA)}")
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    key, contents = (str(folder.resolve()), name), _contents(folder)
    kept = _LOADED.get(key)
    if kept is not None and kept[0] == contents:
        return kept[1].copy()
    frame = _build(name, folder)
    _LOADED[key] = (contents, frame)
    return frame.copy()


#: Validated frames by (folder, table), with the digest of the table files they were built from.
_LOADED: dict[tuple[str, str], tuple[bytes, object]] = {}


def _contents(folder: Path) -> bytes:
    """A digest of every table file's bytes in ``folder`` (a missing file counts as its own state)."""
    digest = hashlib.blake2b(digest_size=16)
    for table in SCHEMA.values():
        try:
            data = (folder / table.file).read_bytes()
        except OSError as err:
            data = f"unreadable: {type(err).__name__}".encode()
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.digest()


def _build(name: str, folder: Path):
    table = SCHEMA[name]
    records = [typed for _, typed in _validate(name, folder, {})]
    frame = pd.DataFrame.from_records(records, columns=[c.name for c in table.columns])
    for column in table.columns:
        frame[column.name] = column.type.typed(column, frame[column.name])
    return frame.set_index(table.key)


_MONTHS = ("January February March April May June July August September October November December").split()


def format_date(value, precision: str = "day") -> str:
    """Format a date no more precisely than it is known: '19 June 2024', 'June 2024' or '2024'.

    Parameters
    ----------
    value : datetime-like or None
    precision : {'day', 'month', 'year'}
    """
    if value is None or value != value:  # None or NaT
        return ""
    if precision == "year":
        return f"{value.year}"
    if precision == "month":
        return f"{_MONTHS[value.month - 1]} {value.year}"
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
