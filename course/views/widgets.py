"""Interactive explorers for the scenario models (ipywidgets), built on the pure functions in course.content.scenarios.

Each explorer is a small class: its controls are attributes (so tests can set them), ``update()`` recomputes
from the model and redraws, and ``widget`` is what a notebook displays. Bad input never raises into the
notebook: the explorer shows the model's message in its ``message`` area instead.

Under nbgrader's autograder (``NBGRADER_EXECUTION`` set) :func:`show` displays the explorer's current output as
static HTML instead of live controls, so grading never waits on a widget.
"""

from __future__ import annotations

import html
import os

import ipywidgets as w
import mistune
import numpy as np
import pandas as pd
from IPython.display import HTML, Javascript, display

from course.content import scenarios
from course.content.coding import compare_coding
from course.content.data import format_date, load
from course.content.reactions import COMMITMENT_CODES, COMMITMENTS, STANCE_CODES, STANCES
from course.content.records import reaction_record, reaction_records
from course.views import maps
from course.views.display import show as styled
from course.views.display import statement

#: Okabe-Ito colours for the criteria in the score breakdown chart (never the only cue: labels are written).
CRITERION_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
TEACHING_AID = "A teaching aid, not a forecast: every number is an assumption you can see and change."
SCORES_NOTE = "The scores are the course's illustrative judgments; the criteria come from {criteria_from}."


def interactive() -> bool:
    """False under nbgrader's autograder, where live widgets must not be displayed."""
    return not os.environ.get("NBGRADER_EXECUTION")


#: Two gaps between ipywidgets and JupyterLab that keyboard and screen-reader users fall into, closed in the page:
#: - a slider's handle (noUiSlider) has role="slider" and no name: a screen reader says "slider" and nothing else
#:   (axe: aria-input-field-name, serious). Each handle is named after its slider's description.
#: - JupyterLab's notebook shortcuts see the keys pressed in a widget: ArrowDown in a dropdown selects the next
#:   cell and the focus leaves the widget. Lumino ignores shortcuts for elements marked data-lm-suppress-shortcuts.
#: - a radio button's label has one line's height: a long option wraps onto the next option's text (issue 33: lesson
#:   03's quiz at a laptop's width). Labels grow with their text. A table in a widget's HTML has no cell padding
#:   (JupyterLab pads output tables only): its columns ran together.
#: It runs once per page, from the first widget shown, and again whenever widgets are drawn.
ACCESSIBLE_WIDGETS_JS = """
(function () {
  if (window.courseAccessibleWidgets) { return; }
  window.courseAccessibleWidgets = true;
  var style = document.createElement('style');
  style.id = 'course-widget-style';
  style.textContent = '.widget-radio-box label { height: auto; min-height: var(--jp-widgets-radio-item-height);'
    + ' line-height: 1.35; white-space: normal; display: grid; grid-template-columns: min-content 1fr;'
    + ' align-items: start; padding: 3px 0; }'
    + ' .widget-radio-box label input { grid-column: 1; grid-row: 1; margin-top: 0; }'  // the text comes first
    + ' .widget-html-content table th, .widget-html-content table td { padding: 0.25em 1em 0.25em 0; }';
  document.head.appendChild(style);
  function fix(root) {
    root.querySelectorAll('.widget-slider').forEach(function (slider) {
      var label = slider.querySelector('.widget-label');
      var text = label ? label.textContent.trim() : '';
      var handles = slider.querySelectorAll('.noUi-handle');
      handles.forEach(function (handle, i) {
        var wanted = text + (handles.length > 1 ? (i === 0 ? ' (start)' : ' (end)') : '');
        if (wanted && handle.getAttribute('aria-label') !== wanted) { handle.setAttribute('aria-label', wanted); }
      });
    });
    root.querySelectorAll('.jupyter-widgets select, .jupyter-widgets input, .jupyter-widgets button, '
                          + '.jupyter-widgets textarea, .jupyter-widgets .noUi-handle').forEach(function (el) {
      if (!el.hasAttribute('data-lm-suppress-shortcuts')) { el.setAttribute('data-lm-suppress-shortcuts', 'true'); }
    });
  }
  fix(document);
  new MutationObserver(function () { fix(document); }).observe(document.body, {childList: true, subtree: true});
})();
"""


