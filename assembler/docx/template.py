"""A .docx template compiled once (parse, patch, compile Jinja) and rendered many times.

docxtpl's tag patching turns Word's XML into Jinja source (tags that Word split across runs are
joined; `{%p %}`/`{{p }}` act on whole paragraphs). Everything after that is ours: the sandboxed
environment for every part, real footnotes, clean metadata and a reproducible zip.
"""

from __future__ import annotations

import hashlib
import html
import re
import zlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

import jinja2

from .. import cache
from ..environment import render_limited, template_line, undefined_message
from ..errors import TemplateError
from . import numbering
from .package import (Compressed, Package, PackageTooLarge, compress, compress_head,
                      read_package, write_package)
from .text import visible_text, xml_escape as escape

if TYPE_CHECKING:
    from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_FOOTNOTES = R + "/footnotes"
REL_NUMBERING = R + "/numbering"
REL_CUSTOM = R + "/custom-properties"
REL_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
REL_APP = R + "/extended-properties"
REL_THUMBNAIL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"
CT_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
CT_NUMBERING = "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"
CT_CUSTOM = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
CT_APP = "application/vnd.openxmlformats-officedocument.extended-properties+xml"

RENDERED = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")
_FOOTNOTE_REF = re.compile(r'<w:footnoteReference w:id="(asm:\d+|-?\d+)"\s*/>')
_FOOTNOTE = re.compile(r'<w:footnote\b[^>]*?w:id="(-?\d+)"[^>]*>.*?</w:footnote>', re.DOTALL)
_TRACKED = re.compile(r"<w:(ins|del|moveFrom|moveTo|rPrChange|pPrChange)[ >]")
_HIDDEN = re.compile(r"<w:(vanish|specVanish|webHidden)\s*/>"
                     r"|<w:(vanish|specVanish|webHidden)\s+w:val=\"(true|1|on)\"")
_AUTHOR_IDS = re.compile(r'\s(?:w:rsid\w*|w14:paraId|w14:textId)="[0-9A-Fa-f]+"')
_TAB_IN_TEXT = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*\t[^<]*)</w:t>")
_DOC_IDS = re.compile(rb'(<w1[45]:docId w1([45]):val=")[^"]*("\s*/>)')
# Office keeps at most 255 characters of a document property.
PROPERTY_LIMIT = 255
_EMPTY_FOOTNOTES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes xmlns:w="{W}" '
    f'xmlns:r="{R}"><w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing '
    'w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p>'
    '</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing '
    'w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/>'
    '</w:r></w:p></w:footnote></w:footnotes>')


@dataclass(frozen=True)
class DocumentProperties:
    """Core and custom properties written into a rendered document (nothing else is kept).

    `when` is the order's date, written as created and modified; with None neither is written.
    """

    title: str
    when: date | None
    custom: Mapping[str, str] = field(default_factory=dict)


@dataclass
class RenderedDocument:
    """A rendered package, before it is zipped (checks such as the leak scan read it here)."""

    package: Package
    cache: dict[str, Compressed] = field(default_factory=dict)
    recent: dict[str, Compressed] | None = None

    def to_bytes(self) -> bytes:
        return write_package(self.package, self.cache, self.recent)


