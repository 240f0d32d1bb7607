"""``IntegrityExecute``: nbgrader's Execute where the test cells run in the judge."""

from __future__ import annotations

import codecs
import json
import math
import re
import time
from dataclasses import dataclass, field

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer

from course.autograder.common import (
    FLAG_KEY,
    Flag,
    IntegrityRecord,
    course_root_of,
    error_output,
    flag,
    grade_id_of,
    is_test_cell,
    remove_folder,
    without_hidden,
)
from course.autograder.files import SubmissionFiles
from course.autograder.judge import judge_plan, pack_variant
from course.autograder.kernels import KernelAhead, instructor_imports
from course.autograder.plan import grading_plan
from course.autograder.sandbox import private_folder
from course.autograder.tripwire import compare, scan_source
from course.grading import remote
from course.grading.plaindata import MAX_REPLY_CHARS

#: What a kernel reports when it reaches one of its sandbox's limits (course.autograder.sandbox.Limits), by limit.
LIMIT_SIGNS = (
    ("memory", ("MemoryError", "Cannot allocate memory")),
    ("tasks", ("Resource temporarily unavailable", "can't start new thread")),
    ("file", ("File too large",)),
    ("work", ("No space left on device",)),
    ("open_files", ("Too many open files",)),
)


def string_reply(text: object) -> str:
    """The string a kernel's ``user_expressions`` answer stands for, read strictly: the answer's ``text/plain``
    must be the repr of an ASCII string (what an export, a call or the probe returns: JSON text), no longer than
    :data:`~course.grading.plaindata.MAX_REPLY_CHARS`. Nothing else is parsed, and nothing is evaluated."""
    if not isinstance(text, str) or len(text) > MAX_REPLY_CHARS + 2:
        raise RuntimeError("the answer is not text, or too large")
    if len(text) < 2 or text[0] not in "'\"" or text[-1] != text[0] or not text.isascii():
        raise RuntimeError("the answer is not a string")
    try:
        return codecs.decode(text[1:-1], "unicode_escape")
    except UnicodeDecodeError:
        raise RuntimeError("the answer is not a string") from None


def limit_flags(nb: NotebookNode, limits=None) -> list[Flag]:
    """Violation flags for the sandbox limits a notebook's cells ran into, from their error and stderr output."""
    from course.autograder.sandbox import Limits

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
                found.setdefault(limit, []).append(grade_id_of(cell) or f"cell {index + 1}")
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


@dataclass
class NotebookRun:
    """What grading one notebook knows as it goes: made fresh by ``IntegrityExecute.preprocess`` for each notebook,
    never shared between notebooks (so one submission's state cannot reach the next)."""

    variant: object = None  # a class pack's draw for this student (course.grading.variants.Variant), or None
    refused: bool = False  # nbgrader read the notebook through a link, or over a limit: nothing of it counts
    needs_receive: bool = False  # a kernel started ahead copies the submission's files before the first cell
    file_flags: list[Flag] = field(default_factory=list)  # what the submission's files showed when checked
    flags: list[Flag] = field(default_factory=list)  # everything flagged, in order
    output_bytes: dict[int, int] = field(default_factory=dict)  # output kept so far, by cell index
    reference: dict = field(default_factory=dict)  # the checking helpers' fingerprints, taken here
    baseline: dict | None = None  # the probe's report before the first cell (None: no cell has run)
    tripped: set[str] = field(default_factory=set)  # tripwire findings already flagged (each once)
    zero_from: int | None = None  # the first cell from which nothing scores (0: the whole notebook)
    plan: tuple | None = (
        None  # (set-up, {grade_id: test}) from course.autograder.judge.judge_plan; None: no plan
    )
    judge: object = None  # the course.autograder.judge.Judge, made at the first test cell
    judged: dict[int, bool] = field(default_factory=dict)  # test cells whose outputs came from the judge
    silent_kernel: bool = False  # the kernel stopped answering: no more calls into it
    stop_reason: str | None = None  # why the rest of the notebook is not run
    deadline: float = math.inf  # time.monotonic() by which the whole notebook must be done

    def stop(self, reason: str) -> None:
        self.stop_reason = self.stop_reason or reason


