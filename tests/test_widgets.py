"""The explorers, driven programmatically: set a control, and the output changes as the model says."""

import re

import pytest

from course.content import scenarios
from course.views import widgets


def test_beijing_explorer_follows_its_sliders_and_scores():
    explorer = widgets.BeijingExplorer()
    assert explorer.result.index[0] == "warn_privately"
    assert "Warn Moscow privately against military-technology aid comes first" in explorer.ranking.value
    explorer.weight_sliders["ties_with_russia"].value = 0.6
    expected = scenarios.weighted_scores(weights=explorer.current()[1])
    assert explorer.result.index[0] == expected.index[0] == "stay_muted"
    explorer.score_inputs[("align_openly", "ties_with_russia")].value = 5
    explorer.score_inputs[("align_openly", "economic_stability")].value = 5
    explorer.score_inputs[("align_openly", "control_escalation")].value = 5
    assert explorer.result.index[0] == "align_openly"
    assert (
        "<svg" in explorer.chart.value and "Align openly with Moscow" in explorer.chart.value
    )  # by name, not id


def test_seoul_explorer_is_the_same_explorer_on_seouls_case():
    explorer = widgets.SeoulExplorer()
    assert explorer.result.index[0] == "non_lethal"
    assert (
        "Seoul's options" in explorer.widget.children[0].value
        and "stated positions" in explorer.widget.children[0].value
    )
    assert [s.description for s in explorer.weight_sliders.values()] == [
        c[0] for c in scenarios.SEOUL.criteria.values()
    ]
    explorer.weight_sliders["deter_aid"].value = 1.0  # its share: 1 / (1 + 5/6) = 0.55, past the flip at 0.32
    assert explorer.result.index[0] == "lethal_arms"
    assert "deterrence" in explorer.chart.value and "economy" not in explorer.chart.value


def test_beijings_second_lens_has_six_criteria_and_starts_where_the_lesson_says():
    explorer = widgets.BeijingStatedExplorer()
    assert explorer.result.index[0] == "warn_privately" and len(explorer.weight_sliders) == 6
    assert "stated goal for the peninsula" in explorer.widget.children[0].value
    explorer.weight_sliders["economic_stability"].value = 0.0
    explorer.weight_sliders[
        "ties_with_russia"
    ].value = 1.0  # 1 / (1 + 4/6) = 0.6, past both flips (0.375, 0.5455)
    assert explorer.result.index[0] == "align_openly"


def test_beijing_explorer_reports_bad_weights_instead_of_raising():
    explorer = widgets.BeijingExplorer()
    for slider in explorer.weight_sliders.values():
        slider.value = 0.0
    assert "at least one weight must be above zero" in explorer.message.value
    explorer.weight_sliders["no_collapse"].value = 1.0
    assert explorer.message.value == "" and explorer.result.index[0] == "align_openly"


def test_estimate_explorer_narrows_and_widens():
    explorer = widgets.EstimateExplorer()
    assert explorer.result["tonnes_p50"] == pytest.approx(260_000)
    explorer.share.value = (0.5, 0.5)
    assert explorer.result["tonnes_p50"] == pytest.approx(130_000)
    explorer.kg_low.value, explorer.kg_high.value = 50, 40
    assert "low end 50 is above the high end 40" in explorer.message.value
    explorer.kg_high.value = 60
    assert explorer.message.value == "" and "Rounds: median" in explorer.summary.value


def test_escalation_explorer_changes_the_table_with_the_level():
    explorer = widgets.EscalationExplorer()
    assert len(explorer.table) == 4
    explorer.level.value = "none"
    assert explorer.table.empty and "No statement" in explorer.text.value
    explorer.level.value = "nuclear_missile_assistance"
    assert list(explorer.table["reaction_id"]) == ["chang_violation"]
    assert "more difficult for China to control" in explorer.text.value


def test_timeline_explorer_filters_by_the_slider():
    explorer = widgets.TimelineExplorer()
    everything = len(explorer.map.table)
    options = explorer.range.options
    june_2024 = [i for i, (label, _) in enumerate(options) if label.startswith("2024-06")]
    explorer.range.index = (june_2024[0], june_2024[-1])
    assert 0 < len(explorer.map.table) < everything
    assert all("2024" in d for d in explorer.map.table["date"])


