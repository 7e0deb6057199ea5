"""Court styles on the page: PDFs from LibreOffice, read back page by page.

Every style fixture (and, for each style, orders whose body grows a paragraph at a time so
that the closing falls at every place on a page) keeps the closing, date and signature on one
page; every page of pleading paper carries the 28 line numbers.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, SEED

from assembler import load_case, render_order
from assembler.pdf import PdfConverter

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")

CASES = FIXTURES / "cases"
STYLE_FIXTURES = ["cand-order", "cacd-order", "caed-order", "casd-order", "nysd-order",
                  "njd-opinion", "ilnd-order", "default-judgment-granted"]
PLEADING = {"cand-order", "cacd-order", "caed-order", "casd-order"}
# Each style's date line and the last line of its signature block, as a reader finds them.
SIGNED = {"cand-order": ("Dated: January 2, 2025", "VERA CALLOWAY"),
          "cacd-order": ("Dated: November 30, 2022", "DORIAN O. CASTELLANOS"),
          "caed-order": ("Dated: September 10, 2021", "DANA A. DELACROIX"),
          "casd-order": ("Dated: December 1, 2023", "AVERY J. BELLWEATHER"),
          "nysd-order": ("April 19, 2021", "SOFIA D. ABERNATHY"),
          "njd-opinion": ("Dated: March 7, 2024", "KATHERINE M. WEXFORD"),
          "ilnd-order": ("Dated: May 14, 2024", "/s/ Imogen Wardlaw"),
          "default-judgment-granted": ("Dated at Hartford", "/s/ Ada Fictional Lane")}
FILLER = "The Court has read the whole record."   # one line: two lines of a double-spaced page


def _pages(pdf: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(str(pdf)).pages]


def _margin_numbers(pdf: Path, page_count: int) -> list[list[int]]:
    """The whole numbers printed left of the text (x < 1.35 in) on each page, top to bottom."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    pages = out.split("<page ")[1:]
    found = []
    for page in pages:
        words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>(\d+)</word>', page)
        found.append([int(t) for x, y, t in sorted(words, key=lambda w: float(w[1]))
                      if float(x) < 1.35 * 72])
    assert len(found) == page_count
    return found


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    """Every style fixture and its growing variants, converted in one LibreOffice run."""
    folder = tmp_path_factory.mktemp("styles-pdf")
    sources = []
    for name in STYLE_FIXTURES:
        path = CASES / f"{name}.yaml"
        out = folder / f"{name}.docx"
        out.write_bytes(render_order(load_case(path), case_dir=CASES).data)
        sources.append(out)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for extra in range(1, 15):  # the closing lands two lines further down each time
            grown = copy.deepcopy(data)
            if "sections" in grown:
                grown["sections"][-1:-1] = [{"text": FILLER}] * extra
            else:
                grown["background"] = grown["background"] + "\n\n".join([""] + [FILLER] * extra)
            variant = folder / f"{name}-plus{extra}.yaml"
            variant.write_text(yaml.safe_dump(grown, allow_unicode=True), encoding="utf-8")
            out = folder / f"{name}-plus{extra}.docx"
            out.write_bytes(render_order(load_case(variant), case_dir=CASES).data)
            sources.append(out)
    with PdfConverter() as converter:
        results = converter.convert(sources, force=True)
    assert all(r.pdf is not None for r in results), [r.error for r in results]
    return {r.source.stem: r.pdf for r in results}


def test_the_signature_block_is_on_the_page_of_its_date_line(rendered):
    for stem, pdf in rendered.items():
        date_line, signature = SIGNED[stem.split("-plus")[0]]
        pages = _pages(pdf)
        dated = [i for i, text in enumerate(pages) if date_line in text]
        signed = [i for i, text in enumerate(pages) if signature in text]
        assert dated and signed and dated[-1] == signed[-1], (stem, dated, signed)


def test_orders_grow_onto_a_second_page(rendered):
    # The variants reach past one page, so the test above sees page breaks near the closing.
    assert any(len(_pages(pdf)) > 1 for stem, pdf in rendered.items() if "plus14" in stem)


def test_every_page_of_pleading_paper_has_28_numbered_lines(rendered):
    for stem, pdf in rendered.items():
        if stem.split("-plus")[0] not in PLEADING:
            continue
        pages = _pages(pdf)
        for number, numbers in enumerate(_margin_numbers(pdf, len(pages)), start=1):
            assert numbers == list(range(1, 29)), (stem, number, numbers)


def test_the_seed_order_keeps_its_signature_with_its_date(tmp_path):
    out = tmp_path / "seed.docx"
    out.write_bytes(render_order(load_case(SEED), case_dir=SEED.parent).data)
    with PdfConverter() as converter:
        (result,) = converter.convert([out])
    pages = _pages(result.pdf)
    dated = [i for i, t in enumerate(pages) if "Dated at New Haven" in t]
    signed = [i for i, t in enumerate(pages) if "/s/ Jeffrey Alker Meyer" in t]
    assert dated == signed


def _order_in_font(path: Path, font: str) -> Path:
    """The federal style's order for ilnd, its Normal style set in `font`."""
    import zipfile

    data = render_order(load_case(CASES / "ilnd-order.yaml"), case_dir=CASES).data
    path.write_bytes(data)
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    parts["word/styles.xml"] = parts["word/styles.xml"].replace(
        b'w:ascii="Times New Roman"', f'w:ascii="{font}"'.encode()).replace(
        b'w:hAnsi="Times New Roman"', f'w:hAnsi="{font}"'.encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, part in parts.items():
            archive.writestr(name, part)
    return path


def test_a_substituted_font_is_named_once_and_an_installed_one_is_not(tmp_path):
    from assembler.fonts import substitution_note

    missing = _order_in_font(tmp_path / "schoolbook.docx", "Century Schoolbook")
    installed = _order_in_font(tmp_path / "dejavu.docx", "DejaVu Serif")
    with PdfConverter() as converter:
        results = converter.convert([missing, installed])
    note = substitution_note(missing, results[0].pdf)
    assert note is not None and "asks for Century Schoolbook" in note
    assert note.count("Century Schoolbook") == 1
    assert substitution_note(installed, results[1].pdf) is None


def test_render_pdf_prints_the_substitution_as_a_note(tmp_path):
    from click.testing import CliRunner

    from assembler.cli import main

    result = CliRunner().invoke(main, ["render", str(CASES / "ilnd-order.yaml"), "--pdf",
                                       "-o", str(tmp_path / "o.docx")])
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if "where the order asks for" in line]
    if shutil.which("fc-match") and "Times New Roman" in subprocess.run(
            ["fc-match", "Times New Roman"], capture_output=True, text=True).stdout:
        assert notes == []
    else:
        assert len(notes) == 1 and notes[0].startswith("note: ")
