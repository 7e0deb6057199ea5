"""Preview for template authors: render with a case that may be incomplete, and show the gaps.

A value the case lacks is filled with a stand-in so the order still renders, and every
place it reaches is marked `[[motion.doc]]`, highlighted; so is a template variable that no
case gives. The list of what was missing is returned for the command to print.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import jinja2
from pydantic import ValidationError

from .case import Case, field_path
from .checklist import allowable_codes
from .engine import Engine, default_engine
from .errors import CaseFileError, ClauseError, ConversionError
from .rawdata import LocatedData, apply_override, read_data_file
from .resources import bundled_templates, default_template

_MARKER = re.compile(r"\[\[([A-Za-z0-9_.]+)\]\]")
# Stand-in dates are in 1901, so a date of 1901 in the order was counted from one.
_DERIVED_DATE = re.compile(r"\b(?:January|February|March|April|May|June|July|August|"
                           r"September|October|November|December) \d{1,2}, 1901\b")


@dataclass
class PreviewResult:
    docx: Path
    missing: list[str]
    undefined: list[str]
    pdf: Path | None = None
    pngs: list[Path] = field(default_factory=list)
    sources: list[Path] = field(default_factory=list)  # clause folders and chambers read


class _Recorder:
    def __init__(self) -> None:
        self.names: list[str] = []


def _preview_environment(recorder: _Recorder) -> jinja2.Environment:
    from .environment import make_environment

    class MarkedUndefined(jinja2.ChainableUndefined):
        def __str__(self) -> str:
            name = self._undefined_name or "value"
            recorder.names.append(name)
            return f"[[{name}]]"

        def __html__(self) -> str:
            return str(self)

    env = make_environment(autoescape=True)
    env.undefined = MarkedUndefined
    return env


def lenient_case(path: Path | None) -> tuple[Case, list[str], dict[str, str], Path]:
    """Validate a case, standing in for missing fields; returns the stand-ins to mark."""
    source = Path(path) if path else bundled_templates() / "sample-case.yaml"
    located = read_data_file(source)
    data = located.data if isinstance(located.data, dict) else {}
    missing: list[str] = []
    stand_ins: dict[str, str] = {}
    for attempt in range(200):
        try:
            case = Case.model_validate(data)
            if case.signed.place is None and "signed.place" not in missing:
                # Optional in the case file, but most styles' date blocks print it.
                missing.append("signed.place")
                apply_override(data, ("signed", "place"), "[[signed.place]]")
                continue
            return case, missing, stand_ins, source
        except ValidationError as exc:
            fixed = False
            for error in exc.errors():
                where = field_path(error["loc"])
                dotted = ".".join(str(p) for p in where)
                kind = error["type"]
                if kind == "missing" and dotted not in missing:
                    missing.append(dotted)
                    apply_override(data, where, f"[[{dotted}]]")
                    fixed = True
                elif dotted in missing:
                    fixed |= _retype(data, where, dotted, kind, error, stand_ins, attempt)
                elif isinstance(error.get("input"), str) and _MARKER.fullmatch(error["input"]):
                    # A marker `assembler new` wrote where a number, date or address goes.
                    missing.append(dotted)
                    fixed |= _retype(data, where, dotted, kind, error, stand_ins, attempt)
                elif kind in ("model_type", "model_attributes_type") and error["input"] is None:
                    apply_override(data, where, {})  # an emptied mapping: its fields go missing
                    fixed = True
            if not fixed:
                from .case import validate_case
                validate_case(LocatedData(data, located.lines, str(source)))  # raises, located
                raise CaseFileError("cannot be previewed", file=str(source)) from None
    raise CaseFileError("cannot be previewed", file=str(source))


_CASE_PATHS = {"defendant": ("defendants", 0), "plaintiff": ("plaintiffs", 0)}


def _standing_in(case: Case, dotted: str, stand_ins: dict[str, str], number: int) -> Case:
    """The case with a stand-in for the optional value at `dotted`: the marker itself where
    text will do, else a value of the field's type that the preview marks."""
    from .rawdata import dotted_path

    fields = case.model_dump(mode="json")
    where = dotted_path(dotted)
    # A clause names values as the order sees them: `defendant` is the first defendant.
    where = _CASE_PATHS.get(where[0], (where[0],)) + where[1:]
    apply_override(fields, where, f"[[{dotted}]]")
    try:
        return Case.model_validate(fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        if "IP" in str(error.get("msg", "")):
            value = f"192.0.2.{200 + number % 50}"
            stand_ins[value] = dotted
            apply_override(fields, where, value)
        elif not _retype(fields, where, dotted, error["type"], error, stand_ins, number):
            raise
        return Case.model_validate(fields)


def _retype(data: dict, where: tuple, dotted: str, kind: str, error: dict,
            stand_ins: dict[str, str], number: int) -> bool:
    """Replace a text stand-in with one of the type the field wants."""
    if kind.startswith("int") or kind in ("greater_than", "decimal_parsing"):
        value = str(987600 + number)
        stand_ins[value] = dotted
        if kind == "decimal_parsing":  # an amount prints as money
            from .environment import money
            stand_ins[money(int(value))] = dotted
    elif kind.startswith("date"):
        day = date(1901, 1, 1) + timedelta(days=number)
        from .deadlines import long_date, ordinal
        stand_ins[long_date(day)] = dotted
        stand_ins[f"{ordinal(day.day)} day of {day:%B} {day.year}"] = dotted
        value = day.isoformat()
    elif kind == "literal_error":
        value = re.findall(r"'([^']+)'", str(error.get("ctx", {}).get("expected", "")))[0]
    elif kind == "less_than_equal":  # the stand-in number is above the field's maximum
        value = str(int(error.get("ctx", {}).get("le", 1)) - number % 100)
    elif kind.startswith("bool"):
        value = "false"
    elif kind == "value_error" and dotted.endswith("ip_address"):
        value = f"198.51.100.{200 + number % 50}"  # RFC 5737: never a real subscriber
        stand_ins[value] = dotted
    elif kind in ("list_type",):
        value = []
    elif kind in ("model_type", "model_attributes_type", "dict_type"):
        value = {}
    else:
        return False
    apply_override(data, where, value)
    return True


def _mark(xml: str, stand_ins: dict[str, str]) -> str:
    """Turn stand-in values into markers, then highlight every marker in its own run."""
    def in_text(match: re.Match[str]) -> str:
        text = match.group(2)
        for value, dotted in stand_ins.items():
            text = text.replace(value, f"[[{dotted}]]")
        if "signed.date" in stand_ins.values():  # a deadline counted from the stand-in date
            text = _DERIVED_DATE.sub("[[a date counted from signed.date]]", text)
        text = _MARKER.sub(lambda m: f"[[{m.group(1).lower()}]]", text)
        return match.group(1) + text + match.group(3)

    xml = re.sub(r"(<w:t(?:\s[^>]*)?>)([^<]*)(</w:t>)", in_text, xml)
    xml = re.sub(r"\[\[([A-Z0-9_.]+)\]\]", lambda m: f"[[{m.group(1).lower()}]]", xml)

    def highlight(match: re.Match[str]) -> str:
        props, text = match.group(1) or "", match.group(2)
        if "[[" not in text:
            return match.group(0)
        inner = props[len("<w:rPr>"):-len("</w:rPr>")] if props else ""
        runs = []
        for piece in re.split(r"(\[\[[^\]]+\]\])", text):
            if not piece:
                continue
            marked = piece.startswith("[[") and piece.endswith("]]")
            extra = '<w:highlight w:val="yellow"/>' if marked else ""
            rpr = f"<w:rPr>{inner}{extra}</w:rPr>" if inner or extra else ""
            runs.append(f'<w:r>{rpr}<w:t xml:space="preserve">{piece}</w:t></w:r>')
        return "".join(runs)

    return re.sub(r"<w:r>(<w:rPr>.*?</w:rPr>)?<w:t(?:\s[^>]*)?>([^<]*)</w:t></w:r>",
                  highlight, xml)


def preview(target: Path | None, data: Path | None, output: Path, *, pdf: bool = False,
            png_dir: Path | None = None, soffice: str | Path | None = None,
            engine: Engine | None = None) -> PreviewResult:
    """Render TARGET (a .docx template or a .md clause) with DATA into OUTPUT, marked.

    `engine` holds the clause libraries between previews (`preview --watch` refreshes it
    before each one, so an edited clause or chambers profile is read again)."""
    from .authoring import library_root
    from .docx import CompiledTemplate
    from .output import write_atomic
    from .render import render_order

    case, missing, stand_ins, source = lenient_case(data)
    recorder = _Recorder()
    template_path, clause_folders = default_template(), ()
    if target is not None and target.suffix.lower() == ".md":
        clause_id = re.search(r"^id:\s*(\S+)", target.read_text(encoding="utf-8"),
                              flags=re.MULTILINE)
        if clause_id is None:
            raise CaseFileError("a clause needs an id in its front matter", file=str(target))
        clause_folders = (library_root(target),)
        from .clauses import ANY, parse_clause
        clause = parse_clause(target, clause_id.group(1))
        fields = case.model_dump(mode="json")
        fields["discussion"] = [{"clause": clause.id}]
        # Show the clause in an order it serves: its motion and outcome if the case's differ.
        if ANY not in clause.motions and case.motion.kind not in clause.motions:
            fields["motion"]["kind"] = clause.motions[0]
            from .motions import registry
            kind = registry().get(clause.motions[0]) if clause.motions[0] in registry() else None
            if kind is not None and "movant" in kind.requires:
                fields["motion"]["movant"] = fields["motion"].get("movant") or "defendant"
        if ANY not in clause.outcomes and case.ruling.outcome not in clause.outcomes:
            fields["ruling"]["outcome"] = clause.outcomes[0]
        case = Case.model_validate(fields)
    elif target is not None:
        template_path = target
    compiled = CompiledTemplate(template_path, _preview_environment(recorder))
    for attempt in range(50):
        try:
            order = render_order(case, case_dir=source.parent, template=compiled,
                                 clause_folders=clause_folders, engine=engine,
                                 allow=allowable_codes())
            break
        except ClauseError as exc:
            # An optional value a clause needs (isp, an IP address): stand in, and mark it.
            if not exc.field or exc.field in missing or "does not give" not in exc.message:
                raise
            missing.append(exc.field)
            try:
                case = _standing_in(case, exc.field, stand_ins, attempt)
            except (ValidationError, CaseFileError):
                raise exc from None  # not a value a case file gives: the clause is at fault
    package = order.document.package
    if "signed.date" in missing:  # the stand-in date is no date: write none
        from .docx.template import DocumentProperties, core_properties_xml
        package.parts["docProps/core.xml"] = core_properties_xml(
            DocumentProperties(title=order.title, when=None))
    for name in list(package.parts):
        if name.startswith("word/") and name.endswith(".xml") and (
                "document" in name or "header" in name or "footer" in name or "note" in name):
            package.parts[name] = _mark(package.parts[name].decode("utf-8"),
                                        stand_ins).encode("utf-8")
    write_atomic(output, order.document.to_bytes(), force=True)
    engine = engine or default_engine()
    chambers_folder = engine.chambers_for(case, source.parent)[1].folders
    result = PreviewResult(output, missing, sorted(set(recorder.names)),
                           sources=[*clause_folders, *chambers_folder])
    if case.chambers:
        result.sources.append((source.parent / case.chambers).resolve())
    if pdf or png_dir is not None:
        result.pdf, result.pngs = _pictures(output, png_dir, soffice, keep_pdf=pdf)
    return result


def _pictures(docx: Path, png_dir: Path | None, soffice: Any,
              keep_pdf: bool) -> tuple[Path | None, list[Path]]:
    from .pdf import PdfConverter

    with PdfConverter(soffice) as converter:
        (converted,) = converter.convert([docx], force=True)
    if converted.pdf is None:
        raise ConversionError(converted.error, file=str(docx))
    pngs: list[Path] = []
    if png_dir is not None:
        pdftoppm = shutil.which("pdftoppm")
        if pdftoppm is None:
            raise ConversionError("pdftoppm is not installed (Debian: apt-get install "
                                  "poppler-utils)")
        png_dir.mkdir(parents=True, exist_ok=True)
        for old in png_dir.glob("page-*.png"):
            old.unlink()
        with tempfile.TemporaryDirectory(dir=png_dir) as scratch:
            subprocess.run([pdftoppm, "-r", "80", "-png", str(converted.pdf),
                            str(Path(scratch) / "page")], check=True, timeout=120)
            for made in sorted(Path(scratch).glob("page-*.png"),
                               key=lambda p: int(p.stem.split("-")[-1])):
                target = png_dir / f"page-{int(made.stem.split('-')[-1])}.png"
                made.replace(target)
                pngs.append(target)
    if not keep_pdf:
        converted.pdf.unlink()
        return None, pngs
    return converted.pdf, pngs
