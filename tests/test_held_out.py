"""The statements a problem set asks students to code are held out: nothing the student can display or load
codes them (issue: the core skill, assessed validly; content review P1).

A held-out row of data/reactions.csv names its item in ``held_out`` and has no stance, commitment, committed or
signal. The key lives only in the source notebook's hidden tests. These tests look for the key everywhere a
student could: the data, the released notebook (source and executed outputs), the lessons, the explorers, the
maps, the quizzes and the scheme's worked examples.
"""

from __future__ import annotations

import json
import re

import nbformat
import pandas as pd
import pytest
from conftest import ROOT

from course.content import codebook, scenarios
from course.content.data import load
from course.content.reactions import COMMITMENTS, STANCES, scheme_table
from course.views import checks, maps, widgets

PS1 = "ps1_reading_official_reactions"
SOURCE = ROOT / "assignments" / "source" / PS1 / f"{PS1}.ipynb"
RELEASE = ROOT / "assignments" / "release" / PS1 / f"{PS1}.ipynb"


def _held_out():
    """Every held-out row: the items' own, and the rows of their occasions held out with them."""
    reactions = load("reactions")
    return reactions[reactions["held_out"].notna()]


def _items_rows():
    """The held-out rows that Part A shows on a card (not the rows of their occasions)."""
    held = _held_out()
    return held[~held["held_out"].str.endswith(" occasion")]


def _readings(cell: str) -> list[tuple[str, str, list[str], str]]:
    """The readings a Part A hidden test accepts: the ``score_reading(answer, [...])`` call's list."""
    import ast

    call = next(line for line in cell.splitlines() if line.startswith("score_reading("))
    return ast.literal_eval(ast.parse(call).body[0].value.args[1])


def _items():
    """(item, reaction id, key) for each Part A item: the id its card shows and the key's first reading."""
    cells = {c.id: c.source for c in nbformat.read(SOURCE, as_version=4).cells}
    found = []
    for n in range(1, 6):
        (rid,) = re.findall(r'statement\("(\w+)"\)', cells[f"ps1-a{n}-show"])
        stance, commitment, _, _ = _readings(cells[f"ps1-a{n}-check"])[0]
        found.append((f"ps1 A{n}", rid, (stance, commitment)))
    return found


def _all_readings() -> dict[str, list[tuple[str, str]]]:
    cells = {c.id: c.source for c in nbformat.read(SOURCE, as_version=4).cells}
    return {f"ps1 A{n}": [(s, c) for s, c, _, _ in _readings(cells[f"ps1-a{n}-check"])] for n in range(1, 6)}


def test_every_coding_item_shows_a_held_out_statement_and_the_data_keep_no_code_for_it():
    held = _held_out()
    items = _items()
    assert {rid for _, rid, _ in items} == set(_items_rows().index)
    for item, rid, (stance, commitment) in items:
        assert held.loc[rid, "held_out"] == item
        assert stance in STANCES and commitment in COMMITMENTS, f"{item}: the key uses the scheme's codes"
    for rid in held.index:
        assert held.loc[rid, ["stance", "commitment", "committed", "commitment_signal"]].isna().all(), rid


def test_no_coded_row_of_a_held_out_occasion_gives_the_key_away():
    """The second review's M3: a coded row of the same occasion (A1's briefing, A5's signing) carried the key's
    codes. Such rows are held out with the item; a coded row that stays (Hayashi's, beside A2) must match none of
    the readings the key accepts."""
    reactions = load("reactions")
    coded = reactions[reactions["stance"].notna()]
    readings = _all_readings()
    for item, rid, _ in _items():
        occasion = reactions.loc[rid, "occasion_id"]
        for sibling, row in coded[coded["occasion_id"] == occasion].iterrows():
            assert (str(row["stance"]), str(row["commitment"])) not in readings[item], (item, sibling)
    occasion_rows = reactions[reactions["held_out"].fillna("").str.endswith(" occasion")]
    assert set(occasion_rows["held_out"]) == {"ps1 A1 occasion", "ps1 A5 occasion"}