class CompiledTemplate:
    """A template read, cleaned and compiled once; `render` is then cheap and repeatable."""

    def __init__(self, path: Path, env: jinja2.Environment, *, footnote_style: str = "FootnoteText",
                 footnote_reference_style: str = "FootnoteReference"):
        self.path = Path(path)
        self.name = self.path.name
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            raise TemplateError(f"cannot read template: {exc.strerror}", file=str(path)) from None
        self.sha256 = hashlib.sha256(raw).hexdigest()
        self.footnote_style = footnote_style
        self.footnote_reference_style = footnote_reference_style
        parts, self.sources = _prepared(raw, str(path), self.name)
        self.base = Package(parts)
        styles = parts.get("word/styles.xml", b"").decode("utf-8", "replace")
        try:
            self.numbering = numbering.Numbering(
                parts.get(numbering.PART),
                numbering.referenced_num_ids([styles, *self.sources.values()]),
                numbering.style_ids(styles))
        except numbering.NumberingError as exc:
            raise TemplateError(str(exc), file=f"{self.name}:{numbering.PART}") from None
        self.base.parts[numbering.PART] = self.numbering.empty
        # settings.xml cut around Word's document ids, which each order fills with its own.
        self._settings = _DOC_IDS.split(parts.get("word/settings.xml", b""))
        self._settings_head = compress_head(self._settings[0])
        self.compiled: dict[str, jinja2.Template] = {}
        # Deflated once: the parts that every document copies unchanged.
        self.recent: dict[str, Compressed] = {}
        self.static = {name: compress(data) for name, data in self.base.parts.items()
                       if not RENDERED.match(name)
                       and name not in ("docProps/core.xml", "docProps/custom.xml")}
        for name, source in self.sources.items():
            try:
                self.compiled[name] = cache.jinja_template(env, source)
            except jinja2.TemplateSyntaxError as exc:
                raise TemplateError(
                    f"Jinja syntax error: {exc.message} (in the paragraph "
                    f"\"{_paragraph_at(source, exc.lineno)}\")",
                    file=f"{self.name}:{name}") from None

    def _error(self, part: str, exc: BaseException, message: str) -> TemplateError:
        """A render error naming the template, its part and the paragraph as Word shows it."""
        paragraph = _paragraph_at(self.sources.get(part, ""), template_line(exc))
        return TemplateError(message, file=self.name, part=part, paragraph=paragraph or None)

    def render(self, context: Mapping[str, Any], footnotes: Mapping[str, str],
               properties: DocumentProperties) -> RenderedDocument:
        """Fill every part; `footnotes` maps the prose layer's keys to footnote paragraphs."""
        package = self.base.copy()
        rendered: dict[str, str] = {}
        for name, template in self.compiled.items():
            try:
                xml = render_limited(template, context)
            except jinja2.UndefinedError as exc:
                raise self._error(name, exc, undefined_message(exc)) from None
            except jinja2.TemplateError as exc:
                raise self._error(name, exc, f"template error: {exc}") from None
            except (ArithmeticError, ValueError, TypeError, LookupError, AttributeError,
                    RecursionError) as exc:  # a filter or function given what it cannot take
                raise self._error(name, exc, f"template error: {exc}") from None
            # Undo the line breaks put before paragraphs for Jinja's line numbers.
            xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
            rendered[name] = (xml.replace("{_{", "{{").replace("}_}", "}}")
                              .replace("{_%", "{%").replace("%_}", "%}"))
        self._place_footnotes(rendered, footnotes)
        package.parts[numbering.PART] = self.numbering.render(rendered)
        for name, xml in rendered.items():
            if "\t" in xml:
                xml = _TAB_IN_TEXT.sub(_tabs_as_elements, xml)
            package.parts[name] = xml.encode("utf-8")
        if len(self._settings) > 1:
            tail = _document_ids(self._settings, package.parts["word/document.xml"])
            # Only the end of settings.xml differs between orders: deflate just that.
            entry = self._settings_head.followed_by(tail)
            package.parts["word/settings.xml"] = entry.source
            self.recent["word/settings.xml"] = entry
        package.parts["docProps/core.xml"] = core_properties_xml(properties)
        package.parts["docProps/custom.xml"] = _custom_xml(properties.custom)
        return RenderedDocument(package, self.static, self.recent)

    def _place_footnotes(self, rendered: dict[str, str], footnotes: Mapping[str, str]) -> None:
        notes_xml = rendered.get("word/footnotes.xml", _EMPTY_FOOTNOTES)
        kept = {m.group(1): m.group(0) for m in _FOOTNOTE.finditer(notes_xml)}
        next_id = max([int(i) for i in kept] + [0]) + 1
        used: set[str] = set()
        added: list[str] = []

        def number(match: re.Match[str]) -> str:
            nonlocal next_id
            key = match.group(1)
            if not key.startswith("asm:"):
                used.add(key)
                return match.group(0)
            note_id = str(next_id)
            next_id += 1
            added.append(self._footnote(note_id, footnotes[key]))
            return f'<w:footnoteReference w:id="{note_id}"/>'

        for name in sorted(rendered, key=lambda n: n != "word/document.xml"):
            if name != "word/footnotes.xml":
                rendered[name] = _FOOTNOTE_REF.sub(number, rendered[name])
        # Keep separators and the template's own footnotes that are still referenced; a
        # footnote whose reference a condition removed goes too (its number would drift).
        def keep(match: re.Match[str]) -> str:
            note_id = match.group(1)
            return match.group(0) if int(note_id) <= 0 or note_id in used else ""

        notes_xml = _FOOTNOTE.sub(keep, notes_xml)
        close = notes_xml.rindex("</w:footnotes>")
        rendered["word/footnotes.xml"] = notes_xml[:close] + "".join(added) + notes_xml[close:]

    def _footnote(self, note_id: str, paragraphs: str) -> str:
        mark = (f'<w:r><w:rPr><w:rStyle w:val="{self.footnote_reference_style}"/></w:rPr>'
                '<w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> </w:t></w:r>')
        # The number mark goes at the start of the first paragraph, after its properties.
        head = re.match(r"<w:p>(<w:pPr>.*?</w:pPr>)?", paragraphs)
        if head is None:
            paragraphs = f'<w:p><w:pPr><w:pStyle w:val="{self.footnote_style}"/></w:pPr></w:p>'
            head = re.match(r"<w:p>(<w:pPr>.*?</w:pPr>)?", paragraphs)
        cut = head.end()
        return (f'<w:footnote w:id="{note_id}">' + paragraphs[:cut] + mark + paragraphs[cut:]
                + "</w:footnote>")