def accessible() -> None:
    """Display :data:`ACCESSIBLE_WIDGETS_JS` (once per page is enough; showing it again does nothing)."""
    display(Javascript(ACCESSIBLE_WIDGETS_JS))


def show(explorer) -> None:
    """Display an explorer: live controls normally, its current output as static HTML under the autograder."""
    if interactive():
        display(explorer.widget)
        accessible()
    else:
        display(HTML(explorer.static_html()))


def _percent(value) -> str:
    """A share in percent to a tenth at most ("20%", "33.3%"), or a dash for none."""
    if value is None or pd.isna(value):
        return "—"
    return f"{100 * float(value):.1f}".rstrip("0").rstrip(".") + "%"


def _table(frame, caption: str) -> str:

    return styled(frame, caption=caption).to_html()


#: A score grid's row label: the option's name, wrapped tightly beside its row of inputs.
_ROW_LABEL = "line-height: 1.25; font-size: 12px; padding-top: 2px"


def breakdown_svg(
    scores,
    weights: dict[str, float],
    width: int = 560,
    short: dict[str, str] | None = None,
    names: dict[str, str] | None = None,
) -> str:
    """A stacked horizontal bar per option: each criterion's weighted contribution, labelled, with a title.

    ``names``: the options' names (a long one is cut to fit, whole in its tooltip); the option's id without it."""
    short = scenarios.CRITERIA_SHORT if short is None else short
    weights = scenarios.normalise(weights, list(scores.columns))
    totals = scenarios.weighted_scores(scores, weights)
    top = max(5.0, float(totals.max()))
    bar_h, gap, left, label_w = 22, 10, 230, 50
    legend, x, lines = [], 10, 0  # the legend wraps onto more lines rather than run past the edge
    for i, criterion in enumerate(scores.columns):
        name = short.get(criterion, criterion)
        item = 14 + 7 * len(name) + 10
        if x > 10 and x + item > width:
            x, lines = 10, lines + 1
        legend.append((x, lines, CRITERION_COLOURS[i % len(CRITERION_COLOURS)], name))
        x += item
    height = len(totals) * (bar_h + gap) + 40 + 18 * lines
    scale = (width - left - label_w) / top
    parts = [
        f'<svg role="img" aria-label="Weighted score of each option, by criterion" width="{width}" '
        f'height="{height}" style="font: 12px sans-serif">'
    ]
    for row, option in enumerate(totals.index):
        y = 10 + row * (bar_h + gap)
        x = left
        name = (names or {}).get(option, option)
        cut = name if len(name) <= 34 else name[:32].rstrip(" :,'(") + "…"
        parts.append(
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end">{html.escape(cut)}<title>{html.escape(name)}</title></text>'
        )
        for i, criterion in enumerate(scores.columns):
            part = float(scores.loc[option, criterion]) * weights[criterion]
            w = part * scale
            colour = CRITERION_COLOURS[i % len(CRITERION_COLOURS)]
            name = short.get(criterion, criterion)
            title = f"{name}: {scores.loc[option, criterion]:g} x {weights[criterion]:.2f} = {part:.2f}"
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}" stroke="#fff">'
                f"<title>{html.escape(title)}</title></rect>"
            )
            x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 15}">{totals[option]:.2f}</text>')
    first_y = height - 14 - 18 * lines
    for x, line, colour, name in legend:
        y = first_y + 18 * line
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 13}" y="{y}">{html.escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


