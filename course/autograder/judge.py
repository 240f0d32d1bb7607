"""The judge: a problem set's test cells run where no student code ever ran.

The student's notebook runs in its own sandboxed kernel. Its test cells do not: for each one the autograder asks
that kernel for the names the test reads (as plain data, :mod:`course.grading.plaindata`: JSON with type tags, never
pickle) and runs the test here, in the grader's own process, in a namespace that has run only the instructor's
read-only set-up cells, taken from nbgrader's gradebook. Nothing a submission defines can reach this namespace
except rebuilt plain values: no class, no function, no patched module, no IPython hook. A test's outcome (its
error, its partial-credit value, what it printed) becomes the cell's outputs, where nbgrader reads the score.

- Names the set-up cells define (``reactions``, ``STANCE_CODES``, ...) and names the test cells bind are the
  judge's own; the student's versions are never read.
- An answer that is a function (``haversine_km``) becomes a :class:`StudentFunction`: each call sends its
  plain-data arguments to the student's kernel, runs the student's function there and brings back a plain-data
  result. The student's kernel sees the test's inputs, never the expected values.
- An answer that cannot travel as plain data fails its test with an ``AnswerNotGradable`` error (:data:`NOT_GRADABLE`) that says
  why ("a1 must be plain data (...); got a Liar").
- A judge serves one notebook: the next submission gets a new one, with the set-up cells run again (about 6 ms).

Why the grader's process and not a second kernel: what runs here is the instructor's code (the same code the
instructor runs when they generate the assignment) on values rebuilt from a closed list of types; a second
kernel per submission would cost about half a second and protect nothing more. See INSTRUCTORS.md.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import signal
import threading
import traceback
from collections.abc import Callable, Iterable

from nbformat.notebooknode import NotebookNode

from course.autograder.common import course_root_of, grade_id_of

#: Name of the error a test gets when an answer it reads cannot be sent as plain data (shown as is in feedback).
NOT_GRADABLE = "AnswerNotGradable"


class AnswerError(Exception):
    """A student's function failed when the judge called it, or returned something that is not plain data."""


class JudgeTimeLimit(Exception):
    """The judge's own work on one test (rebuilding answers, running the test) took longer than its limit."""


class Clock:
    """A time limit on the judge's own work, paused while the student's kernel works (a call of a student's
    function has the kernel's own per-cell limit). On the main thread only (it uses ``SIGALRM``); elsewhere it
    does nothing and the notebook's own deadline still holds."""

    def __init__(self, seconds: float, what: str):
        self.seconds, self.what = seconds, what
        self.active = seconds > 0 and threading.current_thread() is threading.main_thread()

    def _ring(self, signum, frame):
        raise JudgeTimeLimit(f"{self.what} took longer than the judge's limit of {self.seconds:g} s")

    def __enter__(self) -> Clock:
        if self.active:
            self._previous = signal.signal(signal.SIGALRM, self._ring)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc) -> None:
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous)

    @contextlib.contextmanager
    def paused(self):
        """While the student's kernel answers: the judge's time stands still."""
        if not self.active:
            yield
            return
        left, _ = signal.setitimer(signal.ITIMER_REAL, 0)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))


class StudentFunction:
    """Stands in the judge for an answer that is a function: every call runs in the student's kernel."""

    def __init__(self, name: str, caller: Callable[[str, tuple, dict], object]):
        self.__name__ = self._name = name
        self._caller = caller

    def __call__(self, *args, **kwargs):
        return self._caller(self._name, args, kwargs)

    def __repr__(self) -> str:
        return f"<the submission's function {self._name}>"


