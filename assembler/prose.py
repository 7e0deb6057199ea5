"""Markdown prose -> OOXML paragraphs, runs and footnote bodies, in the template's own styles.

Parsing is markdown-it-py (CommonMark) with its footnote plugin. Only what an order uses is
switched on: paragraphs, emphasis, block quotes, headings, ordered/bullet lists, backslash
escapes, footnotes. Raw HTML, links, images, entities and code are off, so text such as
`[I]t`, `&copy;` or `<Retail>` stays exactly as written.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, Protocol

from . import cache
from .docx.numbering import LIST_MARK, list_number_xml, renumber_lists
from .docx.text import xml_escape as escape
from .errors import AssemblerError

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


@lru_cache(maxsize=2)
def _markdown(smart_quotes: bool = False) -> MarkdownIt:
    """The parser, made on first use (a batch whose conversions are all cached never needs it).

    With `smart_quotes`, straight quotes and apostrophes in the text become typographic ones
    (markdown-it's smartquotes; its other typographic replacements stay off, so `--`, `...`
    and `(c)` print as typed); a backslash-escaped quote, `\\"`, stays straight.
    """
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": False, "typographer": smart_quotes})
    md.use(footnote_plugin)
    md.disable(["code", "fence", "html_block", "html_inline", "reference", "lheading", "hr",
                "link", "image", "autolink", "entity", "backticks"])
    if smart_quotes:
        md.enable("smartquotes")
    md.inline.ruler.before("emphasis", "star_page", _star_page)
    return md


# Westlaw and Lexis star pages ("2014 WL 7178077, at *2", "at *4-6", "at **3", "*4-*6"):
# asterisks before a page number after "at", a database number or a star page's dash are
# text, not emphasis, so lawyers need not escape them.
_STAR_PAGE_BEFORE = re.compile(r"(?:\bat|\b(?:WL|LEXIS) \d+,)\s?$|\*\d+\s?[-–—]\s?$")
_STAR_PAGE = re.compile(r"\*{1,2}(?=\d)")


def _star_page(state: Any, silent: bool) -> bool:
    """markdown-it inline rule: a star page's asterisks as literal text."""
    start = state.pos
    if state.src[start] != "*":
        return False
    stars = _STAR_PAGE.match(state.src, start)
    if stars is None or not _STAR_PAGE_BEFORE.search(state.src, max(0, start - 24), start):
        return False
    if not silent:
        state.push("text", "", 0).content = stars.group()
    state.pos = stars.end()
    return True

_UNDEFINED_NOTE = re.compile(r"\[\^([^\]\s]+)\]")


@dataclass(frozen=True)
class Styles:
    """Style ids of the template that prose paragraphs and runs use."""

    body: str = "BodyText"
    quote: str = "Quote"
    heading: str = "Heading3"
    heading_levels: tuple[str, ...] = ()   # a style per Markdown heading level (court styles)
    list_item: str = "ListParagraph"
    footnote_text: str = "FootnoteText"
    footnote_reference: str = "FootnoteReference"


@dataclass
class FootnoteBook:
    """Footnote bodies collected while prose is converted; the document layer numbers them.

    References are written as `w:footnoteReference w:id="asm:N"`: the docx layer replaces each
    key with Word's id in the order the references appear in the rendered document, and drops
    bodies whose reference a template condition removed.
    """

    bodies: dict[str, str] = field(default_factory=dict)
    lists: int = 0  # lists numbered so far (each list's numbering key is unique in the order)

    def add(self, paragraphs_xml: str) -> str:
        key = f"asm:{len(self.bodies) + 1}"
        self.bodies[key] = paragraphs_xml
        return key


class ProseError(AssemblerError):
    """Prose that cannot become a document (an undefined footnote, say)."""


_MARKDOWN_SPECIAL = str.maketrans({ch: "\\" + ch for ch in "\\`*_[]<>#!|~^+-.()={}"})


class HeldValues(Protocol):
    """Values held out of Markdown as tokens while it was converted (clauses.ValueTable)."""

    def fill(self, text: str, escape: Callable[[str], str]) -> str: ...


def fill_ooxml(xml: str, values: HeldValues) -> str:
    """Converted OOXML with the held-out values put back, escaped for XML character data."""
    return values.fill(xml, escape)


def markdown_escape(text: str) -> str:
    """Backslash-escape the characters Markdown would read as markup, so data stays text."""
    return text.translate(_MARKDOWN_SPECIAL)


def _run(text: str, bold: bool, italic: bool, style: str | None = None) -> str:
    props = ""
    if style:
        props += f'<w:rStyle w:val="{style}"/>'
    if bold:
        props += "<w:b/><w:bCs/>"
    if italic:
        props += "<w:i/><w:iCs/>"
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _paragraph(style: str, runs: str, numbering: str = "") -> str:
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{numbering}</w:pPr>{runs}</w:p>'


