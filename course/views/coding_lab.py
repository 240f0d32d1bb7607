"""The coding lab in a notebook: code statements blind (:class:`BlindCoder`), then compare with the course's reference
and a class, adjudicate the differences with the codebook, and see what a revised rule does to agreement.

The coder's codes are saved, at every change, to a plain coding file in their folder (``codes.csv`` unless told
otherwise; see :mod:`course.content.codingfiles`): closing the notebook loses nothing, reopening it resumes, and
the same file is what an instructor's class report reads (``python -m course.autograder.coding_report``).
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

import ipywidgets as w
import mistune
import numpy as np
import pandas as pd

from course.content import agreement, classreport, codingfiles
from course.content.codebook import VARIABLES
from course.views.display import show as styled
from course.views.display import statement

_RENDER = mistune.create_markdown(escape=True)
WHY_PLACEHOLDER = "Which rule decided, in your words (e.g. S1: the reply depends on what Russia does)"


class BlindCoder:
    """One statement at a time, a code for each of the codebook's variables and a one-line justification, saved as
    you go.

    Nothing here shows a reference code: comparing comes after, in its own step. Keyboard: Tab moves between the
    choices, the arrow keys move within a group of choices, Enter or Space presses a button."""

    def __init__(self, statements=None, path: str | Path = codingfiles.FILE_NAME) -> None:
        self.statements = list(statements or classreport.lab_statements())
        self.path = Path(path)
        self.codes = codingfiles.Codes("you", str(self.path))
        self.problems: list[str] = []
        if self.path.exists():  # resume
            loaded, self.problems = codingfiles.parse(
                self.path.read_bytes(), "you", str(self.path), self.statements
            )
            if loaded is not None:
                self.codes = loaded
        self.index = 0
        self.progress, self.card, self.status = w.HTML(), w.HTML(), w.HTML()
        self.choices = {
            name: w.RadioButtons(
                options=[(f"{code.label}", code.code) for code in variable.values.values()],
                value=None,
                description=f"{name.capitalize()}:",
                layout=w.Layout(width="auto", margin="0 28px 8px 0"),
                style={"description_width": "90px"},
            )
            for name, variable in VARIABLES.items()
        }
        self.why = w.Text(
            placeholder=WHY_PLACEHOLDER,
            description="Why:",
            layout=w.Layout(width="640px"),
            style={"description_width": "90px"},
            continuous_update=False,
        )
        self.previous = w.Button(description="← Previous", tooltip="The previous statement")
        self.next = w.Button(description="Next →", tooltip="The next statement")
        self.previous.on_click(lambda _b: self.go(self.index - 1))
        self.next.on_click(lambda _b: self.go(self.index + 1))
        self._loading = False
        for control in (*self.choices.values(), self.why):
            control.observe(lambda _change: self._changed(), names="value")
        self.widget = w.VBox(
            [
                self.progress,
                self.card,
                w.HBox(list(self.choices.values()), layout=w.Layout(flex_flow="row wrap")),
                self.why,
                w.HBox([self.previous, self.next]),
                self.status,
            ]
        )
        self.go(0)

    # ---- navigation and saving ----------------------------------------------------------------------------------

    def go(self, index: int) -> None:
        self.index = max(0, min(index, len(self.statements) - 1))
        sid = self.statements[self.index]
        self._loading = True
        try:
            for name, control in self.choices.items():
                control.value = self.codes.codes[name].get(sid)
            self.why.value = self.codes.why.get(sid, "")
        finally:
            self._loading = False
        self.card.value = _RENDER(
            statement(sid, committed=False).data
        )  # the commitment is for the coder to read
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index == len(self.statements) - 1
        self._show_progress()

    def code(
        self,
        stance: str | None = None,
        commitment: str | None = None,
        target: str | None = None,
        why: str | None = None,
        valence: str | None = None,
    ) -> None:
        """Set the current statement's codes as the controls would (for tests and keyboard-free use)."""
        given = {"stance": stance, "valence": valence, "commitment": commitment, "target": target}
        for name, value in given.items():
            if value is not None:
                self.choices[name].value = value
        if why is not None:
            self.why.value = why

    def _changed(self) -> None:
        if self._loading:
            return
        sid = self.statements[self.index]
        for name, control in self.choices.items():
            if control.value is None:
                self.codes.codes[name].pop(sid, None)
            else:
                self.codes.codes[name][sid] = control.value
        self.codes.why[sid] = self.why.value.strip()
        try:
            codingfiles.write(self.path, self.codes.codes, self.codes.why, self.statements)
            self.saved = datetime.now().strftime("%H:%M:%S")
            self.status.value = (
                f'<p role="status">Saved to {html.escape(str(self.path))} at {self.saved}.</p>'
            )
        except OSError as error:
            self.status.value = (
                f'<p role="alert" style="color:#a00"><b>Not saved:</b> '
                f"{html.escape(str(error))}. Your codes are kept while this notebook runs.</p>"
            )
        self._show_progress()

    def done(self) -> int:
        """How many statements have a code for every variable."""
        return sum(all(sid in self.codes.codes[v] for v in VARIABLES) for sid in self.statements)

    def _show_progress(self) -> None:
        self.progress.value = (
            f"<p><b>Statement {self.index + 1} of {len(self.statements)}</b> · {self.done()} of "
            f"{len(self.statements)} fully coded"
            + (
                f' · <span style="color:#a00">{len(self.problems)} lines of the saved file could not be read</span>'
                if self.problems
                else ""
            )
            + "</p>"
        )

    def static_html(self) -> str:
        return (
            f"<p>(Blind coding: {self.done()} of {len(self.statements)} statements coded in {self.path}.)</p>"
        )


