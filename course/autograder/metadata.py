"""``CheckCellMetadata``: nbgrader's metadata check, its JSON schema compiled once."""

from __future__ import annotations

import functools

from nbgrader.preprocessors import NbGraderPreprocessor


@functools.cache
def _metadata_validator_class():
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from nbgrader.nbgraderformat import MetadataValidator
    from nbgrader.nbgraderformat.common import BaseMetadataValidator

    class CompiledSchema(BaseMetadataValidator):
        """The base schema check, with the schema checked and compiled once (stock: on every cell)."""

        _compiled: dict[int, object] = {}

        def validate_cell(self, cell):
            meta = cell.metadata.get("nbgrader")
            if meta is None or meta.get("schema_version", 0) != self.schema_version:
                return super().validate_cell(cell)  # nbgrader's own too-old / too-new errors
            compiled = self._compiled.get(self.schema_version)
            if compiled is None:
                cls = validator_for(self.schema)
                cls.check_schema(self.schema)
                compiled = self._compiled[self.schema_version] = cls(self.schema)
            error = best_match(compiled.iter_errors(meta))
            if error is not None:
                raise error

    # nbgrader's validator calls super().validate_cell() for the schema check: CompiledSchema sits right
    # behind it in the method resolution order, so every other check is nbgrader's own code.
    return type("CompiledMetadataValidator", (MetadataValidator, CompiledSchema), {"__module__": __name__})


class CheckCellMetadata(NbGraderPreprocessor):
    """nbgrader's CheckCellMetadata (same checks, same messages) with the JSON schema compiled once."""

    def preprocess(self, nb, resources):
        import traceback

        from nbgrader.nbgraderformat import ValidationError

        try:
            _metadata_validator_class()().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg) from None
        return nb, resources
