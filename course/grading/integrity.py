"""The grading kernel's self-report: has anything tampered with how test cells run?

The autograder (course/autograder/) evaluates :func:`probe` in the student's kernel before the notebook's
first cell and before every test cell, through the kernel's ``user_expressions`` channel, which bypasses
IPython's input and AST transformers. It compares each report with the first one. The report covers the known
ways a submission can make failing tests pass:

- IPython input transformers and AST transformers (which can blank or rewrite later cells);
- shell methods replaced on the instance (e.g. ``showtraceback``, which hides errors; ``run_cell``);
- handlers of IPython's cell events (``pre_run_cell`` and the others) from outside IPython and known packages
  (they run around every test cell: they can read its source, print it, or install a transformer for its run);
- builtins replaced (``isinstance``, ``type``, ``len``, ``print``, ...);
- the course's checking helpers replaced (their code is fingerprinted);
- trace and profile hooks.

This module must stay import-light: it is imported inside the student's kernel.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import sys

#: Builtins that test code relies on; each must still be the interpreter's own object.
GUARDED_BUILTINS = (
    "abs",
    "all",
    "any",
    "bool",
    "dict",
    "float",
    "getattr",
    "hasattr",
    "int",
    "isinstance",
    "len",
    "list",
    "max",
    "min",
    "print",
    "repr",
    "round",
    "set",
    "sorted",
    "str",
    "sum",
    "tuple",
    "type",
    "zip",
    "AssertionError",
    "Exception",
    "__import__",
    "__build_class__",
)
#: Shell methods that decide what runs and what errors are shown.
GUARDED_SHELL_METHODS = (
    "run_cell",
    "run_cell_async",
    "run_ast_nodes",
    "run_code",
    "transform_cell",
    "transform_ast",
    "showtraceback",
    "_showtraceback",
    "showsyntaxerror",
    "get_exception_only",
    "user_expressions",
    "ev",
    "ex",
)


def _feed(digest, code) -> None:
    digest.update(code.co_code)
    digest.update(repr(code.co_names).encode())
    for const in code.co_consts:
        if hasattr(const, "co_code"):  # nested code (comprehensions, lambdas): its repr holds an address
            _feed(digest, const)
        else:
            digest.update(repr(const).encode())


def _fingerprint(function) -> str:
    digest = hashlib.sha256()
    function = getattr(function, "__wrapped__", function)  # a context manager (explain): its generator's code
    _feed(digest, function.__code__)
    return digest.hexdigest()[:16]


def helper_fingerprints() -> dict[str, str]:
    """Fingerprints of the checking helpers as this process sees them (the grader computes the reference)."""
    import course.content.reactions as reactions
    import course.grading as grading

    functions = {name: getattr(grading, name, None) for name in grading.HELPERS}
    functions["reactions.score_coding"] = getattr(reactions, "score_coding", None)
    functions["reactions.stance_distance"] = getattr(reactions, "stance_distance", None)
    import course.grading.plaindata as plaindata  # what carries answers to the judge (a tripwire: the judge keeps
    # only the names it asks for, whatever the export sends)

    for name in ("export", "call", "encode"):
        functions[f"plaindata.{name}"] = getattr(plaindata, name, None)
    return {
        name: (_fingerprint(f) if callable(f) and hasattr(f, "__code__") else "replaced")
        for name, f in functions.items()
    }


def _builtins_ok() -> list[str]:
    bad = []
    for name in GUARDED_BUILTINS:
        obj = getattr(builtins, name, None)
        if isinstance(obj, type):
            if obj.__module__ != "builtins" or obj.__name__ != name:
                bad.append(name)
        elif type(obj).__name__ != "builtin_function_or_method" or obj.__name__ != name:
            bad.append(name)
    return bad


#: IPython events whose handlers run around every cell, test cells included.
WATCHED_EVENTS = ("pre_execute", "pre_run_cell", "post_execute", "post_run_cell")
#: Packages whose own handlers are expected (IPython itself; matplotlib's inline backend).
KNOWN_HANDLER_MODULES = ("IPython.", "ipykernel.", "matplotlib_inline.", "ipywidgets.", "comm.")


def _event_handlers(shell) -> int:
    """How many handlers of the watched events come from anywhere but IPython and known packages."""
    count = 0
    for event in WATCHED_EVENTS:
        for callback in shell.events.callbacks.get(event, []):
            module = str(getattr(callback, "__module__", "") or "")
            if not module.startswith(KNOWN_HANDLER_MODULES):
                count += 1
    return count


def _shell_report(shell) -> dict[str, object]:
    cls = type(shell)
    on_instance = [name for name in GUARDED_SHELL_METHODS if name in vars(shell)]
    on_class = [
        name
        for name in GUARDED_SHELL_METHODS
        if not str(getattr(getattr(cls, name, None), "__module__", "") or "").startswith(
            ("IPython.", "ipykernel.")
        )
    ]
    return {
        "event_handlers": _event_handlers(shell),
        "input_transformers_cleanup": len(shell.input_transformers_cleanup),
        "input_transformers_post": len(shell.input_transformers_post),
        "ast_transformers": len(shell.ast_transformers),
        "overridden_methods": sorted(set(on_instance + on_class)),
        "transformer_manager": type(shell.input_transformer_manager).__module__,
    }


def probe() -> str:
    """Return a JSON report of the kernel's grading-relevant state (see the module docstring)."""
    report: dict[str, object] = {}
    try:
        from IPython import get_ipython

        shell = get_ipython()
        report["shell"] = _shell_report(shell) if shell is not None else None
        report["user_builtins_is_module"] = (
            shell is not None and shell.user_ns.get("__builtins__") is builtins
        )
    except Exception as err:  # the report must always come back
        report["shell_error"] = f"{type(err).__name__}: {err}"
    report["builtins_replaced"] = _builtins_ok()
    report["sandbox"] = __import__("os").environ.get("COURSE_SANDBOX", "")
    report["trace"] = sys.gettrace() is not None
    report["profile"] = sys.getprofile() is not None
    try:
        report["helpers"] = helper_fingerprints()
        report["helpers_module"] = sys.modules["course.grading"].__file__
    except Exception as err:
        report["helpers_error"] = f"{type(err).__name__}: {err}"
    return json.dumps(report, sort_keys=True)


def preload(modules: list[str]) -> None:
    """Import ``modules`` in a grading kernel before its notebook comes; binds no name in the notebook.

    The autograder (``course.autograder.kernels.KernelAhead``) sends this while the kernel waits, with the modules that
    the problem set's read-only cells import as released. A module that fails to import is left alone: the
    notebook's own import reports the error where the student can see it.
    """
    import importlib

    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # reported by the notebook's own import
            continue
