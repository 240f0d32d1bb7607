"""Answers as plain data: a JSON encoding with type tags that carries values out of a student's kernel.

A building block for the grading judge (issue 15: hidden tests run where no student code ran). The judge asks
the student's kernel for the names a test reads, as :func:`export` text, and rebuilds them with
:func:`decode`. Nothing in the encoding can run code: it is JSON, read with ``json.loads``, and every value is
rebuilt from a closed list of types. Exact types only: a subclass of ``str`` whose ``==`` is always true, a class
instance, a function or a generator is refused with a message that names the answer and its type.

Types: None, bool, int, float (also nan and inf), str, list, tuple, dict (any plain keys), set, frozenset;
NumPy scalars and arrays (not of dtype object); pandas Series, DataFrame and Index (MultiIndex too), with
names, dtypes (categorical with its categories) and values (timestamps, NaT and NA included); and the course's
own ``CourseMap`` (``course.views.maps``) by its plain parts: title, caption, table, notes and whether it is empty (the
folium map itself stays behind; the judge gets ``map=None``).

An answer that is a function is not data: :func:`export` names it in ``functions``, and the judge calls it *in
the student's kernel* through :func:`call`, with plain-data arguments, and gets a plain-data result back.

This module runs in the student's kernel too: it imports NumPy and pandas only when a value is of their types.
"""

from __future__ import annotations

import json
import re
import sys
from typing import NamedTuple

#: Largest encoded answer, in characters of JSON.
MAX_CHARS = 2_000_000
MAX_DEPTH = 32
#: What the judge rebuilds from one export at most (issue 27: a reply is hostile bytes): values in all, columns of
#: one table, and bytes of one NumPy array (a wide string dtype multiplies memory: ``<U4000`` is 16 kB a value).
MAX_VALUES = 100_000
MAX_COLUMNS = 1_000
MAX_ARRAY_BYTES = 64 * 1024 * 1024
PLAIN = "str, int, float, bool, None, list, tuple, dict, set, NumPy scalars and arrays, pandas Series and DataFrames"


class ExportError(ValueError):
    """A value that is not plain data, or too large or too deep to send."""


def _type_name(value) -> str:
    cls = type(value)
    return cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def _numpy():
    return sys.modules.get("numpy")


def _pandas():
    return sys.modules.get("pandas")


def encode(value, _depth: int = 0):
    """``value`` as JSON-ready tagged data; :class:`ExportError` if it is not plain data."""
    if _depth > MAX_DEPTH:
        raise ExportError(f"nested more than {MAX_DEPTH} levels deep")
    if value is None:
        return {"t": "none"}
    cls, deeper = type(value), _depth + 1
    builtin = _ENCODE_BUILTIN.get(cls)
    if builtin is not None:
        return builtin(value, deeper)
    for encoder in (_encode_numpy, _encode_pandas, _encode_course_map):
        data = encoder(value, cls, deeper)
        if data is not None:
            return data
    raise ExportError(f"a {_type_name(value)}")


def _encode_items(value, deeper: int) -> dict:
    return {"t": type(value).__name__, "v": [encode(item, deeper) for item in value]}


#: The built-in types, by exact type (a subclass of ``str`` is not ``str``), and how each is encoded.
_ENCODE_BUILTIN = {
    bool: lambda value, deeper: {"t": "bool", "v": value},
    int: lambda value, deeper: {"t": "int", "v": str(value)},
    float: lambda value, deeper: {"t": "float", "v": repr(value)},
    str: lambda value, deeper: {"t": "str", "v": value},
    list: _encode_items,
    tuple: _encode_items,
    set: _encode_items,
    frozenset: _encode_items,
    dict: lambda value, deeper: {
        "t": "dict",
        "v": [[encode(k, deeper), encode(v, deeper)] for k, v in value.items()],
    },
}


def _encode_numpy(value, cls, deeper: int) -> dict | None:
    np = _numpy()
    if np is None:
        return None
    if isinstance(value, np.generic) and cls.__module__ == "numpy" and value.dtype.kind != "O":
        return {"t": "np", "dtype": value.dtype.str, "v": encode(value.item(), deeper)}
    if cls is np.ndarray:
        if value.dtype.kind == "O":
            raise ExportError("a NumPy array of Python objects")
        return {
            "t": "ndarray",
            "dtype": value.dtype.str,
            "shape": list(value.shape),
            "v": encode(value.ravel().tolist(), deeper),
        }
    return None


