"""PDF output through a real LibreOffice: text layer, title, tags, PDF/A, failures."""

from __future__ import annotations

import csv
import difflib
import os
import re
import shutil

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from assembler.cli import main
from assembler.pdf import PdfConverter

from conftest import FIXTURES, SEED, document_text

if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI must install LibreOffice (see .ci/run)")
    pytest.skip("LibreOffice is not installed", allow_module_level=True)


def pdf_text(path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(str(path)).pages)


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    result = CliRunner().invoke(main, ["render", str(SEED), "-o", str(folder / "seed.docx"),
                                       "--pdf-a"])
    assert result.exit_code == 0, result.output
    return folder / "seed.docx", folder / "seed.pdf"


def test_pdf_text_layer_matches_the_docx(seed_pdf):
    docx_path, pdf_path = seed_pdf
    expected = document_text(docx_path.read_bytes()).split()
    found = re.sub(r"(?m)^\d+$", "", pdf_text(pdf_path)).split()
    ratio = difflib.SequenceMatcher(None, expected, found, autojunk=False).ratio()
    assert ratio >= 0.95, ratio
    flat = " ".join(pdf_text(pdf_path).split())
    assert "judgment by September" in flat and "14, 2020. If Malibu Media" in flat


def test_pdf_metadata_title_tags_and_pdf_a(seed_pdf):
    _, pdf_path = seed_pdf
    reader = PdfReader(str(pdf_path))
    assert reader.metadata.title == "ORDER DENYING MOTION FOR DEFAULT JUDGMENT"
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root  # tagged
    xmp = pdf_path.read_bytes()
    assert re.search(rb"pdfaid:part>2<", xmp) and re.search(rb"pdfaid:conformance>B<", xmp)


def test_plain_pdf_is_tagged_but_not_pdf_a(tmp_path):
    result = CliRunner().invoke(main, ["render", str(SEED), "-o", str(tmp_path / "o.docx"),
                                       "--pdf"])
    assert result.exit_code == 0, result.output
    data = (tmp_path / "o.pdf").read_bytes()
    assert b"pdfaid:part" not in data
    assert bool(PdfReader(str(tmp_path / "o.pdf")).trailer["/Root"]["/MarkInfo"]["/Marked"])


def test_missing_libreoffice_is_a_clear_error_before_anything_is_written(tmp_path):
    result = CliRunner().invoke(main, ["render", str(SEED), "-o", str(tmp_path / "o.docx"),
                                       "--pdf", "--soffice", str(tmp_path / "no-soffice")])
    assert result.exit_code == 1
    assert "LibreOffice not found" in result.stderr and "apt-get install" in result.stderr
    assert not (tmp_path / "o.docx").exists()


def test_failures_are_per_document_and_never_hang(tmp_path, seed_pdf):
    good = tmp_path / "good.docx"
    shutil.copy(seed_pdf[0], good)
    broken = tmp_path / "broken.docx"
    broken.write_bytes(good.read_bytes()[:3000])
    with PdfConverter() as converter:
        results = converter.convert([good, broken])
    assert results[0].pdf == tmp_path / "good.pdf" and results[0].error == ""
    assert results[1].pdf is None and "wrote no PDF" in results[1].error
    with PdfConverter(seconds_per_document=0, start_seconds=0.05) as converter:
        (late,) = converter.convert([good], force=True)
    assert late.pdf is None and "did not finish" in late.error
    assert not list(tmp_path.glob(".assembler-pdf-*"))  # staging folders are cleaned up


def test_batch_pdf_writes_one_pdf_per_order(tmp_path):
    rows = tmp_path / "rows.csv"
    with (FIXTURES / "batches" / "early-discovery.csv").open(encoding="utf-8") as handle:
        rows.write_text("".join(handle.readlines()[:6]), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(rows), "--base",
                                       str(FIXTURES / "batches" / "early-discovery.yaml"),
                                       "-o", str(out), "--pdf"])
    assert result.exit_code == 0, result.output
    with (out / "manifest.csv").open(newline="", encoding="utf-8-sig") as handle:
        entries = list(csv.DictReader(handle))
    assert len(entries) == 5
    for entry in entries:
        assert entry["pdf"] == entry["output"].replace(".docx", ".pdf")
        text = pdf_text(out / entry["pdf"])
        assert "NOTICE TO SUBSCRIBER" in text