class DecisionExplorer:
    """Weights (sliders) and scores (an editable grid) for one decision case's options (course.content.scenarios); the
    ranking, the breakdown and the sensitivity follow every change."""

    case: scenarios.DecisionCase = scenarios.BEIJING

    def __init__(self, scores=None, weights: dict[str, float] | None = None, case=None) -> None:
        self.case = case or type(self).case
        self.scores = (self.case.default_scores() if scores is None else scores).copy()
        start = self.case.default_weights() if weights is None else dict(weights)
        self.weight_sliders = {
            c: w.FloatSlider(
                value=start[c],
                min=0.0,
                max=1.0,
                step=0.01,
                description=self.case.criteria[c][0],
                style={"description_width": "300px"},
                layout=w.Layout(width="600px"),
                continuous_update=False,
            )
            for c in self.scores.columns
        }
        self.score_inputs = {
            # The description names the input for screen readers; the grid's row and column labels show it.
            (o, c): w.BoundedIntText(
                value=int(self.scores.loc[o, c]),
                min=1,
                max=5,
                description=f"{self.case.options.get(o, o)}: {self.case.short.get(c, c)}",
                style={"description_width": "0px"},
                layout=w.Layout(width="90px"),
                tooltip=f"{o} / {c}",
            )
            for o in self.scores.index
            for c in self.scores.columns
        }
        for control in (*self.weight_sliders.values(), *self.score_inputs.values()):
            control.observe(lambda _change: self.update(), names="value")
        self.message = w.HTML()
        self.ranking = w.HTML()
        self.chart = w.HTML()
        self.sensitivity = w.HTML()
        grid = [
            w.HBox(
                [w.Label("", layout=w.Layout(width="240px"))]
                + [
                    w.Label(self.case.short.get(c, c), layout=w.Layout(width="90px"))
                    for c in self.scores.columns
                ]
            )
        ]
        for o in self.scores.index:
            grid.append(
                w.HBox(
                    [
                        w.HTML(
                            f'<div style="{_ROW_LABEL}">{html.escape(self.case.options.get(o, o))}</div>',
                            layout=w.Layout(width="240px"),
                        )
                    ]
                    + [self.score_inputs[(o, c)] for c in self.scores.columns]
                )
            )
        self.widget = w.VBox(
            [
                w.HTML(
                    f"<p><b>{html.escape(self.case.actor)}'s options.</b> {html.escape(TEACHING_AID)} "
                    f"{html.escape(SCORES_NOTE.format(criteria_from=self.case.criteria_from))}</p>"
                ),
                w.HTML("<b>How much each criterion matters</b> (weights are rescaled to sum to 1):"),
                *self.weight_sliders.values(),
                w.HTML(
                    f"<b>Scores</b> (1 = bad for {html.escape(self.case.actor)} on that criterion, 5 = good):"
                ),
                *grid,
                self.message,
                self.ranking,
                self.chart,
                self.sensitivity,
            ]
        )
        self.update()

    def current(self):
        """The scores and weights as the controls hold them now."""
        scores = self.scores.copy()
        for (o, c), control in self.score_inputs.items():
            scores.loc[o, c] = float(control.value)
        weights = {c: float(s.value) for c, s in self.weight_sliders.items()}
        return scores, weights

    def update(self) -> None:
        """Recompute the ranking, the breakdown and the sensitivity from the controls."""
        scores, weights = self.current()
        try:
            ranking = scenarios.weighted_scores(scores, weights)
            table = scenarios.sensitivity(scores, weights)
        except scenarios.ScenarioError as err:
            self.message.value = f'<p style="color:#a00"><b>Cannot compute:</b> {html.escape(str(err))}</p>'
            return
        self.message.value = ""
        self.result = ranking
        frame = ranking.rename("weighted score").round(3).to_frame()
        frame.insert(0, "option", [self.case.options[o] for o in frame.index])
        frame.index = pd.RangeIndex(1, len(frame) + 1, name="rank")  # the options by name, not by code
        self.ranking.value = _table(frame, f"Ranking: {self.case.options[ranking.index[0]]} comes first")
        self.chart.value = breakdown_svg(scores, weights, short=self.case.short, names=self.case.options)
        nearest = table["smallest change"].dropna()
        summary = (
            f"The answer changes soonest if <b>{html.escape(self.case.criteria[nearest.idxmin()][0])}</b> moves "
            f"by {_percent(nearest.min())} of the total weight."
            if len(nearest)
            else "No single weight change alters the top option."
        )
        self.sensitivity.value = f"<p>{summary}</p>" + _table(
            self._readable(table), "What it takes to change the answer (shares of the total weight)"
        )

    def _readable(self, table):
        """The sensitivity table as a reader wants it: criteria and options by name, shares in whole percent, a
        dash where no move of that weight changes the answer (issue 33: codes and four decimals before)."""
        option = lambda code: self.case.options.get(code, code) if isinstance(code, str) else "—"  # noqa: E731
        frame = pd.DataFrame(
            {
                "weight now": [_percent(v) for v in table["share"]],
                "answer changes at (rising)": [_percent(v) for v in table["flips up at"]],
                "then first (rising)": [option(v) for v in table["new top (up)"]],
                "answer changes at (falling)": [_percent(v) for v in table["flips down at"]],
                "then first (falling)": [option(v) for v in table["new top (down)"]],
                "smallest change": [_percent(v) for v in table["smallest change"]],
            },
            index=pd.Index([self.case.criteria.get(c, (c,))[0] for c in table.index], name="criterion"),
        )
        return frame.reset_index()  # the criterion is a column like the others, not a header row of its own

    def static_html(self) -> str:
        return self.message.value + self.ranking.value + self.chart.value + self.sensitivity.value


