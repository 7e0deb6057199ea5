"""The pipeline: case -> order text -> OOXML -> .docx bytes -> file on disk."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from . import __version__
from .case import Case
from .clauses import ClauseLibrary, ValueTable, holding_values
from .docx import CompiledTemplate, RenderedDocument
from .docx.template import DocumentProperties
from .engine import Engine, default_engine
from .environment import RenderLimitError, time_limit
from .checklist import blocks_render, rule_5_2_codes
from .checks import (Finding, minor_terms, package_privacy_findings, scan_package, scan_texts,
                     sealed_terms)
from .errors import CitationError, LeakError, PrivacyError, TemplateError
from .chambers import Chambers
from .order import OrderText, OrderWriter, style_for
from .output import write_atomic  # noqa: F401  (the library's name for it since 0.1)
from .prose import FootnoteBook, Styles, fill_ooxml, markdown_to_ooxml
from .styles import Style, check_template
from .rawdata import LocatedData


@dataclass
class RenderedOrder:
    """A rendered order: its bytes plus what produced it."""

    title: str
    document: RenderedDocument
    data: bytes
    clauses_used: dict[str, str]
    output_name: str
    findings: list[Finding]                  # Rule 5.2 findings (those not blocking)
    citations: list[Finding] = field(default_factory=list)  # the cite-check's, when asked
    style: str = ""                        # the court style's name
    used_files: tuple[tuple[str, str], ...] = ()   # (what, path): template, style, clauses
    written_by_library: list[str] = field(default_factory=list)  # a note per clause
    library_notes: list[dict] = field(default_factory=list)      # the same, as --json objects


def compile_template(path: Path | None = None) -> CompiledTemplate:
    """The compiled template at `path` (the bundled order by default), cached until it changes."""
    return default_engine().template(path)


def chambers_for(case: Case, case_dir: Path | None) -> tuple[Chambers, ClauseLibrary]:
    """The chambers profile a case names and its clause library (the default engine's)."""
    return default_engine().chambers_for(case, case_dir)


def output_name_for_number(case_number: str, sealed: bool = False) -> str:
    """A safe file name from a case number: 3:18-cv-01369 -> 3-18-cv-01369-order.docx (the
    sealed version's: 3-18-cv-01369-order-sealed.docx, so the two never take each other's
    place).

    Only letters, digits and single hyphens survive, so no name can climb out of a folder.
    """
    stem = re.sub(r"[^A-Za-z0-9]+", "-", case_number).strip("-")[:120] or "case"
    return f"{stem}-order{'-sealed' if sealed else ''}.docx"


def output_name(case: Case, sealed: bool = False) -> str:
    return output_name_for_number(case.case_number, sealed)


def case_digest(case: Case, sealed: bool = False) -> str:
    """A hash of the case data (recorded for provenance; the data itself never is).

    For the public version the hash leaves out what that version must not reveal (sealed
    names, minors' names): a hash of them would let anyone test a guessed name offline.
    """
    data = case.model_dump(mode="json")
    if not sealed:
        for side in ("plaintiffs", "defendants"):
            for party in data[side]:
                party.pop("sealed_name", None)
                if party.get("minor") and not party.get("pseudonym"):
                    party.pop("name", None)
                    party.pop("short_name", None)
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def render_order(case: Case, *, case_dir: Path | None = None,
                 template: Path | CompiledTemplate | None = None, sealed: bool = False,
                 allow: tuple[str, ...] | list[str] = (),
                 clause_folders: tuple[Path, ...] = (), located: LocatedData | None = None,
                 strict: bool = False, on_finding: Callable[[Finding], None] | None = None,
                 engine: Engine | None = None, straight_quotes: bool = False,
                 style_folders: tuple[Path, ...] = ()) -> RenderedOrder:
    """Render a validated case to a .docx (public version unless `sealed`).

    The court style (the case's `style:`, the chambers', or the court's) gives the template
    unless `template` is given; `style_folders` are searched for styles before the bundled ones.

    The order is composed once; given `located` (the case file as read, for lines), its prose
    and clauses are cite-checked as composed, each finding passed to `on_finding` as it is
    known, and with `strict` a citation error stops the render. The public version is
    scanned, every part and the file name, for sealed terms before any byte leaves this
    function; an error-level Rule 5.2 finding not named in `allow` blocks it. Straight quotes
    in the prose become typographic ones unless `straight_quotes` or the chambers profile
    says to keep them.
    """
    engine = engine or default_engine()
    chambers, _ = engine.chambers_for(case, case_dir)
    style = style_for(case, chambers, tuple(style_folders))
    if not isinstance(template, CompiledTemplate):  # compiling is not rendering: not timed
        if template is None:  # the court style's template, checked once
            template = engine.template(style.template)
            _check_style_template(style, template)
        else:
            template = engine.template(template)
    try:
        with time_limit():
            return _render(case, case_dir, template, sealed, allow, clause_folders, located,
                           strict, on_finding or (lambda finding: None), engine,
                           straight_quotes, style)
    except RenderLimitError as exc:  # out of time or memory outside a template's own render
        raise TemplateError(str(exc)) from None


def _render(case: Case, case_dir: Path | None, template: Path | CompiledTemplate | None,
            sealed: bool, allow: tuple[str, ...] | list[str], clause_folders: tuple[Path, ...],
            located: LocatedData | None, strict: bool, on_finding: Callable[[Finding], None],
            engine: Engine, straight_quotes: bool, style: Style) -> RenderedOrder:
    compiled = template
    chambers, library = engine.chambers_for(case, case_dir)
    if clause_folders:  # e.g. the folder of a clause being previewed, searched first
        library = ClauseLibrary([*clause_folders, *library.folders])
    wanted = _sections_used(compiled)
    prose_styles = Styles(heading_levels=tuple(style.profile.heading_styles))
    book = FootnoteBook()
    citations: list[Finding] = []
    with holding_values() as values:
        text = OrderWriter(library).compose(case, chambers, sealed=sealed, style=style)
        if located is not None:
            citations = _cite_check(text, values, located, strict, on_finding)
        smart = not (straight_quotes or chambers.straight_quotes)
        sections = {name: Markup(fill_ooxml(markdown_to_ooxml(source, book, where=name,
                                                              styles=prose_styles,
                                                              smart_quotes=smart), values))
                    if source.strip() and name in wanted and name != "body" else ""
                    for name, source in text.sections.items()}
        if "body" in wanted:  # each section converted on its own: errors name the section
            sections["body"] = Markup("".join(
                fill_ooxml(markdown_to_ooxml(source, book, where=name, styles=prose_styles,
                                             smart_quotes=smart), values)
                for name, source in text.body_parts))
        sections["attachments"] = [
            {"title": values.fill_text(a["title"]),
             "body": Markup(fill_ooxml(markdown_to_ooxml(a["body"], book, where="attachment",
                                                         smart_quotes=smart), values))}
            for a in text.attachments]
        footnotes = {key: fill_ooxml(body, values) for key, body in book.bodies.items()}
    context = dict(text.context)
    context["sections"] = sections
    provenance = {
        "assembler.version": __version__,
        "assembler.template": f"{compiled.name} sha256:{compiled.sha256}",
        "assembler.clauses": "; ".join(f"{cid} sha256:{digest}"
                                       for cid, digest in sorted(text.clauses_used.items())),
        "assembler.case": f"sha256:{case_digest(case, sealed)}",
        "assembler.version_kind": "sealed" if sealed else "public",
    }
    document = compiled.render(context, footnotes,
                               DocumentProperties(title=text.title, when=case.signed.date,
                                                  custom=provenance))
    name = output_name(case, sealed)
    findings = package_privacy_findings(document.package.parts)
    if not sealed:
        _refuse_leaks(scan_package(document.package.parts, sealed_terms(case), name))
        findings += scan_package(document.package.parts, minor_terms(case), name)
    blocking = [f for f in findings if f.level == "error" and blocks_render(f.code, allow)]
    if blocking:
        first = blocking[0]
        more = f" (and {len(blocking) - 1} more)" if len(blocking) > 1 else ""
        rule = "Rule 5.2: " if first.code in rule_5_2_codes() else ""
        raise PrivacyError(f"{rule}{first.message} in {first.where}{more}; nothing was "
                           "written", hint="allow", code=first.code)
    used = (("template", str(compiled.path)),
            *(("style", str(source)) for source in style.sources),
            *(("clauses", str(folder)) for folder in library.folders))
    return RenderedOrder(title=text.title, document=document, data=document.to_bytes(),
                         clauses_used=text.clauses_used, output_name=name, findings=findings,
                         citations=citations, style=style.name, used_files=used,
                         written_by_library=[str(note) for note in text.notes],
                         library_notes=[note.as_dict() for note in text.notes])


def _sections_used(compiled: CompiledTemplate) -> frozenset[str]:
    """The `sections.NAME` values a template prints (only those are converted)."""
    found = getattr(compiled, "_sections_used", None)
    if found is None:
        names = set()
        for source in compiled.sources.values():
            names.update(re.findall(r"sections\.(\w+)", source))
        found = frozenset(names)
        compiled._sections_used = found  # type: ignore[attr-defined]
    return found


_CHECKED: set[tuple[str, str]] = set()


def _check_style_template(style: Style, compiled: CompiledTemplate) -> None:
    """Once per style and template version: the template prints what every order needs."""
    if (style.name, compiled.sha256) not in _CHECKED:
        check_template(style, compiled.sources)
        _CHECKED.add((style.name, compiled.sha256))


def _cite_check(text: OrderText, values: ValueTable, located: LocatedData, strict: bool,
                on_finding: Callable[[Finding], None]) -> list[Finding]:
    """Cite-check the composed order: its prose with the clauses' values written back in."""
    from .cites import check_order_citations

    pieces = [(section, kind, origin, values.fill_markdown(markdown))
              for section, kind, origin, markdown in text.pieces]
    citations = check_order_citations(pieces, located)
    for finding in citations:
        on_finding(finding)
    errors = sum(f.level == "error" for f in citations)
    if strict and errors:
        raise CitationError(f"the cite-check found {errors} error{'s' * (errors != 1)} "
                            "(listed above); nothing was written", file=located.source,
                            hint="strict")
    return citations


def _refuse_leaks(leaks: list[Finding]) -> None:
    if leaks:
        first = leaks[0]
        more = (f" (and {len(leaks) - 1} more place{'s' if len(leaks) > 2 else ''})"
                if len(leaks) > 1 else "")
        raise LeakError(f"the public version would reveal a sealed name: {first.subject} "
                        f"appears in {first.where}{more}; nothing was written")


def ensure_public_file_name(path: Path, case: Case, allow: tuple[str, ...] | list[str] = ()
                            ) -> None:
    """A public order's path, folders and file name, must not carry a sealed term or a
    minor's name either."""
    where = [("the output path", str(path))]
    _refuse_leaks(scan_texts(where, sealed_terms(case)))
    if "minor-name" not in allow:
        minors = scan_texts(where, minor_terms(case))
        if minors:
            raise PrivacyError(f"Rule 5.2: {minors[0].message} in the output path; nothing "
                               "was written", hint="allow", code="minor-name")
