"""nbgrader plugins that make autograding trustworthy, and the instructor's grading commands.

Stock nbgrader gives a test cell full marks when it ends without an error. A submission can exploit that: an
IPython input transformer that blanks every later cell, an AST transformer that deletes ``assert`` statements,
a replaced ``showtraceback`` that hides errors, replaced builtins or checking helpers, objects whose ``==`` is
always true. This module closes those holes (configured in ``assignments/nbgrader_config.py``):

``FlagOverwriteCells`` (sanitize step)
    nbgrader's OverwriteCells, which restores edited test cells and re-adds deleted ones, plus a record of
    each restoration as a flag.
``IntegrityExecute`` (replaces nbgrader's Execute)
    Before the first cell and before every test cell it evaluates ``course.integrity.probe()`` in the kernel
    through ``user_expressions`` (which input and AST transformers do not touch) and compares the report with
    the first one; it runs each test cell with a fresh random sentinel printed at its very end, so that a
    blanked or silently aborted cell is detected; it enforces a per-notebook time limit on top of nbgrader's
    per-cell timeout, survives a dead kernel, and scans student cells for tampering code (flagged for review).
    It starts the next notebook's kernel while the current one runs (``start_ahead``; see ``_KernelAhead``),
    connects with ``GradingKernelClient`` (no idle 0.2 s wait) and stops each kernel at once when done.
``CheckIntegrity``
    Scores zero every test cell that ran after tampering was detected, or did not print its sentinel; removes
    the sentinels; writes ``<notebook>.integrity.json`` beside the autograded notebook; puts a visible note at
    the top of the notebook.
``SaveAutoGradesFlagged``
    nbgrader's SaveAutoGrades, plus: flagged test cells are marked "needs manual grade" in the formgrader.
``CheckCellMetadata``
    nbgrader's CheckCellMetadata with the same checks and messages, its JSON schema compiled once instead of
    once per cell (about 50 ms per submission on a 58-cell problem set).
``HideHiddenTests`` (feedback)
    Removes hidden-test source and reduces the error output of cells with hidden tests to the error's type
    and, for visible assertions only, its message: no hidden assertion reaches a student.

Threat model: every grading kernel runs in a sandbox of its own (``course.sandbox``: namespaces, no capabilities,
a minimal read-only file system, limits), and sees only the submission's checked files (``SubmissionFiles``).
The checks in the kernel stop the known tricks and flag anything that touches the grading machinery; code that
runs in the same process as the tests can still, with enough knowledge of this file, work around an in-process
check. See INSTRUCTORS.md, "The sandbox, and the threat model".
"""

from __future__ import annotations

import ast
import atexit
import csv
import functools
import json
import os
import re
import shutil
import stat
import sys
import threading
import time
from pathlib import Path

from jupyter_client.asynchronous import AsyncKernelClient
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import Execute, NbGraderPreprocessor, OverwriteCells, SaveAutoGrades
from traitlets import Bool, Integer, Unicode

from course.plaindata import MAX_CHARS as MAX_EXPORT_CHARS
from course.sandbox import private_folder

FLAG_KEY = "course_integrity"
PROBE = "__import__('course.integrity', fromlist=['probe']).probe()"
EXPORT = "__import__('course.plaindata', fromlist=['export']).export({names!r})"
CALL = "__import__('course.plaindata', fromlist=['call']).call({name!r}, {arguments!r})"
HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"

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


def flag(level: str, message: str, cell: str | None = None) -> dict[str, object]:
    """One flag: level is 'violation' (points withheld), 'review' (look at it) or 'info'."""
    return {"level": level, "message": message, "cell": cell}


def _grade_id(cell: NotebookNode) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def is_test_cell(cell: NotebookNode) -> bool:
    """A grade cell that is code and not a solution: an autograded test."""
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


# ---- metadata check --------------------------------------------------------------------------------------


@functools.cache
def _metadata_validator_class():
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from nbgrader.nbgraderformat import MetadataValidator
    from nbgrader.nbgraderformat.common import BaseMetadataValidator

    class CompiledSchema(BaseMetadataValidator):
        """The base schema check, with the schema checked and compiled once (stock: on every cell)."""

        _compiled: dict[int, object] = {}

        def validate_cell(self, cell):
            meta = cell.metadata.get("nbgrader")
            if meta is None or meta.get("schema_version", 0) != self.schema_version:
                return super().validate_cell(cell)  # nbgrader's own too-old / too-new errors
            compiled = self._compiled.get(self.schema_version)
            if compiled is None:
                cls = validator_for(self.schema)
                cls.check_schema(self.schema)
                compiled = self._compiled[self.schema_version] = cls(self.schema)
            error = best_match(compiled.iter_errors(meta))
            if error is not None:
                raise error

    # nbgrader's validator calls super().validate_cell() for the schema check: CompiledSchema sits right
    # behind it in the method resolution order, so every other check is nbgrader's own code.
    return type("CompiledMetadataValidator", (MetadataValidator, CompiledSchema), {"__module__": __name__})


class CheckCellMetadata(NbGraderPreprocessor):
    """nbgrader's CheckCellMetadata (same checks, same messages) with the JSON schema compiled once."""

    def preprocess(self, nb, resources):
        import traceback

        from nbgrader.nbgraderformat import ValidationError

        try:
            _metadata_validator_class()().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg) from None
        return nb, resources


# ---- sanitize step ---------------------------------------------------------------------------------------


class FlagOverwriteCells(OverwriteCells):
    """OverwriteCells that records which test cells it restored or re-added (flags in notebook metadata)."""

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook

        self._course_flags = []
        with Gradebook(resources["nbgrader"]["db_url"]) as gb:
            source = gb.find_notebook(resources["nbgrader"]["notebook"], resources["nbgrader"]["assignment"])
            expected = {c.name for c in source.grade_cells}
            self._released = {c.name: _released_text(c.source) for c in source.source_cells if c.locked}
        present = {_grade_id(c) for c in nb.cells if _grade_id(c)}
        for missing in sorted(expected - present):
            self._course_flags.append(flag("info", f"cell {missing} was missing and was added back", missing))
        nb, resources = super().preprocess(nb, resources)
        nb.metadata.setdefault(FLAG_KEY, {})["sanitize"] = self._course_flags
        return nb, resources

    def preprocess_cell(self, cell, resources, cell_index):
        grade_id = _grade_id(cell)
        if grade_id in self._released and _released_text(cell.source) != self._released[grade_id]:
            self._course_flags.append(
                flag("review", f"read-only cell {grade_id} was edited; the original was restored", grade_id)
            )
        return super().preprocess_cell(cell, resources, cell_index)


