from course.content import reading
from course.content.quiz import check
from course.views import checks


def test_every_passage_is_verbatim_from_the_article(article_text):
    for passage in reading.passages():
        assert passage in article_text, f"not verbatim in the article: {passage!r}"
    for kind, fields in reading.KINDS.items():
        assert fields["example"] in article_text, f"example of {kind!r} not verbatim"


def test_every_passage_has_a_best_answer_among_the_five_kinds():
    quiz = checks.sentences()
    assert len(quiz) == len(reading.passages()) >= 8
    used = {q.answer for q in quiz.questions}
    assert used == set(reading.KIND_NAMES), "the exercise practises every kind"
    for question in quiz.questions:
        assert question.options == reading.KIND_NAMES
        assert check(question, question.answer).correct


def test_answer_key_scores_full_marks_and_blank_scores_zero():
    quiz = checks.sentences()
    key = [q.answer for q in quiz.questions]
    assert quiz.check(key).score == len(quiz)
    assert quiz.check([]).score == 0


def test_kinds_table_has_one_row_per_kind():
    table = reading.kinds_table()
    assert list(table.index) == list(reading.KIND_NAMES)
    assert list(table.columns) == ["definition", "signals", "example"]


def test_closing_questions_are_well_formed():
    quiz = checks.start_here()
    assert quiz.check([q.answer for q in quiz.questions]).score == len(quiz)