def _tabs_as_elements(match: re.Match[str]) -> str:
    """A tab typed into text is a `w:tab` element in WordprocessingML, never a character."""
    pieces = match.group(1).split("\t")
    return "<w:tab/>".join(f'<w:t xml:space="preserve">{piece}</w:t>' if piece else ""
                           for piece in pieces)


def _document_ids(pieces: list[bytes], document: bytes) -> bytes:
    """The end of settings.xml from its first document id on, with Word's document ids
    (w14:docId, w15:docId) derived from the order's body: two different orders never share
    one, and the same order keeps its own.

    `pieces` is settings.xml split by `_DOC_IDS`: text, then (start, 14 or 15, end, text) per id.
    """
    # w14:docId is a 32-bit value Word reads as a positive signed integer: a CRC of the body.
    w14 = b"%08X" % (zlib.crc32(document) & 0x7FFFFFFF)
    out = []
    for index in range(1, len(pieces), 4):
        start, kind, end, text = pieces[index:index + 4]
        if kind == b"4":
            out.append(start + w14 + end)
        else:
            digest = hashlib.sha256(document).hexdigest().upper().encode()
            out.append(start + b"{%s-%s-%s-%s-%s}" % (digest[:8], digest[8:12], digest[12:16],
                                                       digest[16:20], digest[20:32]) + end)
        out.append(text)
    return b"".join(out)


def _prepared(raw: bytes, path: str, name: str) -> tuple[dict[str, bytes], dict[str, str]]:
    """The cleaned package's parts and the Jinja source of each rendered part.

    Kept in the cache by the template's bytes: a template that was refused is never stored.
    """
    entry = cache.key("template", raw)
    stored = cache.load_value("template", entry, lambda v: isinstance(v, tuple) and len(v) == 2
                              and isinstance(v[0], dict) and isinstance(v[1], dict))
    if stored is not None:
        return stored
    try:
        package = read_package(raw)
    except PackageTooLarge as exc:
        raise TemplateError(str(exc), file=path) from None
    except Exception:  # zipfile raises several types for a file that is not a .docx
        raise TemplateError("not a .docx file (not a valid zip package)", file=path) from None
    if "word/document.xml" not in package.parts:
        raise TemplateError("not a Word document (no word/document.xml)", file=path)
    check_intake(package, path)
    base = _clean_package(package)
    from docxtpl import DocxTemplate  # only when a template is first prepared

    patcher = DocxTemplate(None)
    sources: dict[str, str] = {}
    for part, data in base.parts.items():
        if RENDERED.match(part):
            source = patcher.patch_xml(data.decode("utf-8"))
            sources[part] = re.sub(r"<w:p([ >])", r"\n<w:p\1", source)
    cache.store_value("template", entry, (base.parts, sources))
    return base.parts, sources


def check_intake(package: Package, path: str) -> None:
    """What makes a template unusable (raised as a TemplateError): a part missing or broken,
    tracked changes, comments or hidden text. Render and lint both ask this."""
    _check_package_parts(package, path)
    _refuse_risky_parts(package, Path(path).name)
    _refuse_hidden_content(package, Path(path).name)


_REQUIRED_PARTS = ("[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels")