MONTHS = {"january", "february", "march", "april", "june", "july", "august", "september", "october", "november",
          "december"}  # fmt: skip


def _words(text: str) -> set[str]:
    """The words that can carry a reading: five letters or more, months aside."""
    return {w for w in re.findall(r"[a-z][a-z'-]+", text.lower()) if len(w) >= 5} - MONTHS


def test_the_schemes_wording_names_no_held_out_statements_distinctive_words():
    """The second review's M3: the scheme once defined non-committal as welcoming "ties in general terms" (A1's
    words) and listed 'evaluate' (A3's) as a signal. A held-out row's distinctive words (those of its quote and
    paraphrase that no coded row uses) appear nowhere in the scheme's definitions, signals or examples, nor in the
    student's codebook."""
    reactions = load("reactions")
    coded = reactions[reactions["stance"].notna()]
    text = lambda frame: frame[["quote", "paraphrase"]].astype("string").fillna("")  # noqa: E731
    common = set().union(*(_words(f"{q} {p}") for q, p in text(coded).itertuples(index=False)))
    scheme = _words(" ".join(" ".join(scheme_table()[c]) for c in ("definition", "signals", "example")))
    scheme |= _words(codebook.markdown("student"))  # the codebook a student reads (issue 29)
    # The target variable's values are the data's topics, which every lesson shows for every row ("visit" is the
    # topic of both ps1 A1 rows): a topic names the question asked, not a reading of the answer.
    scheme -= _words(
        " ".join(f"{code} {entry.label}" for code, entry in codebook.VARIABLES["target"].values.items())
    )
    for rid, (quote, paraphrase) in zip(
        _held_out().index, text(_held_out()).itertuples(index=False), strict=True
    ):
        distinctive = _words(f"{quote} {paraphrase}") - common
        assert distinctive, rid
        assert not distinctive & scheme, f"{rid}: the scheme uses {sorted(distinctive & scheme)}"


def test_the_released_notebook_carries_no_key():
    released = RELEASE.read_text(encoding="utf-8")
    assert (
        "BEGIN HIDDEN TESTS" not in released and "score_codes(" not in released and "# key:" not in released
    )
    for _, rid, (stance, commitment) in _items():
        assert f'("{stance}", "{commitment}")' not in released, rid


def test_no_lesson_quiz_explorer_map_or_worked_example_codes_a_held_out_statement():
    held = _held_out()
    lessons = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "notebooks").glob("*.ipynb")))
    for rid in held.index:
        assert rid not in lessons, f"a lesson uses {rid}"
    examples = " ".join(scheme_table()["example"])
    quizzes = " ".join(
        " ".join([q.prompt, *q.options, q.explanation])
        for quiz in (checks.summit(), checks.treaty(), checks.reactions(), checks.munitions(), checks.dilemma(),
                     checks.after(), checks.sentences(), checks.start_here())
        for q in quiz.questions
    )  # fmt: skip
    located = maps.reactions_map().table
    positions = " ".join(
        " ".join(scenarios.escalation_positions(level)["reaction_id"])
        for level in scenarios.ESCALATION_LEVELS
    )
    offered = [value for _, value in widgets.CodingExplorer().statement.options]
    for rid in held.index:
        assert rid not in positions and rid not in offered, rid
    for (
        rid,
        row,
    ) in _items_rows().iterrows():  # an occasion's other rows may be quoted (Kim's words, lesson 02)
        quote = row["quote"]
        assert quote not in examples and quote not in quizzes, rid
        assert not located["words"].str.contains(quote, regex=False).any(), rid
    with pytest.raises(ValueError, match="held out"):
        widgets.CodingExplorer(reaction_ids=[held.index[0]])


