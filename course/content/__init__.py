"""Content: what the course knows and teaches, as plain Python and pandas.

The data tables and their schema (:mod:`~course.content.data`), the coding scheme for official reactions
(:mod:`~course.content.reactions`, :mod:`~course.content.coding`), geometry (:mod:`~course.content.geo`), the
scenario models (:mod:`~course.content.scenarios`), defence clauses (:mod:`~course.content.treaties`), the kinds of
sentence in a news analysis (:mod:`~course.content.reading`), quiz questions and their checking
(:mod:`~course.content.quiz`) and the table of contents (:mod:`~course.content.catalog`).

Nothing here draws or displays: no ipywidgets, folium or IPython, and no grading machinery. Every function
returns data (values, DataFrames, HTML-free text), so it can be unit-tested, used in a problem set, and shown by
any view. The import contracts in ``pyproject.toml`` (``make lint``) enforce it.
"""
