"""The view of practice mode: a self-learner checks a saved problem set and asks for model answers
(notebooks/self_study.ipynb). The logic is :mod:`course.practice.engine`."""

from __future__ import annotations

import html

import ipywidgets as w

from course.content import catalog
from course.practice.engine import (
    PracticeUnavailable,
    check,
    items,
    key_path,
    model_answer,
    problem_sets,
)
from course.views.display import show as show_table

_VERDICT_MARKS = {
    "right": "✓",
    "partly right": "◐",
    "not yet": "✗",
    "not answered": "…",
    "check cell missing": "✗",
}


class PracticeChecker:
    """Self-study (practice mode): check a saved problem set against the key; show a model answer on request.

    The logic is above in this module; this is its view. Where the key is not installed (a graded class), it shows
    :class:`course.practice.engine.PracticeUnavailable`'s message and no controls.
    """

    def __init__(self) -> None:
        sets = problem_sets()
        titles = {e.path.parent.name: e.title for e in catalog.assignments()} if sets else {}
        self.message = w.HTML()
        self.results, self.answer = w.HTML(), w.HTML()
        self.problem_set = w.Dropdown(
            options=[(titles.get(s, s), s) for s in sets],
            description="Problem set:",
            layout=w.Layout(width="560px"),
            style={"description_width": "initial"},
        )
        self.check_button = w.Button(
            description="Check my saved answers", button_style="primary", layout=w.Layout(width="auto")
        )
        self.item = w.Dropdown(description="Item:", layout=w.Layout(width="200px"))
        self.reveal_button = w.Button(description="Show the model answer", layout=w.Layout(width="auto"))
        self.check_button.on_click(lambda _b: self.check())
        self.reveal_button.on_click(lambda _b: self.reveal())
        self.problem_set.observe(lambda _c: self._items(), names="value")
        if not sets:
            try:
                key_path("ps1")
            except PracticeUnavailable as err:
                self.message.value = f"<p>{html.escape(str(err))}</p>"
            self.widget = w.VBox([self.message])
            return
        self._items()
        self.widget = w.VBox(
            [
                self.problem_set,
                w.HTML(
                    "<p>Save the problem set first (<kbd>Ctrl</kbd>+<kbd>S</kbd>): the check reads the saved file.</p>"
                ),
                self.check_button,
                self.message,
                self.results,
                w.HBox([self.item, self.reveal_button]),
                self.answer,
            ]
        )

    def _items(self) -> None:
        labels = items(self.problem_set.value)
        self.item.options = labels
        self.item.value = labels[0] if labels else None
        self.results.value = self.answer.value = self.message.value = ""

    def check(self):
        """Run :func:`course.practice.engine.check` on the chosen problem set's saved notebook and show the table."""
        self.results.value = ""
        self.message.value = "<p>Checking your saved notebook (it runs from the top: 5 to 15 seconds)…</p>"
        try:
            result = check(self.problem_set.value)
        except PracticeUnavailable as err:
            self.message.value = f"<p><b>Cannot check:</b> {html.escape(str(err))}</p>"
            return None
        frame = result.table()
        frame["result"] = [f"{_VERDICT_MARKS.get(v, '')} {v}".strip() for v in frame["result"]]
        self.message.value = (
            f"<p><b>{html.escape(result.summary())}</b> Checked: {html.escape(str(result.notebook))}</p>"
        )
        self.results.value = show_table(frame, caption="Your answers against the key").to_html()
        self.result = result
        return result

    def reveal(self) -> None:
        """Show the chosen item's model answer and the key's reasons."""
        if self.item.value is None:
            self.answer.value = "<p>Choose an item first.</p>"
            return
        model = model_answer(self.problem_set.value, self.item.value)
        reasons = "".join(f"<li>{html.escape(r)}</li>" for r in model.reasons)
        self.answer.value = (
            f"<p><b>Model answer to {html.escape(model.label)}</b></p>"
            f"<pre style='white-space: pre-wrap'>{html.escape(model.answer)}</pre>"
            + (f"<p>Why, according to the key:</p><ul>{reasons}</ul>" if reasons else "")
        )

    def static_html(self) -> str:
        return "<p>(Self-study checker: run this notebook in JupyterLab.)</p>"
