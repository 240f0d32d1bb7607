"""Defence clauses: commitment language found (course.content.treaties), highlighted and explored
(course.views.treaties), and the six treaties compared."""

import pytest

from course.content import treaties
from course.content.data import load
from course.views import treaties as treaty_views


def test_clause_highlighting_labels_every_role_and_escapes_text():
    text = load("treaty_clauses").loc["rus2024_art4_chosun", "text"]
    html = treaty_views.highlight(text)
    for role in ("trigger", "timing", "obligation", "scope", "conditions"):
        assert f"[{role}]" in html, role
    assert "People&#x27;s Republic" in html
    assert treaty_views.highlight("<b>x</b> without delay", ["timing"]).startswith("&lt;b&gt;")
    with pytest.raises(ValueError, match="unknown role"):
        treaties.find_markers(text, ["tone"])


def test_clause_explorer_switches_renderings():
    explorer = treaty_views.clause_explorer()
    explorer.choice.value = "rus2024_art4_almayadeen"
    assert "immediately</mark>" in explorer.shown.value
    explorer.roles["timing"].value = False
    assert "immediately</mark>" not in explorer.shown.value


def test_defence_clause_comparison_covers_the_six_treaties():
    table = treaties.compare_defence_clauses()
    assert len(table) == 6 and set(table["kind of text"]) == {"verbatim", "course_translation", "summary"}
    draft = table[table["treaty"].str.contains("Republic of Korea")].iloc[0]
    assert "draft" in draft["whose text"] and "not the signed text" in draft["whose text"], (
        "the draft says so"
    )


def test_no_defence_clause_is_compared_without_its_assistance_sentence():
    """Content review F1: a clause cut before its obligation reads as weaker than it is."""
    table = treaties.compare_defence_clauses()
    clauses = table[table["kind of text"] != "summary"]  # the 2000 treaty's row says it has no such clause
    assert len(clauses) == 5
    for _, row in clauses.iterrows():
        roles = {role for _, _, role in treaties.find_markers(row["text"])}
        assert {"trigger", "obligation"} <= roles, (row["treaty"], roles)
        # the content review's N7: the bloc-era and 2024 clauses say when and how far; the US clauses say neither,
        # and tie the response to each party's constitutional processes instead
        if "United States" in row["treaty"]:
            assert not {"timing", "scope"} & roles and "conditions" in roles, (row["treaty"], roles)
        else:
            assert {"timing", "scope"} <= roles, (row["treaty"], roles)
        assert row["kind of text"] != "excerpt", f"{row['treaty']}: an excerpt may leave out the obligation"
    china = table[table["treaty"].str.contains("China")].iloc[0]
    assert "immediately give military and other assistance" in china["text"]
    assert "translation" in china["kind of text"], "the course's translation is labelled as such"


def test_the_clause_explorer_offers_the_whole_china_clause_in_english():
    explorer = treaty_views.clause_explorer()
    offered = [value for _, value in explorer.choice.options]
    assert "china1961_art2" in offered and "china1961_art2_zh" not in offered
    explorer.choice.value = "china1961_art2"
    assert (
        "immediately</mark>" in explorer.shown.value
        and "with all its strength</mark>" in explorer.shown.value
    )


def test_each_treatys_defence_clause_is_read_from_its_defence_article():
    """One source: which article holds the defence clause is data/treaties.csv's, never a second list in code."""
    chosen = treaties.defence_clauses()
    table, clauses = load("treaties"), load("treaty_clauses")
    assert set(chosen) == set(table.index)
    for treaty_id, clause_id in chosen.items():
        article = table.loc[treaty_id, "defence_article"]
        assert clauses.loc[clause_id, "treaty_id"] == treaty_id
        if isinstance(article, str):
            assert clauses.loc[clause_id, "article"] == article
        else:  # no defence clause: the summary row that says so, with no article
            assert not isinstance(clauses.loc[clause_id, "article"], str)
    assert chosen["rus_dprk_2024"] == "rus2024_art4_chosun" and chosen["rus_dprk_2000"] == "rus2000_none"
    moved = table.copy()
    moved.loc["ussr_dprk_1961", "defence_article"] = "9"
    with pytest.raises(ValueError, match=r"ussr_dprk_1961: no English rendering of its defence article 9"):
        treaties.defence_clauses(moved, clauses)


