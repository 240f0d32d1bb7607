import re

import pytest

from course.content import scenarios


def test_every_score_has_an_assumption_and_every_criterion_a_source():
    for option in scenarios.OPTIONS:
        assert set(scenarios.SCORES[option]) == set(scenarios.CRITERIA)
        for score, why in scenarios.SCORES[option].values():
            assert 1 <= score <= 5 and why
    for label, source in scenarios.CRITERIA.values():
        assert label and ("article" in source.lower() or "Liu" in source)
    assert len(scenarios.assumptions()) == len(scenarios.OPTIONS) * len(scenarios.CRITERIA)


def test_article_quotes_in_the_criteria_are_verbatim(article_text):
    import re

    article = " ".join(article_text.split())
    for _, source in scenarios.CRITERIA.values():
        for quote in re.findall(r"'([^']+)'", source):
            assert quote in article, quote


def test_weighted_scores_rank_and_normalise():
    ranking = scenarios.weighted_scores()
    assert list(ranking.index) == ["warn_privately", "stay_muted", "tighten_sanctions", "align_openly"]
    assert ranking.iloc[0] == pytest.approx(3.4)
    doubled = {c: 2 * w for c, w in scenarios.default_weights().items()}
    assert scenarios.weighted_scores(weights=doubled).equals(ranking)


def test_flip_weight_matches_the_algebra():
    # stay_muted = 3 + w and warn_privately = 3.5 - 0.5 w cross at w = 1/3.
    share, top = scenarios.flip_weight(criterion="ties_with_russia")
    assert share == pytest.approx(1 / 3, abs=0.002) and top == "stay_muted"
    assert scenarios.flip_weight(criterion="economic_stability") is None


def test_reweight_keeps_proportions():
    weights = scenarios.reweight({"a": 1, "b": 1, "c": 2}, "a", 0.5)
    assert weights == pytest.approx({"a": 0.5, "b": 0.5 / 3, "c": 1 / 3})


@pytest.mark.parametrize(
    "weights, message",
    [
        ({"economic_stability": 1}, "missing"),
        ({**scenarios.default_weights(), "luck": 1}, "unknown"),
        ({c: -1 for c in scenarios.CRITERIA}, "negative"),
        ({c: 0 for c in scenarios.CRITERIA}, "above zero"),
    ],
)
def test_bad_weights_are_named(weights, message):
    with pytest.raises(scenarios.ScenarioError, match=message):
        scenarios.weighted_scores(weights=weights)


def test_bad_shares_and_criteria_are_named():
    with pytest.raises(scenarios.ScenarioError, match="between 0 and 1"):
        scenarios.reweight(scenarios.default_weights(), "no_collapse", 1.5)
    with pytest.raises(scenarios.ScenarioError, match="unknown criterion 'luck'"):
        scenarios.flip_weight(criterion="luck")


def _brute_force_flip(scores, weights, criterion, direction, step=0.0005):
    """The first share of ``criterion`` (in steps of ``step``) where another option is strictly on top.

    An oracle written apart from the model: every candidate share at once, with NumPy (reweighting as the
    model's documentation says: the other criteria keep their proportions).
    """
    import numpy as np

    top = scenarios.weighted_scores(scores, weights).index[0]
    base = scenarios.normalise(weights, list(scores.columns))
    share = base[criterion]
    n = int(round(((1 - share) if direction == "up" else share) / step))
    shares = share + np.arange(1, n) * (step if direction == "up" else -step)
    rest = sum(w for c, w in base.items() if c != criterion)
    columns = [
        shares if c == criterion else (1 - shares) * (base[c] / rest if rest else 1 / (len(base) - 1))
        for c in scores.columns
    ]
    totals = (
        np.column_stack(columns) @ scores.to_numpy(dtype=float).T
    )  # one row per share, one column per option
    order = np.argsort(-totals, axis=1, kind="stable")
    rows = np.arange(len(shares))
    best, second = totals[rows, order[:, 0]], totals[rows, order[:, 1]]
    flipped = np.flatnonzero((scores.index[order[:, 0]] != top) & (best > second + 1e-9))
    if not len(flipped):
        return None
    i = flipped[0]
    return float(shares[i]), scores.index[order[i, 0]]


