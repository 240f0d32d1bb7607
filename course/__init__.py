"""Helpers for *Northeast Asian Security in Notebooks*.

The lessons in ``notebooks/`` and the problem sets in ``assignments/`` import this package; the logic lives
here so that it can be unit-tested, and the notebooks stay thin. Submodules are imported on demand
(``from course import reading``) so that ``import course`` itself stays fast.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
