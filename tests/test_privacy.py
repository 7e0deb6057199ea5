"""Fed. R. Civ. P. 5.2 lint over case files, rendered orders and PDFs."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from assembler import load_case, render_order
from assembler.checks import privacy_findings
from assembler.cli import main

from conftest import SEED, document_text

CASE = """\
court: ctd
case_number: "3:20-cv-00001"
judge: {name: Ada Fictional}
plaintiffs: [{name: "Northwind Pictures, LLC"}]
defendants: [{name: Bram Tollis, minor: true}]
motion: {kind: default_judgment, doc: 12}
ruling: {outcome: denied}
signed: {place: Hartford, date: 2021-06-04}
background: |
  The complaint was filed in 2020.

  Records list SSN 123-45-6789 and a date of birth of March 3, 1990.
"""


@pytest.mark.parametrize("text, code", [
    ("SSN 123-45-6789", "ssn"),
    ("social security number 123 45 6789", "ssn"),
    ("EIN 12-3456789 on the return", "tin"),
    ("taxpayer identification number 912345678", "tin"),
    ("born on March 3, 1990", "birth-date"),
    ("DOB: 03/03/1990", "birth-date"),
    ("date of birth 1990-03-03", "birth-date"),
    ("account number 000123456789", "account-number"),
    ("paid by card 4111 1111 1111 1111", "account-number"),
    ("wired to Acct. No. 5500-0000-0000-0004 last week", "account-number"),
])
def test_each_rule_5_2_pattern(text, code):
    assert [f.code for f in privacy_findings(text, "x")] == [code]


@pytest.mark.parametrize("text", [
    "Doc. #17 at 2-4 (¶¶ 10-23); Docs. #29; #29-1 at 1, 16.",
    "2014 WL 7178077, at *2 (M.D. Fla. 2014); 556 U.S. 662, 678 (2009).",
    "No. 3:18-cv-01369 (JAM); IP address 203.0.113.104.",
    "On August 13, 2018, Malibu Media filed this action.",
    "the account ending in 6789",
    "born in 1990",
])
def test_ordinary_order_text_is_not_flagged(text):
    assert privacy_findings(text, "x") == []


def test_minor_name_is_flagged():
    findings = privacy_findings("Bram Tollis was 15.", "x", ["Bram Tollis"])
    assert [f.code for f in findings] == ["minor-name"]


def test_check_case_file_reports_ssn_and_birth_date_with_lines(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text(CASE, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(case)])
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert any(line.startswith(f"{case}:12: background: error: a full Social Security number")
               for line in lines), lines
    assert any(f"{case}:12: background: error: a full date of birth" in line for line in lines)
    assert "6789" in result.stdout and "123-45-6789" not in result.stdout


def test_check_seed_fixture_is_clean_of_privacy_findings():
    result = CliRunner().invoke(main, ["check", str(SEED)])
    assert "[ssn]" not in result.output and "[sealed-term]" not in result.output


def test_render_refuses_a_privacy_error_unless_allowed(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text(CASE, encoding="utf-8")
    out = tmp_path / "o.docx"
    result = CliRunner().invoke(main, ["render", str(case), "-o", str(out)])
    assert result.exit_code == 1 and "Rule 5.2" in result.output and not out.exists()
    result = CliRunner().invoke(main, ["render", str(case), "-o", str(out),
                                       "--allow", "ssn", "--allow", "birth-date"])
    assert result.exit_code == 0, result.output
    assert out.exists()


def test_minor_appears_by_initials_in_the_public_version(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text(CASE.split("background:")[0], encoding="utf-8")
    text = document_text(render_order(load_case(case)).data)
    assert "B.T.," in text and "Tollis" not in text


def test_check_docx_reads_metadata_and_sealed_terms(tmp_path, seed_docx):
    path = tmp_path / "order.docx"
    path.write_bytes(seed_docx)
    result = CliRunner().invoke(main, ["check", str(path), "--case", str(SEED)])
    assert result.exit_code == 0, result.output
    sealed = render_order(load_case(SEED), case_dir=SEED.parent, sealed=True).data
    path.write_bytes(sealed)
    result = CliRunner().invoke(main, ["check", str(path), "--case", str(SEED)])
    assert result.exit_code == 1 and "[sealed-term]" in result.output
    assert "Voss" not in result.output


def test_check_rejects_other_files(tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("x")
    result = CliRunner().invoke(main, ["check", str(other)])
    assert result.exit_code == 1 and "check reads a case file" in result.output


def _part(text):
    return (f'<w:hdr xmlns:w="x"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:hdr>').encode()


def test_unchanged_parts_keep_their_findings_and_changed_parts_are_scanned_again():
    from assembler.checks import package_privacy_findings

    body = _part("Nothing to see.").replace(b"w:hdr", b"w:document")
    with_ssn = {"word/document.xml": body, "word/header1.xml": _part("SSN 123-45-6789")}
    first = package_privacy_findings(with_ssn)
    again = package_privacy_findings(dict(with_ssn))  # same bytes: the same findings
    assert [f.code for f in first] == [f.code for f in again] == ["ssn"]
    assert again[0].where == "word/header1.xml: paragraph 1"
    clean = package_privacy_findings({**with_ssn, "word/header1.xml": _part("Page 1")})
    assert clean == []
    named = {"word/document.xml": body, "word/header1.xml": _part("About Tina Minor")}
    assert package_privacy_findings(named) == []
    assert [f.code for f in package_privacy_findings(named, ["Tina Minor"])] == ["minor-name"]


def test_reader_text_keeps_every_character_outside_tags():
    from assembler.checks import _reader_text

    assert _reader_text("<w:p><w:r><w:t>a &gt; b &amp; c</w:t></w:r></w:p>") == "a > b & c\n"
    assert _reader_text("<w:p><w:r><w:t>x>y</w:t><w:tab/><w:t>z</w:t></w:r></w:p>") == "x>y z\n"
    assert _reader_text("before<w:p/>after") == "beforeafter"
