"""One error hierarchy; every error carries where it happened so the CLI can say so in one line."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


_BREAKS = {ord(c): repr(c)[1:-1] for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"}


def one_line(text: str) -> str:
    """`text` with its line breaks written as escapes (a value quoted in a message may hold
    them): an error is one line, whatever it quotes."""
    return text.translate(_BREAKS)


def terminal_safe(text: str) -> str:
    """`text` with every character a terminal would act on or hide shown as an escape: line
    breaks as `\\n` and the like, other control characters (ESC sequences), format and bidi
    controls as `\\u....`. A message built from a value stays one line, and shows what it
    quotes."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _BREAKS.get(ord(char)) or (
        f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
        for char in text)


@dataclass
class Location:
    """Where something is: in a case file, a CSV row, a clause, or a template's part and paragraph.

    Errors and findings share it; `--json` prints its fields, and its text is the one-line
    prefix `file:line: clause X: field`, with a template's part and paragraph when known.
    """

    file: str | None = None
    line: int | None = None
    row: int | None = None
    field: str | None = None
    clause: str | None = None
    part: str | None = None         # a template part ("body", "word/footnotes.xml") or section
    paragraph: str | None = None    # the paragraph's text as Word shows it

    def __str__(self) -> str:
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
        if self.part:
            where.append(self.part)
        if self.paragraph is not None:
            where.append(f"paragraph \u201c{self.paragraph}\u201d")
        if self.field:
            where.append(self.field)
        return ": ".join(where)

    def as_dict(self) -> dict[str, Any]:
        """The known fields, for JSON."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


# The remedies an error may name as its `hint`; each front says how (the CLI: hints.py).
HINTS = ("overwrite", "replace", "allow", "strict", "resume", "resume-or-restart")


@dataclass
class AssemblerError(Exception):
    """Base of every error a user should read: a message plus its location.

    `hint` names a remedy a front knows how to offer (one of HINTS: "overwrite" the file,
    "allow" the finding `code`, or that citation errors block only when asked: "strict");
    a library message never names a command-line option.
    """

    message: str
    file: str | None = None
    line: int | None = None
    row: int | None = None
    field: str | None = None
    clause: str | None = None
    details: list[str] = dataclasses.field(default_factory=list)
    part: str | None = None
    paragraph: str | None = None
    hint: str | None = None
    code: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.row, self.field, self.clause, self.part,
                        self.paragraph)

    def located(self) -> str:
        """The `file:line: field:` prefix (or `file:row N:`), as much of it as is known."""
        return str(self.location)

    def __str__(self) -> str:
        prefix = self.located()
        return terminal_safe(f"{prefix}: {self.message}" if prefix else self.message)

    def as_dict(self) -> dict[str, Any]:
        """The error as one JSON object: level, kind, message, location fields, hint."""
        record: dict[str, Any] = {"level": "error", "kind": type(self).__name__,
                                  "message": self.message, **self.location.as_dict()}
        if self.code:
            record["code"] = self.code
        if self.hint:
            record["hint"] = self.hint
        return record


class CaseFileError(AssemblerError):
    """The case file (or a CSV row) cannot be read or does not validate."""


class TemplateError(AssemblerError):
    """A template or clause is broken, unsafe, or needs something the case lacks."""


class ClauseError(TemplateError):
    """A clause is unknown, malformed, or does not serve the motion and outcome."""


class DocumentError(AssemblerError):
    """A document given to be checked (.docx, PDF) cannot be read."""


class OutputError(AssemblerError):
    """The output cannot be written (exists, unsafe name, disk)."""


class LeakError(AssemblerError):
    """A sealed term would appear in a public document."""


class PrivacyError(AssemblerError):
    """An error-level Rule 5.2 finding blocks writing."""


class CitationError(AssemblerError):
    """The cite-check found errors and the caller asked for them to block."""


class ConversionError(AssemblerError):
    """LibreOffice is missing or a conversion failed."""