def _released_text(source: str) -> str:
    """A read-only cell's text as released (hidden tests removed), ignoring blank lines and trailing spaces."""
    hidden = hidden_lines(source)
    lines = [line.rstrip() for n, line in enumerate(source.splitlines(), start=1) if n not in hidden]
    return "\n".join(line for line in lines if line)


# ---- execution -------------------------------------------------------------------------------------------


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


def scan_source(nb: NotebookNode) -> list[dict[str, object]]:
    """Flags for review: student-editable code cells whose source touches the grading machinery."""
    flags = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or is_test_cell(cell) or utils.is_locked(cell):
            continue
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        reasons = [reason for pattern, reason in SUSPICIOUS if re.search(pattern, source)]
        if reasons:
            where = _grade_id(cell) or f"cell {index + 1}"
            flags.append(flag("review", f"{where} " + "; ".join(dict.fromkeys(reasons)), _grade_id(cell)))
    return flags


def imported_modules(sources) -> list[str]:
    """The absolute module names that these cells import (a cell that is not plain Python is skipped).

    ``from course import maps`` gives ``course`` and ``course.maps``: a name imported from a package may be a
    submodule (the kernel's preload skips the ones that are not).
    """
    names: set[str] = set()
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*")
    return sorted(names)


_INSTRUCTOR_IMPORTS: dict[tuple, tuple[str, ...]] = {}


def instructor_imports(resources) -> tuple[str, ...]:
    """What the notebook's read-only cells import, as released (hidden tests left out), from the gradebook.

    Only the instructor's cells count, never a submission's: the list is used in another student's kernel.
    """
    from nbgrader.api import Gradebook

    info = (resources or {}).get("nbgrader", {})
    key = (info.get("db_url"), info.get("assignment"), info.get("notebook"))
    if None in key:
        return ()
    if key not in _INSTRUCTOR_IMPORTS:
        try:
            with Gradebook(key[0]) as gb:
                cells = gb.find_notebook(key[2], key[1]).source_cells
                sources = [_released_text(c.source) for c in cells if c.locked and c.cell_type == "code"]
        except Exception:  # no such notebook in the gradebook: nothing to import ahead
            sources = []
        _INSTRUCTOR_IMPORTS[key] = tuple(imported_modules(sources))
    return _INSTRUCTOR_IMPORTS[key]


def judge_plan(resources, nb: NotebookNode) -> tuple[list[tuple[str, str]], dict[str, str]] | None:
    """The instructor's set-up cells (in order) and test cells, by name, from nbgrader's gradebook.

    Never from the submission: a student can mark any cell read-only, or as a test, in its metadata. The order
    of the set-up cells is the instructor's source notebook's (``source/<assignment>/<notebook>.ipynb``), or else
    the submission's. ``None`` outside an nbgrader course (no gradebook in ``resources``).
    """
    from nbgrader.api import Gradebook, MissingEntry

    info = (resources or {}).get("nbgrader", {})
    if not all(info.get(key) for key in ("db_url", "assignment", "notebook")):
        return None
    try:
        with Gradebook(info["db_url"]) as gb:
            notebook = gb.find_notebook(info["notebook"], info["assignment"])
            graded = {c.name for c in notebook.grade_cells}
            answers = {c.name for c in notebook.solution_cells}
            cells = {c.name: (c.cell_type, c.locked, c.source) for c in notebook.source_cells}
    except MissingEntry:
        return None
    code = {name: source for name, (kind, locked, source) in cells.items() if kind == "code"}
    tests = {name: code[name] for name in graded - answers if name in code}
    setup = {
        name: code[name]
        for name, (_, locked, _) in cells.items()
        if locked and name in code and name not in graded | answers
    }
    order = [_grade_id(c) for c in nb.cells]
    path = (resources or {}).get("metadata", {}).get("path")
    root = _course_root(path) if path else None
    source = root / "source" / info["assignment"] / f"{info['notebook']}.ipynb" if root else None
    if source is not None and source.is_file():
        try:
            order = [
                c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                for c in json.loads(source.read_text(encoding="utf-8"))["cells"]
            ]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
    ranked = sorted(setup, key=lambda name: order.index(name) if name in order else len(order))
    return [(name, setup[name]) for name in ranked], tests


# ---- the submission's files -----------------------------------------------------------------------------

#: What a submission folder may hold: regular files and folders, within these sizes.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES = 200
MAX_TOTAL_BYTES = 50 * 1024 * 1024