# ---- after coding: compare, adjudicate, revise ---------------------------------------------------------------------


def _not_yet(path: str | Path):
    from IPython.display import HTML

    return HTML(
        f'<p role="status"><b>No codes yet.</b> Code the statements in the lab above (they are saved to '
        f"<code>{html.escape(str(path))}</code>), then run this cell again.</p>"
    )


def _mine(path: str | Path, statements) -> codingfiles.Codes:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist yet: code the statements first (BlindCoder saves it)")
    codes, problems = codingfiles.parse(path.read_bytes(), "you", str(path), statements)
    if codes is None:
        raise ValueError("; ".join(problems))
    return codes


def _loaded(path: str | Path, statements):
    """(statements, your codes, the course's codes), or the "no codes yet" message when nothing is saved."""
    statements = list(statements or classreport.lab_statements())
    if not Path(path).exists():
        return _not_yet(path)
    return statements, _mine(path, statements), classreport.reference_codes(statements)


def _kappa_text(pairs) -> str:
    if not pairs:
        return ""
    kappa = agreement.cohen_kappa(*zip(*pairs, strict=True))
    return "undefined: one code throughout" if np.isnan(kappa) else f"{kappa:.2f}"


def compare_with_reference(path: str | Path = codingfiles.FILE_NAME, statements=None):
    """Your codes beside the course's, statement by statement, with your agreement and kappa per variable (an HTML
    display; ``.summary`` and ``.rows`` hold the tables)."""
    loaded = _loaded(path, statements)
    if not isinstance(loaded, tuple):
        return loaded
    statements, mine, reference = loaded
    rows = []
    for sid in statements:
        row = {"statement": sid}
        for variable in VARIABLES:
            yours, ref = mine.codes[variable].get(sid, ""), reference[variable].get(sid, "")
            row[variable] = yours if yours == ref else f"{yours or '(none)'} → course: {ref}"
        row["your reason"] = mine.why.get(sid, "")
        rows.append(row)
    summary = []
    for variable in VARIABLES:
        a = [mine.codes[variable].get(s) for s in statements]
        b = [reference[variable].get(s) for s in statements]
        pairs = [(x, y) for x, y in zip(a, b, strict=True) if x and y]
        summary.append(
            {
                "variable": variable,
                "coded": len(pairs),
                "same as the course": f"{sum(x == y for x, y in pairs)} of {len(pairs)}",
                "kappa with the course": _kappa_text(pairs),
            }
        )
    from IPython.display import HTML

    shown = HTML(
        styled(pd.DataFrame(summary), caption="You and the course's reference codes").to_html()
        + styled(
            pd.DataFrame(rows), caption="Each statement: your code, or your code → the course's"
        ).to_html()
    )
    shown.summary, shown.rows = pd.DataFrame(summary), pd.DataFrame(rows)
    return shown