def bound_names(tree: ast.AST) -> set[str]:
    """Every name a piece of code binds anywhere (assignments, imports, definitions, loop and ``as`` targets)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names if a.name != "*")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def read_names(tree: ast.AST) -> list[str]:
    """The names a piece of code reads, in the order it first reads them."""
    loads = [node for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)]
    loads.sort(key=lambda node: (node.lineno, node.col_offset))
    return list(dict.fromkeys(node.id for node in loads))


class Judge:
    """One notebook's judge: the instructor's set-up cells run once, then each test cell on exported answers.

    ``setup`` is the read-only set-up cells as ``(name, source)`` pairs, in notebook order; their output is
    discarded, and a cell that fails is recorded in :attr:`setup_errors` (the tests that need its names fail).
    ``variant`` is the student's draw in a class pack (:func:`pack_variant`), which the set-up cells' call of
    ``course.grading.variants.my_variant`` returns.
    """

    def __init__(self, setup: Iterable[tuple[str, str]], variant=None):
        from course.grading.variants import attending

        self.namespace: dict[str, object] = {"__name__": "__judge__", "__builtins__": builtins}
        self.setup_errors: list[str] = []
        self._count = 0
        for name, source in setup:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                try:
                    with attending(variant):  # a class pack: the student's own items (pack_variant)
                        exec(compile(source, f"<set-up cell {name}>", "exec"), self.namespace)
                except Exception as err:
                    self.setup_errors.append(f"{name}: {type(err).__name__}: {err}")
        self._own = set(self.namespace) | set(dir(builtins))
        self._answers: set[str] = set()

    def answers_read(self, source: str) -> list[str]:
        """The names a test cell reads that only the submission can give: not the judge's, not the cell's own."""
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return []
        own = self._own | bound_names(tree)
        return [name for name in read_names(tree) if name not in own]

    def run(
        self,
        label: str,
        source: str,
        values: dict[str, object],
        errors: dict[str, str],
        functions: Iterable[str],
        caller: Callable[[str, tuple, dict], object],
        execution_count: int | None = None,
        seconds: float = 0,
    ) -> list[NotebookNode]:
        """Run one test cell on the submission's answers; return the outputs nbgrader scores it by.

        ``values`` are the rebuilt answers, ``errors`` the messages for answers that could not be exported (a
        name that is not defined is in neither, so the test fails with Python's own ``NameError``), and
        ``functions`` the answers that are functions, called in the student's kernel through ``caller``.
        Only names the test reads and the judge does not define are bound (:meth:`answers_read`): a name such as
        ``float`` or ``reactions`` stays the judge's whatever the kernel sends. ``seconds`` (if above 0) limits
        the judge's own time on the test, not counting the student's kernel.
        """
        for name in self._answers:  # answers given to an earlier test are not this test's
            self.namespace.pop(name, None)
        allowed = set(self.answers_read(source))
        values = {name: value for name, value in values.items() if name in allowed}
        functions = [name for name in functions if name in allowed and name not in values]
        self._answers = set(values) | set(functions)
        clock = Clock(seconds, f"test {label}")

        def paused_caller(name: str, args: tuple, kwargs: dict) -> object:
            with clock.paused():
                return caller(name, args, kwargs)

        self.namespace.update(values)
        self.namespace.update({name: StudentFunction(name, paused_caller) for name in functions})
        self._count += 1
        count = execution_count if execution_count is not None else self._count
        if errors:
            message = "; ".join(errors.values())
            return [_error_output(NOT_GRADABLE, message, [f"{NOT_GRADABLE}: {message}"])]
        filename = f"<test cell {label}>"
        try:
            tree = ast.parse(source, filename)
        except SyntaxError as error:
            return [_error_from(error, filename, source, count)]
        self._own |= bound_names(tree)  # what a test binds stays the judge's, for the tests after it too
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        out, err = io.StringIO(), io.StringIO()
        try:
            with clock, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                exec(compile(tree, filename, "exec"), self.namespace)
                value = None
                if last is not None:
                    value = eval(compile(ast.Expression(last.value), filename, "eval"), self.namespace)
        except (Exception, SystemExit) as error:
            return [*_streams(out, err), _error_from(error, filename, source, count)]
        outputs = _streams(out, err)
        if value is not None:
            from IPython.lib.pretty import pretty

            outputs.append(
                NotebookNode(
                    output_type="execute_result",
                    execution_count=count,
                    data={"text/plain": pretty(value)},
                    metadata={},
                )
            )
        return outputs


def _streams(out: io.StringIO, err: io.StringIO) -> list[NotebookNode]:
    return [
        NotebookNode(output_type="stream", name=name, text=text)
        for name, text in (("stdout", out.getvalue()), ("stderr", err.getvalue()))
        if text
    ]


def _error_output(ename: str, evalue: str, lines: list[str]) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=lines)


def _error_from(error: BaseException, filename: str, source: str, count: int) -> NotebookNode:
    """The error as IPython would show it: ``Cell In[n], line N`` and that line (what feedback reads)."""
    line = error.lineno if isinstance(error, SyntaxError) and error.filename == filename else None
    for frame, number in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_filename == filename:
            line = number
    ename, evalue = type(error).__name__, str(error)
    lines = []
    if line is not None:
        text = source.splitlines()[line - 1] if 0 < line <= len(source.splitlines()) else ""
        lines = [f"Cell In[{count}], line {line}", f"----> {line} {text}"]
    return _error_output(ename, evalue, [*lines, f"{ename}: {evalue}"])


def judge_plan(plan, nb: NotebookNode) -> tuple[list[tuple[str, str]], dict[str, str]] | None:
    """The instructor's set-up cells (in order) and test cells, by name, from the notebook's grading plan
    (:mod:`course.autograder.plan`, read from nbgrader's gradebook).

    Never from the submission: a student can mark any cell read-only, or as a test, in its metadata. The order
    of the set-up cells is the instructor's source notebook's (``source/<assignment>/<notebook>.ipynb``), or else
    the submission's. ``None`` outside an nbgrader course (no plan).
    """
    if plan is None:
        return None
    return plan.setup([grade_id_of(c) for c in nb.cells]), plan.tests


def pack_variant(resources: dict | None):
    """The draw of the student whose submission this is, when the assignment comes from a class pack.

    ``None`` when it does not (no ``variants.json`` in the instructor's ``source/<assignment>/``). The student is
    nbgrader's (the submission's folder under ``submitted/``), the draw is the instructor's copy: nothing the
    submission holds is read. A student the pack has no draw for gets a :class:`VariantMissing` error, which the
    set-up cells raise (and the autograder flags for review).
    """
    from course.grading.variants import FILE, VariantMissing, read

    info = (resources or {}).get("nbgrader", {})
    path = (resources or {}).get("metadata", {}).get("path")
    root = course_root_of(path) if path else None
    if root is None or not info.get("assignment"):
        return None
    table = root / "source" / info["assignment"] / FILE
    if not table.is_file():
        return None
    student = info.get("student")
    if not student:
        return VariantMissing("nbgrader did not say whose submission this is")
    try:
        return read(table, info["assignment"], student)
    except (VariantMissing, OSError, ValueError, KeyError, TypeError) as err:
        return VariantMissing(f"{student}: {err}")