class SubmissionFiles:
    """The files of one submission that a grading kernel may see, checked without following any link.

    nbgrader copies ``submitted/<student>/<assignment>/`` into ``autograded/`` with ``shutil.copy``, which
    follows symbolic links: a link to ``../../../source`` would be copied as the solutions themselves. So the
    kernel never sees the ``autograded/`` copy; it gets these files: the submission's regular files (no links,
    devices, FIFOs or sockets; no file over ``MAX_FILE_BYTES``; at most ``MAX_FILES`` files and
    ``MAX_TOTAL_BYTES`` in all), plus the instructor's own non-notebook files from ``source/<assignment>/``.
    Anything refused is skipped and reported in :attr:`refused` (violation flags).
    """

    def __init__(self, files: dict[str, Path], refused: list[str]):
        self.files, self.refused = files, refused

    @classmethod
    def scan(cls, folder: Path, instructor_folder: Path | None = None) -> SubmissionFiles:
        files: dict[str, Path] = {}
        refused: list[str] = []
        total = 0

        def walk(current: Path, relative: str) -> None:
            nonlocal total
            try:
                entries = sorted(os.scandir(current), key=lambda e: e.name)
            except OSError as err:
                refused.append(f"{relative or '.'}: unreadable ({err.strerror})")
                return
            for entry in entries:
                name = f"{relative}{entry.name}"
                mode = entry.stat(follow_symlinks=False).st_mode
                if stat.S_ISDIR(mode):
                    walk(Path(entry.path), name + "/")
                elif not stat.S_ISREG(mode):
                    kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
                    refused.append(f"{name} is {kind}")
                elif len(files) >= MAX_FILES:
                    refused.append(f"{name}: more than {MAX_FILES} files")
                else:
                    size = entry.stat(follow_symlinks=False).st_size
                    if size > MAX_FILE_BYTES:
                        refused.append(
                            f"{name} is {size / 2**20:.1f} MiB (limit {MAX_FILE_BYTES // 2**20} MiB)"
                        )
                    elif total + size > MAX_TOTAL_BYTES:
                        refused.append(
                            f"{name}: the submission exceeds {MAX_TOTAL_BYTES // 2**20} MiB in all"
                        )
                    else:
                        total += size
                        files[name] = Path(entry.path)

        if folder.is_dir() and not folder.is_symlink():
            walk(folder, "")
        elif folder.exists():
            refused.append(f"{folder.name} is not a folder")
        if instructor_folder is not None and instructor_folder.is_dir():
            for path in sorted(instructor_folder.rglob("*")):
                if path.is_file() and path.suffix != ".ipynb" and ".ipynb_checkpoints" not in path.parts:
                    files[path.relative_to(instructor_folder).as_posix()] = path
        return cls(files, refused)

    @classmethod
    def for_notebook(cls, resources) -> SubmissionFiles | None:
        info = (resources or {}).get("nbgrader", {})
        path = (resources or {}).get("metadata", {}).get("path")
        root = _course_root(path) if path else None
        student, assignment = info.get("student"), info.get("assignment")
        if root is None or not student or not assignment:
            return None
        return cls.scan(root / "submitted" / student / assignment, root / "source" / assignment)

    def copy_to(self, target: Path) -> None:
        """Copy the files into ``target``, reading each without following links (a file swapped is refused)."""
        for name, source in self.files.items():
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
            except OSError as err:
                self.refused.append(f"{name}: could not be read safely ({err.strerror})")
                continue
            with os.fdopen(fd, "rb") as reader, open(destination, "wb") as writer:
                shutil.copyfileobj(reader, writer)

    def flags(self) -> list[dict[str, object]]:
        return [flag("violation", f"submitted file refused: {reason}") for reason in self.refused]


def _course_root(path: str) -> Path | None:
    from course.sandbox import course_root

    return course_root(Path(path).resolve())


class _KernelAhead:
    """A grading kernel started before its notebook is known, in an empty folder of its own.

    Starting a kernel takes about a quarter of a second, mostly the kernel's own imports. The autograder starts the
    next notebook's kernel as soon as it takes the current one, so the start overlaps with grading; the
    submission's files are copied into the kernel's folder when its notebook comes. Meanwhile the kernel imports
    the modules the problem set's read-only cells import (:func:`instructor_imports`), pandas above all, so that
    the notebook does not wait for them either. Each kernel serves one notebook and is then stopped, and its
    folders removed. Each runs in a sandbox of its own (``course.sandbox``), exactly like a kernel started when
    its notebook comes; its folder is a private inbox outside the course, mounted read-only in the sandbox.

    A kernel that no notebook comes for is killed when the process exits, or after ``expire_after`` seconds in a
    process that keeps running (the formgrader's server, which autogrades in-process).
    """

    waiting: dict[tuple, _KernelAhead] = {}
    stopping: list[_KernelAhead] = []
    lock = threading.Lock()

    def __init__(self, km, folder: Path, preloader=None):
        self.km, self.folder, self.preloader = km, folder, preloader

    @classmethod
    def start(cls, client, key: tuple, root: Path) -> _KernelAhead:
        from jupyter_core.utils import run_sync

        cls.finish_stopping()
        folder = private_folder("course-inbox-")
        km = client.kernel_manager_class(
            kernel_name=client.kernel_name,
            config=client.config,
            client_class=f"{__name__}.GradingKernelClient",
        )
        try:
            run_sync(km.start_kernel)(extra_arguments=list(client.extra_arguments), cwd=str(folder))
        except Exception:
            _remove_folder(folder)
            raise
        preloader, modules = None, key[-1]
        if modules:  # queued now, run by the kernel as soon as it is up, before anything else it is sent
            from jupyter_client.session import Session

            # a session of its own: clients sharing one session share one socket identity, and the kernel's
            # replies would reach either of them
            session = Session(key=km.session.key, signature_scheme=km.session.signature_scheme)
            preloader = km.client(session=session)
            preloader.start_channels()
            preloader.execute(
                f"__import__('course.integrity', fromlist=['preload']).preload({list(modules)!r})",
                silent=True,
                store_history=False,
            )
        return cls(km, folder, preloader)

    @classmethod
    def start_next(cls, client, key: tuple, root: Path, expire_after: float) -> None:
        with cls.lock:  # kernels for another configuration are not needed any more
            others = [cls.waiting.pop(k) for k in list(cls.waiting) if k != key]
        for other in others:
            other.stop()
        try:
            kernel = cls.start(client, key, root)
        except Exception as err:  # the next notebook will start its own, and report the problem if it recurs
            client.log.warning("could not start a kernel ahead: %s", err)
            return
        with cls.lock:
            cls.waiting[key] = kernel
        timer = threading.Timer(expire_after, cls._expire, args=(key, kernel))
        timer.daemon = True
        timer.start()

    @classmethod
    def _expire(cls, key: tuple, kernel: _KernelAhead) -> None:
        """(In a timer thread.) Kill ``kernel`` if it is still waiting; it is reaped by the next start or at exit."""
        with cls.lock:
            if cls.waiting.get(key) is not kernel:
                return
            del cls.waiting[key]
        kernel.stop()

    @classmethod
    def take(cls, key: tuple) -> _KernelAhead | None:
        with cls.lock:
            kernel = cls.waiting.pop(key, None)
        if kernel is not None and not _alive(kernel.km):
            kernel.stop()
            return None
        return kernel

    def receive(self, files: SubmissionFiles) -> None:
        """Copy the submission's checked files into the kernel's inbox (the kernel copies them in: see below)."""
        files.copy_to(self.folder)

    def stop(self) -> None:
        """Kill the kernel now (SIGKILL to its process group); the process is reaped by :meth:`finish_stopping`.

        A polite shutdown, or even waiting for the killed process, costs 50-250 ms per notebook in 0.1 s polls.
        Safe from any thread: killing only sends a signal.
        """
        from jupyter_core.utils import run_sync

        try:
            run_sync(self.km.provisioner.kill)()
        except Exception:  # no process any more
            pass
        with _KernelAhead.lock:
            _KernelAhead.stopping.append(self)

    @classmethod
    def finish_stopping(cls) -> None:
        """Reap the killed kernels, close their connections and remove their connection files and folders.

        Not ``shutdown_kernel``: it would first send an interrupt request that a dead kernel never reads, and
        closing the socket holding it costs its 0.1 s linger.
        """
        from jupyter_core.utils import ensure_async, run_sync

        async def reap(km) -> None:
            if km.has_kernel:
                await km.provisioner.wait()
            await ensure_async(km.cleanup_resources())

        with cls.lock:
            kernels, cls.stopping[:] = list(cls.stopping), []
        for kernel in kernels:
            if kernel.preloader is not None:
                kernel.preloader.stop_channels()
            try:
                run_sync(reap)(kernel.km)
            except Exception:  # already gone
                pass
            _remove_folder(kernel.folder)

    @classmethod
    def stop_all(cls) -> None:
        with cls.lock:
            kernels = list(cls.waiting.values())
            cls.waiting.clear()
        for kernel in kernels:
            kernel.stop()
        cls.finish_stopping()


