"""``CheckCellMetadata``: nbgrader's metadata check, its JSON schema compiled once."""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor

from course.autograder.seams import compiled_metadata_validator


class CheckCellMetadata(NbGraderPreprocessor):
    """nbgrader's CheckCellMetadata (same checks, same messages) with the JSON schema compiled once."""

    def preprocess(self, nb, resources):
        import traceback

        from nbgrader.nbgraderformat import ValidationError

        try:
            compiled_metadata_validator()().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg) from None
        return nb, resources