def _check_package_parts(package: Package, path: str) -> None:
    """Every part Word needs is there, and every XML part is well-formed UTF-8 (the rest of
    the pipeline reads them as such)."""
    from lxml import etree

    for part in _REQUIRED_PARTS:
        if part not in package.parts:
            raise TemplateError(f"{part}: missing, so Word could not open the documents made "
                                "from it (save the template again in Word)", file=path)
    for part, data in package.parts.items():
        if not part.endswith((".xml", ".rels")):
            continue
        try:
            data.decode("utf-8")
            etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        except UnicodeDecodeError:
            raise TemplateError(f"{part}: not UTF-8 text (save the template again in Word)",
                                file=path) from None
        except etree.XMLSyntaxError as exc:
            raise TemplateError(f"{part}: not well-formed XML ({exc.msg}; save the template "
                                "again in Word)", file=path) from None


# What a template must not carry into every order made from it, by relationship type.
_RISKY_RELATIONSHIPS = {
    "attachedTemplate": "an attached template (Word fetches it when the order is opened)",
    "aFChunk": "an altChunk (foreign content, such as HTML, that Word imports)",
    "vbaProject": "macros (a VBA project)",
    "oleObject": "an embedded OLE object",
    "control": "an ActiveX control",
    "glossaryDocument": "a glossary (building blocks)",
    "package": "an embedded package",
}
_RISKY_PARTS = (
    (re.compile(r"(^|/)vbaProject\.bin$|(^|/)vbaData\.xml$", re.I), "macros (a VBA project)"),
    (re.compile(r"^word/activeX/", re.I), "an ActiveX control"),
    (re.compile(r"^word/embeddings/", re.I), "an embedded object"),
    (re.compile(r"^word/glossary/", re.I), "a glossary (building blocks)"),
)
_RELATIONSHIP = re.compile(r"<Relationship\b[^>]*>")
_ATTRIBUTE = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SAFE_TAG = re.compile(r"\{[{%](?:(?!\}\}|%\}).)*\|\s*safe\b", re.S)


def _refuse_risky_parts(package: Package, name: str) -> None:
    """External relationships, attached templates, macros, altChunk, ActiveX and OLE, a
    glossary, entry names that climb out of the package, DOCTYPEs, and `|safe` (which would
    turn a value into markup): each is refused, naming the part and the reason."""
    for part, data in package.parts.items():
        where = f"{name}:{part}"
        if (part.startswith(("/", "\\")) or "\\" in part or ":" in part
                or ".." in part.split("/")):
            raise TemplateError("the package has an entry whose name leaves the package "
                                "(absolute, '..' or a drive); it cannot be a Word document",
                                file=f"{name}:{part!r}")
        for pattern, what in _RISKY_PARTS:
            if pattern.search(part):
                raise TemplateError(f"the template carries {what}; remove it and save the "
                                    "template as a plain .docx", file=where)
        if not part.endswith((".xml", ".rels")):
            continue
        xml = data.decode("utf-8", "replace")
        if "<!DOCTYPE" in xml or "<!ENTITY" in xml:
            raise TemplateError("the part has a DOCTYPE (entities a reader may resolve); save "
                                "the template again in Word", file=where)
        if part.endswith(".rels"):
            _refuse_risky_relationships(xml, where, part == "word/_rels/settings.xml.rels")
        elif RENDERED.match(part):
            if "<w:altChunk" in xml:
                raise TemplateError(f"the template carries {_RISKY_RELATIONSHIPS['aFChunk']}",
                                    file=where)
            if "<w:object" in xml or "<o:OLEObject" in xml:
                raise TemplateError("the template carries an embedded OLE object", file=where)
            if _SAFE_TAG.search(visible_text(xml)):
                raise TemplateError("a tag uses |safe, which would put a value into the order "
                                    "as markup instead of text; remove it", file=where)


_NETWORK = re.compile(r"^(?:[a-z][a-z0-9+.-]*://(?!/)|\\\\|//)", re.I)