class GradingKernelClient(AsyncKernelClient):
    """The kernel client for grading kernels: ready as soon as the kernel answers and IOPub is connected.

    jupyter_client's ``wait_for_ready`` ends by waiting until IOPub has been quiet for 0.2 s, to drop the
    status messages of its ``kernel_info`` requests; nbclient ignores messages that answer other requests, so
    for the autograder that wait is 0.2 s of idle time per notebook. The rest is jupyter_client's procedure.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        from queue import Empty

        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                pass
            else:
                if msg["msg_type"] == "kernel_info_reply":
                    try:  # any IOPub message shows that IOPub is connected; else ask again
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(msg)
                        return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")


def _alive(km) -> bool:
    from jupyter_core.utils import run_sync

    try:
        return bool(run_sync(km.is_alive)())
    except Exception:
        return False


def _remove_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


atexit.register(_KernelAhead.stop_all)


#: What a kernel reports when it reaches one of its sandbox's limits (course.sandbox.Limits), by limit.
LIMIT_SIGNS = (
    ("memory", ("MemoryError", "Cannot allocate memory")),
    ("tasks", ("Resource temporarily unavailable", "can't start new thread")),
    ("file", ("File too large",)),
    ("work", ("No space left on device",)),
    ("open_files", ("Too many open files",)),
)


def limit_flags(nb: NotebookNode, limits=None) -> list[dict[str, object]]:
    """Violation flags for the sandbox limits a notebook's cells ran into, from their error and stderr output."""
    from course.sandbox import Limits

    described = (limits or Limits()).describe()
    described["work"] = f"the space for files ({described['work']}, {described['tmp']}, {described['shm']})"
    found: dict[str, list[str]] = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        text = "\n".join(
            f"{o.get('ename', '')}: {o.get('evalue', '')}" if o.output_type == "error" else o.get("text", "")
            for o in cell.get("outputs", [])
            if o.output_type == "error" or o.get("name") == "stderr"
        )
        for limit, signs in LIMIT_SIGNS:
            if any(sign in text for sign in signs):
                found.setdefault(limit, []).append(_grade_id(cell) or f"cell {index + 1}")
    return [
        flag("violation", f"reached the sandbox limit of {described[limit]} in " + ", ".join(cells))
        for limit, cells in found.items()
    ]


def _content_bytes(content) -> int:
    """The size of a message's output content: its texts, data and traceback lines."""
    if isinstance(content, str):
        return len(content)
    if isinstance(content, dict):
        return sum(_content_bytes(v) for k, v in content.items() if k not in ("metadata", "transient"))
    if isinstance(content, list):
        return sum(_content_bytes(v) for v in content)
    return 0


class NoAnswer(RuntimeError):
    """The kernel gave no reply in time (it hangs, or died)."""


def _error(ename: str, message: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])