def test_show_is_static_under_the_autograder(monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    shown = []
    monkeypatch.setattr(widgets, "display", lambda obj: shown.append(obj))
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    InteractiveShell.instance()
    widgets.show(widgets.BeijingExplorer())
    assert type(shown[0]).__name__ == "HTML" and "comes first" in shown[0].data


def test_controls_show_what_they_hold_at_a_readable_size():
    """Issue 20: lesson 04's kg boxes were 10 px wide, lesson 06's date readout was cut, dropdowns showed ids."""
    import re

    from course.content.data import load

    estimate = widgets.EstimateExplorer()
    for box in (estimate.kg_low, estimate.kg_high):
        assert (
            int(box.layout.width.removesuffix("px"))
            >= int(box.style.description_width.removesuffix("px")) + 100
        )
    timeline = widgets.TimelineExplorer()
    assert timeline.range.readout is False
    first, last = timeline.range.options[0][1], timeline.range.options[-1][1]
    assert (
        f"{first.day} {first:%B %Y}" in timeline.readout.value
        and f"{last.day} {last:%B %Y}" in timeline.readout.value
    )
    timeline.range.index = (1, 2)
    assert f"{timeline.range.value[1].day} {timeline.range.value[1]:%B %Y}" in timeline.readout.value
    coding = widgets.CodingExplorer()
    reactions = load("reactions")
    for label, rid in coding.statement.options:
        assert rid not in label and not re.search(r"\b\w+_\w+\b", label), label
        row = reactions.loc[rid]
        if isinstance(row["quote"], str) and row["quote"]:
            assert "“" in label
        else:
            assert "(paraphrase)" in label and "“" not in label


def test_coding_explorer_scores_like_the_scheme():
    from course.views import widgets

    explorer = widgets.CodingExplorer(["chang_violation"])
    assert "committed to" not in explorer.card.value, (
        "the card must not answer the commitment question (issue 33)"
    )
    explorer.compare()
    assert "Choose a stance" in explorer.result.value
    explorer.stance.value, explorer.commitment.value = "concern", "consultation_or_protest"
    explorer.compare()
    assert explorer.outcome["stance"] == "condemnation"
    assert explorer.outcome["points"] == 1.0, "neighbouring stance 0.5 + right commitment 0.5"
    assert explorer.result.value.startswith("<p><b>1 of 1.5 points.</b>")
    assert "What it committed to, in the course's record:" in explorer.result.value  # once compared


def test_the_sensitivity_table_reads_as_names_and_percentages():
    """Issue 33: the table showed criterion and option codes (ties_with_russia) and shares to four decimals."""
    from course.views import widgets

    explorer = widgets.BeijingExplorer()
    shown = explorer.sensitivity.value
    assert "Relations with Russia" in shown and "ties_with_russia" not in shown
    assert not re.search(r"\b[a-z]+(_[a-z]+)+\b", re.sub(r"<[^>]+>", " ", shown)), "a code in the table"
    assert not re.search(r"\d\.\d{3,}", shown), "a share to more than two decimals"
    assert "33.3%" in shown and ">20%<" in shown.replace(" ", "")


def test_a_long_legend_wraps_below_the_bars_instead_of_running_off_or_over_them():
    """Seoul's six criteria do not fit one legend line of 560 px: the legend wraps onto a second line, both below
    the last bar, and the picture grows to hold it (a first version drew the wrapped legend over the bars)."""
    import re

    case = scenarios.SEOUL
    svg = widgets.breakdown_svg(
        case.default_scores(), case.default_weights(), short=case.short, names=case.options
    )
    height = int(re.search(r'<svg[^>]* height="(\d+)"', svg).group(1))
    bars = [
        float(y) + 22 for y in re.findall(r'<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="22"', svg)
    ]
    keys = [
        (float(x), float(y))
        for x, y in re.findall(r'<rect x="([\d.]+)" y="([\d.-]+)" width="10" height="10"', svg)
    ]
    assert len(keys) == len(case.criteria) and len({y for _, y in keys}) == 2
    assert min(y for _, y in keys) > max(bars) and max(y for _, y in keys) + 10 <= height
    assert all(x + 14 + 7 * len(case.short[c]) <= 560 for (x, _), c in zip(keys, case.criteria, strict=True))
    beijing = widgets.breakdown_svg(scenarios.default_scores(), scenarios.default_weights())
    assert (
        len(set(re.findall(r'<rect x="[\d.]+" y="([\d.-]+)" width="10" height="10"', beijing))) == 1
    )  # five fit
