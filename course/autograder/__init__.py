"""The course's nbgrader plugins: grading that a hostile submission cannot bend, one module per plugin.

Stock nbgrader runs the hidden tests in the student's own kernel, after the student's code: code there can
rewrite a test before it runs, print it into the feedback, patch the helpers it calls or hide its error. Here
the student's notebook runs in a sandboxed kernel (``course.autograder.sandbox``) and the tests run in a judge that never
ran student code (:mod:`course.autograder.judge`), on the student's answers carried out as plain data
(``course.grading.plaindata``). ``assignments/nbgrader_config.py`` wires the plugins in; ``assignments/INSTRUCTORS.md``
explains what each check does and the threat model.

Sanitize step (``c.Autograde.sanitize_preprocessors``)
    :class:`~course.autograder.overwrite.FlagOverwriteCells` restores edited read-only cells and re-adds deleted
    tests, with a flag for each; :class:`~course.autograder.metadata.CheckCellMetadata` is nbgrader's metadata
    check with its schema compiled once.
Autograde step (``c.Autograde.autograde_preprocessors``)
    :class:`~course.autograder.execute.IntegrityExecute` runs the student's cells in the sandboxed kernel
    (:mod:`course.autograder.kernels`: kernels started ahead, ipc sockets, no idle wait; the submission's checked
    files from :mod:`course.autograder.files`) and every test cell in the judge; the integrity probe and a source
    scan (:mod:`course.autograder.tripwire`) raise review flags only. :class:`~course.autograder.report.CheckIntegrity`
    writes ``<notebook>.integrity.json`` and a note for the instructor;
    :class:`~course.autograder.save.SaveAutoGradesFlagged` records the scores in one transaction.
Feedback (``c.GenerateFeedback.preprocessors``)
    :class:`~course.autograder.feedback.HideHiddenTests`: no hidden source, nothing a hidden test printed.
Instructor commands
    ``python -m course.autograder normalize|report COURSE_ROOT ASSIGNMENT`` (:mod:`course.autograder.__main__`).
Around them
    :mod:`~course.autograder.sandbox` (one bubblewrap sandbox per grading kernel), :mod:`~course.autograder.sanitize`
    (student content rendered with nothing that runs), :mod:`~course.autograder.exchange` (nbgrader's exchange on
    the course's JupyterHub), :mod:`~course.autograder.seams` (every private part of nbgrader and jupyter_client the
    course uses), :mod:`~course.autograder.plan` (one notebook's grading plan, read once) and
    :mod:`~course.autograder.demo_class` (a simulated class, for ``make grade-demo``). Practice mode for
    self-learners is not here: it is :mod:`course.practice`, which uses this package and is never used by it.

It may use the student's side (:mod:`course.grading`), the views and the content; only practice mode
(:mod:`course.practice`, above it) imports it.

Nothing is imported here: nbgrader loads each plugin by its module path.
"""