class IntegrityExecute(Execute):
    """nbgrader's Execute where test cells run in the judge (``course.judge``), never in the student's kernel.

    Student cells run in the submission's sandboxed kernel, as stock. At a test cell the kernel is asked, in one
    ``user_expressions`` request, for the names the test reads (as plain data) and for an integrity probe; the
    judge runs the instructor's test on those values and its outcome becomes the cell's outputs. The test's
    released part (hidden tests removed) then runs in the student's kernel with its output discarded, so that
    the kernel's state is what the student had when they ran the notebook. The probe is a tripwire: what it finds
    is flagged for review and changes no score. Also: a per-notebook time limit on top of nbgrader's per-cell
    timeout, dead or hung kernels, an output limit per cell, and kernels started ahead.
    """

    notebook_timeout = Integer(
        300, help="Seconds the whole notebook may run; cells after the limit are not run (tests score 0)."
    ).tag(config=True)
    require_sandbox = Bool(
        True, help="Flag every notebook whose grading kernel could read the course's solutions (no sandbox)."
    ).tag(config=True)
    start_ahead = Bool(
        True,
        help="Start the next notebook's kernel while this one runs (in a fresh folder, where the submission's "
        "files are copied), so that no submission waits for a kernel to start.",
    ).tag(config=True)

    def __init__(self, *args, **kwargs):
        from course.grading_kernel import SandboxKernelManager

        # nbgrader's Execute passes AsyncKernelManager explicitly, over any configuration
        kwargs.setdefault("kernel_manager_class", SandboxKernelManager)
        super().__init__(*args, **kwargs)

    max_output_bytes = Integer(
        1024 * 1024,
        help="Bytes of output a cell may produce (text, data, tracebacks); the rest is dropped and flagged.",
    ).tag(config=True)

    def preprocess(self, nb, resources, km=None):
        from course.sandbox import KERNEL_NAME, allow_unsandboxed, check

        if self.kernel_name == KERNEL_NAME and not allow_unsandboxed():
            check()  # SandboxError: says what is missing (bubblewrap, user namespaces) and how to fix it
        self._needs_receive = False
        self._refuse_notebook = False
        self._file_flags: list[dict[str, object]] = []
        files = SubmissionFiles.for_notebook(resources)
        if files is None:  # not in an nbgrader course: the kernel starts in the notebook's folder, as stock
            return self._preprocess(nb, resources, km)
        notebook = f"{resources['nbgrader']['notebook']}.ipynb"
        if notebook not in files.files:  # refused (a link, a device, over a limit): nbgrader read it anyway
            self._refuse_notebook = True
        path = resources["metadata"]["path"]
        root = _course_root(path) if (self.start_ahead and km is None and self.kernel_name) else None
        if root is None:  # the kernel starts in an inbox holding the checked files, never autograded/
            inbox = private_folder("course-inbox-")
            files.copy_to(inbox)
            self._file_flags = files.flags()
            resources["metadata"]["path"] = str(inbox)
            try:
                return self._preprocess(nb, resources, km)
            finally:
                resources["metadata"]["path"] = path
                _remove_folder(inbox)
        key = (self.kernel_name, tuple(self.extra_arguments), str(root), instructor_imports(resources))
        kernel = _KernelAhead.take(key) or _KernelAhead.start(self, key, root)
        _KernelAhead.start_next(self, key, root, expire_after=self.notebook_timeout + 60)
        try:
            kernel.receive(files)
            self._file_flags = files.flags()
            self._needs_receive = True
            return self._preprocess(nb, resources, kernel.km)
        finally:
            if self.kc is not None:
                self.kc.stop_channels()
                self.kc = None
            kernel.stop()

    def output(self, outs, msg, display_id, cell_index):
        """nbclient's output handling, with at most ``max_output_bytes`` kept per cell (the rest flagged)."""
        size = _content_bytes(msg.get("content", {}))
        used = self._output_bytes.get(cell_index, 0)
        self._output_bytes[cell_index] = used + size
        if used + size <= self.max_output_bytes:
            return super().output(outs, msg, display_id, cell_index)
        if used <= self.max_output_bytes:  # the first message over the limit: say so, once
            limit = f"{self.max_output_bytes // 1024} KiB"
            outs.append(
                NotebookNode(
                    output_type="stream",
                    name="stderr",
                    text=f"[output limit: this cell produced more than {limit}; the rest was dropped]\n",
                )
            )
            self._flags.append(
                flag("violation", f"cell {cell_index + 1} exceeded the output limit ({limit}); output cut")
            )
        return None

    def _preprocess(self, nb, resources, km):
        from course.integrity import helper_fingerprints

        self._flags = list(nb.metadata.get(FLAG_KEY, {}).get("sanitize", []))
        self._flags += getattr(self, "_file_flags", [])
        self._flags += scan_source(nb)
        self._output_bytes: dict[int, int] = {}
        self._reference = helper_fingerprints()
        self._baseline = None
        self._tripped: set[str] = set()
        self._zero_from: int | None = None
        if getattr(self, "_refuse_notebook", False):  # nbgrader read it through a link: nothing of it counts
            self._zero_from = 0
            self._flags.append(
                flag("violation", "the notebook was not graded: it is not a regular file, or over a limit")
            )
        self._plan = judge_plan(resources, nb)
        self._judge = None
        self._judged: dict[int, bool] = {}
        self._silent_kernel = False
        self._stop_reason: str | None = None
        self._deadline = time.monotonic() + self.notebook_timeout
        try:
            nb, resources = super().preprocess(nb, resources, km=km)
        except Exception as err:
            if self._baseline is None:  # the kernel never ran a cell: a set-up problem, not the student's
                raise
            # raised while shutting down a kernel that died or hangs; the cells are already recorded
            self._stop_reason = self._stop_reason or f"the kernel failed ({type(err).__name__})"
        limits = self.km.limits() if hasattr(self.km, "limits") else None
        self._flags += limit_flags(nb, limits)
        resources[FLAG_KEY] = {"flags": self._flags, "zero_from": self._zero_from, "judged": self._judged}
        return nb, resources

    def _receive_files(self) -> None:
        """A kernel started ahead copies its submission's files into its working folder (before any cell)."""
        self._needs_receive = False
        code = "__import__('course.sandbox', fromlist=['receive']).receive()"
        try:
            reply = self.wait_for_reply(self.kc.execute(code, silent=True, store_history=False))
            if reply["content"].get("status") != "ok":
                self._flags.append(
                    flag("review", "the submission's files could not be copied into the kernel")
                )
        except Exception as err:
            self._flags.append(
                flag("review", f"the submission's files were not copied ({type(err).__name__})")
            )

    def _ask(self, **expressions: str) -> dict[str, object]:
        """Evaluate expressions in the student's kernel (``user_expressions``: no cell, no transformer, no hook).

        Each answer is the expression's value, read back from its text: what a probe, an export or a call
        returns is a string, so anything else (an error, a replaced display formatter) is an ``Exception``
        instance in the result, never something run here.
        """
        try:
            msg_id = self.kc.execute("", silent=True, store_history=False, user_expressions=expressions)
            reply = self.wait_for_reply(msg_id)  # within the per-cell timeout
            answers = reply["content"]["user_expressions"]
        except Exception as err:  # no answer is itself a finding
            return {key: NoAnswer(f"the kernel did not answer ({type(err).__name__})") for key in expressions}
        results: dict[str, object] = {}
        for key in expressions:
            value = answers.get(key) if isinstance(answers, dict) else None
            try:
                if not isinstance(value, dict) or value.get("status") != "ok":
                    error = value or {}
                    raise RuntimeError(
                        f"{error.get('ename', 'no answer')}: {str(error.get('evalue', ''))[:300]}"
                    )
                text = value["data"]["text/plain"]
                if not isinstance(text, str) or len(text) > 25 * MAX_EXPORT_CHARS:
                    raise RuntimeError("the answer is not text, or too large")
                result = ast.literal_eval(text)
                if not isinstance(result, str):
                    raise RuntimeError("the answer is not text")
                results[key] = result
            except Exception as err:
                results[key] = (
                    err
                    if isinstance(err, RuntimeError)
                    else RuntimeError(f"unreadable answer ({type(err).__name__})")
                )
        return results

    def _probe(self, report: object) -> dict:
        if isinstance(report, Exception):
            return {"shell_error": str(report)}
        try:
            return json.loads(report)
        except ValueError:
            return {"shell_error": "the probe's report is not JSON"}

    def _call(self, name: str, args: tuple, kwargs: dict) -> object:
        """(For the judge.) Call the submission's function ``name`` in its kernel, with plain-data arguments."""
        from course.judge import AnswerError
        from course.plaindata import RESULT, encode_call, load_export

        arguments = encode_call(args, kwargs)  # ExportError: the test passes something that is not plain data
        if self._silent_kernel or time.monotonic() > self._deadline:  # one call that hangs costs one timeout
            raise AnswerError(f"{name}(...) was not called: the kernel stopped answering, or time ran out")
        answer = self._ask(r=CALL.format(name=name, arguments=arguments))["r"]
        self._silent_kernel = isinstance(answer, NoAnswer)
        if isinstance(answer, Exception):
            raise AnswerError(f"{name}(...) gave no answer: {answer}")
        try:
            exported = load_export(answer)
        except ValueError as err:
            raise AnswerError(f"{name}(...) gave an unreadable answer ({err})") from None
        if RESULT in exported.values:
            return exported.values[RESULT]
        raise AnswerError(exported.errors.get(RESULT, f"{name}(...) gave no result"))

    def _note_timeout(self, cell, index) -> None:
        if any(o.get("ename") == "CellTimeoutError" for o in cell.get("outputs", [])):
            where = _grade_id(cell) or f"cell {index + 1}"
            self._flags.append(
                flag("info", f"{where} hit the {self.timeout} s per-cell time limit and was stopped")
            )

    def preprocess_cell(self, cell, resources, index):
        from nbclient.exceptions import DeadKernelError

        if self._stop_reason is None and time.monotonic() > self._deadline:
            self._stop_reason = f"the notebook ran longer than its {self.notebook_timeout} s limit"
            self._flags.append(flag("violation", f"stopped: {self._stop_reason}"))
        if self._stop_reason is not None:
            if cell.cell_type == "code":
                cell.outputs = (
                    [_error("NotRun", f"not run: {self._stop_reason}")] if is_test_cell(cell) else []
                )
            return cell, resources
        if self._baseline is None:
            if getattr(self, "_needs_receive", False):
                self._receive_files()
            self._baseline = self._probe(self._ask(probe=PROBE)["probe"])
            if "shell_error" in self._baseline:
                self._flags.append(flag("review", "the integrity probe failed before the first cell"))
            elif self.require_sandbox and not self._baseline.get("sandbox"):
                self._flags.append(
                    flag(
                        "review",
                        "the grading kernel was not sandboxed: it could read the solutions (see INSTRUCTORS.md)",
                    )
                )
        try:
            test = self._plan[1].get(_grade_id(cell)) if self._plan and is_test_cell(cell) else None
            if is_test_cell(cell) and test is None:
                what = "no gradebook" if self._plan is None else "not a test cell of this assignment"
                self._flags.append(
                    flag(
                        "review", f"{_grade_id(cell)} ran in the student's kernel, not in the judge ({what})"
                    )
                )
            if test is None:
                cell, resources = super().preprocess_cell(cell, resources, index)
                self._note_timeout(cell, index)
                return cell, resources
            outputs = self._run_in_judge(_grade_id(cell), test)
            original = cell.source  # the released part, for the kernel's state; its output is not used
            hidden = hidden_lines(original)
            cell.source = "\n".join(
                line for n, line in enumerate(original.splitlines(), 1) if n not in hidden
            )
            try:
                cell, resources = super().preprocess_cell(cell, resources, index)
            finally:
                cell.source = original
            self._note_timeout(cell, index)
            for output in outputs:
                if output.output_type == "execute_result":
                    output.execution_count = cell.get("execution_count")
            cell.outputs = outputs
            self._judged[index] = True
            return cell, resources
        except DeadKernelError:
            self._stop(
                cell, index, "the kernel died (the submission crashed or killed it)", "DeadKernelError"
            )
            return cell, resources
        except Exception as err:  # the kernel hangs or stops answering: stop this notebook, not the class
            self._stop(cell, index, f"the kernel stopped responding ({type(err).__name__})", "NotRun")
            return cell, resources

    def _run_in_judge(self, grade_id: str, source: str) -> list[NotebookNode]:
        """Export the answers ``source`` reads from the student's kernel, and run the test on them in the judge."""
        from course.judge import Judge
        from course.plaindata import Exported, load_export

        if self._judge is None:
            self._judge = Judge(self._plan[0])
            for problem in self._judge.setup_errors:
                self.log.warning("a set-up cell failed in the judge: %s", problem)
                self._flags.append(flag("review", f"a set-up cell failed in the judge: {problem}"))
        names = self._judge.answers_read(source)
        answers = self._ask(probe=PROBE, export=EXPORT.format(names=names))
        self._trip(grade_id, self._probe(answers["probe"]))
        exported = answers["export"]
        try:
            if isinstance(exported, Exception):
                raise ValueError(str(exported))
            exported = load_export(exported)
        except ValueError as err:
            message = f"could not be read from the kernel ({str(err)[:200]})"
            exported = Exported({}, {name: f"{name} {message}" for name in names}, [], [])
        return self._judge.run(
            grade_id, source, exported.values, exported.errors, exported.functions, self._call
        )

    def _trip(self, grade_id: str, report: dict) -> None:
        """Flag for review what the probe finds changed since the first cell (once each); no score changes."""
        problems = [p for p in compare(self._baseline, report, self._reference) if p not in self._tripped]
        if problems:
            self._tripped.update(problems)
            self._flags.append(flag("review", f"before test {grade_id}: " + "; ".join(problems), grade_id))

    def _stop(self, cell, index: int, reason: str, ename: str) -> None:
        self._stop_reason = reason
        self._flags.append(flag("violation", f"{reason} in cell {index + 1}", _grade_id(cell)))
        cell.outputs = [_error(ename, reason)]