def _encode_pandas(value, cls, deeper: int) -> dict | None:
    pd = _pandas()
    if pd is None:
        return None
    if cls is pd.Series:
        return {
            "t": "series",
            "name": encode(value.name, deeper),
            "dtype": _dtype(value.dtype),
            "index": encode(value.index, deeper),
            "v": _cells(value.tolist(), deeper),
        }
    if cls is pd.DataFrame:
        return {
            "t": "frame",
            "columns": encode(value.columns, deeper),
            "index": encode(value.index, deeper),
            "dtypes": [_dtype(dtype) for dtype in value.dtypes],
            "v": [_cells(value.iloc[:, n].tolist(), deeper) for n in range(value.shape[1])],
        }
    if cls is pd.MultiIndex:
        levels = [value.get_level_values(n) for n in range(value.nlevels)]
        return {"t": "multiindex", "v": [encode(level, deeper) for level in levels]}
    if isinstance(value, pd.Index) and cls.__module__.split(".")[0] == "pandas":
        return {
            "t": "index",
            "name": encode(value.name, deeper),
            "dtype": _dtype(value.dtype),
            "v": _cells(value.tolist(), deeper),
        }
    if cls is pd.Timestamp:
        return {"t": "timestamp", "v": value.isoformat()}
    if value is pd.NaT:
        return {"t": "nat"}
    if value is pd.NA:
        return {"t": "na"}
    return None


def _encode_course_map(value, cls, deeper: int) -> dict | None:
    if cls.__module__ != "course.views.maps" or cls.__qualname__ != "CourseMap":
        return None
    parts = ("title", "caption", "table", "empty", "notes")
    return {"t": "coursemap", **{part: encode(getattr(value, part), deeper) for part in parts}}


def _dtype(dtype) -> object:
    pd = _pandas()
    if pd is not None and isinstance(dtype, pd.CategoricalDtype):
        return {"categories": _cells(list(dtype.categories), 0), "ordered": bool(dtype.ordered)}
    return str(dtype)


def _cells(values: list, depth: int) -> list:
    return [encode(v, depth) for v in values]


class _Budget:
    """How many values one export may still rebuild (:data:`MAX_VALUES`)."""

    def __init__(self, values: int = MAX_VALUES):
        self.left = values

    def spend(self, count: int = 1) -> None:
        self.left -= count
        if self.left < 0:
            raise ValueError(f"more than {MAX_VALUES:,} values in one answer (the judge's limit)")


def decode(data):
    """Rebuild a value from :func:`encode`'s data; ``ValueError`` for anything that is not such data, or more
    than the judge rebuilds (:data:`MAX_VALUES`, :data:`MAX_COLUMNS`, :data:`MAX_ARRAY_BYTES`)."""
    return _decode(data, 0, _Budget())


def _decode(data, _depth: int, budget: _Budget):
    if _depth > MAX_DEPTH + 2 or not isinstance(data, dict) or not isinstance(data.get("t"), str):
        raise ValueError("not tagged plain data")
    budget.spend()
    decoder = _DECODE.get(data["t"])
    if decoder is None:
        raise ValueError(f"unknown or malformed tag {data['t'][:40]!r}")
    return decoder(data, _depth + 1, budget)


def _decode_bool(data, deeper: int, budget: _Budget) -> bool:
    if type(data.get("v")) is not bool:
        raise ValueError("bool needs true or false")
    return data["v"]


def _decode_items(data, deeper: int, budget: _Budget):
    items = [_decode(item, deeper, budget) for item in _list(data)]
    return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[data["t"]](items)


def _decode_dict(data, deeper: int, budget: _Budget) -> dict:
    pairs = _list(data)
    if not all(isinstance(pair, list) and len(pair) == 2 for pair in pairs):
        raise ValueError("a dict's items must be pairs")
    return {_decode(k, deeper, budget): _decode(v, deeper, budget) for k, v in pairs}


def _decode_np(data, deeper: int, budget: _Budget):
    import numpy as np

    return np.dtype(_dtype_text(data["dtype"])).type(_decode(data["v"], deeper, budget))