def _refuse_risky_relationships(xml: str, where: str, settings: bool) -> None:
    for element in _RELATIONSHIP.findall(xml):
        attributes = {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
                      for m in _ATTRIBUTE.finditer(element)}
        kind = attributes.get("Type", "").rsplit("/", 1)[-1]
        target = html.unescape(attributes.get("Target", ""))
        if settings and kind in ("attachedTemplate", "mailMergeSource"):
            # Word names the template a document came from (Normal.dotm on the author's own
            # disk) and a mail merge's data: both are left out of every order. One on another
            # machine is fetched when the template is opened: refused.
            if _NETWORK.search(target):
                raise TemplateError(f"relationship {attributes.get('Id', '?')} ({kind}) points at "
                                    "another machine, which Word would contact when the "
                                    "template is opened; detach it", file=where)
            continue
        if kind in _RISKY_RELATIONSHIPS:
            raise TemplateError(f"the template carries {_RISKY_RELATIONSHIPS[kind]} "
                                f"(relationship {attributes.get('Id', '?')})", file=where)
        if attributes.get("TargetMode", "").lower() == "external" and kind != "hyperlink":
            raise TemplateError(f"relationship {attributes.get('Id', '?')} ({kind or 'unknown'}"
                                ") points outside the document, which Word would fetch when "
                                "an order is opened; embed it instead", file=where)


def _paragraph_at(source: str, lineno: int | None) -> str:
    if not lineno:
        return ""
    lines = source.splitlines()
    line = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
    text = visible_text(line)
    return text if len(text) <= 120 else text[:117] + "..."


def _refuse_hidden_content(package: Package, name: str) -> None:
    """Tracked changes, comments and hidden text would carry an author's drafts into orders."""
    for part, data in package.parts.items():
        if not RENDERED.match(part):
            continue
        xml = data.decode("utf-8", "replace")
        if _TRACKED.search(xml):
            raise TemplateError("the template holds tracked changes; accept or reject them in "
                                "Word (Review > Accept All) before using it", file=f"{name}:{part}")
        if _HIDDEN.search(xml):
            raise TemplateError("the template holds hidden text (Font > Hidden); remove it",
                                file=f"{name}:{part}")
        if "<w:commentReference" in xml or "<w:commentRangeStart" in xml:
            raise TemplateError("the template holds comments; delete them in Word first",
                                file=f"{name}:{part}")
    comments = package.parts.get("word/comments.xml", b"")
    if b"<w:comment " in comments:
        raise TemplateError("the template holds comments; delete them in Word first",
                            file=f"{name}:word/comments.xml")


def _clean_package(package: Package) -> Package:
    """Drop what a template author's machine left behind; make room for footnotes and props."""
    from lxml import etree

    parts = dict(package.parts)
    dropped = {n for n in parts if n.startswith("customXml/") or n.startswith("docProps/thumbnail")
               or n in ("docProps/custom.xml", "word/_rels/settings.xml.rels",
                        "word/comments.xml", "word/people.xml")}
    for n in dropped:
        parts.pop(n, None)
    for n, data in list(parts.items()):
        if n.endswith(".xml") and n.startswith("word/"):
            parts[n] = _AUTHOR_IDS.sub("", data.decode("utf-8")).encode("utf-8")
    if "word/settings.xml" in parts:
        settings = parts["word/settings.xml"].decode("utf-8")
        settings = re.sub(r"<w:attachedTemplate\b[^>]*/>", "", settings)
        settings = re.sub(r"<w:mailMerge>.*?</w:mailMerge>", "", settings, flags=re.DOTALL)
        settings = re.sub(r"<w:rsids>.*?</w:rsids>", "", settings, flags=re.DOTALL)
        settings = re.sub(r"<w:docVars>.*?</w:docVars>", "", settings, flags=re.DOTALL)
        # ISO/IEC 29500 requires a zoom percentage, even beside a named zoom.
        settings = re.sub(r"<w:zoom\b(?![^>]*w:percent)", '<w:zoom w:percent="100"', settings)
        parts["word/settings.xml"] = settings.encode("utf-8")
    parts.setdefault("word/footnotes.xml", _EMPTY_FOOTNOTES.encode("utf-8"))

    # Relationships: the package's (core, app, custom) and the document's (footnotes).
    root_rels = _rels(parts.get("_rels/.rels"))
    for rel in list(root_rels):
        if rel.get("Type") in (REL_THUMBNAIL, REL_CUSTOM) or rel.get("Type", "").endswith("/customXml"):
            root_rels.remove(rel)
    _ensure_rel(root_rels, REL_CORE, "docProps/core.xml")
    _ensure_rel(root_rels, REL_APP, "docProps/app.xml")
    _ensure_rel(root_rels, REL_CUSTOM, "docProps/custom.xml")
    parts["_rels/.rels"] = _xml_bytes(root_rels)
    doc_rels = _rels(parts.get("word/_rels/document.xml.rels"))
    for rel in list(doc_rels):
        if rel.get("Type", "").endswith("/customXml") or rel.get("Type", "").endswith("/comments"):
            doc_rels.remove(rel)
    _ensure_rel(doc_rels, REL_FOOTNOTES, "footnotes.xml")
    _ensure_rel(doc_rels, REL_NUMBERING, "numbering.xml")
    if numbering.PART not in parts:
        parts[numbering.PART] = numbering.numbering_part_xml(())
    parts["word/_rels/document.xml.rels"] = _xml_bytes(doc_rels)
    parts["docProps/app.xml"] = _APP_XML

    types = etree.fromstring(parts["[Content_Types].xml"])
    for override in list(types):
        part = override.get("PartName", "").lstrip("/")
        if override.tag == f"{{{CT}}}Override" and part not in parts and part not in (
                "docProps/custom.xml", "docProps/core.xml"):
            types.remove(override)
    for part, content_type in (("word/footnotes.xml", CT_FOOTNOTES),
                               (numbering.PART, CT_NUMBERING),
                               ("docProps/custom.xml", CT_CUSTOM),
                               ("docProps/core.xml", CT_CORE), ("docProps/app.xml", CT_APP)):
        if not any(o.get("PartName") == f"/{part}" for o in types):
            etree.SubElement(types, f"{{{CT}}}Override", PartName=f"/{part}",
                             ContentType=content_type)
    parts["[Content_Types].xml"] = _xml_bytes(types)
    return Package(parts)