@dataclass(frozen=True)
class _List:
    """An open Markdown list: its Word numbering key, kind, level and where its count starts."""

    kind: str
    key: int
    level: int
    start_level: int
    start: int


class _Converter:
    def __init__(self, styles: Styles, book: FootnoteBook, where: str,
                 list_keys: list[int] | None = None):
        self.styles = styles
        self.book = book
        self.where = where
        self.note_keys: dict[int, str] = {}
        self.list_keys = list_keys if list_keys is not None else [0]  # shared with notes

    def inline(self, token: Token) -> str:
        parts: list[str] = []
        bold = italic = 0
        buffer = ""

        def flush() -> None:
            nonlocal buffer
            if buffer:
                parts.append(_run(buffer, bold > 0, italic > 0))
                buffer = ""

        for child in token.children or []:
            kind = child.type
            if kind == "text":
                missing = _UNDEFINED_NOTE.search(child.content)
                if missing:
                    raise ProseError(f"footnote [^{missing.group(1)}] is referenced but never "
                                     f"defined", field=self.where)
                buffer += child.content
            elif kind == "softbreak":
                buffer += " "
            elif kind == "hardbreak":
                flush()
                parts.append("<w:r><w:br/></w:r>")
            elif kind in ("em_open", "em_close", "strong_open", "strong_close"):
                flush()
                step = 1 if kind.endswith("open") else -1
                if kind.startswith("em"):
                    italic += step
                else:
                    bold += step
            elif kind == "footnote_ref":
                flush()
                key = self.note_keys[child.meta["id"]]
                parts.append(
                    f'<w:r><w:rPr><w:rStyle w:val="{self.styles.footnote_reference}"/></w:rPr>'
                    f'<w:footnoteReference w:id="{key}"/></w:r>')
            else:  # any other inline token: keep its text, never drop it
                buffer += child.content
        flush()
        return "".join(parts)

    def blocks(self, tokens: list[Token]) -> str:
        out: list[str] = []
        quote_depth = 0
        list_stack: list[_List] = []
        pending_number = ""
        heading = 0  # the level of the heading being read
        for token in tokens:
            kind = token.type
            if kind == "blockquote_open":
                quote_depth += 1
            elif kind == "blockquote_close":
                quote_depth -= 1
            elif kind in ("ordered_list_open", "bullet_list_open"):
                list_stack.append(self._open_list(token, list_stack[-1] if list_stack else None))
            elif kind in ("ordered_list_close", "bullet_list_close"):
                list_stack.pop()
            elif kind == "list_item_open":
                current = list_stack[-1]
                pending_number = list_number_xml(current.key, current.kind, current.start_level,
                                                 current.start, current.level)
            elif kind == "heading_open":
                heading = int(token.tag[1:]) if token.tag[1:].isdigit() else 1
            elif kind == "heading_close":
                heading = False
            elif kind == "inline":
                if heading:
                    levels = self.styles.heading_levels
                    style = (levels[min(heading, len(levels)) - 1] if levels
                             else self.styles.heading)
                elif quote_depth:
                    style = self.styles.quote
                elif list_stack:
                    style = self.styles.list_item
                else:
                    style = self.styles.body
                out.append(_paragraph(style, self.inline(token), pending_number))
                pending_number = ""
        return "".join(out)

    def _open_list(self, token: Token, parent: _List | None) -> _List:
        """Word numbering for a Markdown list: `1.` decimal, `1)` parenthesized, else bullets.

        A list nested in one of its own kind continues its parent's numbering a level down
        (Word restarts that level after each item above); any other list starts its own.
        """
        if token.type == "bullet_list_open":
            kind, start = "bullet", 1
        else:
            kind = "parenthesized" if token.markup == ")" else "decimal"
            start = int(token.attrGet("start") or 1)
        level = min(parent.level + 1, 8) if parent else 0
        if parent is not None and parent.kind == kind and start == 1:
            return _List(kind, parent.key, level, parent.start_level, parent.start)
        self.list_keys[0] += 1
        return _List(kind, self.list_keys[0], level, level, start)


def _split_footnotes(tokens: list[Token]) -> tuple[list[Token], dict[int, list[Token]]]:
    body: list[Token] = []
    notes: dict[int, list[Token]] = {}
    current: list[Token] | None = None
    inside_block = False
    for token in tokens:
        if token.type == "footnote_block_open":
            inside_block = True
        elif token.type == "footnote_block_close":
            inside_block = False
        elif token.type == "footnote_open":
            current = notes.setdefault(token.meta["id"], [])
        elif token.type == "footnote_close":
            current = None
        elif token.type == "footnote_anchor":
            continue
        elif inside_block:
            if current is not None:
                current.append(token)
        else:
            body.append(token)
    return body, notes


