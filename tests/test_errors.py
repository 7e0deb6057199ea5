"""The error boundary: bad inputs give one located line and exit 1, never a traceback."""

from __future__ import annotations

import shutil

import docx
from click.testing import CliRunner

from assembler.cli import main
from conftest import FIXTURES, SEED


def _one_error(*args) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    lines = result.output.strip().splitlines()
    assert "Traceback" not in result.output and lines[-1].startswith("error: ")
    return lines[-1]


def test_check_on_a_docx_that_is_not_a_zip_is_one_line(tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_text("not a zip")
    assert _one_error("check", bad) == (
        f"error: {bad}: not a Word document (.docx is a zip package): File is not a zip file")


def test_check_on_a_damaged_pdf_is_one_line(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\n1 0 obj << /Length 99 >> stream\nxx\nendstream endobj\n")
    assert _one_error("check", bad).startswith(f"error: {bad}: cannot read this PDF: ")


def _case_with_clause_text(tmp_path, text: str):
    shutil.copytree(FIXTURES / "chambers", tmp_path / "chambers")
    (tmp_path / "cases").mkdir()
    case = tmp_path / "cases" / SEED.name
    shutil.copy(SEED, case)
    clause = tmp_path / "chambers" / "jam" / "clauses" / "sealing" / "footnote.md"
    clause.write_text(clause.read_text(encoding="utf-8").rstrip() + f" {text}\n",
                      encoding="utf-8")
    return case, clause


def test_a_clause_calling_deadline_minus_one_is_one_line(tmp_path):
    case, clause = _case_with_clause_text(tmp_path, "Due {{ deadline(-1) }}.")
    for command in ("check", "render"):
        line = _one_error(command, case, *(["-o", tmp_path / "o.docx"] * (command == "render")))
        assert line.startswith(f"error: {clause}") and "clause sealing/footnote" in line
        assert "-1" in line
    assert not (tmp_path / "o.docx").exists()


def test_a_misspelt_clause_value_names_the_clause_line_not_jinja(tmp_path):
    case, clause = _case_with_clause_text(tmp_path, "See {{ motion.tittle }}.")
    line = _one_error("render", case, "-o", tmp_path / "o.docx")
    assert line == (f"error: {clause}:6: clause sealing/footnote: uses 'tittle', which no "
                    "case gives (misspelt?)")


def test_a_misspelt_template_variable_names_the_part_and_paragraph(tmp_path):
    template = tmp_path / "misspelt.docx"
    document = docx.Document(str(FIXTURES.parent / "templates" / "order.docx"))
    document.add_paragraph("Motion {{ motion.tittle }} is pending.")
    document.save(str(template))
    line = _one_error("render", SEED, "--template", template, "-o", tmp_path / "o.docx")
    assert line == ("error: misspelt.docx: word/document.xml: paragraph “Motion {{ "
                    "motion.tittle }} is pending.”: uses 'tittle', which no case gives "
                    "(misspelt?)")
    assert "dict object" not in line
