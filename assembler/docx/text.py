"""Visible text of WordprocessingML, for messages, checks and tests."""

from __future__ import annotations

import html
import re

_TEXT = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>|<w:(tab|br|cr)\b[^>]*/>|<w:p[ >]|</w:p>")


def xml_escape(text: str, *, quote: bool = False) -> str:
    """Text made safe for XML character data (and, with `quote`, a double-quoted attribute)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text


def visible_text(xml: str) -> str:
    """The text a reader sees in an XML fragment (runs joined, tags dropped, entities read)."""
    pieces: list[str] = []
    for match in _TEXT.finditer(xml):
        if match.group(1) is not None:
            pieces.append(match.group(1))
        elif match.group(2):
            pieces.append("\t" if match.group(2) == "tab" else "\n")
    text = html.unescape("".join(pieces))
    if not pieces:  # a fragment with no runs (a tag only): show its bare text
        text = html.unescape(re.sub(r"<[^>]+>", "", xml))
    return text.strip()