@pytest.mark.slow
def test_the_released_notebooks_outputs_pair_no_held_out_statement_with_a_code():
    """Run the released ps1 as a student first opens it (answers unanswered) and read every output."""
    from test_notebooks import execute

    nb = nbformat.read(RELEASE, as_version=4)
    path = ROOT / "test-artifacts" / "held_out" / RELEASE.name
    path.parent.mkdir(parents=True, exist_ok=True)
    for cell in nb.cells:  # an unanswered cell raises NotImplementedError: carry on, as a student would
        cell.metadata.setdefault("tags", []).append("raises-exception")
    nbformat.write(nb, path)
    executed = execute(path, cwd=ROOT / "assignments" / "release" / PS1)
    blobs = [
        json.dumps(o.get("data", {})) + o.get("text", "")
        for c in executed.cells
        for o in c.get("outputs", [])
    ]
    labels = [c.label for c in STANCES.values()] + [c.label for c in COMMITMENTS.values()] + list(COMMITMENTS)
    shown = 0
    for rid, row in _items_rows().iterrows():
        for blob in blobs:
            if row["quote"] in blob.replace("\\u201c", "").replace("\\u201d", ""):
                shown += 1
                assert not [label for label in labels if label in blob], f"{rid}: its card shows a code"
                assert "What it committed to" not in blob, rid
    assert shown >= len(_items_rows()), "every held-out statement's card was displayed"


def _judge_ps1():
    from course.autograder.judge import Judge

    nb = nbformat.read(SOURCE, as_version=4)
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    setup = [(gid, c.source) for gid, c in cells.items() if gid and c.cell_type == "code"
             and c.metadata["nbgrader"].get("locked") and not c.metadata["nbgrader"].get("grade")]  # fmt: skip
    return Judge(setup), cells


@pytest.mark.parametrize(
    ("test", "answers", "points"),
    [
        # the second review's M2: "welcomes" read as endorsement is a reading in full, with its own words ...
        (
            "ps1_a1_check",
            {"a1": {"stance": "endorsement", "commitment": "words_only", "signal": "welcomes"}},
            2.0,
        ),
        (
            "ps1_a1_check",
            {"a1": {"stance": "non-committal", "commitment": "words_only", "signal": "relevant countries"}},
            2.0,
        ),
        # ... and a code whose signal shows the other reading loses the signal's half point
        (
            "ps1_a1_check",
            {"a1": {"stance": "non-committal", "commitment": "words_only", "signal": "welcomes"}},
            1.5,
        ),
        # a neighbouring stance: half the stance point
        (
            "ps1_a2_check",
            {"a2": {"stance": "concern", "commitment": "words_only", "signal": "unacceptable"}},
            1.5,
        ),
        # the second review's M1: Kirby's "continue to evaluate" read as words only (as B1 reads it) is in full
        (
            "ps1_a3_check",
            {"a3": {"stance": "concern", "commitment": "words_only", "signal": "of concern"}},
            2.0,
        ),
        (
            "ps1_a3_check",
            {"a3": {"stance": "concern", "commitment": "review_or_option", "signal": "of concern"}},
            2.0,
        ),
        (
            "ps1_a3_check",
            {"a3": {"stance": "concern", "commitment": "policy_step", "signal": "of concern"}},
            1.5,
        ),
        # F16: either word of the hedge, or both
        ("ps1_b1_check", {"b1": "continue"}, 1.0),
        ("ps1_b1_check", {"b1": "evaluate"}, 1.0),
        ("ps1_b1_check", {"b1": "continue to evaluate"}, 1.0),
        ("ps1_b1_check", {"b1": "our posture"}, 0.0),
        ("ps1_b3_check", {"b3": "intended"}, 1.0),
        ("ps1_b3_check", {"b3": "Western-style"}, 1.0),
        ("ps1_b3_check", {"b3": "third countries"}, 0.0),
    ],
)
def test_each_defensible_reading_earns_the_credit_the_notebook_states(test, answers, points):
    judge, cells = _judge_ps1()
    outputs = judge.run(test, cells[test].source, answers, {}, [], lambda *a: None)
    assert not [o for o in outputs if o.output_type == "error"], outputs
    (result,) = [o for o in outputs if o.output_type == "execute_result"]
    assert float(result.data["text/plain"]) == points