def with_a_class(path: str | Path = codingfiles.FILE_NAME, statements=None, seed: int = 0):
    """You inside a class of 29 simulated coders (20 careful, 5 who confuse neighbouring codes, 2 careless, 2 with
    one code for everything: a simulation, not real students): the class report, with you as ``you`` (an HTML
    display; ``.report`` is the :class:`~course.content.classreport.ClassReport`)."""
    from course.views.coding_report import body

    statements = list(statements or classreport.lab_statements())
    if not Path(path).exists():
        return _not_yet(path)
    mine = _mine(path, statements)
    profiles = {
        **{f"sim{i:02d}": "careful" for i in range(20)},
        **{f"sim{20 + i:02d}": "neighbour-prone" for i in range(5)},
        "sim25": "careless",
        "sim26": "careless",
        "sim27": "one-code",
        "sim28": "one-code",
    }
    coders = [*classreport.simulate_class(profiles, statements, seed=seed), mine]
    report = classreport.build(coders, statements, draws=500)
    from IPython.display import HTML

    note = (
        "<p><b>A simulated class.</b> The 29 other coders are generated from the course's codes with known "
        "habits (see <code>classreport.PROFILES</code>); with your own class, the instructor's report reads "
        "everyone's real files.</p>"
    )
    shown = HTML(note + body(report, "You and a simulated class", level=3))
    shown.report = report
    return shown


def disagreements(path: str | Path = codingfiles.FILE_NAME, statements=None):
    """The statements where you and the course differ, with the rules of that variable to adjudicate by (a
    DataFrame; a message when nothing is coded yet)."""
    loaded = _loaded(path, statements)
    if not isinstance(loaded, tuple):
        return loaded
    statements, mine, reference = loaded
    rows = []
    for sid in statements:
        for variable, spec in VARIABLES.items():
            yours, ref = mine.codes[variable].get(sid), reference[variable].get(sid)
            if yours and ref and yours != ref:
                rows.append(
                    {
                        "statement": sid,
                        "variable": variable,
                        "you": yours,
                        "course": ref,
                        "rules to apply, in order": " ".join(r.rule_id for r in spec.rules),
                    }
                )
    frame = pd.DataFrame(rows, columns=["statement", "variable", "you", "course", "rules to apply, in order"])
    if frame.empty:
        from IPython.display import HTML

        return HTML(
            "<p><b>No differences</b> between your codes and the course's: adjudicate with a classmate.</p>"
        )
    return styled(frame, caption="Where you and the course differ: apply the rules in order")


def collapse(
    coders: list[codingfiles.Codes], variable: str, mapping: dict[str, str]
) -> list[codingfiles.Codes]:
    """The same coders under a revised codebook in which ``mapping``'s codes are merged into others (e.g. the
    scale before review_or_option existed: ``{"review_or_option": "words_only"}``)."""
    out = []
    for coder in coders:
        copy = codingfiles.Codes(
            coder.coder, coder.where, {v: dict(c) for v, c in coder.codes.items()}, dict(coder.why)
        )
        copy.codes[variable] = {s: mapping.get(c, c) for s, c in copy.codes[variable].items()}
        out.append(copy)
    return out


def revision_effect(
    coders: list[codingfiles.Codes], variable: str, mapping: dict[str, str], statements
) -> pd.DataFrame:
    """Alpha for ``variable`` under the codebook as it is and as revised by ``mapping``, on the same coders."""
    spec = VARIABLES[variable]
    labels = list(spec.values)
    rows = []
    for label, group in (("as it is", coders), ("revised", collapse(coders, variable, mapping))):
        matrix = classreport.reliability_matrix(group, statements, variable, labels)
        used = len({c.codes[variable].get(s) for c in group for s in statements} - {None})
        a = agreement.alpha_with_interval(matrix, spec.level, len(labels), draws=500)
        rows.append(
            {
                "codebook": label,
                "codes in use": used,
                "alpha": round(a.value, 3),
                "95% interval": f"{a.low:.2f} to {a.high:.2f}",
            }
        )
    return pd.DataFrame(rows)
