import pytest

from course import scenarios


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
