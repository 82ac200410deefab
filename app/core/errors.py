"""The one family of errors a user can act on: each carries where the problem is."""

from __future__ import annotations


class ClearSlateError(Exception):
    """An error whose message is shown to the user as is (never with a traceback).

    ``file``, ``sheet``, ``row`` and ``column`` say where the problem is when there is
    such a place; ``str()`` names them before the message.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


class WorkspaceError(ClearSlateError):
    """The workspace file cannot be created, opened or trusted."""


class WorkspaceLocked(WorkspaceError):
    """Another copy of ClearSlate (or another process) holds the workspace."""


class AuthError(ClearSlateError):
    """Log-on failed, the account is locked or disabled, or the role is not allowed."""


class PermissionDenied(AuthError):
    """The user is logged on but their role may not do this."""


class ImportFailed(ClearSlateError):
    """A file cannot be read or imported; nothing was changed."""


class PolicyError(ClearSlateError):
    """A policy pack is malformed (names the pack, key and line)."""


class ExportError(ClearSlateError):
    """An export cannot be written or is refused (no valid sign-off, bad folder...)."""


class ReviewError(ClearSlateError):
    """A review decision is refused: missing reason, nothing to accept, an undo that conflicts."""


class Cancelled(ClearSlateError):
    """The user cancelled long work; everything it did was rolled back."""

    def __init__(self, message: str = "Cancelled: nothing was changed.") -> None:
        super().__init__(message)


class NotAvailable(ClearSlateError):
    """A command that a later release completes."""
