"""CheckCellMetadata (course.autograder.metadata): nbgrader's checks, the schema compiled once."""

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course.autograder import metadata, seams


def _metadata_cases():
    good = {
        "grade": True,
        "solution": False,
        "locked": True,
        "grade_id": "t1",
        "points": 2,
        "schema_version": 3,
    }
    return {
        "valid": good,
        "points as text": {**good, "points": "two"},
        "no grade_id": {k: v for k, v in good.items() if k != "grade_id"},
        "empty grade_id": {**good, "grade_id": ""},
        "grade without points": {k: v for k, v in good.items() if k != "points"},
        "solution not a boolean": {**good, "solution": "yes"},
        "old schema": {**good, "schema_version": 2},
        "future schema": {**good, "schema_version": 4},
        "unknown key": {**good, "colour": "red"},
    }


def test_the_compiled_metadata_check_agrees_with_nbgraders_on_every_case():
    from nbgrader.nbgraderformat import MetadataValidator

    compiled = seams.compiled_metadata_validator()
    for name, meta in _metadata_cases().items():
        nb = new_notebook(cells=[new_code_cell("assert True", metadata={"nbgrader": dict(meta)})])
        outcomes = []
        for validator in (MetadataValidator(), compiled()):
            try:
                validator.validate_nb(nb)
                outcomes.append(None)
            except Exception as err:  # the exact type and message must match
                outcomes.append((type(err).__name__, str(err)))
        assert outcomes[0] == outcomes[1], name
    duplicate = new_notebook(
        cells=[new_code_cell("1", metadata={"nbgrader": dict(_metadata_cases()["valid"])}) for _ in range(2)]
    )
    try:
        compiled().validate_nb(duplicate)
    except Exception as err:
        assert "Duplicate grade id: t1" in str(err)
    else:
        raise AssertionError("a duplicate grade id passed")


def test_the_metadata_check_preprocessor_rejects_a_corrupted_notebook_with_nbgraders_message():
    import pytest
    from nbgrader.nbgraderformat import ValidationError

    meta = dict(_metadata_cases()["points as text"])
    nb = new_notebook(
        cells=[new_markdown_cell("x"), new_code_cell("assert True", metadata={"nbgrader": meta})]
    )
    with pytest.raises(ValidationError, match="the nbgrader metadata may be corrupted"):
        metadata.CheckCellMetadata().preprocess(nb, {})
    ok = new_notebook(cells=[new_code_cell("1", metadata={"nbgrader": dict(_metadata_cases()["valid"])})])
    assert metadata.CheckCellMetadata().preprocess(ok, {"x": 1}) == (ok, {"x": 1})
