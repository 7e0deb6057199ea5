"""Word numbering (numbering.xml) for the lists that prose writes.

Prose marks each list paragraph with a placeholder numbering id naming the list (unique in the
document), its kind, the level the list starts at and its first number. At render time every
list gets its own `w:num` over the kind's `w:abstractNum`, with a `w:startOverride` at its
starting level, so numbering restarts wherever the text restarts; nested lists of the same kind
share their parent's `w:num` one level down (Word restarts a level after each item above it).

The three kinds and their number formats, by level (they repeat after the sixth):

- `decimal` (Markdown `1.`): 1. / (a) / i. / (1) / a. / (i)
- `parenthesized` (Markdown `1)`): (1) / (a) / (i)
- `bullet` (Markdown `-`, `*`, `+`): • / ◦ / ▪

A template may carry its own definition of a kind: an `w:abstractNum` whose `w:name` is
`assembler-decimal`, `assembler-parenthesized` or `assembler-bullet` (the bundled template
does); it is used instead of the built-in one. Definitions that no part uses are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .text import xml_escape

if TYPE_CHECKING:
    from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
KINDS = ("decimal", "parenthesized", "bullet")
PART = "word/numbering.xml"

_LEVELS = 9
_FORMATS: dict[str, list[tuple[str, str]]] = {
    "decimal": [("decimal", "%N."), ("lowerLetter", "(%N)"), ("lowerRoman", "%N."),
                ("decimal", "(%N)"), ("lowerLetter", "%N."), ("lowerRoman", "(%N)")],
    "parenthesized": [("decimal", "(%N)"), ("lowerLetter", "(%N)"), ("lowerRoman", "(%N)")],
    "bullet": [("bullet", "\u2022"), ("bullet", "\u25e6"), ("bullet", "\u25aa")],
}
# Word's nsid/tmpl identify a definition; fixed values keep documents reproducible.
_NSID = {"decimal": "41534D31", "parenthesized": "41534D32", "bullet": "41534D33"}
_INDENT = 720  # twips: each level half an inch further in; the number at the first line

# A list paragraph's placeholder: <w:numId w:val="asm-list:KEY:KIND:START_LEVEL:START"/>.
# Both passes split on the marker rather than run a regular expression (cheaper per order).
LIST_MARK = '<w:numId w:val="asm-list:'


def list_number_xml(key: int, kind: str, start_level: int, start: int, level: int) -> str:
    """The `w:numPr` of a list paragraph, before the document layer gives it Word's id."""
    return (f'<w:numPr><w:ilvl w:val="{level}"/>'
            f'<w:numId w:val="asm-list:{key}:{kind}:{start_level}:{start}"/></w:numPr>')


def renumber_lists(pieces: list[str], done: int) -> tuple[list[str], int]:
    """Give the lists of a (cached) conversion keys after the `done` lists of the document;
    one mapping for all `pieces` (the body and its footnotes)."""
    seen: dict[str, str] = {}
    out = []
    for piece in pieces:
        if LIST_MARK not in piece:
            out.append(piece)
            continue
        first, *rest = piece.split(LIST_MARK)
        parts = [first]
        for chunk in rest:
            local, _, tail = chunk.partition(":")
            if local not in seen:
                seen[local] = str(done + len(seen) + 1)
            parts.append(f"{seen[local]}:{tail}")
        out.append(LIST_MARK.join(parts))
    return out, done + len(seen)


def abstract_num_xml(kind: str, abstract_id: int) -> str:
    """The built-in `w:abstractNum` of a list kind."""
    levels = []
    formats = _FORMATS[kind]
    for level in range(_LEVELS):
        number_format, text = formats[level % len(formats)]
        text = text.replace("%N", f"%{level + 1}")
        left = _INDENT * level
        rpr = ('<w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman"/></w:rPr>'
               if number_format == "bullet" else "")
        levels.append(
            f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{number_format}"/>'
            f'<w:lvlText w:val="{xml_escape(text, quote=True)}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:tabs><w:tab w:val="num" w:pos="{left + 2 * _INDENT}"/></w:tabs>'
            f'<w:ind w:left="{left}" w:firstLine="{_INDENT}"/></w:pPr>{rpr}</w:lvl>')
    return (f'<w:abstractNum w:abstractNumId="{abstract_id}"><w:nsid w:val="{_NSID[kind]}"/>'
            f'<w:multiLevelType w:val="multilevel"/><w:tmpl w:val="{_NSID[kind]}"/>'
            f'<w:name w:val="assembler-{kind}"/>{"".join(levels)}</w:abstractNum>')


def numbering_part_xml(kinds: Iterable[str] = KINDS) -> bytes:
    """A whole numbering part with the built-in definitions (what the bundled template holds)."""
    body = "".join(abstract_num_xml(kind, index) for index, kind in enumerate(kinds))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:numbering xmlns:w="{W}">{body}</w:numbering>').encode()


@dataclass
class _Definitions:
    head: str              # the root start tag, with the template's namespace declarations
    pictures: list[str]    # w:numPicBullet kept
    abstracts: list[str]   # the template's own w:abstractNum still in use
    nums: list[str]        # the template's own w:num still in use
    kinds: dict[str, tuple[int, str]]  # kind -> (abstractNumId, w:abstractNum XML)
    always: list[str]      # kinds the template's own paragraphs or styles number with
    next_num: int


class NumberingError(ValueError):
    """A template's numbering part that cannot be read."""