# ---- after execution -------------------------------------------------------------------------------------


class CheckIntegrity(NbGraderPreprocessor):
    """Zero the test cells of a notebook that was not graded, report every notebook, and note flags at its top."""

    def preprocess(self, nb, resources):
        info = resources.get(FLAG_KEY)
        if info is None:
            info = {"flags": [flag("violation", "integrity data missing: was IntegrityExecute configured?")]}
            info.update(zero_from=0, judged={})
        flags = list(info["flags"])
        flagged: set[str] = set()
        results = []
        for index, cell in enumerate(nb.cells):
            if not is_test_cell(cell):
                continue
            grade_id = _grade_id(cell)
            zeroed = info["zero_from"] is not None and index >= info["zero_from"]
            if zeroed:
                cell.outputs = [
                    _error("IntegrityError", "this notebook was not graded; see the note at the top")
                ]
                flagged.add(grade_id)
            results.append(
                {
                    "cell": grade_id,
                    "judged": bool(info["judged"].get(index)),
                    "error": any(o.output_type == "error" for o in cell.get("outputs", [])),
                    "zeroed": zeroed,
                }
            )
        resources[FLAG_KEY] = {**info, "flags": flags, "flagged_cells": sorted(flagged)}
        self._write_report(nb, resources, flags, results)
        if any(f["level"] in ("violation", "review") for f in flags):
            lines = "\n".join(f"- **{f['level']}**: {f['message']}" for f in flags if f["level"] != "info")
            note = NotebookNode(
                cell_type="markdown",
                metadata={},
                source=f"**Integrity check (added by the autograder).** Flags for the instructor:\n\n{lines}",
            )
            nb.cells.insert(0, note)
        return nb, resources

    def _write_report(self, nb, resources, flags, results) -> None:
        folder = Path(resources.get("metadata", {}).get("path") or ".")
        notebook = resources.get("nbgrader", {}).get("notebook", "notebook")
        report = {
            "student": resources.get("nbgrader", {}).get("student"),
            "assignment": resources.get("nbgrader", {}).get("assignment"),
            "notebook": notebook,
            "flags": flags,
            "tests": results,
        }
        (folder / f"{notebook}.integrity.json").write_text(
            json.dumps(report, indent=2) + "\n", encoding="utf-8"
        )