def test_flip_weight_agrees_with_a_brute_force_search_on_random_models():
    import random

    rng = random.Random(7)
    for _ in range(25):
        scores = scenarios.default_scores().apply(lambda col: [rng.randint(1, 5) for _ in col])
        weights = {c: rng.uniform(0.05, 1) for c in scores.columns}
        criterion = rng.choice(list(scores.columns))
        for direction in ("up", "down"):
            exact = scenarios.flip_weight(scores, weights, criterion, direction)
            brute = _brute_force_flip(scores, weights, criterion, direction)
            if exact is None:
                assert brute is None
            else:
                assert brute is not None and brute[1] == exact[1] and abs(brute[0] - exact[0]) < 0.002


def test_ranking_is_invariant_to_scaling_all_weights():
    import random

    rng = random.Random(3)
    for _ in range(20):
        weights = {c: rng.uniform(0, 1) for c in scenarios.CRITERIA}
        factor = rng.uniform(0.01, 100)
        scaled = {c: w * factor for c, w in weights.items()}
        a, b = scenarios.weighted_scores(weights=weights), scenarios.weighted_scores(weights=scaled)
        assert list(a.index) == list(b.index) and (a - b).abs().max() < 1e-9


def test_sensitivity_lists_every_criterion_with_its_nearest_flip():
    table = scenarios.sensitivity()
    assert list(table.index) == list(scenarios.CRITERIA)
    assert table.loc["ties_with_russia", "new top (up)"] == "stay_muted"
    assert table["smallest change"].min() == pytest.approx(0.1333, abs=1e-4)


def test_estimate_defaults_reproduce_the_article():
    result = scenarios.estimate_munitions()
    assert result["tonnes_p5"] == result["tonnes_p95"] == pytest.approx(260_000)
    assert "rounds_p50" not in result, "no mass per round is sourced: rounds only on request"


def test_estimate_ranges_are_reproducible_and_inside_their_bounds():
    kwargs = dict(
        containers=(10_000, 20_000),
        tonnes_per_container=(10, 26),
        munitions_share=(0.5, 1),
        kg_per_round=(40, 45),
    )
    a, b = scenarios.estimate_munitions(**kwargs), scenarios.estimate_munitions(**kwargs)
    assert a["tonnes_p50"] == b["tonnes_p50"], "a fixed seed"
    assert 10_000 * 10 * 0.5 <= a["tonnes_p5"] < a["tonnes_p50"] < a["tonnes_p95"] <= 20_000 * 26
    assert a["rounds_p50"] == pytest.approx(a["tonnes_p50"] * 1000 / 42.5, rel=0.1)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"containers": (20_000, 10_000)}, "containers: the low end 20000 is above the high end 10000"),
        ({"tonnes_per_container": (-1, 5)}, "tonnes_per_container must lie from 0 up"),
        ({"munitions_share": (0.5, 1.5)}, "munitions_share must lie from 0 to 1"),
        ({"kg_per_round": (0, 10)}, "kg_per_round must be above 0"),
        ({"containers": 10_000}, "containers must be a pair"),
        ({"n": 5}, "n must be a whole number"),
    ],
)
def test_estimate_bad_inputs_name_the_field(kwargs, message):
    with pytest.raises(scenarios.ScenarioError, match=message):
        scenarios.estimate_munitions(**kwargs)


def test_escalation_levels_show_only_stated_positions(article_text):
    article = " ".join(article_text.split())
    assert scenarios.escalation_positions("none").empty
    tech = scenarios.escalation_positions("military_technology")
    assert "hayashi_seriously_concerned" in set(tech["reaction_id"])
    for level in scenarios.ESCALATION_LEVELS.values():
        for quote in __import__("re").findall(r'"([^"]{12,})"', str(level["china_control"])):
            assert quote in article, quote
    with pytest.raises(scenarios.ScenarioError, match="unknown level 'war'"):
        scenarios.escalation_positions("war")


#: Every sentence in the course that states where the model's answer changes with the weight on Russia.
FLIP_STATEMENTS = {
    "notebooks/05_chinas_dilemma.ipynb": "between about a third and a half",
    "assignments/source/ps3_treaties_and_scenarios/ps3_treaties_and_scenarios.ipynb": "between about a third and a half",
}


