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


# ---- --json: findings and errors as JSON lines ------------------------------------------------

def _json_lines(output: str) -> list[dict]:
    import json

    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_check_json_prints_each_finding_with_its_location_fields():
    result = CliRunner().invoke(main, ["check", "--json", str(SEED)])
    assert result.exit_code == 1
    records = _json_lines(result.stdout)
    assert len(records) == len(result.stdout.splitlines()) >= 2
    slip = next(r for r in records if r["code"] == "cite-short")
    assert slip == {"level": "error", "code": "cite-short", "file": str(SEED), "line": 61,
                    "field": "discussion.0.text", "message": slip["message"]}
    assert "654 F.3d" in slip["message"] and "645 F.3d 114" in slip["message"]
    assert all({"level", "code", "message", "file", "line", "field"} <= set(r) for r in records)


def test_an_error_under_json_is_a_json_line_with_its_hint(tmp_path):
    out = tmp_path / "o.docx"
    out.write_bytes(b"theirs")
    result = CliRunner().invoke(main, ["render", "--json", str(SEED), "-o", str(out)])
    assert result.exit_code == 1
    error = _json_lines(result.stdout)[-1]
    assert error["level"] == "error" and error["file"] == str(out)
    assert error["message"] == "already exists" and error["hint"] == "overwrite"
    assert error["text"].endswith("(use --force to overwrite)")
    bad = tmp_path / "bad.docx"
    bad.write_text("not a zip")
    result = CliRunner().invoke(main, ["check", "--json", str(bad)])
    assert result.exit_code == 1 and _json_lines(result.stdout)[-1]["file"] == str(bad)


def test_render_lint_and_batch_take_json(tmp_path):
    result = CliRunner().invoke(main, ["render", "--json", str(SEED), "-o",
                                       str(tmp_path / "o.docx")])
    assert result.exit_code == 0
    records = _json_lines(result.stdout)
    assert [r["code"] for r in records if "code" in r and r["code"] != "library-clause"] == [
        "cite-id", "cite-short"]
    library = [r["clause"] for r in records if r.get("code") == "library-clause"]
    assert library == ["default-judgment/denied-without-prejudice", "sealing/footnote"]
    assert records[-1]["docx"] == str(tmp_path / "o.docx") and records[-1]["clauses"]
    result = CliRunner().invoke(main, ["lint", "--json"])
    assert result.exit_code == 0 and _json_lines(result.stdout) == []
    rows = FIXTURES / "batches" / "early-discovery-bad.csv"
    result = CliRunner().invoke(main, ["batch", "--json", str(rows), "--base",
                                       str(FIXTURES / "batches" / "early-discovery.yaml"),
                                       "-o", str(tmp_path / "orders"), "-j", "1"])
    assert result.exit_code == 1
    failed = _json_lines(result.stdout)
    assert failed and all(r["level"] == "error" and r["row"] > 1 for r in failed)