class SaveAutoGradesFlagged(SaveAutoGrades):
    """SaveAutoGrades that marks flagged test cells for a manual look, and commits once per notebook.

    Stock SaveAutoGrades commits the gradebook after every cell (about 30 SQLite commits for a problem set);
    here the changes are flushed as they come and committed together at the end: the same rows, written in one
    transaction, so a failure leaves the gradebook as it was rather than half-updated.
    """

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook

        self._flagged = set(resources.get(FLAG_KEY, {}).get("flagged_cells", []))
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.student_id = resources["nbgrader"]["student"]
        self.db_url = resources["nbgrader"]["db_url"]
        self.gradebook = Gradebook(self.db_url)
        with self.gradebook:
            session = self.gradebook.db
            session.commit = session.flush  # per-cell commits become flushes...
            try:
                nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
            finally:
                del session.commit
            session.commit()  # ...and the notebook's grades are committed once
        return nb, resources

    def _add_score(self, cell, resources):
        super()._add_score(cell, resources)
        if cell.metadata["nbgrader"]["grade_id"] in self._flagged:
            grade = self.gradebook.find_grade(
                cell.metadata["nbgrader"]["grade_id"], self.notebook_id, self.assignment_id, self.student_id
            )
            grade.needs_manual_grade = True
            self.gradebook.db.commit()


# ---- feedback --------------------------------------------------------------------------------------------


def hidden_lines(source: str) -> set[int]:
    """1-based numbers of the lines inside hidden-test regions (markers included)."""
    inside, hidden = False, set()
    for number, line in enumerate(source.splitlines(), start=1):
        if HIDDEN_BEGIN in line:
            inside = True
        if inside:
            hidden.add(number)
        if HIDDEN_END in line:
            inside = False
    return hidden


def _failing_line(traceback: list[str]) -> int | None:
    text = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(traceback))
    found = re.findall(r"(?:Cell In\s*\[\d*\],\s*)?line (\d+)", text)
    return int(found[-1]) if found else None


#: Errors the grader itself puts in a cell: they hold no test source, so feedback shows them as they are.
GRADER_ERRORS = ("IntegrityError", "NotRun", "DeadKernelError", "CellTimeoutError", "AnswerNotGradable")


class HideHiddenTests(NbGraderPreprocessor):
    """For feedback: no hidden-test source, and nothing a hidden test printed, showed or raised.

    In a cell with hidden tests only errors are kept: a failed visible assertion with its message, anything else
    as "a hidden test failed"; printed or displayed output and the cell's result are dropped (a submission can
    make a test cell print its own source). Then every line of hidden-test source that still appears verbatim in
    any output of the notebook (a submission can keep test sources and print them later, in its own cells) is
    replaced by ``[hidden test]``. The score of each test cell is shown by nbgrader's feedback template.
    """

    message = Unicode(
        "A hidden test failed. Hidden tests check cases beyond the visible ones; their details are not shown."
    ).tag(config=True)
    dropped = Unicode("(Output of a cell with hidden tests is not shown in feedback.)").tag(config=True)

    def preprocess(self, nb, resources):
        self._hidden_text = sorted(
            {
                line.strip()
                for cell in nb.cells
                if cell.cell_type == "code" and utils.is_grade(cell)
                for n, line in enumerate(cell.source.splitlines(), start=1)
                if n in hidden_lines(cell.source) and len(line.strip()) >= 8 and "HIDDEN TESTS" not in line
            },
            key=len,
            reverse=True,
        )
        nb, resources = super().preprocess(nb, resources)
        if self._hidden_text:
            for cell in nb.cells:
                for output in cell.get("outputs", []):
                    _redact(output, self._hidden_text)
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not utils.is_grade(cell):
            return cell, resources
        source = cell.source
        hidden = hidden_lines(source)
        if not hidden:
            return cell, resources
        kept_lines = [line for n, line in enumerate(source.splitlines(), start=1) if n not in hidden]
        cell.source = "\n".join(kept_lines)
        outputs = []
        for output in cell.get("outputs", []):
            if output.output_type != "error":
                continue
            if output.ename not in GRADER_ERRORS:
                line = _failing_line(output.get("traceback", []))
                if line is None or line in hidden:
                    output = _error("HiddenTestFailed", self.message)
                else:
                    output = _error(output.ename, output.evalue)
            outputs.append(output)
        if len(outputs) < len(cell.get("outputs", [])):
            outputs.insert(0, NotebookNode(output_type="stream", name="stdout", text=self.dropped + "\n"))
        cell.outputs = outputs
        return cell, resources