def _decode_ndarray(data, deeper: int, budget: _Budget):
    import numpy as np

    shape = data.get("shape")
    if not isinstance(shape, list) or not all(type(n) is int and 0 <= n <= MAX_VALUES for n in shape):
        raise ValueError("an array's shape must be a list of sizes")
    dtype = np.dtype(_dtype_text(data["dtype"]))
    count = 1
    for n in shape:
        count *= n
    if count * dtype.itemsize > MAX_ARRAY_BYTES:
        raise ValueError(f"an array of more than {MAX_ARRAY_BYTES // 2**20} MiB (the judge's limit)")
    flat = _decode(data["v"], deeper, budget)
    return np.array(flat, dtype=dtype).reshape(shape)


def _decode_series(data, deeper: int, budget: _Budget):
    import pandas as pd

    values = [_decode(v, deeper, budget) for v in _list(data)]
    index = _decode(data["index"], deeper, budget)
    name = _decode(data["name"], deeper, budget)
    return _typed(budget, pd.Series(values, index=index, name=name, dtype=object), data["dtype"])


def _decode_frame(data, deeper: int, budget: _Budget):
    import pandas as pd

    columns = _decode(data["columns"], deeper, budget)
    index = _decode(data["index"], deeper, budget)
    dtypes, cells = data.get("dtypes"), _list(data)
    if len(cells) > MAX_COLUMNS:
        raise ValueError(f"a table of more than {MAX_COLUMNS:,} columns (the judge's limit)")
    if not isinstance(dtypes, list) or len(dtypes) != len(cells) or len(cells) != len(columns):
        raise ValueError("a DataFrame needs one dtype and one value list per column")
    frame = pd.DataFrame(
        {
            n: pd.Series([_decode(v, deeper, budget) for v in col], index=index, dtype=object)
            for n, col in enumerate(cells)
        }
    )
    frame = frame.reindex(index=index) if len(cells) == 0 else frame
    for n, dtype in enumerate(dtypes):
        frame[n] = _typed(budget, frame[n], dtype)
    frame.columns = columns
    return frame


def _decode_index(data, deeper: int, budget: _Budget):
    import pandas as pd

    values = pd.Series([_decode(v, deeper, budget) for v in _list(data)], dtype=object)
    return pd.Index(_typed(budget, values, data["dtype"]), name=_decode(data["name"], deeper, budget))


def _decode_multiindex(data, deeper: int, budget: _Budget):
    import pandas as pd

    levels = [_decode(level, deeper, budget) for level in _list(data)]
    if not levels or not all(isinstance(level, pd.Index) for level in levels):
        raise ValueError("a MultiIndex needs its levels")
    return pd.MultiIndex.from_arrays(levels)


def _decode_pandas_constant(data, deeper: int, budget: _Budget):
    import pandas as pd

    return {"nat": pd.NaT, "na": pd.NA}[data["t"]]


def _decode_course_map(data, deeper: int, budget: _Budget):
    import pandas as pd

    from course.views.maps import CourseMap

    title, caption, table = (_decode(data.get(k), deeper, budget) for k in ("title", "caption", "table"))
    empty, notes = _decode(data.get("empty"), deeper, budget), _decode(data.get("notes"), deeper, budget)
    if not (type(title) is type(caption) is str and type(table) is pd.DataFrame and type(empty) is bool):
        raise ValueError("a CourseMap needs a title, a caption, a table and whether it is empty")
    if type(notes) is not list or not all(type(n) is str for n in notes):
        raise ValueError("a CourseMap's notes must be a list of strings")
    return CourseMap(map=None, title=title, caption=caption, table=table, empty=empty, notes=notes)


def _decode_timestamp(data, deeper: int, budget: _Budget):
    import pandas as pd

    return pd.Timestamp(_string(data))