def test_every_sentence_about_the_russia_weight_matches_the_models_flip_points():
    """Content review F2: staying muted is first only between the two flips the model computes (1/3 and 1/2)."""
    import json

    from conftest import ROOT

    from course.views import checks

    first = scenarios.flip_weight(criterion="ties_with_russia")
    assert first is not None and first[1] == "stay_muted" and abs(first[0] - 1 / 3) < 0.005, first
    between = scenarios.reweight(scenarios.default_weights(), "ties_with_russia", (first[0] + 0.5) / 2)
    second = scenarios.flip_weight(weights=between, criterion="ties_with_russia")
    assert second is not None and second[1] == "align_openly" and abs(second[0] - 1 / 2) < 0.005, second
    assert (
        scenarios.flip_weight(
            weights=scenarios.reweight(scenarios.default_weights(), "ties_with_russia", 0.6),
            criterion="ties_with_russia",
        )
        is None
    ), "no third change above one half"
    for path, phrase in FLIP_STATEMENTS.items():
        text = " ".join("".join(c["source"]) for c in json.loads((ROOT / path).read_text())["cells"])
        text = " ".join(text.split())
        assert phrase in text, f"{path} should say where staying muted comes first: {phrase!r}"
        assert "a third of the decision or more" not in text and "a third or more" not in text, path
        assert "above one half, aligning openly" in text or "above a half aligning openly" in text, path
    quiz = next(q for q in checks.dilemma().questions if "relations with Russia" in q.prompt)
    at = 0.4
    assert f"(say {at})" in quiz.prompt
    top = scenarios.weighted_scores(
        weights=scenarios.reweight(scenarios.default_weights(), "ties_with_russia", at)
    )
    assert (
        quiz.answer
        == {"stay_muted": "staying muted comes first", "align_openly": "aligning openly comes first"}[
            top.index[0]
        ]
    )


def _stated_words():
    """Everything a criterion may quote: the reactions' quotes and the kept passages of data/excerpts.csv."""
    from course.content.data import load

    texts = list(load("reactions")["quote"].dropna()) + list(load("excerpts")["text"])
    return " ".join(" ".join(t.split()) for t in texts)


def _quoted(reason):
    return re.findall(r"(?<!\w)'(.+?)'(?!\w)", reason)  # an apostrophe inside ("Korea's") is no end


def test_seouls_case_is_built_from_stated_positions_with_the_same_model():
    """Issue 17, rebuilt for the second review's M4: every criterion quotes a stated position (a reaction of June
    2024 or a kept passage: Seoul's own aim and policy, Putin's, the allies', Kyiv's); the role brief is the data
    and the standing positions, each verbatim in its passage; no criterion is 'leverage', which only one option
    could meet."""
    from course.content.data import load

    case = scenarios.SEOUL
    reactions, excerpts = load("reactions"), load("excerpts")
    words = _stated_words()
    for key, (_label, reason) in case.criteria.items():
        quoted = _quoted(reason)
        assert quoted and all(" ".join(q.split()) in words for q in quoted), (key, quoted)
    assert "leverage" not in " ".join(label for label, _ in case.criteria.values()).lower()
    assert {"Yoon Suk Yeol", "Jeon Ha-kyu"} <= {
        w for _, reason in case.criteria.items() for w in ("Yoon Suk Yeol", "Jeon Ha-kyu") if w in reason[1]
    }, "Seoul's own stated aim and policy are criteria"
    assert "Zelensky" in case.criteria["ukraine_asks"][1]
    for option in case.options:
        assert set(case.scores[option]) == set(case.criteria)
        assert all(1 <= s <= 5 and why for s, why in case.scores[option].values())
    assert not reactions.loc[list(case.stated), "held_out"].notna().any(), "no held-out statement in a lesson"
    brief = case.brief()
    expected = [
        r["quote"] if isinstance(r["quote"], str) else r["paraphrase"]
        for _, r in reactions.loc[list(case.stated)].iterrows()
    ] + [p.words for p in case.positions]
    assert list(brief["stated"]) == expected
    assert {"South Korea", "Russia", "Ukraine"} <= set(brief.index)
    for p in case.positions:
        assert p.words in excerpts.loc[p.excerpt, "text"], p.excerpt
        assert excerpts.loc[p.excerpt, "source_id"] in set(brief["source"])
    memo = case.memo()
    assert len(memo) == len(case.options) and memo["against"].str.contains("a very big mistake").any()