_LOCAL_KEY = re.compile(r'w:id="asm:(\d+)"')


def markdown_to_ooxml(source: str, book: FootnoteBook, *, styles: Styles = Styles(),
                      where: str = "prose", smart_quotes: bool = True) -> str:
    """Convert Markdown to `<w:p>` elements; footnote bodies go into `book`.

    Conversions are cached by source: a batch repeats the same clauses row after row. Footnote
    keys are local to a cached result and renumbered into `book` on every use.
    """
    xml, bodies = _convert_cached(source, styles, where, smart_quotes)
    if LIST_MARK in xml or any(LIST_MARK in body for body in bodies):
        (xml, *numbered), book.lists = renumber_lists([xml, *bodies], book.lists)
        bodies = tuple(numbered)
    if not bodies:
        return xml
    keys = [book.add(body) for body in bodies]
    return _LOCAL_KEY.sub(lambda m: f'w:id="{keys[int(m.group(1)) - 1]}"', xml)


@lru_cache(maxsize=512)
def _convert_cached(source: str, styles: Styles, where: str,
                    smart_quotes: bool = True) -> tuple[str, tuple[str, ...]]:
    entry = cache.key("prose", source, repr(styles), where, "smart" if smart_quotes else "")
    stored = cache.load_value("prose", entry, lambda v: isinstance(v, tuple) and len(v) == 2
                              and isinstance(v[0], str) and isinstance(v[1], tuple))
    if stored is not None:
        return stored
    local = FootnoteBook()
    xml = _convert(source, local, styles, where, smart_quotes)  # errors are never stored
    result = (xml, tuple(local.bodies.values()))
    cache.store_value("prose", entry, result)
    return result


def _convert(source: str, book: FootnoteBook, styles: Styles, where: str,
             smart_quotes: bool = True) -> str:
    env: dict = {}
    tokens = _markdown(smart_quotes).parse(source, env)
    body, notes = _split_footnotes(tokens)
    list_keys = [0]
    converter = _Converter(styles, book, where, list_keys)
    # Footnote bodies first, so references can carry their keys (a footnote may itself be
    # referenced before it is defined in the text).
    for note_id, note_tokens in notes.items():
        note_converter = _Converter(Styles(body=styles.footnote_text, quote=styles.footnote_text,
                                           heading=styles.footnote_text,
                                           list_item=styles.footnote_text,
                                           footnote_text=styles.footnote_text,
                                           footnote_reference=styles.footnote_reference),
                                    book, where, list_keys)
        paragraphs = note_converter.blocks(note_tokens)
        converter.note_keys[note_id] = book.add(paragraphs)
    for label, note_id in env.get("footnotes", {}).get("refs", {}).items():
        if note_id == -1:  # markdown-it drops a definition nothing refers to: say so
            raise ProseError(f"footnote [^{label.lstrip(':')}] is defined but never referenced",
                             field=where)
    return converter.blocks(body)


@dataclass
class PlainText:
    """Prose as a reader sees it, with where its italics are and which source line each
    stretch came from (for checks that report lines of a case file)."""

    text: str
    italic: list[tuple[int, int]]
    lines: list[tuple[int, int]]  # (offset in text, 0-based line in the Markdown source)

    def line_at(self, offset: int) -> int:
        index = bisect.bisect_right([o for o, _ in self.lines], offset) - 1
        return self.lines[max(index, 0)][1] if self.lines else 0

    def is_italic(self, start: int, end: int) -> bool:
        """Whether every letter in [start, end) is inside an italic span."""
        return all(any(a <= i < b for a, b in self.italic)
                   for i in range(max(start, 0), min(end, len(self.text)))
                   if self.text[i].isalnum())


def plain_text(source: str) -> PlainText:
    """Markdown -> plain text (paragraphs separated by blank lines, footnotes included)."""
    pieces: list[str] = []
    italic: list[tuple[int, int]] = []
    lines: list[tuple[int, int]] = []
    length = 0
    for token in _markdown().parse(source, {}):
        if token.type != "inline":
            continue
        if pieces:
            pieces.append("\n\n")
            length += 2
        line = token.map[0] if token.map else 0
        lines.append((length, line))
        opened: int | None = None
        for child in token.children or []:
            if child.type == "softbreak" or child.type == "hardbreak":
                pieces.append(" " if child.type == "softbreak" else "\n")
                length += 1
                line += 1
                lines.append((length, line))
            elif child.type == "em_open":
                opened = length
            elif child.type == "em_close" and opened is not None:
                italic.append((opened, length))
                opened = None
            elif child.type in ("text", "code_inline"):
                pieces.append(child.content)
                length += len(child.content)
    return PlainText("".join(pieces), italic, lines)
