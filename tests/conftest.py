"""Shared test helpers: real .docx files read back with python-docx and lxml."""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

# The compile cache of this test run: never the user's own, and gone afterwards (the tests
# that are about the cache set their own folder).
_CACHE = tempfile.mkdtemp(prefix="assembler-test-cache-")
os.environ["ASSEMBLER_CACHE_DIR"] = _CACHE


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_CACHE, ignore_errors=True)


ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEED = FIXTURES / "cases" / "malibu-media-v-doe.yaml"
REFERENCE_MD = FIXTURES / "reference" / "malibu-media-v-doe.order.md"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _open(source: Path | bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(source) if isinstance(source, bytes) else str(source))


def body_paragraphs(source: Path | bytes) -> list:
    """Every paragraph of the body in reading order, table cells included."""
    document = _open(source)
    result = []
    for block in document.element.body.iterchildren():
        if block.tag == f"{W}p":
            result.append(docx.text.paragraph.Paragraph(block, document))
        elif block.tag == f"{W}tbl":
            for p in block.iter(f"{W}p"):
                result.append(docx.text.paragraph.Paragraph(p, document))
    return result


def footnotes(source: Path | bytes) -> dict[str, str]:
    """Footnote id -> text, for the real (non-separator) footnotes."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if "word/footnotes.xml" not in archive.namelist():
            return {}
        root = etree.fromstring(archive.read("word/footnotes.xml"))
    notes = {}
    for note in root.iter(f"{W}footnote"):
        if note.get(f"{W}type") in ("separator", "continuationSeparator"):
            continue
        text = "".join(t.text or "" for t in note.iter(f"{W}t"))
        notes[note.get(f"{W}id")] = text.strip()
    return notes


def document_text(source: Path | bytes) -> str:
    """Body text then footnote text, paragraphs separated by newlines."""
    body = "\n".join(p.text for p in body_paragraphs(source))
    return body + "\n" + "\n".join(footnotes(source).values())


def part_names(source: Path | bytes) -> list[str]:
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


def read_part(source: Path | bytes, name: str) -> str:
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name).decode("utf-8")


def italic_texts(source: Path | bytes) -> list[str]:
    """Text of every italic run in the body (runs merged where adjacent)."""
    found = []
    for paragraph in body_paragraphs(source):
        current = ""
        style_italic = bool(paragraph.style.font.italic)
        for run in paragraph.runs:
            if run.italic or (run.italic is None and style_italic):
                current += run.text
            elif current:
                found.append(current)
                current = ""
        if current:
            found.append(current)
    return found


def words(text: str) -> list[str]:
    return text.split()


def reference_plain_text() -> str:
    """The reference order's text without Markdown marks."""
    text = REFERENCE_MD.read_text(encoding="utf-8")
    text = re.sub(r"\[\^1\]:", "", text)
    text = text.replace("[^1]", "")
    text = re.sub(r"^#+\s*", "", text, flags=re.MULTILINE)
    text = text.replace("**", "").replace("\\*", "\x00").replace("*", "").replace("\x00", "*")
    text = text.replace("\\$", "$")
    return text


@pytest.fixture(scope="session")
def seed_docx(tmp_path_factory) -> bytes:
    from assembler import load_case, render_order

    case = load_case(SEED)
    return render_order(case, case_dir=SEED.parent).data


def make_template(path: Path, paragraphs: list[str], header: str | None = None) -> Path:
    """A small real .docx template built with python-docx (one paragraph per string)."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if header is not None:
        document.sections[0].header.paragraphs[0].text = header
    document.save(str(path))
    return path
