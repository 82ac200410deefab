"""The one family of errors a user can act on: each carries where the problem is."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class RemedyKind(enum.StrEnum):
    """What a person can do about a failure (the command line and the window each say it)."""

    CHOOSE_SHEET = "choose_sheet"  # the data may be on a sheet that was not read (a hidden one)
    CONFIRM_ENCODING = "confirm_encoding"  # the text may be in an older encoding: confirm it
    NAME_ENCODING = "name_encoding"  # the encoding is not recognized: name it
    MAP_FIELD = "map_field"  # a required field has no column: choose one


@dataclass(frozen=True, slots=True)
class Remedy:
    """A remedy as data, so that neither front end reads the other's words.

    The command line says it with its options (:meth:`command_line`, which the message that
    goes with it is built from); the window says which list, box or field to use. Build one
    with the class methods.
    """

    kind: RemedyKind
    # CHOOSE_SHEET: every sheet of the workbook as (name, state), in the workbook's order;
    # the state is "visible", "hidden" or "very hidden".
    sheets: tuple[tuple[str, str], ...] = ()
    fields: tuple[str, ...] = ()  # MAP_FIELD: the field ids, any one of which will do
    encoding: str | None = None  # CONFIRM_ENCODING: the encoding to confirm ("cp1252")

    @classmethod
    def choose_sheet(cls, sheets: Iterable[tuple[str, str]]) -> Remedy:
        return cls(RemedyKind.CHOOSE_SHEET, sheets=tuple(sheets))

    @classmethod
    def confirm_encoding(cls, encoding: str) -> Remedy:
        return cls(RemedyKind.CONFIRM_ENCODING, encoding=encoding)

    @classmethod
    def name_encoding(cls) -> Remedy:
        return cls(RemedyKind.NAME_ENCODING)

    @classmethod
    def map_field(cls, *fields: str) -> Remedy:
        return cls(RemedyKind.MAP_FIELD, fields=fields)

    def command_line(self) -> str:
        """The ``clearslate import`` option that applies it: ``--sheet``, ``--encoding cp1252``,
        ``--map person_key=HEADER or --map full_name=HEADER``."""
        if self.kind is RemedyKind.CHOOSE_SHEET:
            return "--sheet"
        if self.kind is RemedyKind.CONFIRM_ENCODING:
            return f"--encoding {self.encoding}"
        if self.kind is RemedyKind.NAME_ENCODING:
            return "--encoding"
        return " or ".join(f"--map {name}=HEADER" for name in self.fields)


class ClearSlateError(Exception):
    """An error whose message is shown to the user as is (never with a traceback).

    ``file``, ``sheet``, ``row`` and ``column`` say where the problem is when there is
    such a place; ``str()`` names them before the message.

    ``message`` is said as the command line says it (its remedy, if any, in option words).
    An optional ``remedy`` says what to do as data, and ``problem`` is the message without
    the remedy's words (the message itself when not given): the window says the problem,
    then the remedy in its own words, never reading the message.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        remedy: Remedy | None = None,
        problem: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.remedy = remedy
        self.problem = message if problem is None else problem
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