def test_a_position_whose_words_are_not_in_its_passage_is_refused():
    from dataclasses import replace

    bad = replace(scenarios.SEOUL.positions[0], words="We will send lethal weapons.")
    case = replace(scenarios.SEOUL, positions=(bad,))
    with pytest.raises(scenarios.ScenarioError, match="yonhap_2022_peaceful_relations"):
        case.brief()


def test_every_sentence_about_seouls_model_matches_the_model():
    """Lesson 05's numbers for the rebuilt Seoul model, computed: the order with equal weights, every single-weight
    flip it names, the weights at which the 23 June line comes first (and that no single weight does), and the
    double counting it asks the learner to try."""
    import json

    from conftest import ROOT

    from course.views import checks

    case = scenarios.SEOUL
    scores, equal = case.default_scores(), case.default_weights()
    ranking = scenarios.weighted_scores(scores, equal).round(2)
    assert list(ranking.index) == ["non_lethal", "no_change", "keep_open", "lethal_arms"]
    assert list(ranking) == [3.5, 3.33, 3.17, 2.83]
    flips = {c: scenarios.first_flips(case, c) for c in case.criteria}
    assert flips["avoid_rupture"][0] == (0.2308, "no_change")
    assert flips["no_arms_north"][0] == (0.2857, "no_change")
    assert flips["deter_aid"][0] == (0.3182, "lethal_arms")
    assert flips["ukraine_asks"][0] == (0.375, "lethal_arms")
    assert not any(new == "keep_open" for f in flips.values() for _, new in f), "no single weight"
    half = {c: (0.5 if c in ("deter_aid", "avoid_rupture") else 0.0) for c in case.criteria}
    both = scenarios.weighted_scores(scores, half)
    assert both.index[0] == "keep_open" and both.iloc[0] == pytest.approx(3.5) and both.iloc[1] < 3.5
    thrice = {c: (0.0 if c in ("no_arms_north", "standing_policy") else 1.0) for c in case.criteria}
    once = scenarios.weighted_scores(scores, thrice)
    assert once.index[0] == "lethal_arms" and once.iloc[0] == pytest.approx(3.75)
    cells = json.loads((ROOT / "notebooks" / "05_chinas_dilemma.ipynb").read_text())["cells"]
    text = " ".join(" ".join("".join(c["source"]) for c in cells if c.get("id") == "dilemma-13f").split())
    for phrase in (
        "sending more non-lethal equipment first (3.5), leaving the policy unchanged second (3.33), keeping the "
        "option open third (3.17) and supplying lethal arms last (2.83)",
        "keeping peaceful relations with Russia counts for more than about 0.23",
        "no occasion to arm North Korea for more than about 0.29, leaving the policy unchanged comes first",
        "deterring Russian aid counts for more than about 0.32, or answering what Ukraine asks for more than 0.375, "
        "supplying lethal arms does",
        "No single weight puts keeping the option open first",
        "count for half each (3.5)",
        "supplying lethal arms comes first (3.75)",
    ):
        assert phrase in text, phrase
    quiz = next(q for q in checks.dilemma().questions if "Seoul model" in q.prompt)
    assert quiz.answer.startswith("when deterring Russian aid and keeping peaceful relations")
    assert "0.32" in quiz.feedback["when deterring Russian aid to North Korea counts for more than half"]