#: Every tag :func:`encode` writes, and how it is rebuilt: a closed list, so no tag can name anything else.
_DECODE = {
    "none": lambda data, deeper, budget: None,
    "bool": _decode_bool,
    "int": lambda data, deeper, budget: int(_string(data)),
    "float": lambda data, deeper, budget: float(_string(data)),
    "str": lambda data, deeper, budget: _string(data),
    "list": _decode_items,
    "tuple": _decode_items,
    "set": _decode_items,
    "frozenset": _decode_items,
    "dict": _decode_dict,
    "np": _decode_np,
    "ndarray": _decode_ndarray,
    "series": _decode_series,
    "frame": _decode_frame,
    "index": _decode_index,
    "multiindex": _decode_multiindex,
    "timestamp": _decode_timestamp,
    "nat": _decode_pandas_constant,
    "na": _decode_pandas_constant,
    "coursemap": _decode_course_map,
}


def _categories(dtype: dict) -> list:
    if type(dtype.get("categories", [])) is not list:
        raise ValueError("a categorical dtype's categories must be a list")
    return dtype.get("categories", [])


def _string(data) -> str:
    if type(data.get("v")) is not str:
        raise ValueError(f"{data['t']} needs a string value")
    return data["v"]


def _list(data) -> list:
    if type(data.get("v")) is not list:
        raise ValueError(f"{data['t']} needs a list value")
    return data["v"]


#: The dtypes an answer may have, as NumPy (``<f8``, ``|b1``, ``<U12``, ``<M8[ns]``) or pandas (``float64``,
#: ``Int64``, ``datetime64[ns, UTC]``, ``string``) write them. Nothing else is rebuilt: a dtype such as
#: ``V2000000000`` would make one element take 2 GB in the judge.
_DTYPE = re.compile(
    r"(object|bool|boolean|string|str|u?int(8|16|32|64)|U?Int(8|16|32|64)|float(16|32|64)|Float(32|64)"
    r"|complex(64|128)|(datetime|timedelta)64\[(ns|us|ms|s)(, [A-Za-z0-9_/+:-]{1,40})?\]"
    r"|[<>|=]?([biufc][1-9][0-9]?|[mM]8(\[(ns|us|ms|s|D)\])?|[US][0-9]{1,4}))"
)


def _dtype_text(dtype) -> str:
    if not isinstance(dtype, str) or not _DTYPE.fullmatch(dtype):
        raise ValueError(f"dtype {str(dtype)[:40]!r} is not one an answer may have")
    return dtype


def _typed(budget: _Budget, series, dtype):
    import pandas as pd

    if isinstance(dtype, dict):
        categories = [_decode(v, 1, budget) for v in _categories(dtype)]
        return series.astype(pd.CategoricalDtype(categories, ordered=bool(dtype.get("ordered"))))
    return series.astype(_dtype_text(dtype))


def _is_function(value) -> bool:
    return callable(value) and not isinstance(value, type)


def _encoded(value, label: str) -> tuple[str | None, str | None]:
    """``value`` as JSON text, or the message that says why it cannot be (``label`` names it)."""
    try:
        text = json.dumps(encode(value), allow_nan=False)
    except ExportError as err:
        return None, f"{label} must be plain data ({PLAIN}); got {err}"
    except (RecursionError, ValueError, TypeError) as err:
        return None, f"{label} could not be read as plain data ({type(err).__name__})"
    if len(text) > MAX_CHARS:
        return (
            None,
            f"{label} is too large to check ({len(text):,} characters of data; at most {MAX_CHARS:,})",
        )
    return text, None


def export(names: list[str], namespace: dict | None = None) -> str:
    """(In the student's kernel.) The values of ``names`` as JSON text.

    ``{"values": {name: encoded}, "errors": {name: message}, "functions": [name, ...], "missing": [name, ...]}``.
    A name that is not plain data, or larger than ``MAX_CHARS``, gets a message in ``errors`` that names it and
    says what was wrong; the judge turns it into that test's failure. A name bound to something callable (not a
    class) is listed in ``functions``: the judge calls it here, through :func:`call`. A name that is not defined
    is listed in ``missing`` (the test then fails with Python's own ``NameError``).
    """
    if namespace is None:
        from IPython import get_ipython

        namespace = get_ipython().user_ns
    values, errors, functions, missing = {}, {}, [], []
    for name in names:
        if name not in namespace:
            missing.append(name)
            continue
        if _is_function(namespace[name]):
            functions.append(name)
            continue
        text, error = _encoded(namespace[name], name)
        if error is None:
            values[name] = text
        else:
            errors[name] = error
    return json.dumps({"values": values, "errors": errors, "functions": functions, "missing": missing})


