import pytest

from course import reactions as scheme


def test_each_code_has_definition_signals_and_example():
    for table in (scheme.STANCES, scheme.COMMITMENTS):
        for code, entry in table.items():
            assert entry.code == code and entry.definition and entry.signals and entry.example


def test_examples_point_at_real_rows_with_that_code():
    from course.data import load

    reactions = load("reactions")
    for scale, table in (("stance", scheme.STANCES), ("commitment", scheme.COMMITMENTS)):
        for code, entry in table.items():
            rid = entry.example_source.removeprefix("reactions.csv: ")
            assert rid in reactions.index, f"{code}: example row {rid} missing"
            assert reactions.loc[rid, scale] == code, f"{code}: example row {rid} is coded otherwise"


def test_commitments_are_ordered_from_words_to_policy():
    assert scheme.COMMITMENT_CODES == ("words_only", "consultation_or_protest", "policy_step")
    assert scheme.commitment_rank("policy_step") == 2


@pytest.mark.parametrize(
    "answer, reference, kind, points",
    [
        ("concern", "concern", "stance", 1.0),
        ("concern", "condemnation", "stance", 0.5),
        ("non-committal", "concern", "stance", 0.5),
        ("endorsement", "condemnation", "stance", 0.0),
        ("warning", "non-committal", "stance", 0.0),
        ("consultation_or_protest", "policy_step", "commitment", 0.5),
        ("words_only", "policy_step", "commitment", 0.0),
    ],
)
def test_partial_credit_for_neighbouring_codes(answer, reference, kind, points):
    assert scheme.score_coding(answer, reference, kind) == points


def test_stance_distance_is_symmetric():
    for a in scheme.STANCE_CODES:
        for b in scheme.STANCE_CODES:
            assert scheme.stance_distance(a, b) == scheme.stance_distance(b, a)


def test_unknown_codes_are_named():
    with pytest.raises(scheme.CodingError, match="'neutral' is not a stance code; use one of endorsement"):
        scheme.stance_distance("neutral", "concern")
    with pytest.raises(scheme.CodingError, match="kind must be"):
        scheme.score_coding("concern", "concern", kind="tone")


def test_scheme_table_lists_both_scales():
    table = scheme.scheme_table()
    assert list(table["scale"].unique()) == ["stance", "commitment"]
    assert len(table) == len(scheme.STANCES) + len(scheme.COMMITMENTS)
