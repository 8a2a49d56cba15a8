"""The one exception tree.

Every error a user can meet is a :class:`TestamentError`. It carries a diagnosis in three parts
(what went wrong, where, and what to do), plus optional per-field messages. The CLI prints
:meth:`TestamentError.diagnostics` and exits non-zero; later the JSON API will map the same tree to one
error envelope. Messages never carry personal data: they name paths, item IDs, entry indices and
checkpoint sizes, never the content of a record.
"""

from __future__ import annotations

from collections.abc import Mapping


class TestamentError(Exception):
    """Root of every error Testament raises on purpose."""

    exit_code = 1

    def __init__(
        self,
        what: str,
        *,
        where: str | None = None,
        hint: str | None = None,
        errors: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(what)
        self.what = what
        self.where = where
        self.hint = hint
        self.errors: dict[str, str] = dict(errors or {})

    def diagnostics(self) -> str:
        """A human-readable diagnosis: what, where, and what to do."""
        lines = [f"error: {self.what}"]
        if self.where:
            lines.append(f"  where: {self.where}")
        lines.extend(f"  {field}: {message}" for field, message in sorted(self.errors.items()))
        if self.hint:
            lines.append(f"  what to do: {self.hint}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        """The same diagnosis as data, for `--json` output and, later, the API envelope."""
        return {
            "error": self.what,
            "kind": type(self).__name__,
            "where": self.where,
            "hint": self.hint,
            "errors": dict(self.errors),
        }


class InvalidInput(TestamentError):
    """The input cannot be accepted as given (bad path, bad value, unsupported file kind)."""

    exit_code = 2


class NotFound(TestamentError):
    """A named thing (item, entry, checkpoint, home directory) does not exist."""

    exit_code = 3


class PermissionDenied(TestamentError):
    """The actor may not do this, or the operating system refused access."""

    exit_code = 4


class ConsentRequired(TestamentError):
    """A use of survivor data is not covered by a recorded consent grant."""

    exit_code = 5


class IntegrityError(TestamentError):
    """Stored evidence, custody records, the log or a checkpoint do not match what was committed."""

    exit_code = 6


class Conflict(TestamentError):
    """The request conflicts with the current state (already exists, changed while being read)."""

    exit_code = 7


class BackendUnavailable(TestamentError):
    """A database, blob store or other backend cannot be reached or has failed (disk full, I/O error)."""

    exit_code = 8
