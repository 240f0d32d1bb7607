"""A quiz as a form in JupyterLab: one radio group, a Check and a Show-answer button per question.

The questions, the checking and the scoring are content (:mod:`course.content.quiz`); the form only asks and shows.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import ipywidgets as w
from IPython.display import display

from course.content.quiz import Feedback, Quiz, check, reveal
from course.views.widgets import accessible

_QUOTE_STYLE = ' style="border-left: 4px solid #767676; margin: 0.5em 0; padding: 0.2em 0.8em"'


class QuizForm(Quiz):
    """A :class:`~course.content.quiz.Quiz` that shows itself as a form (end a cell with it)."""

    def widget(self) -> w.VBox:
        """Return an ipywidgets form: one radio group, a Check and a Show-answer button per question."""
        score = w.HTML(value=self._score_html({}))
        results: dict[int, Feedback] = {}
        boxes = [w.HTML(value=f"<h4>{html.escape(self.title)}</h4>")]
        for number, question in enumerate(self.questions, start=1):
            boxes.append(self._question_box(w, number, question, results, score))
        boxes.append(score)
        form = w.VBox(boxes)
        form.add_class("course-quiz")
        return form

    def _question_box(self, w, number, question, results, score):
        # the number and the question first, then the passage it asks about (issue 33: the quote stood above its
        # number, and read as the end of the question before)
        text = f"<p><b>{number}.</b> {html.escape(question.prompt)}</p>"
        if question.passage:
            text += f"<blockquote{_QUOTE_STYLE}>{html.escape(question.passage)}</blockquote>"
        choices = w.RadioButtons(
            options=list(question.options),
            value=None,
            description=f"Answer {number}:",
            style={"description_width": "initial"},
            layout=w.Layout(width="auto"),
        )
        check_button = w.Button(description="Check", tooltip=f"Check answer {number}")
        show_button = w.Button(description="Show answer", tooltip=f"Show the answer to {number}")
        feedback = w.HTML(value="")

        def on_check(_button) -> None:
            result = check(question, choices.value)
            results[number] = result
            feedback.value = f"<p>{html.escape(result.message)}</p>"
            score.value = self._score_html(results)

        def on_show(_button) -> None:
            feedback.value = f"<p>{html.escape(reveal(question))}</p>"

        check_button.on_click(on_check)
        show_button.on_click(on_show)
        box = w.VBox([w.HTML(value=text), choices, w.HBox([check_button, show_button]), feedback])
        box.add_class("course-quiz-question")
        return box

    def _score_html(self, results: Mapping[int, Feedback]) -> str:
        points = sum(f.points for f in results.values())
        return f"<p><b>Checked {len(results)} of {len(self)}; score {points:g} of {len(self)}.</b></p>"

    def _ipython_display_(self) -> None:
        display(self.widget())
        accessible()
