import pytest

from course.content.quiz import Question, Quiz, QuizError, check, reveal


def make_question(**overrides):
    fields = dict(
        prompt="Which?",
        options=("alpha", "beta", "gamma"),
        answer="beta",
        explanation="Because beta.",
        hint="Not the first.",
        accepted=("gamma",),
    )
    fields.update(overrides)
    return Question(**fields)


def test_check_grades_best_accepted_wrong_and_blank():
    q = make_question()
    assert check(q, "beta").status == "correct"
    assert check(q, "  BETA ").correct, "matching ignores case and spaces"
    assert check(q, "gamma").status == "accepted"
    assert check(q, "gamma").points == 0.5
    wrong = check(q, "alpha")
    assert wrong.status == "wrong" and "Hint: Not the first." in wrong.message
    assert "Because beta" not in wrong.message, "a wrong answer must not give the answer away"
    assert check(q, None).status == "unanswered"
    assert check(q, "").status == "unanswered"


def test_check_names_the_options_for_an_answer_that_is_not_one():
    feedback = check(make_question(), "delta")
    assert feedback.status == "invalid"
    assert "'alpha', 'beta', 'gamma'" in feedback.message


def test_reveal_gives_answer_and_reason():
    assert reveal(make_question()) == "Answer: beta. Because beta."


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"answer": "delta"}, "is not one of the options"),
        ({"options": ("alpha", "Alpha ")}, "options repeat"),
        ({"options": ("beta",), "accepted": ()}, "at least two options"),
        ({"accepted": ("beta",)}, "do not list it as 'accepted'"),
        ({"accepted": ("zeta",)}, "accepted answer 'zeta'"),
        ({"explanation": "  "}, "give an explanation"),
    ],
)
def test_malformed_questions_are_refused_with_a_reason(overrides, message):
    with pytest.raises(QuizError, match=message):
        make_question(**overrides)


def test_quiz_scores_lists_and_dicts():
    quiz = Quiz([make_question(), make_question(answer="alpha", accepted=())])
    assert quiz.check(["beta", "alpha"]).score == 2
    assert quiz.check({1: "gamma"}).score == 0.5
    result = quiz.check(["alpha"])
    assert [f.status for f in result.feedback] == ["wrong", "unanswered"]
    assert str(result).endswith("Score: 0 of 2")
    assert "<ol>" in result._repr_html_()


@pytest.mark.parametrize(
    "responses, message",
    [
        ({0: "beta"}, "run from 1 to 2"),
        ({"1": "beta"}, "run from 1 to 2"),
        (["beta", "beta", "beta"], "has 2 questions; got 3"),
        ("beta", "not a single string"),
    ],
)
def test_quiz_rejects_misshapen_responses(responses, message):
    quiz = Quiz([make_question(), make_question()])
    with pytest.raises(QuizError, match=message):
        quiz.check(responses)


def test_empty_quiz_is_refused():
    with pytest.raises(QuizError):
        Quiz([])


def _find(widget, cls):
    found = [widget] if isinstance(widget, cls) else []
    for child in getattr(widget, "children", ()):
        found += _find(child, cls)
    return found


def test_widget_checks_and_reveals_like_the_function():
    import ipywidgets as w

    from course.views.quiz import QuizForm

    quiz = QuizForm([make_question(), make_question()], title="T")
    form = quiz.widget()
    radios = _find(form, w.RadioButtons)
    buttons = _find(form, w.Button)
    html = _find(form, w.HTML)
    assert len(radios) == 2 and all(r.value is None for r in radios)
    assert all(r.description for r in radios), "every radio group has a label"
    check_1, show_1, check_2, _ = buttons
    score = html[-1]

    check_1.click()
    assert "No answer yet" in html[2].value
    radios[0].value = "beta"
    check_1.click()
    assert "Correct" in html[2].value
    radios[1].value = "gamma"
    check_2.click()
    assert "Checked 2 of 2; score 1.5 of 2" in score.value
    show_1.click()
    assert "Answer: beta. Because beta." in html[2].value


def test_an_option_says_why_it_is_not_the_best_when_chosen():
    question = Question(
        prompt="What does it avoid?",
        options=("any judgment", "naming the parties", "support."),
        answer="any judgment",
        accepted=("support.",),
        explanation="Compare with Japan.",
        feedback={"naming the parties": "It names both.", "support.": "True, but it avoids criticism too."},
    )
    wrong = check(question, "Naming the parties")
    assert wrong.status == "wrong" and "It names both." in wrong.message
    half = check(question, "support.")
    assert (
        half.status == "accepted"
        and "avoids criticism too" in half.message
        and "support.." not in half.message
    )
    assert "It names both" not in check(question, "any judgment").message
    with pytest.raises(QuizError, match="feedback for 'nothing', which is not one of the options"):
        Question(prompt="p", options=("a", "b"), answer="a", explanation="e", feedback={"nothing": "x"})