def _redact(output: NotebookNode, hidden: list[str]) -> None:
    """Replace every verbatim hidden-test line in an output's texts with ``[hidden test]``."""

    def clean(text):
        if isinstance(text, list):
            text = "".join(text)
        if not isinstance(text, str):
            return text
        for line in hidden:
            if line in text:
                text = text.replace(line, "[hidden test]")
        return text

    for key in ("text", "evalue"):
        if key in output:
            output[key] = clean(output[key])
    if "traceback" in output:
        output["traceback"] = [clean(line) for line in output["traceback"]]
    if "data" in output:
        for kind, value in list(output["data"].items()):
            if kind.startswith("text/") or kind.endswith(("+json", "/json", "+xml")):
                output["data"][kind] = clean(value) if isinstance(value, str | list) else value


# ---- instructor commands ---------------------------------------------------------------------------------


def refused_path(course_root: Path, assignment: str) -> Path:
    return course_root / "reports" / f"{assignment}-refused.json"


def refuse_files(course_root: Path, assignment: str) -> dict[str, list[str]]:
    """Move what a submission may not hold out of ``submitted/`` (into ``refused/``), before nbgrader copies it.

    nbgrader's copy follows symbolic links: a link beside the notebook, or a notebook that is itself a link,
    would bring the solutions into the grading. Links, devices, FIFOs, sockets, files over the size limit and
    files beyond the count limit (see :class:`SubmissionFiles`) are moved, as they are, to
    ``refused/<student>/<assignment>/``; the reasons are kept in ``reports/<assignment>-refused.json`` and become
    violation flags in the report.
    """
    record = refused_path(course_root, assignment)
    refused: dict[str, list[str]] = json.loads(record.read_text(encoding="utf-8")) if record.exists() else {}
    for folder in sorted((course_root / "submitted").glob(f"*/{assignment}")):
        student = folder.parent.name
        files = SubmissionFiles.scan(folder)
        if not files.refused:
            continue
        kept = set(files.files)
        for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
            name = path.relative_to(folder).as_posix()
            if name in kept or (path.is_dir() and not path.is_symlink()):
                continue
            target = course_root / "refused" / student / assignment / name
            target.parent.mkdir(parents=True, exist_ok=True)
            path.rename(target)
        reasons = refused.setdefault(student, [])
        reasons += [reason for reason in files.refused if reason not in reasons]
    if refused:
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps(refused, indent=2) + "\n", encoding="utf-8")
    return refused


def normalize_submissions(course_root: Path, assignment: str) -> list[dict[str, str]]:
    """Refuse what a submission may not hold, and rename a student's only notebook when they renamed it.

    First :func:`refuse_files`. Then a submission folder with exactly one ``.ipynb`` whose name is not the
    assignment's gets it renamed (the original is kept as ``<name>.original``); with several, nothing is
    guessed and the case is reported.
    """
    expected = f"{assignment}.ipynb"
    events = [
        {"student": student, "event": f"refused and moved to refused/{student}/{assignment}/: {reason}"}
        for student, reasons in refuse_files(course_root, assignment).items()
        for reason in reasons
    ]
    submitted = course_root / "submitted"
    for folder in sorted(submitted.glob(f"*/{assignment}")):
        student = folder.parent.name
        notebooks = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
        if (folder / expected).exists() or not notebooks:
            if not notebooks:
                events.append({"student": student, "event": "no notebook submitted"})
            continue
        if len(notebooks) == 1:
            (folder / expected).write_bytes(notebooks[0].read_bytes())
            notebooks[0].rename(notebooks[0].with_name(notebooks[0].name + ".original"))
            events.append(
                {
                    "student": student,
                    "event": f"notebook was named {notebooks[0].name!r}; graded as {expected}",
                }
            )
        else:
            names = ", ".join(p.name for p in notebooks)
            events.append(
                {"student": student, "event": f"several notebooks ({names}) and none named {expected}"}
            )
    return events


def collect_report(course_root: Path, assignment: str) -> list[dict[str, object]]:
    """Per student: autograded score, max, and the integrity flags, from the gradebook and the JSON reports."""
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    record = refused_path(course_root, assignment)
    refused = json.loads(record.read_text(encoding="utf-8")) if record.exists() else {}
    with Gradebook(f"sqlite:///{course_root / 'gradebook.db'}") as gb:
        for student in sorted(s.id for s in gb.students):
            row: dict[str, object] = {"student": student}
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                row.update(score="", max_score="", flags="no submission")
                rows.append(row)
                continue
            flags = [f"violation: submitted file refused: {reason}" for reason in refused.get(student, [])]
            for path in sorted((course_root / "autograded" / student / assignment).glob("*.integrity.json")):
                report = json.loads(path.read_text(encoding="utf-8"))
                flags += [f"{f['level']}: {f['message']}" for f in report["flags"]]
            if not (course_root / "autograded" / student / assignment).exists():
                flags.append(
                    "violation: not autograded: " + _why_not_graded(course_root, student, assignment)
                )
            row.update(
                score=round(submission.score, 2),
                max_score=submission.max_score,
                needs_manual_grade=submission.needs_manual_grade,
                flags=" | ".join(flags),
            )
            rows.append(row)
    return rows


def _why_not_graded(course_root: Path, student: str, assignment: str) -> str:
    import nbformat

    path = course_root / "submitted" / student / assignment / f"{assignment}.ipynb"
    if not path.exists():
        return f"no {path.name} in the submission"
    try:
        nbformat.read(path, as_version=4)
    except Exception as err:
        return f"{path.name} is not a readable notebook ({type(err).__name__}); ask the student to resubmit"
    return "nbgrader failed on this notebook; see the autograde log"


def write_report(rows: list[dict[str, object]], path: Path) -> Path:
    """Write the report rows as CSV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fields = ["student", "score", "max_score", "needs_manual_grade", "flags"]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m course.autograde normalize|report COURSE_ROOT ASSIGNMENT``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m course.autograde", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["normalize", "report"])
    parser.add_argument("course_root", type=Path)
    parser.add_argument("assignment")
    args = parser.parse_args(argv)
    if args.command == "normalize":
        for event in normalize_submissions(args.course_root, args.assignment):
            print(f"{event['student']}: {event['event']}")
        return 0
    rows = collect_report(args.course_root, args.assignment)
    path = write_report(rows, args.course_root / "reports" / f"{args.assignment}-integrity.csv")
    width = max([len(str(r["student"])) for r in rows] + [7])
    for row in rows:
        print(
            f"{str(row['student']):{width}}  {row.get('score', '')!s:>6} / {row.get('max_score', '')!s:<5} {row.get('flags', '')}"
        )
    print(f"report written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