def test_the_notebook_states_what_earns_what():
    cells = {c.id: c.source for c in nbformat.read(SOURCE, as_version=4).cells}
    howto = " ".join(cells["ps1-part-a-howto"].split())
    assert "stance 1 point, commitment 0.5, signal 0.5" in howto
    assert "A neighbouring stance or an adjacent commitment level earns half of that part" in howto
    assert "the key accepts each in full when your signal holds the words that reading rests on" in howto


def _avoided_items():
    """(answer name, statement id, {option: points}) for each Part C item, read from the source's hidden tests."""
    import ast

    cells = {c.id: c.source for c in nbformat.read(SOURCE, as_version=4).cells}
    items = []
    for n in (1, 2):
        (rid,) = re.findall(r'statement\("(\w+)", committed=False\)', cells[f"ps1-c{n}-show"])
        call = next(
            line for line in cells[f"ps1-c{n}-check"].splitlines() if line.startswith("score_choice(")
        )
        readings = ast.literal_eval(ast.parse(call).body[0].value.args[1])
        items.append((f"c{n}_avoided", rid, {option: points for option, (points, _) in readings.items()}))
    return items


def test_what_a_statement_avoided_is_asked_where_nothing_shown_gives_the_answer():
    """Part C's readings are in no data field, lesson or quiz; the card leaves out 'What it committed to'."""
    reactions = load("reactions")
    lessons = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "notebooks").glob("*.ipynb")))
    quizzes = " ".join(
        " ".join([q.prompt, *q.options, q.explanation, *q.feedback.values()])
        for quiz in (checks.reactions(), checks.avoided(), checks.after())
        for q in quiz.questions
    )
    for name, rid, readings in _avoided_items():
        assert max(readings.values()) == 1.0 and min(readings.values()) == 0.0, (
            f"{name}: a best and a wrong reading"
        )
        assert sum(1 for v in readings.values() if v > 0) >= 2, (
            f"{name}: more than one reading earns something"
        )
        row = " ".join(str(v) for v in reactions.loc[rid].to_numpy())
        for option in readings:
            assert option not in row and option not in lessons and option not in quizzes, (name, option)
        assert reactions.loc[rid, "avoided"] is pd.NA or pd.isna(reactions.loc[rid, "avoided"]), rid
    released = RELEASE.read_text(encoding="utf-8")
    assert "score_choice(" not in released and "Yes: " not in released


@pytest.mark.parametrize(
    ("test", "answer", "points", "said"),
    [
        (
            "ps1_c1_check",
            "whether North Korean troops are in Russia at all",
            1.0,
            "neither confirming nor denying",
        ),
        # the second review's H2: jurisdiction is not evaluation; both readings are right
        (
            "ps1_c1_check",
            "any judgment of how Russia and North Korea conduct their relations",
            1.0,
            "a claim about jurisdiction",
        ),
        ("ps1_c1_check", "any word on what China itself would do", 0.5, "the sharper readings"),
        ("ps1_c1_check", "any position on who decides the two states' relations", 0.0, "solely up to them"),
        # the second review's H1: read whole, Putin said Russia would respond; he left open which step
        ("ps1_c2_check", "which step Russia would take if South Korea supplied them", 1.0, "names no step"),
        ("ps1_c2_check", "what Russia would do if South Korea supplied them", 0.5, "which step"),
        ("ps1_c2_check", "whom the warning is addressed to", 0.0, "South Korea's current leadership"),
        ("ps1_c2_check", "any judgment of such supplies", 0.0, "is a judgment"),
    ],
)
def test_each_avoided_reading_earns_its_share_and_says_why(test, answer, points, said):
    judge, cells = _judge_ps1()
    name = f"c{test[5]}_avoided"
    outputs = judge.run(test, cells[test].source, {name: answer}, {}, [], lambda *a: None)
    (result,) = [o for o in outputs if o.output_type == "execute_result"]
    assert float(result.data["text/plain"]) == points
    assert said in "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