class BeijingExplorer(DecisionExplorer):
    """Beijing's options (lesson 05)."""

    case = scenarios.BEIJING


class BeijingStatedExplorer(DecisionExplorer):
    """Beijing's options with China's stated goal as a sixth criterion (lesson 05's second lens)."""

    case = scenarios.BEIJING_STATED


class SeoulExplorer(DecisionExplorer):
    """Seoul's options on arms for Ukraine (lesson 05's second case)."""

    case = scenarios.SEOUL


def histogram_svg(values, bins: int = 30, width: int = 520, height: int = 160, label: str = "tonnes") -> str:
    """A plain SVG histogram with its 5th-95th percentile range marked and written out."""
    values = np.asarray(values, dtype=float)
    lo, hi = float(values.min()), float(values.max())
    if hi == lo:
        return (
            f'<svg role="img" aria-label="All samples equal {lo:,.0f} {label}" width="{width}" height="40">'
            f'<text x="4" y="24" style="font:13px sans-serif">Every sample is {lo:,.0f} {label}: the inputs '
            "are single values, not ranges.</text></svg>"
        )
    counts, edges = np.histogram(values, bins=bins)
    p5, p95 = np.percentile(values, [5, 95])
    plot_h = height - 30
    scale_x = (width - 20) / (hi - lo)
    parts = [
        f'<svg role="img" aria-label="Distribution of {label}: 90% of samples between {p5:,.0f} and '
        f'{p95:,.0f}" width="{width}" height="{height}" style="font:11px sans-serif">'
    ]
    for count, left, right in zip(counts, edges[:-1], edges[1:], strict=True):
        h = plot_h * count / counts.max()
        parts.append(
            f'<rect x="{10 + (left - lo) * scale_x:.1f}" y="{plot_h - h + 5:.1f}" '
            f'width="{max(1.0, (right - left) * scale_x - 1):.1f}" height="{h:.1f}" fill="#56B4E9"/>'
        )
    for q, name in ((p5, "5%"), (p95, "95%")):
        x = 10 + (q - lo) * scale_x
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="5" y2="{plot_h + 5}" stroke="#000" stroke-dasharray="4 2"/>'
        )
        parts.append(f'<text x="{x + 2:.1f}" y="14">{name}</text>')
    parts.append(f'<text x="10" y="{height - 6}">{lo:,.0f}</text>')
    parts.append(f'<text x="{width - 10}" y="{height - 6}" text-anchor="end">{hi:,.0f} {label}</text>')
    parts.append("</svg>")
    return "".join(parts)


