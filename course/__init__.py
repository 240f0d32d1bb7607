"""*Northeast Asian Security in Notebooks*: the code behind the lessons and problem sets, in layers.

The lessons in ``notebooks/`` and the problem sets in ``assignments/`` import this package; the logic lives
here so that it can be unit-tested, and the notebooks stay thin. ARCHITECTURE.md has the map. From the bottom:

- :mod:`course.paths`: where the course's files are;
- :mod:`course.content`: the data, the coding scheme, the models; plain Python and pandas, nothing on screen;
- :mod:`course.views`: tables, maps, explorers and quiz forms (uses content);
- :mod:`course.grading`: what runs in a student's kernel when work is checked: the checking helpers, the
  integrity probe, answers as plain data (uses content; may name views' classes);
- :mod:`course.autograder` and :mod:`course.deploy`: the instructor's nbgrader plugins, the grading sandbox, the
  exchange and practice mode; the JupyterLab settings and the class roster.

A layer imports only from the layers below it; ``make lint`` checks it (import-linter, contracts in
``pyproject.toml``). Submodules are imported on demand (``from course.content import reading``).
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