class IntegrityExecute(Execute):
    """nbgrader's Execute where test cells run in the judge (``course.autograder.judge``), never in the student's kernel.

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

    #: The notebook being graded (``preprocess`` makes a fresh one for each).
    graded: NotebookRun

    def __init__(self, *args, **kwargs):
        from course.autograder.kernels import SandboxKernelManager

        # nbgrader's Execute passes AsyncKernelManager explicitly, over any configuration
        kwargs.setdefault("kernel_manager_class", SandboxKernelManager)
        super().__init__(*args, **kwargs)

    max_output_bytes = Integer(
        1024 * 1024,
        help="Bytes of output a cell may produce (text, data, tracebacks); the rest is dropped and flagged.",
    ).tag(config=True)

    def preprocess(self, nb, resources, km=None):
        from course.autograder.sandbox import KERNEL_NAME, allow_unsandboxed, check

        if self.kernel_name == KERNEL_NAME and not allow_unsandboxed():
            check()  # SandboxError: says what is missing (bubblewrap, user namespaces) and how to fix it
        # before the kernel's folder replaces the submission's path
        self.graded = run = NotebookRun(variant=pack_variant(resources))
        files = SubmissionFiles.for_notebook(resources)
        if files is None:  # not in an nbgrader course: the kernel starts in the notebook's folder, as stock
            return self._preprocess(nb, resources, km)
        notebook = f"{resources['nbgrader']['notebook']}.ipynb"
        if notebook not in files.files:  # refused (a link, a device, over a limit): nbgrader read it anyway
            run.refused = True
        path = resources["metadata"]["path"]
        root = course_root_of(path) if (self.start_ahead and km is None and self.kernel_name) else None
        if root is None:  # the kernel starts in an inbox holding the checked files, never autograded/
            inbox = private_folder("course-inbox-")
            files.copy_to(inbox)
            run.file_flags = files.flags()
            resources["metadata"]["path"] = str(inbox)
            try:
                return self._preprocess(nb, resources, km)
            finally:
                resources["metadata"]["path"] = path
                remove_folder(inbox)
        key = (self.kernel_name, tuple(self.extra_arguments), str(root), instructor_imports(resources))
        kernel = KernelAhead.take(key) or KernelAhead.start(self, key, root)
        KernelAhead.start_next(self, key, root, expire_after=self.notebook_timeout + 60)
        try:
            kernel.receive(files)
            run.file_flags = files.flags()
            run.needs_receive = True
            return self._preprocess(nb, resources, kernel.km)
        finally:
            if self.kc is not None:
                self.kc.stop_channels()
                self.kc = None
            kernel.stop()

    def output(self, outs, msg, display_id, cell_index):
        """nbclient's output handling, with at most ``max_output_bytes`` kept per cell (the rest flagged)."""
        size = _content_bytes(msg.get("content", {}))
        used = self.graded.output_bytes.get(cell_index, 0)
        self.graded.output_bytes[cell_index] = used + size
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
            self.graded.flags.append(
                flag("violation", f"cell {cell_index + 1} exceeded the output limit ({limit}); output cut")
            )
        return None

    def _preprocess(self, nb, resources, km):
        from course.grading.integrity import helper_fingerprints

        run = self.graded
        sanitize = nb.metadata.get(FLAG_KEY, {}).get("sanitize", [])
        run.flags = [Flag.from_metadata(f) for f in (sanitize if isinstance(sanitize, list) else [])]
        run.flags += run.file_flags
        run.flags += scan_source(nb)
        run.reference = helper_fingerprints()
        if run.refused:  # nbgrader read it through a link: nothing of it counts
            run.zero_from = 0
            run.flags.append(
                flag("violation", "the notebook was not graded: it is not a regular file, or over a limit")
            )
        run.plan = judge_plan(grading_plan(resources), nb)
        run.deadline = time.monotonic() + self.notebook_timeout
        try:
            nb, resources = super().preprocess(nb, resources, km=km)
        except Exception as err:
            if run.baseline is None:  # the kernel never ran a cell: a set-up problem, not the student's
                raise
            # raised while shutting down a kernel that died or hangs; the cells are already recorded
            run.stop(f"the kernel failed ({type(err).__name__})")
        limits = self.km.limits() if hasattr(self.km, "limits") else None
        run.flags += limit_flags(nb, limits)
        resources[FLAG_KEY] = IntegrityRecord(run.flags, run.zero_from, run.judged)
        return nb, resources

    def _attend(self) -> None:
        """A class pack: tell the kernel whose items to show (the cards only; the judge keeps its own copy)."""
        from course.grading.variants import Variant

        if isinstance(self.graded.variant, Variant):
            self._ask(attend=remote.attend(self.graded.variant))

    #: What a class pack's cards and inputs say about whose draw they show (course.views.display).
    _SHOWN = re.compile(
        r"Your (?:item for (?P<slot>[ABC]\d): `(?P<item>[^`]+)`|input for (?P<input>[A-Z]\d),[^`]*`(?P<id>[^`]+)`)"
    )

    def _check_shown_draw(self, cell) -> None:
        """A tripwire for a class pack: the notebook showed the student a draw other than their own (the cards or
        inputs were changed in the kernel, for instance to copy a classmate's answers). Grading is unaffected (the
        judge uses the instructor's copy of the draw); the notebook is flagged for review."""
        from course.grading.variants import Variant, VariantMissing

        variant = self.graded.variant
        if not isinstance(variant, Variant):
            return
        for output in cell.get("outputs", []):
            text = " ".join(str(value) for value in output.get("data", {}).values()) + str(
                output.get("text", "")
            )
            for match in self._SHOWN.finditer(text[:20_000]):
                slot, shown = (
                    (match["slot"], match["item"]) if match["slot"] else (match["input"], match["id"])
                )
                try:
                    own = variant.item_id(slot) if match["slot"] else variant.param(slot)["id"]
                except VariantMissing:
                    own = None
                if shown != own:
                    self.graded.flags.append(
                        flag(
                            "review",
                            f"the notebook showed {shown!r} as this student's {slot}, not their draw ({own!r}): "
                            "its cards were changed in the kernel (graded on their own draw)",
                            grade_id_of(cell),
                        )
                    )

    def _receive_files(self) -> None:
        """A kernel started ahead copies its submission's files into its working folder (before any cell)."""
        self.graded.needs_receive = False
        code = remote.receive()
        try:
            reply = self.wait_for_reply(self.kc.execute(code, silent=True, store_history=False))
            if reply["content"].get("status") != "ok":
                self.graded.flags.append(
                    flag("review", "the submission's files could not be copied into the kernel")
                )
        except Exception as err:
            self.graded.flags.append(
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
                results[key] = string_reply(value["data"]["text/plain"])
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
        from course.autograder.judge import AnswerError
        from course.grading.plaindata import RESULT, encode_call, load_export

        arguments = encode_call(args, kwargs)  # ExportError: the test passes something that is not plain data
        if self.graded.silent_kernel or time.monotonic() > self.graded.deadline:  # a hang costs one timeout
            raise AnswerError(f"{name}(...) was not called: the kernel stopped answering, or time ran out")
        answer = self._ask(r=remote.call(name, arguments))["r"]
        self.graded.silent_kernel = isinstance(answer, NoAnswer)
        if isinstance(answer, Exception):
            raise AnswerError(f"{name}(...) gave no answer: {answer}")
        try:
            exported = load_export(answer, requested=[RESULT])
        except ValueError as err:
            raise AnswerError(f"{name}(...) gave an unreadable answer ({err})") from None
        if RESULT in exported.values:
            return exported.values[RESULT]
        raise AnswerError(exported.errors.get(RESULT, f"{name}(...) gave no result"))

    def _note_timeout(self, cell, index) -> None:
        if any(o.get("ename") == "CellTimeoutError" for o in cell.get("outputs", [])):
            where = grade_id_of(cell) or f"cell {index + 1}"
            self.graded.flags.append(
                flag("info", f"{where} hit the {self.timeout} s per-cell time limit and was stopped")
            )

    def preprocess_cell(self, cell, resources, index):
        """One cell: not run once the notebook has stopped; a student's cell in their kernel; a test cell's test in
        the judge (its released part in the kernel, output discarded); a dead or silent kernel stops the notebook."""
        from nbclient.exceptions import DeadKernelError

        if self._stopped(cell):
            return cell, resources
        if self.graded.baseline is None:
            self._before_first_cell()
        try:
            test = self._test_of(cell)
            if test is None:
                return self._run_in_kernel(cell, resources, index)
            return self._run_test(cell, resources, index, test)
        except DeadKernelError:
            self._stop(
                cell, index, "the kernel died (the submission crashed or killed it)", "DeadKernelError"
            )
            return cell, resources
        except Exception as err:  # the kernel hangs or stops answering: stop this notebook, not the class
            self._stop(cell, index, f"the kernel stopped responding ({type(err).__name__})", "NotRun")
            return cell, resources

    def _stopped(self, cell) -> bool:
        """Past the notebook's time limit, or stopped before: the cell is not run (a test cell says why)."""
        run = self.graded
        if run.stop_reason is None and time.monotonic() > run.deadline:
            run.stop(f"the notebook ran longer than its {self.notebook_timeout} s limit")
            run.flags.append(flag("violation", f"stopped: {run.stop_reason}"))
        if run.stop_reason is None:
            return False
        if cell.cell_type == "code":
            cell.outputs = (
                [error_output("NotRun", f"not run: {run.stop_reason}")] if is_test_cell(cell) else []
            )
        return True

    def _before_first_cell(self) -> None:
        """Copy the files into a kernel started ahead, take the probe's baseline, and tell a class pack's kernel
        whose draw to show."""
        run = self.graded
        if run.needs_receive:
            self._receive_files()
        run.baseline = self._probe(self._ask(probe=remote.probe())["probe"])
        self._attend()
        if "shell_error" in run.baseline:
            run.flags.append(flag("review", "the integrity probe failed before the first cell"))
        elif self.require_sandbox and not run.baseline.get("sandbox"):
            run.flags.append(
                flag(
                    "review",
                    "the grading kernel was not sandboxed: it could read the solutions (see INSTRUCTORS.md)",
                )
            )

    def _test_of(self, cell) -> str | None:
        """The instructor's test for a test cell (None for any other cell); a test cell the plan does not know runs
        in the student's kernel, flagged."""
        if not is_test_cell(cell):
            return None
        plan = self.graded.plan
        test = plan[1].get(grade_id_of(cell)) if plan else None
        if test is None:
            what = "no gradebook" if plan is None else "not a test cell of this assignment"
            self.graded.flags.append(
                flag("review", f"{grade_id_of(cell)} ran in the student's kernel, not in the judge ({what})")
            )
        return test

    def _run_in_kernel(self, cell, resources, index):
        cell, resources = super().preprocess_cell(cell, resources, index)
        self._note_timeout(cell, index)
        self._check_shown_draw(cell)
        return cell, resources

    def _run_test(self, cell, resources, index, test: str):
        """The test in the judge; then the cell's released part in the kernel (for its state), output discarded."""
        outputs = self._run_in_judge(grade_id_of(cell), test)
        original = cell.source
        cell.source = without_hidden(original)
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        finally:
            cell.source = original
        self._note_timeout(cell, index)
        for output in outputs:
            if output.output_type == "execute_result":
                output.execution_count = cell.get("execution_count")
        cell.outputs = outputs
        self.graded.judged[index] = True
        return cell, resources

    def _judge_seconds(self) -> float:
        """The judge's own time for one test: the per-cell limit, within what is left of the notebook's."""
        left = self.graded.deadline - time.monotonic()
        return max(1.0, min(float(self.timeout or 30), left))

    def _run_in_judge(self, grade_id: str, source: str) -> list[NotebookNode]:
        """Export the answers ``source`` reads from the student's kernel, and run the test on them in the judge.

        The kernel's reply is hostile bytes: read within size and value limits and a time limit, and only the
        names asked for are kept. A reply that holds other names, or cannot be read, is flagged for review."""
        from course.autograder.judge import Clock, Judge, JudgeTimeLimit
        from course.grading.plaindata import Exported, load_export

        run = self.graded
        if run.judge is None:
            run.judge = Judge(run.plan[0], variant=run.variant)
            for problem in run.judge.setup_errors:
                self.log.warning("a set-up cell failed in the judge: %s", problem)
                run.flags.append(flag("review", f"a set-up cell failed in the judge: {problem}"))
        names = run.judge.answers_read(source)
        answers = self._ask(probe=remote.probe(), export=remote.export(names))
        self._trip(grade_id, self._probe(answers["probe"]))
        exported = answers["export"]
        try:
            if isinstance(exported, Exception):
                raise ValueError(str(exported))
            with Clock(self._judge_seconds(), f"reading the answers of {grade_id}"):
                exported = load_export(exported, requested=names)
        except (ValueError, JudgeTimeLimit, MemoryError, RecursionError) as err:
            message = f"could not be read from the kernel ({str(err)[:200]})"
            run.flags.append(flag("review", f"{grade_id}: the answers {message}", grade_id))
            exported = Exported({}, {name: f"{name} {message}" for name in names}, [], [])
        over = [message for message in exported.errors.values() if "the judge's limit" in message]
        if over:
            run.flags.append(
                flag("review", f"{grade_id}: not graded, over a limit: {over[0][:200]}", grade_id)
            )
        if exported.unrequested:
            sent = ", ".join(exported.unrequested[:12]) + (" …" if len(exported.unrequested) > 12 else "")
            run.flags.append(
                flag(
                    "violation",
                    f"before test {grade_id}: the kernel sent names it was not asked for ({sent}); "
                    "they were ignored (a replaced export)",
                    grade_id,
                )
            )
        outputs = run.judge.run(
            grade_id,
            source,
            exported.values,
            exported.errors,
            exported.functions,
            self._call,
            seconds=self._judge_seconds(),
        )
        if any(o.get("ename") == "JudgeTimeLimit" for o in outputs):
            run.flags.append(flag("review", f"{grade_id}: the test took longer than the judge's time limit"))
        return outputs

    def _trip(self, grade_id: str, report: dict) -> None:
        """Flag for review what the probe finds changed since the first cell (once each); no score changes."""
        run = self.graded
        problems = [p for p in compare(run.baseline, report, run.reference) if p not in run.tripped]
        if problems:
            run.tripped.update(problems)
            run.flags.append(flag("review", f"before test {grade_id}: " + "; ".join(problems), grade_id))

    def _stop(self, cell, index: int, reason: str, ename: str) -> None:
        self.graded.stop_reason = reason
        self.graded.flags.append(flag("violation", f"{reason} in cell {index + 1}", grade_id_of(cell)))
        cell.outputs = [error_output(ename, reason)]