class Numbering:
    """A template's numbering, pruned once; `render` writes one document's numbering part."""

    def __init__(self, data: bytes | None, used_num_ids: set[str], style_ids: set[str]):
        from lxml import etree

        try:
            self._defs = _read(data, used_num_ids, style_ids)
        except etree.XMLSyntaxError as exc:
            raise NumberingError(f"not well-formed XML (line {exc.lineno}): "
                                 f"{exc.msg}") from None
        except (ValueError, TypeError, AttributeError):
            raise NumberingError("a list definition without a numeric id") from None
        self.empty = self._part(list(self._defs.always), [])

    def render(self, rendered: dict[str, str]) -> bytes:
        """Replace every list placeholder in `rendered` (in place) with a real numbering id."""
        marked = [name for name, xml in rendered.items() if LIST_MARK in xml]
        if not marked:
            return self.empty
        defs = self._defs
        ids: dict[str, int] = {}
        nums: list[str] = []
        kinds: list[str] = list(defs.always)
        for name in sorted(marked, key=lambda n: n != "word/document.xml"):
            first, *rest = rendered[name].split(LIST_MARK)
            pieces = [first]
            for chunk in rest:
                head, _, tail = chunk.partition('"/>')
                key, kind, start_level, start = head.split(":")
                if key not in ids:
                    ids[key] = defs.next_num + len(ids)
                    if kind not in kinds:
                        kinds.append(kind)
                    nums.append(f'<w:num w:numId="{ids[key]}"><w:abstractNumId '
                                f'w:val="{defs.kinds[kind][0]}"/><w:lvlOverride '
                                f'w:ilvl="{start_level}"><w:startOverride w:val="{start}"/>'
                                f"</w:lvlOverride></w:num>")
                pieces.append(f'<w:numId w:val="{ids[key]}"/>{tail}')
            rendered[name] = "".join(pieces)
        return self._part([k for k in KINDS if k in kinds], nums)

    def _part(self, kinds: list[str], nums: list[str]) -> bytes:
        defs = self._defs
        abstracts = [defs.kinds[kind][1] for kind in kinds]
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{defs.head}'
                + "".join(defs.pictures) + "".join(defs.abstracts) + "".join(abstracts)
                + "".join(defs.nums) + "".join(nums) + "</w:numbering>").encode("utf-8")


def _read(data: bytes | None, used_num_ids: set[str], style_ids: set[str]) -> _Definitions:
    """Keep what the template's parts use; drop links to styles the template does not define."""
    from lxml import etree

    w = f"{{{W}}}"
    if data is None:
        root = etree.fromstring(numbering_part_xml(()))
    else:
        root = etree.fromstring(data)
    named: dict[str, etree._Element] = {}
    abstracts: dict[str, etree._Element] = {}
    for element in root.findall(f"{w}abstractNum"):
        name = element.find(f"{w}name")
        kind = (name.get(f"{w}val") or "").removeprefix("assembler-") if name is not None else ""
        if kind in KINDS and kind not in named:
            named[kind] = element
        else:
            abstracts[element.get(f"{w}abstractNumId")] = element
    kept_nums = [n for n in root.findall(f"{w}num") if n.get(f"{w}numId") in used_num_ids]
    wanted = {n.find(f"{w}abstractNumId").get(f"{w}val") for n in kept_nums
              if n.find(f"{w}abstractNumId") is not None}
    kept_abstracts = [a for key, a in abstracts.items() if key in wanted]
    always = [kind for kind, element in named.items()
              if element.get(f"{w}abstractNumId") in wanted]
    for element in kept_abstracts + list(named.values()):
        for link in element.iter(f"{w}pStyle", f"{w}styleLink", f"{w}numStyleLink"):
            if link.get(f"{w}val") not in style_ids:
                link.getparent().remove(link)
    pictures = {p.get(f"{w}numPicBulletId"): p for p in root.findall(f"{w}numPicBullet")}
    used_pictures = {e.get(f"{w}val") for a in kept_abstracts + list(named.values())
                     for e in a.iter(f"{w}lvlPicBulletId")}
    numbers = [int(n.get(f"{w}numId")) for n in root.findall(f"{w}num")]
    taken = [int(a.get(f"{w}abstractNumId")) for a in root.findall(f"{w}abstractNum")]
    next_abstract = max(taken + [-1]) + 1
    kinds: dict[str, tuple[int, str]] = {}
    for kind in KINDS:
        if kind in named:
            kinds[kind] = (int(named[kind].get(f"{w}abstractNumId")), _xml(named[kind]))
        else:
            kinds[kind] = (next_abstract, abstract_num_xml(kind, next_abstract))
            next_abstract += 1
    for child in list(root):
        root.remove(child)
    root.text = None
    head = etree.tostring(root, encoding="unicode")
    head = head[:head.rindex("/>")] + ">" if head.endswith("/>") else head[:head.rindex("</")]
    return _Definitions(head=head, pictures=[_xml(p) for k, p in pictures.items()
                                             if k in used_pictures],
                        abstracts=[_xml(a) for a in kept_abstracts],
                        nums=[_xml(n) for n in kept_nums], kinds=kinds, always=always,
                        next_num=max(numbers + [0]) + 1)


def _xml(element: etree._Element) -> str:
    """An element of the numbering part as text, without the namespace declarations lxml
    repeats from the root (the part's root start tag keeps them all)."""
    from lxml import etree

    text = etree.tostring(element, encoding="unicode")
    end = text.index(">")
    return re.sub(r'\sxmlns(?::\w+)?="[^"]*"', "", text[:end]) + text[end:]


def referenced_num_ids(xml_parts: Iterable[str]) -> set[str]:
    """Numbering ids that paragraphs or styles refer to (`w:numId` outside numbering.xml)."""
    found: set[str] = set()
    for xml in xml_parts:
        found.update(re.findall(r'<w:numId w:val="(\d+)"', xml))
    return found


def style_ids(styles_xml: str | None) -> set[str]:
    return set(re.findall(r'w:styleId="([^"]+)"', styles_xml or ""))