def test_the_avoided_practice_takes_its_answers_from_the_data():
    from course.content.data import load
    from course.views import checks

    reactions = load("reactions")
    quiz = checks.avoided()
    answers = [q.answer for q in quiz.questions]
    assert answers == list(reactions.loc[["china_mfa_sovereign_states", "trilateral_condemn"], "avoided"])
    for question in quiz.questions:
        assert question.passage in set(reactions["quote"].dropna())
        assert set(question.feedback) == set(question.options) - {question.answer}, (
            "every other option explains"
        )


def test_every_lesson_objective_the_review_found_unchecked_now_has_a_check():
    """Review P3: lesson 01's objective 2 (compare distances) and lesson 06's objective 3 (which expectations later
    events bear on) had no check; the distance answer is computed from the places data."""
    from course.content import geo
    from course.content.data import load
    from course.views import checks

    places = load("places")

    def km(a, b):
        return geo.haversine_km(
            places.loc[a, "lat"], places.loc[a, "lon"], places.loc[b, "lat"], places.loc[b, "lon"]
        )

    distance = next(q for q in checks.summit().questions if "great circle" in q.prompt)
    assert (
        distance.answer
        == f"about {round(km('pyongyang', 'moscow') / km('pyongyang', 'beijing'))} times as far"
    )
    assert check(distance, distance.answer).correct
    endorsers = next(q for q in checks.reactions().questions if "coded as endorsement" in q.prompt)
    reactions, actors = load("reactions"), load("actors")
    coded = reactions[reactions["stance"] == "endorsement"]
    assert endorsers.answer == " and ".join(sorted(set(coded["actor_id"].map(actors["government"]))))
    leaves_out = next(q for q in checks.dilemma().questions if "leave out" in q.prompt)
    assert "China's own statement of its goals" in leaves_out.answer
    busiest = next(q for q in checks.after().questions if "largest circle" in q.prompt)
    events = load("events")
    at_busiest = events["place_ids"].fillna("").str.split(";").map(lambda ids: "pyongyang" in ids).sum()
    assert busiest.answer == "Pyongyang" and f"with {at_busiest} events" in busiest.explanation
    bears = next(q for q in checks.after().questions if "bears on" in q.prompt)
    assert "troops in Russia" in bears.answer and set(bears.feedback) == set(bears.options) - {bears.answer}


def test_the_problem_sets_state_their_programming_prerequisites():
    import nbformat
    from conftest import ROOT

    for path in sorted((ROOT / "assignments" / "source").glob("*/*.ipynb")):
        intro = nbformat.read(path, as_version=4).cells[0].source
        assert "**Prerequisites.** Lessons" in intro and "Basic Python" in intro, path.name


def test_lesson_03_asks_for_a_ranking_by_commitment_and_a_judgment_on_renderings():
    """Review P3's interpretive items; the ranking's key is the data's commitment order, not typed twice."""
    from course.content import lesson_checks
    from course.content.data import load
    from course.content.reactions import commitment_rank
    from course.content.records import reaction_record
    from course.views import checks

    reactions = load("reactions")
    ranking, party, renderings = checks.reactions().questions[:3]
    order = sorted(
        lesson_checks._RANKED, key=lambda rid: commitment_rank(str(reactions.loc[rid, "commitment"]))
    )
    assert ranking.answer == " < ".join(lesson_checks._RANKED[rid] for rid in order)
    assert [commitment_rank(str(reactions.loc[rid, "commitment"])) for rid in order] == [0, 1, 2]
    assert check(ranking, ranking.accepted[0]).status == "accepted"
    # M7: the event is not ranked as a reaction to itself; the parties' decided step is asked about apart
    assert not any(reaction_record(rid).party for rid in lesson_checks._RANKED)
    assert "a truly breakthrough document" in party.passage and party.answer.startswith("Apart")
    for option in party.options:
        assert check(party, option).status == ("correct" if option == party.answer else "wrong")
        assert option == party.answer or party.feedback[option]
    assert all(q.options.index(q.answer) != 0 for q in (ranking, party, renderings))
    china = reactions.loc[
        ["china_mfa_sovereign_states", "lin_jian_questione", "china_article_bilateral"], "stance"
    ]
    assert china.nunique() == 1 and renderings.answer.startswith("No")