class Exported(NamedTuple):
    """What :func:`load_export` rebuilt: answers by name, messages for those it could not, names that are
    functions (to call in the student's kernel) or not defined, and names the kernel sent without being asked
    (dropped: never bound in the judge)."""

    values: dict[str, object]
    errors: dict[str, str]
    functions: list[str]
    missing: list[str]
    unrequested: list[str] = []


#: Largest reply the judge reads from a kernel, in characters: a few answers at their largest, with the escapes
#: of the JSON inside JSON. Anything longer is refused before it is parsed.
MAX_REPLY_CHARS = 8 * MAX_CHARS


def load_export(text: str, requested: list[str] | None = None) -> Exported:
    """(In the judge.) :func:`export`'s text, validated and rebuilt.

    ``requested`` are the names the judge asked for: a name the reply holds beyond them (a forged export sending
    the judge's own table names, or "functions" named like builtins) is dropped and listed in ``unrequested``.
    """
    if not isinstance(text, str) or len(text) > MAX_REPLY_CHARS:
        raise ValueError("the kernel's answer is too large or not text")
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError("the kernel's answer is nested too deeply") from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("values"), dict)
        or not isinstance(data.get("errors"), dict)
        or not isinstance(data.get("functions", []), list)
        or not isinstance(data.get("missing", []), list)
    ):
        raise ValueError("the kernel's answer is not an export")
    asked = None if requested is None else set(requested)
    sent = [*data["values"], *data["errors"], *data.get("functions", []), *data.get("missing", [])]
    unrequested = [] if asked is None else sorted({str(n)[:100] for n in sent if n not in asked})
    wanted = (lambda name: isinstance(name, str)) if asked is None else (lambda name: name in asked)
    values = {}
    errors = {str(k)[:100]: str(v)[:500] for k, v in data["errors"].items() if wanted(k)}
    functions, missing = (
        [name for name in data.get(key, []) if isinstance(name, str) and name.isidentifier() and wanted(name)]
        for key in ("functions", "missing")
    )
    for name, encoded in data["values"].items():
        if not wanted(name):
            continue
        try:
            if not isinstance(encoded, str) or len(encoded) > MAX_CHARS:
                raise ValueError(f"more than {MAX_CHARS:,} characters")
            values[name] = decode(json.loads(encoded))
        except (ValueError, TypeError, KeyError, OverflowError, RecursionError, MemoryError) as err:
            errors[name] = f"{name} could not be rebuilt ({str(err)[:200]})"
    return Exported(values, errors, functions, missing, unrequested)


#: The name a call's result travels under in :func:`call`'s export.
RESULT = "result"


def encode_call(args: tuple, kwargs: dict) -> str:
    """(In the judge.) A call's arguments as JSON text for :func:`call`; :class:`ExportError` if not plain data."""
    text = json.dumps({"args": encode(tuple(args)), "kwargs": encode(dict(kwargs))}, allow_nan=False)
    if len(text) > MAX_CHARS:
        raise ExportError(f"arguments of {len(text):,} characters (at most {MAX_CHARS:,})")
    return text


def call(name: str, arguments: str, namespace: dict | None = None) -> str:
    """(In the student's kernel.) Call ``name`` with :func:`encode_call`'s arguments; the result as an export.

    The result is exported under :data:`RESULT`; an exception raised by the call becomes that name's error:
    ``"haversine_km(...) raised ZeroDivisionError: float division by zero"``.
    """
    if namespace is None:
        from IPython import get_ipython

        namespace = get_ipython().user_ns
    function = namespace.get(name)
    if not _is_function(function):
        return json.dumps({"values": {}, "errors": {RESULT: f"{name} is not a function any more"}})
    data = json.loads(arguments)
    args, kwargs = decode(data["args"]), decode(data["kwargs"])
    try:
        result = function(*args, **kwargs)
    except Exception as err:
        text, error = None, f"{name}(...) raised {type(err).__name__}: {str(err)[:300]}"
    else:
        text, error = _encoded(result, f"what {name}(...) returns")
    if error is None:
        return json.dumps({"values": {RESULT: text}, "errors": {}})
    return json.dumps({"values": {}, "errors": {RESULT: error}})