def _rels(data: bytes | None) -> etree._Element:
    from lxml import etree

    if data is None:
        return etree.Element(f"{{{PKG_RELS}}}Relationships", nsmap={None: PKG_RELS})
    return etree.fromstring(data)


def _ensure_rel(rels: etree._Element, rel_type: str, target: str) -> None:
    if any(rel.get("Type") == rel_type for rel in rels):
        return
    from lxml import etree

    taken = {rel.get("Id") for rel in rels}
    number = 1
    while f"rIdAsm{number}" in taken:
        number += 1
    etree.SubElement(rels, f"{{{PKG_RELS}}}Relationship", Id=f"rIdAsm{number}", Type=rel_type,
                     Target=target)


def _xml_bytes(element: etree._Element) -> bytes:
    from lxml import etree

    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", standalone=True)


_APP_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    b"<Application>assembler</Application></Properties>")


def core_properties_xml(properties: DocumentProperties) -> bytes:
    """The core properties part: the title (within Office's limit) and the order's date."""
    dates = ""
    if properties.when is not None:
        stamp = f"{properties.when.isoformat()}T00:00:00Z"
        dates = (f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
                 f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>')
    title = properties.title
    if len(title) > PROPERTY_LIMIT:
        title = title[:PROPERTY_LIMIT - 1] + "\u2026"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://'
        'purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title>{dates}"
        "</cp:coreProperties>").encode("utf-8")


def split_property(name: str, value: str) -> list[tuple[str, str]]:
    """A custom property within Office's 255 characters: a longer value continues in
    `name.2`, `name.3`, ..., cut at the last "; " within the limit, so the pieces joined with
    "; " give the value back (a single item longer than the limit is cut at 255 characters)."""
    pieces: list[tuple[str, str]] = []
    while len(value) > PROPERTY_LIMIT:
        cut = value.rfind("; ", 0, PROPERTY_LIMIT + 1)
        head, value = ((value[:cut], value[cut + 2:]) if cut > 0
                       else (value[:PROPERTY_LIMIT], value[PROPERTY_LIMIT:]))
        pieces.append(head)
    pieces.append(value)
    return [(name if index == 0 else f"{name}.{index + 1}", piece)
            for index, piece in enumerate(pieces)]


def _custom_xml(custom: Mapping[str, str]) -> bytes:
    items = [piece for name, value in sorted(custom.items())
             for piece in ([(name, value)] if len(value) <= PROPERTY_LIMIT
                           else split_property(name, value))]
    props = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" '
        f'name="{escape(name, quote=True)}"><vt:lpwstr>{escape(value)}</vt:lpwstr></property>'
        for pid, (name, value) in enumerate(items, start=2))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
        ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"{props}</Properties>").encode("utf-8")
