"""Which fonts an order asks for and which its PDF was set in: a substitution is worth a note.

LibreOffice replaces a font the machine lacks without a word (Century Schoolbook came out as a
sans-serif); the note names the font asked for and the one used, once.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SUBSET = re.compile(r"^[A-Z]{6}\+")
_STYLE_SUFFIX = re.compile(r"[-,](Bold|Italic|BoldItalic|Regular|Roman|Oblique|BoldOblique)"
                           r"(MT)?$|(PS)?MT$", re.IGNORECASE)


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def asked_fonts(docx: Path) -> list[str]:
    """The fonts the document's styles and defaults name (w:rFonts w:ascii), in order."""
    from lxml import etree

    with zipfile.ZipFile(docx) as archive:
        names = archive.namelist()
        parts = [archive.read(n) for n in ("word/styles.xml", "word/document.xml") if n in names]
    found: list[str] = []
    for data in parts:
        for fonts in etree.fromstring(data).iter(f"{_W}rFonts"):
            name = fonts.get(f"{_W}ascii")
            if name and name not in found:
                found.append(name)
    return found


def used_fonts(pdf: Path) -> list[str]:
    """The base fonts a PDF's pages use, without subset prefixes and style suffixes."""
    from pypdf import PdfReader

    found: list[str] = []
    for page in PdfReader(str(pdf)).pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources is not None else None
        if fonts is None:
            continue
        for ref in fonts.get_object().values():
            base = str(ref.get_object().get("/BaseFont", "")).lstrip("/")
            name = _STYLE_SUFFIX.sub("", _SUBSET.sub("", base))
            if name and name not in found:
                found.append(name)
    return found


def substitution_note(docx: Path, pdf: Path) -> str | None:
    """"the PDF uses Liberation Serif where the order asks for Times New Roman ..." or None."""
    asked = asked_fonts(docx)
    used = used_fonts(pdf)
    used_keys = {_key(u) for u in used}
    missing = [a for a in asked if not any(_key(a) in k or k in _key(a) for k in used_keys)]
    if not missing:
        return None
    others = [u for u in used if not any(_key(a) in _key(u) for a in asked)]
    instead = ", ".join(others) if others else "another font"
    return (f"the PDF uses {instead} where the order asks for {', '.join(missing)} (not "
            "installed here; LibreOffice substituted it): install the font for the look the "
            "court expects")