def test_pdfs_are_reproducible_across_time_zones(tmp_path, seed_pdf):
    """Two `render --pdf` runs in different time zones give the same bytes, dated with the
    order's date in UTC, with an ID derived from the content (issue 11)."""
    import subprocess
    import sys

    runs = []
    for zone in ("UTC", "Asia/Tokyo"):
        folder = tmp_path / zone.replace("/", "-")
        folder.mkdir()
        env = {**os.environ, "TZ": zone, "PYTHONPATH": str(FIXTURES.parent)}
        done = subprocess.run([sys.executable, "-m", "assembler", "render", str(SEED), "-o",
                               str(folder / "order.docx"), "--pdf"], env=env,
                              capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr
        runs.append((folder / "order.pdf").read_bytes())
    assert runs[0] == runs[1]
    reader = PdfReader(str(tmp_path / "UTC" / "order.pdf"))
    assert reader.metadata["/CreationDate"] == "D:20200813000000Z"
    assert b"+09'00'" not in runs[0]
    # The PDF/A version too: its XMP dates and its ICC profile's creation time.
    pdf_a = PdfReader(str(seed_pdf[1]))
    xmp = pdf_a.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"2020-08-13T00:00:00Z" in xmp
    assert re.findall(rb"\d{4}-\d\d-\d\dT[\d:]+Z", xmp) == [b"2020-08-13T00:00:00Z"] * len(
        re.findall(rb"\d{4}-\d\d-\d\dT[\d:]+Z", xmp))


def test_plain_pdf_is_fixed_in_place_with_every_offset_still_valid(tmp_path):
    """A plain PDF's dates, ID and LibreOffice's checksum are overwritten without moving a
    byte: two conversions made at different times give the same file, and the cross-reference
    table still points at every object (the PDF/A path, with its XMP and ICC profile, is
    rewritten by pypdf instead)."""
    from datetime import date

    from assembler.pdf import _patched_in_place, reproducible

    source = tmp_path / "o.docx"
    result = CliRunner().invoke(main, ["render", str(SEED), "-o", str(source)])
    assert result.exit_code == 0, result.output
    with PdfConverter() as converter:
        (done,) = converter.convert([source])
    raw = done.pdf.read_bytes()  # already fixed; make it look as LibreOffice wrote it later on
    later = re.sub(rb"/CreationDate\(D:\d{8}000000Z\) ",
                   b"/CreationDate(D:20301231235959Z')", raw, count=1)
    assert later != raw
    copy = tmp_path / "later.pdf"
    fixed = reproducible(later, date(2020, 8, 13))
    copy.write_bytes(fixed)
    assert fixed == raw and len(fixed) == len(later)
    reader = PdfReader(str(copy), strict=True)
    assert reader.metadata["/CreationDate"] == "D:20200813000000Z"
    assert reader.trailer["/ID"][0] == reader.trailer["/ID"][1]
    start = int(re.search(rb"startxref\s+(\d+)", fixed).group(1))
    assert fixed[start:start + 4] == b"xref"
    offsets = [int(m.group(1)) for m in re.finditer(rb"(\d{10}) 00000 n", fixed)]
    assert offsets and all(re.match(rb"\d+ 0 obj", fixed[o:o + 12]) for o in offsets)
    assert "NOTICE" in pdf_text(copy) or "ORDER" in pdf_text(copy)
    assert _patched_in_place(b"%PDF-1.7 /Metadata 3 0 R %%EOF", date(2020, 1, 1)) is None


@pytest.mark.parametrize("in_the_way", ["order.docx", "order.pdf"])
def test_render_pdf_that_cannot_write_leaves_no_libreoffice_profile(tmp_path, monkeypatch,
                                                                     in_the_way):
    """An order or PDF already there (no --force) stops `render --pdf` with an error; the
    existing file is untouched and no LibreOffice profile folder is left in TMPDIR."""
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(private))
    (tmp_path / in_the_way).write_bytes(b"already here")
    result = CliRunner().invoke(main, ["render", str(SEED), "-o", str(tmp_path / "order.docx"),
                                       "--pdf"])
    assert result.exit_code == 1, result.output
    assert "already exists" in result.output and "Traceback" not in result.output
    assert (tmp_path / in_the_way).read_bytes() == b"already here"
    assert list(private.glob("assembler-libreoffice-*")) == []
