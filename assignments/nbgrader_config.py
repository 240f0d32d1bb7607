"""nbgrader configuration for the course (run nbgrader from this folder, or use the Makefile targets).

The autograder uses the course's integrity plugins (course/autograder/, one module per plugin): see INSTRUCTORS.md.
"""

import importlib.util
import os

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "northeast-asian-security"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
# Student uploads from an LMS go under downloaded/<assignment>/archive/; see INSTRUCTORS.md.
c.ZipCollectApp.collector_plugin = "nbgrader.plugins.zipcollect.FileNameCollectorPlugin"
# Archives may be hostile: only regular files with safe names, within size and count limits (refusals are listed
# in downloaded/<assignment>/refused.json; see INSTRUCTORS.md).
c.ZipCollectApp.extractor_plugin = "course.autograder.zipcollect.CheckedExtractor"
# LMS file names look like "<student_id>_<anything>.ipynb" (e.g. "jdoe_ps1_reading_official_reactions.ipynb"); a
# student id starts with a letter or digit (never "." or "..", which would name a folder outside submitted/).
c.FileNameCollectorPlugin.named_regexp = r".*/(?P<student_id>[A-Za-z0-9][A-Za-z0-9.-]*)_(?P<file_id>[^/]+\.ipynb)$"

# Released notebooks: what replaces a solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Sanitising a submission: restore edited read-only cells, re-add deleted test cells, and flag both.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "course.autograder.overwrite.FlagOverwriteCells",
    "course.autograder.metadata.CheckCellMetadata",
]
c.OverwriteCells.add_missing_cells = True
# Before nbgrader copies a submission into autograded/ (its copy follows symbolic links, and makes the copy
# readable by all): links, devices and oversized files are moved to refused/ and flagged, for every autograde run
# (the command, the formgrader's button), as `make autograde` does for the whole class first.
from course.autograder.files import refuse_before_copy  # noqa: E402

c.Autograde.pre_convert_hook = refuse_before_copy

# Grading: integrity probes and sentinels around every test, time limits, flagged cells marked for review.
c.Autograde.autograde_preprocessors = [
    "course.autograder.execute.IntegrityExecute",
    "course.autograder.report.CheckIntegrity",
    "nbgrader.preprocessors.IgnorePattern",
    "nbgrader.preprocessors.LimitOutput",
    "course.autograder.save.SaveAutoGradesFlagged",
    # Each student's own due date (extensions.csv) in the gradebook before nbgrader measures lateness.
    "course.autograder.deadlines.ApplyExtensions",
    "nbgrader.preprocessors.AssignLatePenalties",
    "course.autograder.metadata.CheckCellMetadata",
]
# Late work: due dates from deadlines.csv (make deadlines, and make autograde first), extensions from extensions.csv
# (course/autograder/deadlines.py). nbgrader's penalty: "none" records lateness only; "zero" gives a late submission 0.
c.LateSubmissionPlugin.penalty_method = "none"
# Releasing (the formgrader's Release, nbgrader release_assignment): the due date goes beside the notebook as DUE.txt,
# and every student's fetch brings it; a submit after it is warned (course/autograder/exchange.py).
c.ExchangeFactory.release_assignment = "course.autograder.exchange.ReleaseWithDueDate"
# Every grading kernel runs in a sandbox of its own (course/autograder/sandbox.py, bubblewrap: new user, PID, network and IPC
# namespaces, no capabilities, a minimal read-only file system, limits), reached over ipc sockets in a private
# folder (IntegrityExecute uses course.autograder.kernels.SandboxKernelManager). Without bubblewrap grading stops
# with a message saying how to install it; ALLOW_UNSANDBOXED=1 grades anyway and flags every notebook. `make`
# installs the kernelspec. Limits (see course.autograder.sandbox.Limits): c.SandboxKernelManager.sandbox_limits = {...}.
# The sandbox kernel is autograde's alone (IntegrityExecute): `nbgrader validate` and the Validate buttons run nbgrader's
# plain Execute, which starts a student's own kernel as it would in their lab. Configured on Execute, validate would
# start the sandbox kernel outside its manager and die ("Kernel died before replying to kernel_info", issue 32).
c.IntegrityExecute.kernel_name = "course-grading"
c.IntegrityExecute.require_sandbox = True
c.Execute.timeout = 30  # seconds per cell
c.IntegrityExecute.notebook_timeout = 300  # seconds per notebook
# The grading kernel is disposable: stop it at once after the last cell (a polite shutdown waits in 0.1 s
# steps for the interpreter to tear down pandas and the rest: 0.1-0.25 s per submission).
c.Execute.shutdown_kernel = "immediate"
c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"]
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100

# Every HTML page made from a submission (the formgrader's submission view, feedback): student markdown and
# outputs cleaned first, so nothing in them can run in the instructor's or the student's browser.
c.HTMLExporter.preprocessors = ["course.autograder.sanitize.SanitizeStudentHTML"]

# The formgrader's and the feedback's pages load MathJax from the Jupyter server that serves them
# (jupyter_server_mathjax), not from a CDN: the course's mathjax macro goes first, then nbgrader's own templates.
_templates = [
    os.path.join(importlib.util.find_spec(package).submodule_search_locations[0], *where)
    for package, where in (("course", ("autograder", "templates")), ("nbgrader", ("server_extensions", "formgrader", "templates")))
]
c.HTMLExporter.extra_template_basedirs = _templates

# Feedback: never show hidden tests, in source or in tracebacks; keep the key's "Feedback:" lines; name every item
# (A1, E) and say which are not graded yet (the page is course/autograder/templates/feedback/index.html.j2).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "course.autograder.feedback.LabelItems",
    "course.autograder.feedback.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
