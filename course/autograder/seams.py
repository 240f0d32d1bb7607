"""Every place the course reaches into a private part of nbgrader or jupyter_client, and nowhere else.

Each seam below does something no public API offers, says why, and was written against the versions in
:data:`WRITTEN_FOR`. ``tests/test_seams.py`` pins those versions against the installed ones and the lock
(``requirements.txt``), checks that each private name used here still exists with the signature relied on, and
checks that no other module of ``course/`` names any of them: an upgrade fails there first, naming the seam to
re-read, instead of somewhere in a grading run.

The seams:

- :class:`HookedKernelManager`: jupyter_client's ``AsyncKernelManager`` with two hooks around its private start
  and clean-up steps (``_async_pre_start_kernel``, ``_async_cleanup_resources``): where the grading and the
  practice kernels put their ipc sockets and limits, and remove them. jupyter_client has no public hook there.
- :func:`record_kernel_info` and :func:`client_alive`: the two private steps of jupyter_client's
  ``wait_for_ready`` that the grading kernel's client repeats (it skips only the 0.2 s idle wait).
- :func:`one_commit_per_notebook` and :func:`score_cells`: nbgrader's ``SaveAutoGrades`` commits after every
  cell and opens its own gradebook in ``preprocess``; the course flushes per cell and commits once.
- :func:`compiled_metadata_validator`: nbgrader's metadata validator with the JSON schema compiled once; it sits
  in nbgrader's method resolution order behind ``MetadataValidator``, so every check but the schema's is
  nbgrader's own code.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager

from jupyter_client.manager import AsyncKernelManager

#: The versions each seam was written and tested against (the lock's pins).
WRITTEN_FOR = {"nbgrader": "0.9.6", "jupyter_client": "8.10.0"}

#: The private names the seams use, by the class that defines them (tests/test_seams.py checks each).
PRIVATE_NAMES = {
    "jupyter_client.manager.AsyncKernelManager": ("_async_pre_start_kernel", "_async_cleanup_resources"),
    "jupyter_client.client.KernelClient": ("_handle_kernel_info_reply", "_async_is_alive"),
    "nbgrader.nbgraderformat.MetadataValidator": ("validate_cell",),
    "sqlalchemy.orm.Session": ("commit", "flush"),
}


class HookedKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` with a hook before a kernel starts and one after its resources are cleaned up."""

    def before_start(self, kw: dict) -> dict:
        """Return the keyword arguments the kernel starts with (set ``transport``, ``ip``, ``connection_file``
        here); called once per start, before jupyter_client writes the connection file."""
        return kw

    def after_cleanup(self, restart: bool) -> None:
        """Called after jupyter_client has removed the kernel's connection file and sockets."""

    async def _async_pre_start_kernel(self, **kw):
        return await super()._async_pre_start_kernel(**self.before_start(kw))

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        self.after_cleanup(restart)

    cleanup_resources = _async_cleanup_resources  # AsyncKernelManager binds the base class's coroutine


def record_kernel_info(client, msg: dict) -> None:
    """What jupyter_client's ``wait_for_ready`` does with the ``kernel_info_reply`` (the protocol version)."""
    client._handle_kernel_info_reply(msg)


async def client_alive(client) -> bool:
    """Whether the client's kernel is still running, as ``wait_for_ready`` asks it."""
    return await client._async_is_alive()


@contextmanager
def one_commit_per_notebook(session):
    """Within the block, the gradebook session's commits are flushes; at its end, one commit (none if the block
    raised: the gradebook stays as it was rather than half-updated)."""
    session.commit = session.flush
    try:
        yield
    finally:
        del session.commit
    session.commit()


def score_cells(preprocessor, nb, resources):
    """Run ``preprocessor`` over the cells as nbgrader's base preprocessor does, without ``SaveAutoGrades``'
    own ``preprocess`` (which opens a gradebook of its own)."""
    from nbgrader.preprocessors import NbGraderPreprocessor  # here: a learner's practice imports this module

    return NbGraderPreprocessor.preprocess(preprocessor, nb, resources)


@functools.cache
def compiled_metadata_validator():
    """nbgrader's ``MetadataValidator`` class with the base schema check compiled once (stock: on every cell)."""
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from nbgrader.nbgraderformat import MetadataValidator
    from nbgrader.nbgraderformat.common import BaseMetadataValidator

    class CompiledSchema(BaseMetadataValidator):
        """The base schema check, with the schema checked and compiled once."""

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