class EstimateExplorer:
    """Ranges for the containers claim's inputs; a Monte Carlo estimate of tonnage (and rounds) with its spread."""

    def __init__(self) -> None:
        d = scenarios.ESTIMATE_DEFAULTS
        common = {
            "style": {"description_width": "300px"},
            "layout": w.Layout(width="720px"),
            "continuous_update": False,
        }
        self.containers = w.FloatRangeSlider(
            value=d["containers"],
            min=0,
            max=40_000,
            step=500,
            description="Containers (US: more than 10,000)",
            readout_format=",.0f",
            **common,
        )
        self.tonnes = w.FloatRangeSlider(
            value=d["tonnes_per_container"],
            min=0,
            max=40,
            step=0.5,
            description="Tonnes per container (article: 26)",
            **common,
        )
        self.share = w.FloatRangeSlider(
            value=d["munitions_share"],
            min=0,
            max=1,
            step=0.05,
            description="Share that is munitions (your assumption)",
            **common,
        )
        # A text box needs its own width beside a 300 px description, or it shrinks to a sliver.
        self.kg_low = w.BoundedFloatText(
            value=0,
            min=0,
            max=10_000,
            description="kg per round, low (0 = none)",
            style={"description_width": "300px"},
            layout=w.Layout(width="420px"),
        )
        self.kg_high = w.BoundedFloatText(
            value=0,
            min=0,
            max=10_000,
            description="kg per round, high",
            style={"description_width": "300px"},
            layout=w.Layout(width="420px"),
        )
        for control in (self.containers, self.tonnes, self.share, self.kg_low, self.kg_high):
            control.observe(lambda _change: self.update(), names="value")
        self.message, self.summary, self.plot, self.payload = w.HTML(), w.HTML(), w.HTML(), w.HTML()
        self.widget = w.VBox(
            [
                w.HTML(
                    f"<p><b>What could 10,000 containers hold?</b> {html.escape(TEACHING_AID)} The defaults "
                    "reproduce the article's 260,000 t; widen the ranges to see the uncertainty. The course's "
                    "sources give no mass per round: enter your own to estimate rounds.</p>"
                    "<p><b>Each slider is a range with two handles</b>, low and high. They start together on the "
                    "sourced figure, so you see one: drag it, or focus it and press the arrow keys, to pull the "
                    "other out (the readout shows low – high).</p>"
                ),
                self.containers,
                self.tonnes,
                self.payload,
                self.share,
                self.kg_low,
                self.kg_high,
                self.message,
                self.summary,
                self.plot,
            ]
        )
        self.update()

    def update(self) -> None:
        kg = (self.kg_low.value, self.kg_high.value) if self.kg_low.value > 0 else None
        try:
            result = scenarios.estimate_munitions(
                self.containers.value, self.tonnes.value, self.share.value, kg
            )
        except scenarios.ScenarioError as err:
            self.message.value = f'<p style="color:#a00"><b>Cannot compute:</b> {html.escape(str(err))}</p>'
            return
        self.message.value = ""
        self.result = result
        self.payload.value = f'<p style="margin-left:12px"><i>Payload check.</i> {html.escape(scenarios.payload_check(self.tonnes.value))}</p>'
        text = (
            f"Munitions: median {result['tonnes_p50']:,.0f} t; 90% of the simulations between "
            f"{result['tonnes_p5']:,.0f} and {result['tonnes_p95']:,.0f} t."
        )
        if "rounds_p50" in result:
            text += (
                f" Rounds: median {result['rounds_p50']:,.0f}; 90% between {result['rounds_p5']:,.0f} and "
                f"{result['rounds_p95']:,.0f}."
            )
        self.summary.value = f"<p>{html.escape(text)}</p>"
        self.plot.value = histogram_svg(result["tonnes"])

    def static_html(self) -> str:
        return self.message.value + self.payload.value + self.summary.value + self.plot.value


class EscalationExplorer:
    """A level of Russian assistance; the statements that address it, as a table and on the reactions map."""

    def __init__(self) -> None:
        # a radio list, from none to the most: four long names never fit four fixed-width buttons (issue 33: two were
        # cut at a laptop's and a desktop's width)
        self.level = w.RadioButtons(
            options=[(v["label"], k) for k, v in scenarios.ESCALATION_LEVELS.items()],
            value="military_technology",
            description="Level of Russian assistance:",
            style={"description_width": "initial"},
            layout=w.Layout(width="auto"),
        )
        self.level.observe(lambda _change: self.update(), names="value")
        self.text, self.map = w.HTML(), w.HTML()
        self.widget = w.VBox([self.level, self.text, self.map])
        self.update()

    def update(self) -> None:
        level = scenarios.ESCALATION_LEVELS[self.level.value]
        table = scenarios.escalation_positions(self.level.value)
        self.table = table
        china = f"<p><b>China and its control</b>: {html.escape(str(level['china_control']))}</p>"
        if table.empty:
            body = "<p>No statement in the course's data addresses this level.</p>"
        else:
            shown = table.assign(
                stance=table["stance"].map(lambda s: STANCES[s].label),
                commitment=table["commitment"].map(lambda c: COMMITMENTS[c].label),
            )
            body = _table(shown.drop(columns=["reaction_id"]), f"Stated positions on: {level['label']}")
        self.text.value = (
            china
            + body
            + (
                "<p>China's foreign ministry made no statement about any level: it called the treaty a matter "
                "between two sovereign states.</p>"
            )
        )
        reactions = load("reactions")
        shown = maps.reactions_map(reactions.loc[list(table["reaction_id"])]) if len(table) else None
        self.map.value = shown._repr_html_() if shown is not None else ""

    def static_html(self) -> str:
        return self.text.value