def test_beijing_seen_through_its_stated_goal_is_the_same_model_with_one_more_criterion():
    """The second review's N3: a criterion from China's own statement of its goal (Mao Ning, quoted whole from its
    passage; Li Qiang in Xinhua's reported speech, labelled so), the ranking with it beside the article's, and the
    lesson's numbers computed. The article's model is unchanged (its flip points are F2's)."""
    import json

    from conftest import ROOT

    from course.content.data import load

    stated = scenarios.BEIJING_STATED
    assert list(stated.criteria)[:5] == list(scenarios.CRITERIA) and "stated_goal" in stated.criteria
    assert all(
        stated.scores[o][c] == scenarios.SCORES[o][c] for o in scenarios.OPTIONS for c in scenarios.CRITERIA
    )
    words = _stated_words()
    assert all(" ".join(q.split()) in words for q in _quoted(stated.criteria["stated_goal"][1]))
    table = scenarios.compare_lenses()
    assert list(table["rank (article's criteria)"]) == [1, 2, 3, 4]
    assert list(table["score (with China's stated goal)"]) == [3.5, 3.17, 3.0, 2.33]
    assert scenarios.first_flips(scenarios.BEIJING, "ties_with_russia") == [
        (0.3333, "stay_muted"),
        (0.5, "align_openly"),
    ]
    assert scenarios.first_flips(stated, "ties_with_russia") == [
        (0.375, "stay_muted"),
        (0.5455, "align_openly"),
    ]
    cells = {c.get("id"): " ".join("".join(c["source"]).split())
             for c in json.loads((ROOT / "notebooks" / "05_chinas_dilemma.ipynb").read_text())["cells"]}  # fmt: skip
    excerpts = load("excerpts")
    mao = " ".join(excerpts.loc["people_2024_mao_goal", "text"].split())
    assert mao[: mao.index(" Mao said")] in cells["dilemma-13"]
    li = "all parties should play a constructive role in pushing forward the political settlement process of the "
    assert li in excerpts.loc["people_2024_li_settlement", "text"] and f'"{li}' in cells["dilemma-13"]
    assert "(Xinhua's reported speech: its words, not a quotation of Li)" in cells["dilemma-13"]
    assert "the course's sources hold no such statement" not in cells["dilemma-13"]
    for phrase in ("a private warning stays first and widens its lead (3.5, against 3.17 for staying muted)",
                   "falls further behind (2.33)", "more than 0.375 of the decision (a third in the article's model)",
                   "more than about 0.55 (a half)"):  # fmt: skip
        assert phrase in cells["dilemma-13a2"], phrase
    assert "BeijingStatedExplorer" in cells["dilemma-13a3"]


def test_the_tonnage_per_container_is_checked_against_a_sourced_payload():
    """The review's P5 (payload note): the container limits come from data/figures.csv with a source; the explorer
    says, for every range, whether it is within, near or beyond a standard container's payload; lesson 04 gives the
    limits and the common export load as its sources word them, and its question's answer is computed."""
    import json

    from conftest import ROOT

    from course.content.data import load
    from course.views import widgets

    figures, sources, excerpts = load("figures"), load("sources"), load("excerpts")
    cap = scenarios.container_payloads()
    assert cap == {"20ft": 28.18, "40ft": 26.73}
    for fid in ("container_payload_20ft", "container_payload_40ft"):
        assert sources.loc[figures.loc[fid, "source_id"], "url"].startswith("https://")
    assert scenarios.payload_check((26, 26)).startswith("Near the limit")
    assert scenarios.payload_check((10, 20)).startswith("Within")
    assert scenarios.payload_check((20, 35)).startswith("Part of this range is more than")
    assert scenarios.payload_check((30, 40)).startswith("Every value in this range is more than")
    with pytest.raises(scenarios.ScenarioError):
        scenarios.payload_check((30, 20))
    explorer = widgets.EstimateExplorer()
    assert "Near the limit" in explorer.payload.value
    explorer.tonnes.value = (30.0, 40.0)
    assert "more than any standard container can carry" in explorer.payload.value
    assert "Payload check" in explorer.static_html()
    cell = next(c for c in json.loads((ROOT / "notebooks/04_munitions_and_the_war.ipynb").read_text())["cells"]
                if c.get("id") == "munitions-08")  # fmt: skip
    text = " ".join("".join(cell["source"]).split())
    common = excerpts.loc["linkrun_common_payload", "text"]
    assert f'"{common}"' in text
    assert (
        f"20-foot container takes about {cap['20ft']:.1f} t" in text and f"about {cap['40ft']:.1f} t" in text
    )
    assert "Set tonnes per container to 17.5" in text and "17,500 kgs. or less in the 20' container" in common
    implied = scenarios.estimate_munitions(tonnes_per_container=(17.5, 17.5))["tonnes_p50"]
    assert implied == pytest.approx(175_000)
