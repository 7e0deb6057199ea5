"""One order from a case file, as every front makes it: the library's single-order workflow.

`render_case` loads and validates the case file, composes the order once, cite-checks what
was composed, refuses a sealed-name leak or a Rule 5.2 error, renders the .docx, writes it
atomically (never over an existing file unless `force`) and, if asked, converts it to PDF.
A caller embedding assembler (a web form, a notebook) gets the guarantees the CLI gives.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .checks import Finding
from .engine import Engine
from .errors import AssemblerError, ConversionError, OutputError
from .output import write_atomic


@dataclass
class RenderReport:
    """What one render did: the files written, what to look at, and what wrote the order."""

    docx: Path
    title: str
    sealed: bool
    pdf: Path | None = None
    findings: list[Finding] = field(default_factory=list)   # cite-check, then Rule 5.2
    clauses_used: dict[str, str] = field(default_factory=dict)  # clause id -> sha256
    notes: list[str] = field(default_factory=list)            # e.g. how the court was read
    style: str = ""                                           # the court style's name
    used_files: tuple[tuple[str, str], ...] = ()              # (template|style|clauses, path)
    written_by_library: list[str] = field(default_factory=list)  # which clause wrote what
    library_notes: list[dict] = field(default_factory=list)      # the same, for --json


def render_case(case_file: Path | str, output: Path | str | None = None, *,
                overrides: tuple[str, ...] | list[str] = (), template: Path | None = None,
                sealed: bool = False, allow: tuple[str, ...] | list[str] = (),
                strict: bool = False, force: bool = False, pdf: bool = False,
                pdf_a: bool = False, soffice: Path | str | None = None,
                straight_quotes: bool = False, engine: Engine | None = None,
                style_folders: tuple[Path, ...] | list[Path] = (),
                on_finding: Callable[[Finding], None] | None = None,
                on_note: Callable[[str], None] | None = None) -> RenderReport:
    """Render the order a case file describes and write it; returns what was done.

    `output` is a file, or a folder for the default name (from the case number); by default
    the current folder. `overrides` are `path=value` settings applied to the case file.
    Every failure is an AssemblerError naming where, and nothing is written or replaced.
    """
    from .case import court_note, load_located_case, locate
    from .render import ensure_public_file_name, render_order

    case_file = Path(case_file)
    case, located = load_located_case(case_file, overrides)
    notes = [note] if (note := court_note(located, case)) else []
    if on_note is not None:
        for note in notes:
            on_note(note)
    try:
        order = render_order(case, case_dir=case_file.parent, template=template,
                             sealed=sealed, allow=allow, located=located, strict=strict,
                             on_finding=on_finding, engine=engine,
                             straight_quotes=straight_quotes, style_folders=tuple(style_folders))
    except AssemblerError as exc:
        locate(exc, located)  # a prose or clause problem: point at the case file's line
        raise
    target = _target(output, order.output_name)
    if not sealed:
        ensure_public_file_name(target, case, allow)
    with contextlib.ExitStack() as cleanup:  # the converter's profile, whatever happens
        converter = None
        if pdf or pdf_a:
            from .pdf import PdfConverter

            pdf_target = target.with_suffix(".pdf")
            if pdf_target.exists() and not force:
                raise OutputError("already exists", file=str(pdf_target), hint="overwrite")
            # Missing LibreOffice: fail before writing.
            converter = cleanup.enter_context(PdfConverter(soffice, pdf_a=pdf_a))
        replaced = os.path.lexists(target)  # only when forced: else write_atomic refuses
        write_atomic(target, order.data, force=force)
        if on_finding is not None:
            for finding in order.findings:
                on_finding(finding)
        report = RenderReport(docx=target, title=order.title, sealed=sealed,
                              findings=[*order.citations, *order.findings],
                              clauses_used=dict(order.clauses_used), notes=notes,
                              style=order.style, used_files=order.used_files,
                              written_by_library=list(order.written_by_library),
                              library_notes=list(order.library_notes))
        if converter is not None:
            (result,) = converter.convert([target], force=True)
            if result.pdf is None:
                if replaced:  # what was there is gone already: keep the new order
                    raise ConversionError(f"{result.error}; the .docx was written and kept",
                                          file=str(target))
                target.unlink(missing_ok=True)  # neither file: a retry finds nothing in its way
                raise ConversionError(f"{result.error}; nothing was written (the .docx was "
                                      "removed again, so a retry finds nothing in its way)",
                                      file=str(target))
            report.pdf = result.pdf
            from .fonts import substitution_note

            if note := substitution_note(target, result.pdf):  # a note, never an error
                report.notes.append(note)
                if on_note is not None:
                    on_note(note)
        return report


def _target(output: Path | str | None, name: str) -> Path:
    if output is None:
        return Path(name)
    output = Path(output)
    return output / name if output.is_dir() else output
