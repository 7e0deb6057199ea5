"""Footnote definitions written anywhere in a case file's prose, matched to their references.

A footnote's text (`[^2]: ...`) may sit in any prose section, e.g. all of them at the end of
the discussion; before the sections become Word paragraphs each definition is moved to the
section that references it. A label defined twice is an error naming both places.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from .errors import CaseFileError
from .prose import ProseError

if TYPE_CHECKING:
    from .case import Case
    from .rawdata import LocatedData

_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:", re.MULTILINE)
_REFERENCE = re.compile(r"(?<!\\)\[\^([^\]\s]+)\](?!:)")


@dataclass(frozen=True)
class Definition:
    label: str
    text: str      # the definition's lines as written, marker included
    offset: int    # where it starts in the text it came from


def split_definitions(text: str) -> tuple[str, list[Definition]]:
    """The text without its footnote definitions, and the definitions.

    Where a definition ends is markdown-it's reading (with its footnote plugin), the same
    parser that later turns the prose into Word paragraphs.
    """
    labels = _DEFINITION.findall(text)
    if not labels:
        return text, []
    from .prose import _markdown

    lines = text.splitlines(keepends=True)
    # markdown-it drops a definition nothing references: reference every one after the text.
    probe = text.rstrip("\n") + "\n\n" + " ".join(f"[^{label}]" for label in labels) + "\n"
    spans: list[tuple[int, int, str]] = []
    inside: list[int] | None = None
    label = ""
    for token in _markdown().parse(probe, {}):
        if token.type == "footnote_open":
            inside, label = [], token.meta["label"]
        elif token.type == "footnote_close" and inside is not None:
            if inside:
                start = _marker_line(lines, min(inside), label)
                spans.append((start, max(inside), label))
            inside = None
        elif inside is not None and token.map:
            inside.extend(token.map)
    if not spans:
        return text, []
    spans.sort()
    kept: list[str] = []
    definitions: list[Definition] = []
    position = 0
    for start, end, found in spans:
        kept.extend(lines[position:start])
        offset = sum(len(line) for line in lines[:start])
        definitions.append(Definition(found, "".join(lines[start:end]).rstrip("\n"), offset))
        position = max(position, end)
    kept.extend(lines[position:])
    return re.sub(r"\n{3,}", "\n\n", "".join(kept)).rstrip("\n"), definitions


def _marker_line(lines: list[str], first: int, label: str) -> int:
    """The line holding `[^label]:`, at or before the definition's first content line."""
    marker = re.compile(rf"^ {{0,3}}\[\^{re.escape(label)}\]:")
    for index in range(min(first, len(lines) - 1), -1, -1):
        if marker.match(lines[index]):
            return index
    return first


def references(text: str) -> list[str]:
    return _REFERENCE.findall(text)


def gather(parts: dict[str, list[tuple[str, str]]]) -> dict[str, str]:
    """Section name -> Markdown, each case-written definition moved beside its reference.

    `parts` holds each section's pieces in order as (origin kind, Markdown): "case" pieces
    give up their definitions; a clause keeps its own footnotes.
    """
    bodies: dict[str, list[str]] = {}
    defined: dict[str, tuple[str, Definition]] = {}
    for section, pieces in parts.items():
        bodies[section] = []
        for kind, text in pieces:
            if kind != "case":
                bodies[section].append(text)
                continue
            body, definitions = split_definitions(text)
            labels = _DEFINITION.findall(text)
            if len(set(labels)) < len(labels):
                twice = next(label for label in labels if labels.count(label) > 1)
                raise ProseError(f"footnote [^{twice}] is defined twice", field=section)
            for definition in definitions:
                if definition.label in defined:
                    first = defined[definition.label][0]
                    raise ProseError(f"footnote [^{definition.label}] is defined twice (also "
                                     f"in {first})", field=section)
                defined[definition.label] = (section, definition)
            if body.strip():
                bodies[section].append(body)
    placed: dict[str, list[str]] = {section: [] for section in parts}
    for label, (home, definition) in defined.items():
        referencing = [s for s in parts if label in references("\n\n".join(bodies[s]))]
        if len(referencing) > 1:
            raise ProseError(f"footnote [^{label}] is referenced in {referencing[0]} and "
                             f"{referencing[1]}; a footnote is referenced once (give the "
                             "second its own label)", field=referencing[1])
        placed[referencing[0] if referencing else home].append(definition.text)
    return {section: "\n\n".join(bodies[section] + placed[section]) for section in parts}


def check_labels(case: "Case", located: "LocatedData") -> None:
    """A footnote label defined twice in the prose this outcome prints: both lines named."""
    seen: dict[str, int | None] = {}
    for path, text in _case_prose(case):
        for marker in _DEFINITION.finditer(text):
            label = marker.group(1)
            line = located.text_line(path, marker.start())
            if label in seen:
                raise CaseFileError(
                    f"footnote [^{label}] is defined twice: on line {seen[label]} and again "
                    f"on line {line} (give one of them another label)",
                    file=located.source, line=line, field=".".join(str(p) for p in path))
            seen[label] = line


def _case_prose(case: "Case") -> Iterable[tuple[tuple, str]]:
    from .case import ProseText

    # every motion's outcome (a case with `motions:` has no `ruling`)
    outcomes = {m.outcome for m in case.motions} if case.motions else {case.ruling.outcome}
    for name in ("introduction", "background", "discussion", "conclusion"):
        prose = getattr(case, name)
        if isinstance(prose, str):
            yield (name,), prose
        elif prose:
            for index, block in enumerate(prose):
                if isinstance(block, ProseText) and (block.when is None
                                                     or outcomes & set(block.when)):
                    yield (name, index, "text"), block.text
