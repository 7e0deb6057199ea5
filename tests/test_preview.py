"""preview: render what an author is editing, with the gaps marked instead of failing."""

from __future__ import annotations

import os
import shutil

import pytest
from click.testing import CliRunner

from assembler.cli import main
from assembler.resources import bundled_clauses, default_template

from conftest import FIXTURES, SEED, document_text, make_template, read_part

HAS_OFFICE = bool((shutil.which("soffice") or shutil.which("libreoffice"))
                  and shutil.which("pdftoppm"))


def preview(*args):
    return CliRunner().invoke(main, ["preview", *map(str, args)])


def seed_without(tmp_path, line):
    text = SEED.read_text(encoding="utf-8")
    assert line in text
    text = text.replace(line, "").replace("../chambers/jam", str(FIXTURES / "chambers" / "jam"))
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_value_is_marked_highlighted_and_listed(tmp_path):
    case = seed_without(tmp_path, "  doc: 29\n")
    out = tmp_path / "p.docx"
    result = preview("--data", case, "-o", out)
    assert result.exit_code == 0, result.output
    assert "missing: motion.doc (the case does not give it)" in result.output
    text = document_text(out.read_bytes())
    assert "the motion for default judgment (Doc. #[[motion.doc]]) is DENIED" in text
    xml = read_part(out.read_bytes(), "word/document.xml")
    assert ('<w:highlight w:val="yellow"/></w:rPr><w:t xml:space="preserve">[[motion.doc]]'
            in xml)


def test_missing_text_and_date_fields(tmp_path):
    case = seed_without(tmp_path, "  place: New Haven\n")
    text_case = case.read_text().replace("  date: 2020-08-13\n", "")
    case.write_text(text_case)
    out = tmp_path / "p.docx"
    result = preview("--data", case, "-o", out)
    assert result.exit_code == 0, result.output
    assert "missing: signed.place" in result.output and "missing: signed.date" in result.output
    assert "Dated at [[signed.place]] this [[signed.date]]." in document_text(out.read_bytes())


def test_a_template_variable_no_case_gives_is_marked(tmp_path):
    template = make_template(tmp_path / "t.docx", ["Order in {{ case_number }} by "
                                                   "{{ judge.nickname }}."])
    out = tmp_path / "p.docx"
    result = preview(template, "-o", out)
    assert result.exit_code == 0, result.output
    assert "missing: nickname (the template uses a name no case gives)" in result.output
    assert "Order in 3:25-cv-00123 by [[nickname]]." in document_text(out.read_bytes())


def test_a_clause_is_previewed_in_an_order(tmp_path):
    out = tmp_path / "p.docx"
    result = preview(bundled_clauses() / "standard" / "dismiss.md", "-o", out)
    assert result.exit_code == 0, result.output
    text = document_text(out.read_bytes())
    assert "tests whether the complaint states a claim" in text


@pytest.mark.skipif(not HAS_OFFICE and not os.environ.get("CI"),
                    reason="LibreOffice and poppler-utils are not installed")
def test_png_pages_of_the_sample_order(tmp_path):
    pages = tmp_path / "pages"
    result = preview(default_template(), "--png", pages, "-o", tmp_path / "p.docx")
    assert result.exit_code == 0, result.output
    pngs = sorted(pages.glob("page-*.png"))
    assert len(pngs) >= 2
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _watch_sees_an_edit(case, out, before: str, after: str, edit) -> None:
    """Run `preview --watch` on `case`, check the first render shows `before`, call `edit()`,
    and check a later render shows `after` (within a minute)."""
    import signal
    import subprocess
    import sys
    import time

    from conftest import ROOT

    process = subprocess.Popen(
        [sys.executable, "-m", "assembler", "preview", "--data", str(case), "-o", str(out),
         "--watch"], env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not out.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert before in document_text(out.read_bytes())
        time.sleep(1.0)  # let the watcher settle before the edit
        edit()
        while time.monotonic() < deadline:
            if after in document_text(out.read_bytes()):
                break
            time.sleep(0.2)
        assert after in document_text(out.read_bytes())
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.communicate(timeout=30)


def test_watch_renders_again_when_the_case_changes(tmp_path):
    case = seed_without(tmp_path, "")
    _watch_sees_an_edit(
        case, tmp_path / "watched.docx", "Dated at New Haven", "Dated at Bridgeport",
        lambda: case.write_text(case.read_text().replace("place: New Haven", "place: Bridgeport")))


def test_a_missing_optional_value_a_clause_needs_does_not_stop_the_preview(tmp_path):
    base = (FIXTURES / "batches" / "early-discovery.yaml").read_text(encoding="utf-8")
    case = tmp_path / "case.yaml"
    case.write_text(base.replace("signed: {place: New Haven}",
                                 "signed: {place: New Haven, date: 2023-04-03}")
                    + 'case_number: "3:23-cv-00001"\n', encoding="utf-8")  # no isp, no IP
    out = tmp_path / "p.docx"
    result = preview("--data", case, "-o", out)
    assert result.exit_code == 0, result.output
    assert "missing: isp (the case does not give it)" in result.output
    assert "missing: defendants.0.ip_address (the case does not give it)" in result.output
    text = document_text(out.read_bytes())
    assert "serve on [[isp]] a subpoena" in text
    assert "IP address [[defendants.0.ip_address]]" in text


def test_watch_shows_the_new_text_of_a_clause_edited_while_it_runs(tmp_path):
    shutil.copytree(FIXTURES / "chambers", tmp_path / "chambers")
    (tmp_path / "cases").mkdir()
    case = tmp_path / "cases" / SEED.name
    shutil.copy(SEED, case)
    clause = tmp_path / "chambers" / "jam" / "clauses" / "sealing" / "footnote.md"
    _watch_sees_an_edit(
        case, tmp_path / "watched.docx", "compelling reasons", "weighty reasons",
        lambda: clause.write_text(clause.read_text(encoding="utf-8").replace(
            "compelling reasons", "weighty reasons"), encoding="utf-8"))
