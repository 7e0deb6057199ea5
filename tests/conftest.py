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
    """Body text then footnote text, paragraphs separated by newlines; a numbered paragraph
    starts with its number as Word shows it (see `list_labels`)."""
    labels = list_labels(source)
    body = "\n".join(f"{labels[i]} {p.text}" if i in labels else p.text
                     for i, p in enumerate(body_paragraphs(source)))
    return body + "\n" + "\n".join(footnotes(source).values())


def _roman(number: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"),
                           (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"),
                           (4, "iv"), (1, "i")):
        while number >= value:
            out, number = out + letters, number - value
    return out


def _formatted(number: int, number_format: str) -> str:
    if number_format == "lowerLetter":
        return chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1)
    if number_format == "upperLetter":
        return _formatted(number, "lowerLetter").upper()
    if number_format == "lowerRoman":
        return _roman(number)
    if number_format == "upperRoman":
        return _roman(number).upper()
    return str(number)


def list_labels(source: Path | bytes) -> dict[int, str]:
    """Index in `body_paragraphs` -> the number or bullet Word shows before that paragraph,
    computed from numbering.xml as a reader would: each w:num counts on its own, starting at
    its level's w:start or the num's w:startOverride; a level restarts after any item above."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if "word/numbering.xml" not in archive.namelist():
            return {}
        numbering = etree.fromstring(archive.read("word/numbering.xml"))
    abstracts = {a.get(f"{W}abstractNumId"): a for a in numbering.iter(f"{W}abstractNum")}
    nums = {n.get(f"{W}numId"): n for n in numbering.iter(f"{W}num")}
    counters: dict[str, dict[int, int]] = {}
    labels: dict[int, str] = {}
    for index, paragraph in enumerate(body_paragraphs(source)):
        num_pr = paragraph._p.find(f"{W}pPr/{W}numPr")
        if num_pr is None:
            continue
        num_id = num_pr.find(f"{W}numId").get(f"{W}val")
        level = int(num_pr.find(f"{W}ilvl").get(f"{W}val"))
        num = nums[num_id]
        abstract = abstracts[num.find(f"{W}abstractNumId").get(f"{W}val")]
        levels = {int(lvl.get(f"{W}ilvl")): lvl for lvl in abstract.iter(f"{W}lvl")}
        overrides = {int(o.get(f"{W}ilvl")): int(o.find(f"{W}startOverride").get(f"{W}val"))
                     for o in num.iter(f"{W}lvlOverride")
                     if o.find(f"{W}startOverride") is not None}
        count = counters.setdefault(num_id, {})
        if level in count:
            count[level] += 1
        else:
            count[level] = overrides.get(level, int(levels[level].find(f"{W}start").get(
                f"{W}val")))
        for deeper in [k for k in count if k > level]:
            del count[deeper]
        text = levels[level].find(f"{W}lvlText").get(f"{W}val")
        for k, lvl in levels.items():
            if f"%{k + 1}" in text:
                value = count.get(k, int(lvl.find(f"{W}start").get(f"{W}val")))
                text = text.replace(f"%{k + 1}",
                                    _formatted(value, lvl.find(f"{W}numFmt").get(f"{W}val")))
        labels[index] = text
    return labels


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


def libreoffice_text(data: bytes, folder: Path) -> str:
    """The text of `data` as LibreOffice lays it out (converted to PDF, read with pypdf)."""
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        if os.environ.get("CI"):
            raise AssertionError("CI must install LibreOffice (see .ci/run)")
        pytest.skip("LibreOffice is not installed")
    source = folder / "converted.docx"
    source.write_bytes(data)
    subprocess.run([soffice, f"-env:UserInstallation=file://{folder}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), str(source)],
                   check=True, capture_output=True, timeout=120)
    pdf = folder / "converted.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    from pypdf import PdfReader
    return " ".join(page.extract_text() for page in PdfReader(str(pdf)).pages)


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
