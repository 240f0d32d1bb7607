"""Views: how the content looks in a notebook. Tables, maps, explorers and quiz forms.

:mod:`~course.views.display` (tables and statement cards), :mod:`~course.views.maps` (offline folium maps),
:mod:`~course.views.widgets` (the scenario and timeline explorers), :mod:`~course.views.quiz` (a quiz as a form),
:mod:`~course.views.checks` (each lesson's "Check your understanding") and :mod:`~course.views.treaties`
(defence clauses highlighted).

Views may import :mod:`course.content`, never the grading packages. The import contracts in ``pyproject.toml``
(``make lint``) enforce it.
"""