class TimelineExplorer:
    """A date-range slider over the events; the map and table of the events in range."""

    def __init__(self, events=None) -> None:
        self.events = load("events") if events is None else events
        dates = sorted({pd.Timestamp(d) for d in self.events["date"]})
        options = [(d.strftime("%Y-%m-%d"), d) for d in dates]
        # The slider's own readout is cut at this width ("1961-07-06-2025-09-0"): the range is written out below it.
        self.range = w.SelectionRangeSlider(
            options=options,
            index=(0, len(options) - 1),
            description="Dates",
            readout=False,
            layout=w.Layout(width="720px"),
            continuous_update=False,
        )
        self.range.observe(lambda _change: self.update(), names="value")
        self.readout, self.output = w.HTML(), w.HTML()
        self.widget = w.VBox([self.range, self.readout, self.output])
        self.update()

    def update(self) -> None:
        start, end = self.range.value
        self.readout.value = f"<p>From <b>{format_date(start, 'day')}</b> to <b>{format_date(end, 'day')}</b>: move either end.</p>"
        self.map = maps.timeline_map(start, end, events=self.events)
        self.output.value = self.map._repr_html_()

    def static_html(self) -> str:
        return self.map.title + ": " + self.map.table.to_html(index=False)


def _statement_label(record) -> str:
    """A dropdown label a reader recognises: who, when, and the first words (never the data's internal id)."""
    words = record.words
    short = words if len(words) <= 60 else words[:57].rsplit(" ", 1)[0] + "…"
    shown = f"“{short}”" if record.quote else f"(paraphrase) {short}"  # quotation marks only around a quote
    return f"{record.speaker}, {record.when}: {shown}"


class CodingExplorer:
    """Code a statement yourself, then compare with the course's reference coding and its justification."""

    def __init__(self, reaction_ids=None) -> None:
        reactions = load("reactions")
        coded = reactions.index[
            reactions["stance"].notna()
        ]  # rows held out for a problem set are not offered
        ids = list(coded) if reaction_ids is None else list(reaction_ids)
        held = [i for i in ids if i not in coded]
        if held:
            raise ValueError(
                f"{held} are held out for a problem set: the explorer offers coded statements only"
            )
        self.statement = w.Dropdown(
            options=[(_statement_label(r), r.reaction_id) for r in reaction_records(reactions.loc[ids])],
            description="Statement:",
            layout=w.Layout(width="620px"),
        )
        self.stance = w.RadioButtons(
            options=[(STANCES[c].label, c) for c in STANCE_CODES], value=None, description="Stance:"
        )
        self.commitment = w.RadioButtons(
            options=[(COMMITMENTS[c].label, c) for c in COMMITMENT_CODES],
            value=None,
            description="Commitment:",
        )
        self.compare_button = w.Button(description="Compare", tooltip="Compare with the reference coding")
        self.card, self.result = w.HTML(), w.HTML()
        self.statement.observe(lambda _change: self._show_card(), names="value")
        self.compare_button.on_click(lambda _button: self.compare())
        self.widget = w.VBox(
            [
                self.statement,
                self.card,
                w.HBox([self.stance, self.commitment]),
                self.compare_button,
                self.result,
            ]
        )
        self._show_card()

    def _show_card(self) -> None:
        # the card leaves out what the statement committed to: that is the question (issue 33); Compare shows it
        self.card.value = mistune.html(statement(self.statement.value, committed=False).data)
        self.stance.value = None
        self.commitment.value = None
        self.result.value = ""

    def compare(self) -> None:
        if self.stance.value is None or self.commitment.value is None:
            self.result.value = "<p>Choose a stance and a commitment first.</p>"
            return
        outcome = compare_coding(self.statement.value, self.stance.value, self.commitment.value)
        self.outcome = outcome
        self.result.value = (
            f"<p><b>{outcome['points']:g} of {outcome['out_of']:g} points.</b> "
            f"{html.escape(str(outcome['explanation']))}</p>"
        )
        committed = reaction_record(self.statement.value).committed
        if committed:
            self.result.value += (
                f"<p>What it committed to, in the course's record: {html.escape(committed)}</p>"
            )

    def static_html(self) -> str:
        return "<p>(Interactive coding exercise.)</p>"