PS3 = "ps3_treaties_and_scenarios"


def _ps3_readings():
    """(answer name, {option: points}, {option: why}) for ps3 A3 and A4, read from the source's hidden tests."""
    import ast

    import nbformat
    from conftest import ROOT

    cells = {
        c.id: c.source for c in nbformat.read(ROOT / "assignments" / "source" / PS3 / f"{PS3}.ipynb", 4).cells
    }
    items = {}
    for n in (3, 4):
        call = next(
            line for line in cells[f"ps3-a{n}-check"].splitlines() if line.startswith("score_choice(")
        )
        readings = ast.literal_eval(ast.parse(call).body[0].value.args[1])
        items[f"a{n}_reading"] = readings
    return cells, items


def test_ps3_reads_the_clauses_conditions_and_two_renderings_for_meaning_not_recall():
    """The second review's P3: ps3 A3/A4 asked which conditions were added and which renderings say 'immediately',
    both answered in lesson 02's text and quiz. Now A3 asks what naming Article 51 does (its text shown, from a
    sourced copy) and A4 whether two renderings of the trigger differ in what they cover: each has a best reading, a
    defensible half reading and wrong ones, and no lesson or quiz states an option."""
    from conftest import ROOT

    from course.views import checks

    cells, items = _ps3_readings()
    clauses, excerpts = load("treaty_clauses"), load("excerpts")
    question = " ".join(cells["ps3-a4-question"].split())
    for clause_id, words in (
        ("rus2024_art4_chosun", "is invaded by one or more states and enters a state of war"),
        ("rus2024_art4_almayadeen", "comes under an armed attack by any state or several states and thus finds itself in a state of war"),
    ):  # fmt: skip
        assert words in clauses.loc[clause_id, "text"] and f'"{words}"' in question, clause_id
    assert "if an armed attack occurs" in excerpts.loc["un_charter_art51", "text"]
    assert 'load("excerpts").loc["un_charter_art51", "text"]' in cells["ps3-a3-show"]
    lessons = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "notebooks").glob("*.ipynb")))
    quizzes = " ".join(
        " ".join([q.prompt, *q.options, q.explanation])
        for quiz in (checks.treaty(), checks.summit(), checks.dilemma())
        for q in quiz.questions
    )
    for name, readings in items.items():
        shares = sorted(points for points, _ in readings.values())
        assert shares == [0.0, 0.0, 0.5, 1.0], (name, shares)
        for option, (_, why) in readings.items():
            assert option not in lessons and option not in quizzes, (name, option)
            assert len(why) > 40, (name, option)


@pytest.mark.parametrize("n", [3, 4])
def test_each_ps3_reading_earns_its_share_and_the_feedback_says_why(n):
    import nbformat
    from conftest import ROOT

    from course.autograder.judge import Judge

    nb = nbformat.read(ROOT / "assignments" / "source" / PS3 / f"{PS3}.ipynb", 4)
    grade = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    setup = [(gid, c.source) for gid, c in grade.items() if gid and c.cell_type == "code"
             and c.metadata["nbgrader"].get("locked") and not c.metadata["nbgrader"].get("grade")]  # fmt: skip
    judge = Judge(setup)
    _, items = _ps3_readings()
    name = f"a{n}_reading"
    for option, (points, why) in items[name].items():
        outputs = judge.run(
            f"ps3_a{n}_check", grade[f"ps3_a{n}_check"].source, {name: option}, {}, [], lambda *a: None
        )
        assert not [o for o in outputs if o.output_type == "error"], outputs
        (result,) = [o for o in outputs if o.output_type == "execute_result"]
        assert float(result.data["text/plain"]) == points, option
        assert why in "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    # not one of the options: nothing, and a message that says so
    outputs = judge.run(
        f"ps3_a{n}_check", grade[f"ps3_a{n}_check"].source, {name: "yes"}, {}, [], lambda *a: None
    )
    assert [o.ename for o in outputs if o.output_type == "error"], "the visible check refuses a non-option"
