"""The instructor's item bank in a notebook: code the bank's statements with the coding lab's controls.

:class:`BankCoder` shows one item of a bank (``course.content.bank``) at a time, as the student's card shows it, with
the coding lab's choices (the codebook's stance and commitment, with their labels), the statement's words the
reading rests on and a reason (the items with Part C options in ``avoided.csv`` are not coded, and not shown);
every change is saved to the bank's ``readings.csv`` (readable by its owner only),
and what the class pack would refuse is said at once. Readings beyond the first (another reading the key accepts,
with its credit) are added in ``readings.csv`` itself; the coder keeps them.
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as w
import mistune

from course.content import bank as bank_content
from course.content.codebook import VARIABLES
from course.content.data import format_date

_RENDER = mistune.create_markdown(escape=True)


class BankCoder:
    """Code a bank's items: ``BankCoder("~/grading/bank")`` in an instructor's notebook; ``.widget`` is the form."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder).expanduser()
        self.items = bank_content.read_items(self.folder)
        part_c = bank_content.part_c_items(self.folder)  # read for what they avoided, never coded (Part C)
        self.ids = [item_id for item_id in self.items if item_id not in part_c]
        self.rows = bank_content.read_readings(self.folder)
        self.index = 0
        self.progress, self.card, self.status = w.HTML(), w.HTML(), w.HTML()
        self.choices = {
            name: w.RadioButtons(
                options=[(code.label, code.code) for code in VARIABLES[name].values.values()],
                value=None,
                description=f"{name.capitalize()}:",
                layout=w.Layout(width="auto", margin="0 28px 8px 0"),
                style={"description_width": "90px"},
            )
            for name in ("stance", "commitment")
        }
        self.signals = w.Text(
            placeholder="The statement's words this reading rests on; several: separate them with ;",
            description="Signal:",
            layout=w.Layout(width="640px"),
            style={"description_width": "90px"},
            continuous_update=False,
        )
        self.reason = w.Text(
            placeholder="One sentence the student's feedback shows (e.g. which rule decides, and why)",
            description="Reason:",
            layout=w.Layout(width="640px"),
            style={"description_width": "90px"},
            continuous_update=False,
        )
        self.previous = w.Button(description="← Previous", tooltip="The previous item")
        self.next = w.Button(description="Next →", tooltip="The next item")
        self.previous.on_click(lambda _b: self.go(self.index - 1))
        self.next.on_click(lambda _b: self.go(self.index + 1))
        self._loading = False
        for control in (*self.choices.values(), self.signals, self.reason):
            control.observe(lambda _change: self._changed(), names="value")
        self.widget = w.VBox(
            [
                self.progress,
                self.card,
                w.HBox(list(self.choices.values()), layout=w.Layout(flex_flow="row wrap")),
                self.signals,
                self.reason,
                w.HBox([self.previous, self.next]),
                self.status,
            ]
        )
        self.go(0)

    def _first(self, item_id: str) -> dict[str, str] | None:
        """The item's first reading in full (the one this form edits)."""
        return next(
            (r for r in self.rows if r["item_id"] == item_id and r.get("credit", "1") in ("", "1", "1.0")),
            None,
        )

    def go(self, index: int) -> None:
        self.index = max(0, min(index, len(self.ids) - 1))
        item = self.items[self.ids[self.index]]
        row = self._first(item.item_id) or {}
        self._loading = True
        try:
            for name, control in self.choices.items():
                control.value = row.get(name) or None
            self.signals.value = row.get("signals", "")
            self.reason.value = row.get("reason", "")
        finally:
            self._loading = False
        role = f", {item.role}" if item.role else ""
        self.card.value = _RENDER(
            f"**{item.speaker}**{role}, {format_date(*bank_content.date_parts(item.date))}. Reported by {item.outlet}.\n\n> “{item.text}”\n\n"
            f"Occasion: {item.occasion}\n\n*Item `{item.item_id}`*"
        )
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index == len(self.ids) - 1
        self._show(self._problems(item, row))

    def code(self, stance=None, commitment=None, signals=None, reason=None) -> None:
        """Set the current item's reading as the controls would (for tests and keyboard-free use)."""
        for name, value in (("stance", stance), ("commitment", commitment)):
            if value is not None:
                self.choices[name].value = value
        if signals is not None:
            self.signals.value = signals
        if reason is not None:
            self.reason.value = reason

    def _problems(self, item, row) -> list[str]:
        if not row:
            return ["not coded yet: choose a stance and a commitment, copy the signal words, write a reason"]
        if not row.get("stance") or not row.get("commitment"):
            return ["choose a stance and a commitment"]
        return bank_content.problems_of(item, row)

    def _changed(self) -> None:
        if self._loading:
            return
        item = self.items[self.ids[self.index]]
        row = self._first(item.item_id)
        if row is None:
            row = {"item_id": item.item_id, "credit": "1"}
            after = max(
                (i for i, r in enumerate(self.rows) if r["item_id"] in self.ids[: self.index + 1]), default=-1
            )
            self.rows.insert(after + 1, row)
        row.update(
            stance=self.choices["stance"].value or "",
            commitment=self.choices["commitment"].value or "",
            signals=self.signals.value.strip(),
            reason=self.reason.value.strip(),
        )
        try:
            self.path = bank_content.write_readings(self.folder, self.rows)
        except OSError as error:
            self.status.value = (
                f'<p role="alert" style="color:#a00"><b>Not saved:</b> {html.escape(str(error))}.</p>'
            )
            return
        self._show(self._problems(item, row))

    def done(self) -> int:
        """How many items have a reading in full that the class pack would accept."""
        return sum(
            1
            for i in self.ids
            if (row := self._first(i)) is not None and not self._problems(self.items[i], row)
        )

    def _show(self, problems: list[str]) -> None:
        self.progress.value = (
            f"<p><b>Item {self.index + 1} of {len(self.ids)}</b> · {self.done()} of {len(self.ids)} coded "
            f"so that a class pack accepts them · saved to {html.escape(str(self.folder / 'readings.csv'))}</p>"
        )
        self.status.value = (
            '<p role="status">This reading is complete.</p>'
            if not problems
            else '<p role="status"><b>Not ready yet:</b> ' + html.escape("; ".join(problems)) + "</p>"
        )

    def static_html(self) -> str:
        return f"<p>(Item bank: {self.done()} of {len(self.ids)} items coded in {self.folder}.)</p>"

    def _ipython_display_(self) -> None:
        """``BankCoder(folder)`` as a cell's last line shows the form (with the course's accessible widget styles)."""
        from course.views import widgets

        widgets.show(self)
