"""Tripwires: what the kernel's integrity probe and a scan of the student's cells find (review flags only)."""

from __future__ import annotations

import re

from nbformat.notebooknode import NotebookNode
from nbgrader import utils

from course.autograder.common import Flag, flag, grade_id_of, is_test_cell

#: Source patterns in student cells that touch the grading machinery: flagged for review, not penalised.
SUSPICIOUS = (
    (r"\bget_ipython\b", "uses get_ipython()"),
    (r"input_transformer|ast_transformer|transform_cell", "touches IPython's code transformers"),
    (r"showtraceback|showsyntaxerror|excepthook", "touches error reporting"),
    (r"\bbuiltins\b|__builtins__", "touches builtins"),
    (r"sys\.modules|importlib|__import__", "manipulates imports"),
    (r"settrace|setprofile", "installs a trace or profile hook"),
    (r"def\s+__eq__|def\s+__ne__|__eq__\s*=", "defines custom equality"),
    (r"course\.(grading|integrity|autograde)", "refers to the grading code"),
    (r"os\._exit|ctypes|signal\.", "can crash or signal the kernel"),
    (r"\bexec\s*\(|\beval\s*\(|\bcompile\s*\(", "runs generated code"),
)


def compare(baseline: dict, now: dict, reference_helpers: dict[str, str]) -> list[str]:
    """Return what changed between two probe reports that could make failing tests pass."""
    problems = []
    if "shell_error" in now or "helpers_error" in now:
        problems.append(
            "the integrity probe failed: " + str(now.get("shell_error") or now.get("helpers_error"))
        )
    b_shell, n_shell = baseline.get("shell") or {}, now.get("shell") or {}
    for key, what in (
        ("input_transformers_cleanup", "an IPython input transformer"),
        ("input_transformers_post", "an IPython input transformer"),
        ("ast_transformers", "an IPython AST transformer"),
    ):
        if n_shell.get(key, 0) > b_shell.get(key, 0):
            problems.append(f"installed {what}")
    if n_shell.get("event_handlers", 0) > b_shell.get("event_handlers", 0):
        problems.append("registered a handler of IPython's cell events")
    new_methods = sorted(
        set(n_shell.get("overridden_methods", [])) - set(b_shell.get("overridden_methods", []))
    )
    if new_methods:
        problems.append("replaced IPython shell method(s) " + ", ".join(new_methods))
    if n_shell.get("transformer_manager") != b_shell.get("transformer_manager"):
        problems.append("replaced IPython's input transformer manager")
    new_builtins = sorted(set(now.get("builtins_replaced", [])) - set(baseline.get("builtins_replaced", [])))
    if new_builtins:
        problems.append("replaced builtin(s) " + ", ".join(new_builtins))
    if baseline.get("user_builtins_is_module") and not now.get("user_builtins_is_module"):
        problems.append("replaced __builtins__")
    for hook in ("trace", "profile"):
        if now.get(hook) and not baseline.get(hook):
            problems.append(f"installed a {hook} hook")
    helpers = now.get("helpers") or {}
    changed = sorted(name for name, print_ in reference_helpers.items() if helpers.get(name) != print_)
    if changed:
        problems.append("replaced checking helper(s) " + ", ".join(changed))
    return list(dict.fromkeys(problems))


def scan_source(nb: NotebookNode) -> list[Flag]:
    """Flags for review: student-editable code cells whose source touches the grading machinery."""
    flags = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or is_test_cell(cell) or utils.is_locked(cell):
            continue
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        reasons = [reason for pattern, reason in SUSPICIOUS if re.search(pattern, source)]
        if reasons:
            where = grade_id_of(cell) or f"cell {index + 1}"
            flags.append(flag("review", f"{where} " + "; ".join(dict.fromkeys(reasons)), grade_id_of(cell)))
    return flags
