import pytest

from course.content import reactions as scheme


def test_each_code_has_definition_signals_and_example():
    for table in (scheme.STANCES, scheme.VALENCES, scheme.COMMITMENTS):
        for code, entry in table.items():
            assert entry.code == code and entry.definition and entry.signals and entry.example


def test_examples_point_at_real_rows_with_that_code():
    from course.content.data import load

    reactions = load("reactions")
    for scale, table in (
        ("stance", scheme.STANCES),
        ("valence", scheme.VALENCES),
        ("commitment", scheme.COMMITMENTS),
    ):
        for code, entry in table.items():
            rid = entry.example_source.removeprefix("reactions.csv: ")
            assert rid in reactions.index, f"{code}: example row {rid} missing"
            assert reactions.loc[rid, scale] == code, f"{code}: example row {rid} is coded otherwise"


def test_a_stance_is_a_speech_act_and_a_valence_and_only_a_warning_leaves_the_valence_open():
    """The second review's M6: stance mixed valence with speech act. Each stance names one speech act; four fix the
    valence, a warning takes any of the three, and every other pairing is refused with the reason."""
    assert set(scheme.STANCE_PARTS) == set(scheme.STANCES)
    assert {scheme.speech_act(s) for s in scheme.STANCES} == {
        "judgment",
        "conditional reply",
        "declining to judge",
    }
    for stance, (_act, fixed) in scheme.STANCE_PARTS.items():
        for valence in scheme.VALENCES:
            problem = scheme.valence_problem(stance, valence)
            if fixed is None or fixed == valence:
                assert problem is None, (stance, valence)
            else:
                assert problem == (
                    f"the stance {stance!r} fixes the valence {fixed!r}; only a warning's valence is coded "
                    "from its words"
                )
    assert [s for s, (_a, v) in scheme.STANCE_PARTS.items() if v is None] == ["warning"]
    with pytest.raises(scheme.CodingError, match="'mixed' is not a valence code"):
        scheme.valence_problem("warning", "mixed")


def test_the_data_code_warnings_of_every_valence_so_the_split_carries_information():
    """Valence coded apart is worth its column only if warnings differ in it: in the course's data they take all
    three values (Putin in Hanoi negative, Chang's 23 June line no judgment, Russia's ambassador defending the treaty
    positive), and every other row's valence is the one its stance fixes."""
    from course.content.data import load

    reactions, statements = load("reactions"), load("statements")
    assert reactions.loc["putin_hanoi_mistake", "valence"] == "negative"
    assert reactions.loc["chang_depends", "valence"] == "no judgment"
    assert statements.loc["ru_20240625_rudenko", "valence"] == "positive"
    for table in (reactions, statements):
        coded = table[table["stance"].notna()]
        assert coded["valence"].notna().all()
        for stance, valence in zip(coded["stance"], coded["valence"], strict=True):
            assert scheme.valence_problem(stance, valence) is None
    warnings = statements[statements["stance"] == "warning"]
    assert set(warnings["valence"]) == set(scheme.VALENCES)


def test_commitments_are_ordered_from_words_to_policy():
    assert scheme.COMMITMENT_CODES == (
        "words_only",
        "review_or_option",
        "consultation_or_protest",
        "policy_step",
    )
    assert scheme.commitment_rank("policy_step") == 3


@pytest.mark.parametrize(
    "signal, level",
    [
        ("", "words_only"),
        (None, "words_only"),
        ("Said South Korea would reconsider supplying arms to Ukraine", "review_or_option"),
        # no specific measure: 'evaluate' left the markers (second review, M1/M3)
        ("will continue to evaluate our posture", "words_only"),
        ("lethal aid to Ukraine was not ruled out", "review_or_option"),
        ("Summoned Russian Ambassador Georgy Zinoviev", "consultation_or_protest"),
        (
            "convening an emergency meeting and said it would now consider sending arms",
            "consultation_or_protest",
        ),
        ("Mutual assistance under the treaty", "policy_step"),
        ("a phrase with no marker", "words_only"),
    ],
)
def test_one_rule_turns_a_signal_into_a_level_the_furthest_one_it_reaches(signal, level):
    """Content review F15: an announced review or option is its own level, below an act and a decided measure."""
    assert scheme.commitment_for_signal(signal) == level


def test_every_coded_row_follows_the_rule_and_every_held_out_row_is_uncoded():
    from course.content.data import load

    reactions = load("reactions")
    held = reactions["held_out"].notna()
    assert held.sum() >= 5
    assert reactions.loc[held, ["stance", "commitment", "committed", "commitment_signal"]].isna().all().all()
    for rid, row in reactions[~held].iterrows():
        signal = row["commitment_signal"] if isinstance(row["commitment_signal"], str) else ""
        assert scheme.commitment_for_signal(signal) == row["commitment"], rid
    # Kirby's review of posture and Chang's options are coded by the same rule (F15)
    assert reactions.loc["chang_depends", "commitment"] == "review_or_option"
    assert reactions.loc["chang_violation", "commitment"] == "consultation_or_protest"


@pytest.mark.parametrize(
    "change, column, message",
    [
        ({"commitment": "policy_step"}, "commitment", "does not follow from the scheme's rule"),
        ({"commitment_signal": "words nobody said"}, "commitment_signal", "is not words of the row"),
        ({"held_out": "ps1 A9", "stance": "concern"}, "stance", "a held-out reaction carries no codes"),
        ({"held_out": "question 3"}, "held_out", "should name the problem-set item"),
        ({"stance": ""}, "stance", "a coded reaction needs a stance"),
        (
            {"avoided": "x", "avoided_contrast": "nobody"},
            "avoided_contrast",
            r"unknown reactions id\(s\) \['nobody'\]",
        ),
        ({"avoided_contrast": "chang_violation"}, "avoided", "say what it avoided"),
        (
            {"avoided": "x", "avoided_contrast": "rok_summons_ambassador"},
            "avoided_contrast",
            "its own contrast",
        ),
    ],
)
def test_a_row_that_breaks_the_rule_is_refused_with_its_place(tmp_path, change, column, message):
    import csv
    import shutil

    from course.content.data import DataError, load
    from course.paths import data_dir

    for f in data_dir().glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    path = tmp_path / "reactions.csv"
    rows = list(csv.DictReader(path.open(newline="", encoding="utf-8")))
    row = next(r for r in rows if r["reaction_id"] == "rok_summons_ambassador")
    row.update(change)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(DataError, match=message) as error:
        load("reactions", data_dir=tmp_path)
    assert "rok_summons_ambassador" in str(error.value) or "row" in str(error.value)
    assert column in str(error.value)


@pytest.mark.parametrize(
    "answer, reference, kind, points",
    [
        ("concern", "concern", "stance", 1.0),
        ("concern", "condemnation", "stance", 0.5),
        ("non-committal", "concern", "stance", 0.5),
        ("endorsement", "condemnation", "stance", 0.0),
        ("warning", "non-committal", "stance", 0.0),
        ("consultation_or_protest", "policy_step", "commitment", 0.5),
        ("review_or_option", "consultation_or_protest", "commitment", 0.5),
        ("words_only", "review_or_option", "commitment", 0.5),
        ("words_only", "consultation_or_protest", "commitment", 0.0),
        ("review_or_option", "policy_step", "commitment", 0.0),
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
