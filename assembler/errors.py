"""One error hierarchy; every error carries where it happened so the CLI can say so in one line."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass
class AssemblerError(Exception):
    """Base of every error a user should read: a message plus its location."""

    message: str
    file: str | None = None
    line: int | None = None
    row: int | None = None
    field: str | None = None
    clause: str | None = None
    details: list[str] = dataclasses.field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def located(self) -> str:
        """The `file:line: field:` prefix (or `file:row N:`), as much of it as is known."""
        where = []
        if self.file:
            spot = self.file
            if self.line is not None:
                spot += f":{self.line}"
            elif self.row is not None:
                spot += f":row {self.row}"
            where.append(spot)
        elif self.row is not None:
            where.append(f"row {self.row}")
        if self.clause:
            where.append(f"clause {self.clause}")
        if self.field:
            where.append(self.field)
        return ": ".join(where)

    def __str__(self) -> str:
        prefix = self.located()
        return f"{prefix}: {self.message}" if prefix else self.message


class CaseFileError(AssemblerError):
    """The case file (or a CSV row) cannot be read or does not validate."""


class TemplateError(AssemblerError):
    """A template or clause is broken, unsafe, or needs something the case lacks."""


class ClauseError(TemplateError):
    """A clause is unknown, malformed, or does not serve the motion and outcome."""


class OutputError(AssemblerError):
    """The output cannot be written (exists, unsafe name, disk)."""


class LeakError(AssemblerError):
    """A sealed term would appear in a public document."""


class PrivacyError(AssemblerError):
    """An error-level Rule 5.2 finding blocks writing."""


class CitationError(AssemblerError):
    """The cite-check found errors and --strict asked for them to block."""


class ConversionError(AssemblerError):
    """LibreOffice is missing or a conversion failed."""
